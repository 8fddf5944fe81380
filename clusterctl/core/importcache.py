"""Knowing, without reading them, that files change nothing.

Every write transaction bumps the database's generation (``clusterctl_meta``), and triggers
bump it at every row written by any other program too. An import records its files'
fingerprint with the generation it left. When the same files (same bytes, same day, so that
relative dates mean the same, read by the same clusterctl version, whose rules may differ
from an older one's) are imported again and the generation has not moved, nothing can differ:
the import is done without parsing or comparing anything.
Cron jobs that re-import the same list every night take the fast path.
"""

import hashlib
import json
from datetime import date

from clusterctl.store.db import Database


def fingerprint(raw: list[tuple[str, bytes | OSError]], today: date) -> str | None:
    """The files' contents, the date that relative dates count from and the version of
    clusterctl that reads them; None if a file is unreadable."""
    from clusterctl import __version__

    digest = hashlib.sha256(f"{__version__}\n{today.isoformat()}".encode())
    for _name, content in raw:
        if isinstance(content, OSError):
            return None
        digest.update(len(content).to_bytes(8, "big"))
        digest.update(content)
    return digest.hexdigest()


def _meta(db: Database) -> dict[str, str]:
    return dict(db.rows(
        "SELECT name, value FROM clusterctl_meta WHERE name IN ('generation', 'last_import')"))


def unchanged_import(db: Database, files_fingerprint: str | None) -> dict | None:
    """The record of the last import if it was of these files and nothing was written since."""
    meta = _meta(db)
    if files_fingerprint is None or "last_import" not in meta:
        return None
    record = json.loads(meta["last_import"])
    if record["fingerprint"] == files_fingerprint and record["generation"] == meta.get(
            "generation"):
        return record
    return None


def remember_import(db: Database, files_fingerprint: str | None, totals: dict) -> None:
    """Inside the import's transaction: what it saw, and the generation it leaves."""
    generation = _meta(db).get("generation")
    db.execute("DELETE FROM clusterctl_meta WHERE name = 'last_import'")
    if files_fingerprint is None or generation is None:
        return
    record = {"fingerprint": files_fingerprint, "generation": generation,
              **{k: v for k, v in totals.items() if k != "not_in_files"},
              "not_in_files": totals["not_in_files"]}  # the refs the summary shows, whole
    db.execute("INSERT INTO clusterctl_meta (name, value) VALUES ('last_import', :value)",
               {"value": json.dumps(record, ensure_ascii=False)})

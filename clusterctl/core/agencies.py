"""Agencies: the departments that lead and support tasks."""

from datetime import date

from clusterctl.errors import InputError, NotFoundError
from clusterctl.i18n import _
from clusterctl.store.db import Database, as_date, utc_now
from clusterctl.text import fold


class Agency:
    """An agency as the register holds it. (A plain class: defining a dataclass costs every
    command that loads this module most of a millisecond.)"""

    __slots__ = ("aliases", "code", "dissolved_on", "id", "name", "successors")

    def __init__(self, id: int, code: str, name: str, aliases: list[str] | None = None,
                 dissolved_on: date | None = None, successors: list[str] | None = None) -> None:
        self.id = id
        self.code = code
        self.name = name
        self.aliases = aliases if aliases is not None else []
        self.dissolved_on = dissolved_on  # merged, split or abolished on that day
        self.successors = successors if successors is not None else []  # those carrying on

    def _fields(self) -> tuple:
        return (self.id, self.code, self.name, self.aliases, self.dissolved_on, self.successors)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Agency) and self._fields() == other._fields()

    __hash__ = None  # mutable, as a dataclass is

    def __repr__(self) -> str:
        return f"Agency(id={self.id!r}, code={self.code!r}, name={self.name!r})"

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "aliases": self.aliases,
                "dissolved_on": self.dissolved_on.isoformat() if self.dissolved_on else None,
                "successors": self.successors}

    def check_active(self, on: date) -> None:
        """Refuse new work for an agency that no longer exists on ``on``, naming who
        carries on its tasks."""
        if self.dissolved_on is None or on < self.dissolved_on:
            return
        from clusterctl.words import day

        if len(self.successors) == 1:
            raise InputError(_(
                "{code} ({name}) ceased to exist on {dissolved}; its tasks passed to {to}: "
                "name {to} instead").format(code=self.code, name=self.name,
                                            dissolved=day(self.dissolved_on),
                                            to=self.successors[0]))
        if self.successors:
            raise InputError(_(
                "{code} ({name}) ceased to exist on {dissolved}; its tasks passed to {to}: "
                "name one of them instead").format(
                code=self.code, name=self.name, dissolved=day(self.dissolved_on),
                to=", ".join(self.successors)))
        raise InputError(_("{code} ({name}) ceased to exist on {dissolved}; name an agency "
                           "that exists").format(code=self.code, name=self.name,
                                                 dissolved=day(self.dissolved_on)))


def load_agencies(db: Database) -> list[Agency]:
    """Every agency with its aliases, by code. Offices have tens, not thousands."""
    agencies = {
        agency_id: Agency(agency_id, code, name, dissolved_on=as_date(dissolved_on))
        for agency_id, code, name, dissolved_on in db.rows(
            "SELECT id, code, name, dissolved_on FROM agency ORDER BY code_key")
    }
    for agency_id, alias in db.rows(
        "SELECT agency_id, alias FROM agency_alias ORDER BY agency_id, alias"
    ):
        agencies[agency_id].aliases.append(alias)
    for agency_id, successor_id in db.rows(
            "SELECT agency_id, successor_id FROM agency_successor ORDER BY agency_id, position"):
        agencies[agency_id].successors.append(agencies[successor_id].code)
    return list(agencies.values())


def any_dissolved(db: Database) -> bool:
    """Whether any agency has ceased to exist (merged, split or abolished): one look."""
    return db.scalar("SELECT 1 FROM agency WHERE dissolved_on IS NOT NULL LIMIT 1") is not None


def names_on(db: Database, on: date) -> dict[int, tuple[str, str]]:
    """Each agency's code and name as they were on ``on``: renames that took effect after
    it undone, latest first."""
    names = {agency_id: (code, name) for agency_id, code, name in
             db.rows("SELECT id, code, name FROM agency")}
    undone = None
    for entry_id, agency_id, changes in db.rows(
            "SELECT id, record_id, changes FROM record_history WHERE kind = 'agency' "
            "AND action = 'rename' AND effective > :on ORDER BY id DESC", {"on": on}):
        if undone is None:  # there are renames since (as there mostly are not)
            import json

            from clusterctl.core.records import undone_entries

            undone = undone_entries(db, "agency")
        if entry_id in undone:
            continue
        changed = json.loads(changes)
        code, name = names[agency_id]
        names[agency_id] = (changed.get("code", [code])[0], changed.get("name", [name])[0])
    return names


def renamed_codes(db: Database, on: date) -> dict[str, str]:
    """The codes of today that were other codes on ``on``: {code now: code then}."""
    now = dict(db.rows("SELECT id, code FROM agency"))
    return {now[agency_id]: code for agency_id, (code, _name) in names_on(db, on).items()
            if now[agency_id] != code}


class AgencyMatcher:
    """Finds an agency by code, alias or name, ignoring case and diacritics."""

    def __init__(self, agencies: list[Agency]) -> None:
        self.agencies = agencies
        self.by_key: dict[str, set[int]] = {}
        self.by_id = {agency.id: agency for agency in agencies}
        self.by_code = {fold(agency.code): agency for agency in agencies}
        self._found: dict[str, Agency] = {}
        for agency in agencies:
            for text in (agency.code, agency.name, *agency.aliases):
                self.by_key.setdefault(fold(text), set()).add(agency.id)

    def find(self, text: str) -> Agency:
        """The one agency ``text`` names; imports ask for the same few names many times."""
        found = self._found.get(text)
        if found is None:
            found = self._found[text] = self._find(text)
        return found

    def _find(self, text: str) -> Agency:
        key = fold(text)
        if key in self.by_code:  # an exact code always wins over another's name or alias
            return self.by_code[key]
        ids = self.by_key.get(key, set())
        if len(ids) == 1:
            return self.by_id[next(iter(ids))]
        if ids:
            names = ", ".join(sorted(f"{self.by_id[i].code} ({self.by_id[i].name})" for i in ids))
            raise InputError(
                _("agency {text!r} is ambiguous: it names {names}; use the code").format(
                    text=text, names=names)
            )
        raise NotFoundError(self.unknown_message(text))

    def closest(self, text: str, limit: int = 3) -> list[Agency]:
        import difflib

        key = fold(text)
        scored = []
        for agency in self.agencies:
            candidates = [fold(t) for t in (agency.code, agency.name, *agency.aliases)]
            score = max(difflib.SequenceMatcher(None, key, c).ratio() for c in candidates)
            if any(key and key in c for c in candidates):
                score += 0.5
            scored.append((score, agency.code, agency))
        scored.sort(key=lambda s: (-s[0], s[1]))
        return [agency for score, _code, agency in scored[:limit] if score >= 0.4]

    def unknown_message(self, text: str) -> str:
        close = self.closest(text)
        if close:
            hint = ", ".join(f"{a.code} ({a.name})" for a in close)
            return _("unknown agency {text!r}; closest: {hint}").format(text=text, hint=hint)
        if not self.agencies:
            return _("unknown agency {text!r}; there are no agencies yet: add one with "
                     "'clusterctl agency add CODE NAME'").format(text=text)
        return _("unknown agency {text!r}; see 'clusterctl agency list'").format(text=text)


def find_agency(db: Database, text: str) -> Agency:
    return AgencyMatcher(load_agencies(db)).find(text)


def edit_agency(db: Database, text: str, *, actor: str, today: date, name: str | None = None,
                add_aliases: list[str] = (), remove_aliases: list[str] = ()) -> dict:
    """Correct an agency's name or aliases (a mistake, not a reorganisation: see
    :func:`clusterctl.core.succession.rename_agency`); return what changed."""
    from clusterctl.core.checks import check_text
    from clusterctl.core.records import record_change

    name = check_text(name, _("agency name")) if name is not None else None
    add_aliases = [check_text(a, _("alias")) for a in add_aliases]
    for attempt in db.transactions():  # again if the server asks
        with attempt:
            matcher = AgencyMatcher(load_agencies(db))
            agency = matcher.find(text)
            aliases = list(agency.aliases)
            for alias in remove_aliases:
                found = [a for a in aliases if fold(a) == fold(alias)]
                if not found:
                    raise InputError(_("{code} has no alias {alias!r}; its aliases: {all}")
                                     .format(code=agency.code, alias=alias,
                                             all=", ".join(aliases) or "-"))
                aliases.remove(found[0])
            for alias in add_aliases:
                if any(fold(a) == fold(alias) for a in aliases):
                    continue
                aliases.append(alias)
            new_name = name if name is not None else agency.name
            check_names_free(matcher, agency.id, [new_name, *aliases])
            changes: dict = {}
            if new_name != agency.name:
                changes["name"] = [agency.name, new_name]
            if aliases != agency.aliases:
                changes["aliases"] = [agency.aliases, aliases]
            if not changes:
                raise InputError(_("nothing to change: agency {code} is already so").format(
                    code=agency.code))
            now = utc_now()
            update_agency(db, agency.id, name=new_name, aliases=aliases, now=now)
            record_change(db, kind="agency", record_id=agency.id, actor=actor, action="edit",
                          changes=changes, effective=today, now=now)
    return changes


def check_names_free(matcher: "AgencyMatcher", agency_id: int, texts: list[str]) -> None:
    """Refuse a code, name or alias that names another agency than ``agency_id``."""
    for text in texts:
        others = matcher.by_key.get(fold(text), set()) - {agency_id}
        if others:
            other = matcher.by_id[min(others)]
            raise InputError(_("{text!r} already names agency {code} ({name})").format(
                text=text, code=other.code, name=other.name))


def add_agency(db: Database, *, code: str, name: str, aliases: list[str]) -> Agency:
    """Add an agency; its code, name and aliases must not name another agency."""
    from clusterctl.core.checks import check_code, check_text

    code = check_code(code)
    name = check_text(name, _("agency name"))
    aliases = list(dict.fromkeys(check_text(a, _("alias")) for a in aliases))
    for attempt in db.transactions():  # again if the server asks
        with attempt:
            matcher = AgencyMatcher(load_agencies(db))
            for text in (code, name, *aliases):
                if fold(text) in matcher.by_key:
                    other = matcher.by_id[min(matcher.by_key[fold(text)])]
                    raise InputError(
                        _("{text!r} already names agency {code} ({name})").format(
                            text=text, code=other.code, name=other.name)
                    )
            agency_id = insert_agency(db, code=code, name=name, aliases=aliases, now=utc_now())
    return Agency(agency_id, code, name, aliases)


def insert_agency(db: Database, *, code: str, name: str, aliases: list[str], now: str) -> int:
    """Write a checked new agency with its aliases; the caller holds the transaction."""
    agency_id = db.insert(
        "INSERT INTO agency (code, code_key, name, name_key, created_at, updated_at) "
        "VALUES (:code, :code_key, :name, :name_key, :now, :now) RETURNING id",
        {"code": code, "code_key": fold(code), "name": name, "name_key": fold(name),
         "now": now},
    )
    _write_aliases(db, agency_id, aliases)
    return agency_id


def update_agency(db: Database, agency_id: int, *, name: str, aliases: list[str] | None,
                  now: str, code: str | None = None) -> None:
    """Rename a checked agency (and recode it, given ``code``) and, unless ``aliases`` is
    None, replace its aliases."""
    db.execute("UPDATE agency SET name = :name, name_key = :key, updated_at = :now "
               "WHERE id = :id", {"name": name, "key": fold(name), "now": now, "id": agency_id})
    if code is not None:
        db.execute("UPDATE agency SET code = :code, code_key = :key WHERE id = :id",
                   {"code": code, "key": fold(code), "id": agency_id})
    if aliases is not None:
        db.execute("DELETE FROM agency_alias WHERE agency_id = :id", {"id": agency_id})
        _write_aliases(db, agency_id, aliases)


def _write_aliases(db: Database, agency_id: int, aliases: list[str]) -> None:
    db.executemany(
        "INSERT INTO agency_alias (agency_id, alias, alias_key) VALUES (:id, :alias, :key)",
        [{"id": agency_id, "alias": a, "key": fold(a)} for a in dict.fromkeys(aliases)])


def agency_task_counts(db: Database, agency_id: int) -> dict[str, int]:
    """How many tasks the agency leads and supports, and how many of those are still open."""
    led, led_open = db.row(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status IN ('open', 'in_progress', 'reported') "
        "THEN 1 ELSE 0 END), 0) FROM task WHERE lead_id = :id AND deleted_on IS NULL",
        {"id": agency_id},
    )
    supported = db.scalar(
        "SELECT COUNT(*) FROM task_support s JOIN task t ON t.id = s.task_id "
        "WHERE s.agency_id = :id AND t.deleted_on IS NULL", {"id": agency_id}
    )
    return {"lead": led, "lead_open": led_open, "support": supported}

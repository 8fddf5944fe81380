"""Writing files so that nobody ever sees half of one, readable by their owner only."""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from clusterctl.errors import InputError
from clusterctl.i18n import _


@contextmanager
def replacing(target: str | os.PathLike, *, mode: int = 0o600,
              group: int | None = None) -> Iterator[Path]:
    """A new file beside ``target`` (``mode``, 0600 unless shared with ``group``) to write;
    renamed onto ``target`` when the block ends well, removed when it fails. A failure never
    leaves half a file at ``target``."""
    path = Path(target)
    try:
        fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                       suffix=".partial")
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    try:
        try:
            if group is not None:
                os.fchown(fd, -1, group)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
        yield Path(partial)
        os.replace(partial, path)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    finally:
        Path(partial).unlink(missing_ok=True)


def write_private(target: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``target`` whole or not at all, readable by its owner only."""
    with replacing(target) as partial:
        partial.write_text(text, encoding="utf-8")


def _cannot_write(target: str | os.PathLike, exc: OSError) -> InputError:
    return InputError(_("cannot write {file}: {reason}").format(
        file=target, reason=exc.strerror or exc))

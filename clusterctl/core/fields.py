"""A task's field (lĩnh vực): by default the Office division that drafted its directive, as
the directive's number says after ``UBND-`` (``2029/UBND-KTTH`` -> ``KTTH``)."""

import re

from clusterctl.i18n import _

_DIVISION = re.compile(r"UBND-([^\s/,;]+)", re.IGNORECASE)
FIELD_LIMIT = 64


def division(number: str) -> str | None:
    """The drafting division in a directive's number, upper-cased; None if it names none
    (``123/QĐ-UBND``)."""
    match = _DIVISION.search(number)
    return match.group(1).upper() if match else None


def check_field(text: str) -> str:
    """A field given by hand: a short code (KTTH, NNMT), kept in capitals as the directive
    numbers write them."""
    from clusterctl.core.checks import check_text

    return check_text(text, _("field"), limit=FIELD_LIMIT).upper()

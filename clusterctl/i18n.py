"""Message translation: every user-facing string goes through ``_()`` (or ``ngettext``).

The language is chosen once, at start: ``CLUSTERCTL_LANG`` (``vi`` or ``en``) first, then
the locale variables as gettext reads them (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``,
``LANG``: ``vi_VN.UTF-8`` means Vietnamese); English otherwise. The Vietnamese catalogue is
``locale/vi/LC_MESSAGES/clusterctl.mo``, compiled from the ``.po`` beside it (see
``python -m clusterctl.catalog``); its terms are those of ``locale/GLOSSARY.md``. It holds
Click's and Typer's own messages too ("Usage:", "Missing option"), which they look up
through the standard library's gettext functions: those are pointed at it here.
"""

import gettext
import os
from pathlib import Path

DOMAIN = "clusterctl"
LOCALEDIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "vi")


def _from_locale(value: str) -> str:
    """``vi`` for a locale such as ``vi_VN.UTF-8`` or a list such as ``vi:en``, else ``en``."""
    return "vi" if value.split(":")[0].strip().lower().startswith("vi") else "en"


def choose_language(environ=os.environ) -> str:
    """The interface's language for this environment: ``vi`` or ``en``."""
    chosen = environ.get("CLUSTERCTL_LANG", "").strip()
    if chosen:
        return _from_locale(chosen)
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            return _from_locale(environ[name])
    return "en"


LANGUAGE = choose_language()
_translation = gettext.translation(DOMAIN, localedir=LOCALEDIR, languages=[LANGUAGE],
                                   fallback=True)
_ = _translation.gettext
ngettext = _translation.ngettext
pgettext = _translation.pgettext  # the same English word in two senses: pgettext(sense, word)

# Click and Typer call the standard library's gettext(): the same catalogue answers them, in
# the language chosen above even where only CLUSTERCTL_LANG chose it.
gettext.bindtextdomain(DOMAIN, LOCALEDIR)
gettext.textdomain(DOMAIN)
if os.environ.get("CLUSTERCTL_LANG") and choose_language({
        k: v for k, v in os.environ.items() if k != "CLUSTERCTL_LANG"}) != LANGUAGE:
    os.environ["LANGUAGE"] = LANGUAGE

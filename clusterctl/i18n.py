"""Message translation: every user-facing string goes through ``_()``.

The Vietnamese catalogue will live in ``clusterctl/locale/vi/LC_MESSAGES/clusterctl.mo``; until
it exists, messages fall back to the English source strings.
"""

import gettext
from pathlib import Path

_translation = gettext.translation(
    "clusterctl", localedir=Path(__file__).parent / "locale", fallback=True
)
_ = _translation.gettext
ngettext = _translation.ngettext

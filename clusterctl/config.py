"""Settings read from the environment, each with its default."""

import os
from datetime import date, datetime, tzinfo
from functools import cache

from clusterctl.errors import InputError
from clusterctl.i18n import _

DEFAULT_TZ = "Asia/Ho_Chi_Minh"
DEFAULT_DUE_SOON_DAYS = 7
DEFAULT_BUSY_TIMEOUT = 10.0


@cache
def office_tz() -> tzinfo:
    """The office time zone: ``CLUSTERCTL_TZ`` (an IANA name), else Asia/Ho_Chi_Minh."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = os.environ.get("CLUSTERCTL_TZ") or DEFAULT_TZ
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            _("CLUSTERCTL_TZ={name!r} is not a known time zone; use an IANA name such as {default}")
            .format(name=name, default=DEFAULT_TZ)
        ) from None


def office_tz_name() -> str:
    return str(office_tz())


def today() -> date:
    """Today's date in the office time zone, whatever the machine's own zone is."""
    return datetime.now(office_tz()).date()


def _number(name: str, default, kind, highest, what: str):
    """A number from the environment, between 0 and ``highest``, or the default."""
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = -1
    if not 0 <= value <= highest:
        raise InputError(_("{name}={raw!r} must be {what} from 0 to {highest}").format(
            name=name, raw=raw, what=what, highest=highest))
    return value


def due_soon_days() -> int:
    """How many days, the as-of date included, count as 'due soon'."""
    return _number("CLUSTERCTL_DUE_SOON_DAYS", DEFAULT_DUE_SOON_DAYS, int, 366,
                   _("a whole number"))


def busy_timeout() -> float:
    """Seconds a command waits for another writer before giving up."""
    return _number("CLUSTERCTL_BUSY_TIMEOUT", DEFAULT_BUSY_TIMEOUT, float, 3600,
                   _("a number of seconds"))


def current_user(*, shared: bool = False) -> str:
    """Who is making a change. On a shared database: the operating system's login of this
    process, which nobody can set. On a private one: ``CLUSTERCTL_USER``, else the login
    name."""
    user = os.environ.get("CLUSTERCTL_USER")
    if user and not shared:
        return user
    try:
        if shared:
            import pwd

            return pwd.getpwuid(os.geteuid()).pw_name
        import getpass

        return getpass.getuser()
    except Exception:  # no login name (containers, cron without USER, a uid without a name)
        return f"uid {os.geteuid()}"


def debug() -> bool:
    return os.environ.get("CLUSTERCTL_DEBUG", "") not in ("", "0")

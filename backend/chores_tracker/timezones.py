"""IANA time zones: which names are known, and the zone a name stands for.

A family keeps its zone by name (`families.timezone`); times are stored in UTC and turned into the
family's zone only to show them or, for schedules, to do calendar arithmetic (DST-correct with
zoneinfo; the `tzdata` package supplies the database where the machine has none).
"""

from __future__ import annotations

from functools import cache
from urllib.parse import unquote
from zoneinfo import ZoneInfo, available_timezones

DEFAULT = "UTC"
# The longest IANA name is about 30 characters; the column leaves room for new ones.
MAX_LENGTH = 64


@cache
def known_names() -> frozenset[str]:
    """Every zone name this machine knows. Only these are accepted: ZoneInfo alone would also open
    files that are not zones ("posixrules", "localtime") and names spelled with another case on a
    case-insensitive file system."""
    return frozenset(available_timezones())


def is_known(name: str) -> bool:
    return name in known_names()


UNKNOWN = "unknown time zone '{name}': use an IANA name such as America/Chicago or Europe/Paris"


def zone(name: str | None) -> ZoneInfo:
    """The zone named, or UTC for a name that is missing or unknown (a zone the database dropped)."""
    return ZoneInfo(name if name and is_known(name) else DEFAULT)


def from_browser(raw: str | None) -> str | None:
    """The zone a browser reports in its cookie (URL-encoded: `America%2FChicago`), if it is a known one."""
    if not raw:
        return None
    name = unquote(raw)
    return name if is_known(name) else None

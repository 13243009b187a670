"""One spelling of a username for every comparison: the account lookup, the uniqueness check of
sign-up and child creation, and the per-username rate limits."""

from __future__ import annotations

import re
import unicodedata

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,63}")


def spelled(username: str) -> str:
    """A name as it is stored: compatibility forms folded (full-width "ｂｏｂ" is "bob"), no surrounding spaces."""  # noqa: RUF002 (the full-width example is the point)
    return unicodedata.normalize("NFKC", username).strip()


def normalize_username(username: str) -> str:
    """What a name is compared as: every spelling that finds an account gives that account's one key.

    Unicode's compatibility caseless match (NFKC, case-fold, NFKC again), after stripping spaces.
    Stored names are ASCII (USERNAME_PATTERN), where this is what SQL's lower() gives.
    """
    return unicodedata.normalize("NFKC", spelled(username).casefold())


def check_username(value: str) -> str:
    value = spelled(value)
    if not USERNAME_PATTERN.fullmatch(value):
        raise ValueError("2 to 64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit")
    return value

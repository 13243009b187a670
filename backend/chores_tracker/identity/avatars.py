"""A person's avatar and shown name: a colour from a small palette or one emoji, and a display name
the family sees instead of the server-wide username (which stays for signing in)."""

from __future__ import annotations

import unicodedata
import zlib

# The pages' six avatar colours, in the order of their CSS classes (avatar-0 ... avatar-5).
COLOURS = ("orange", "green", "blue", "pink", "purple", "yellow")
DISPLAY_NAME_MAX = 40
AVATAR_MAX = 32  # code points: an emoji with skin tone and joiners (a family of four is 11)

AVATAR_HELP = f"One of the colours {', '.join(COLOURS)}, or one emoji (e.g. 🦊); empty for the default."
NOT_AN_AVATAR = "choose one of the colours or a single emoji"

# What may join or modify an emoji: zero-width joiner, variation selectors, skin tones are "Sk",
# keycap, tags (flags of regions).
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f", "\u20e3"}


def _emoji_part(char: str) -> bool:
    if char in _JOINERS or "\U000e0020" <= char <= "\U000e007f":
        return True
    category = unicodedata.category(char)
    return category in {"So", "Sk"} or "\U0001f1e6" <= char <= "\U0001f1ff"


def check_avatar(value: str | None) -> str | None:
    """The avatar as stored (None for none), or ValueError: a colour name or a run of emoji symbols."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value.strip())
    if not value:
        return None
    if value.lower() in COLOURS:
        return value.lower()
    if len(value) > AVATAR_MAX or not all(_emoji_part(c) for c in value) or value[0] in _JOINERS:
        raise ValueError(NOT_AN_AVATAR)
    return value


def check_display_name(value: str | None) -> str | None:
    """A display name as stored: spaces around it and runs inside it folded; None when blank."""
    if value is None:
        return None
    value = " ".join(unicodedata.normalize("NFC", value).split())
    if not value:
        return None
    if len(value) > DISPLAY_NAME_MAX:
        raise ValueError(f"use at most {DISPLAY_NAME_MAX} characters")
    if any(unicodedata.category(c) in {"Cc", "Cf"} and c != "\u200d" for c in value):
        raise ValueError("use letters, digits, spaces and punctuation")
    return value


def colour_index(username: str, avatar: str | None) -> int:
    """The palette colour: the chosen one, else a stable one from the username."""
    if avatar in COLOURS:
        return COLOURS.index(avatar)
    return zlib.crc32(username.lower().encode()) % len(COLOURS)


def is_emoji(avatar: str | None) -> bool:
    return bool(avatar) and avatar not in COLOURS

"""The activity feed's lines on pages, in the page's language (templates/_activity.html).

A feed row stores an English sentence (`description`, what the API returns, unchanged) and the fields
it was made from (type, actor, target, chore title, amount, note). A page says each line again from
its type and fields in the page's language; it shows the stored sentence only where the fields
cannot say it: an old row without them, a type this release does not know, and, on an English page,
the types whose sentence says more than their fields (a child added by name, a reward's title in a
decline...), which English pages have always shown as stored.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from chores_tracker.activity.models import ActivityType
from chores_tracker.web import i18n

T = ActivityType
# The fields each type's line is made of; a row without one of them shows its stored sentence.
NEEDS: dict[str, tuple[str, ...]] = {
    T.chore_created.value: ("chore_title",),
    T.chore_updated.value: ("chore_title",),
    T.chore_deleted.value: ("chore_title",),
    T.chore_disabled.value: ("chore_title",),
    T.chore_enabled.value: ("chore_title",),
    T.chore_completed.value: ("chore_title",),
    T.chore_approved.value: ("chore_title", "amount_cents"),
    T.chore_rejected.value: ("chore_title",),
    T.chore_missed.value: ("chore_title", "amount_cents"),
    T.adjustment_applied.value: ("amount_cents",),
    T.payout_recorded.value: ("amount_cents",),
    T.parent_joined.value: (),
    T.child_added.value: (),
    T.member_removed.value: (),
    T.ownership_transferred.value: (),
    T.invite_code_created.value: (),
    T.timezone_changed.value: ("note",),
    T.currency_changed.value: ("note",),
    T.profile_changed.value: ("note",),
    T.child_deactivated.value: (),
    T.child_reactivated.value: (),
    T.chore_taken_back.value: ("chore_title",),
    T.chore_auto_approved.value: ("chore_title", "amount_cents"),
    T.entry_reversed.value: ("amount_cents",),
    T.reward_claimed.value: ("note", "amount_cents"),
    T.reward_approved.value: ("note", "amount_cents"),
    T.reward_declined.value: (),
    T.reward_cancelled.value: ("note",),
    T.goal_reached.value: ("note", "amount_cents"),
    T.allowance_credited.value: ("amount_cents",),
}
# English pages show these as stored, as they always have: the sentence names what no field keeps
# (the child added, the declined reward's title) or words it as the fields cannot (the missed due
# time, the allowance's period, the old name).
STORED_IN_ENGLISH = frozenset(
    {
        T.child_added.value,
        T.profile_changed.value,
        T.chore_missed.value,
        T.reward_claimed.value,
        T.reward_approved.value,
        T.reward_declined.value,
        T.reward_cancelled.value,
        T.goal_reached.value,
        T.allowance_credited.value,
    }
)


def from_fields(activity: Any, language: str) -> bool:
    """Whether the page says the row from its fields (else it shows the stored sentence)."""
    kind = activity.activity_type
    if kind not in NEEDS or (language == i18n.DEFAULT and kind in STORED_IN_ENGLISH):
        return False
    return all(getattr(activity, name, None) is not None for name in NEEDS[kind])


# The note ledger.reverse_entry writes when the parent gives no reason ("reverses the bonus for
# 'Dishes' of 2.00"): on a page in another language, the feed's line says it already.
_REVERSAL = re.compile(
    r"reverses the (?P<what>approval|bonus|penalty|payout)(?: for (?P<title>'.*'|\".*\"))?"
    r" of (?P<amount>[0-9]+(?:\.[0-9]+)?)",
    re.DOTALL,
)
# The types whose note a person wrote (a reason, a payout's note), shown under the line.
_NOTED = frozenset(
    {T.chore_rejected.value, T.adjustment_applied.value, T.payout_recorded.value, T.entry_reversed.value}
)


def shown_note(activity: Any, language: str) -> str | None:
    """The note shown under a line, if any: a person's words. A declined reward's reason shows where the
    line is said from the fields (the stored sentence has it); a reversal's own English note does not
    show on a page in another language."""
    note, kind = activity.note, activity.activity_type
    if not note:
        return None
    if kind == T.reward_declined.value:
        return str(note) if from_fields(activity, language) else None
    if kind not in _NOTED:
        return None
    if kind == T.entry_reversed.value and language != i18n.DEFAULT and _REVERSAL.fullmatch(note):
        return None
    return str(note)


def profile_change(activity: Any) -> tuple[str, str | None]:
    """What a profile_changed row says, read against its note (the name after the change):
    ("avatar", None), ("name", the name before), or ("profile", None) when the sentence is not one
    of families.service's two."""
    name, said = str(activity.note), str(activity.description)
    if said == f"{name} has a new avatar":
        return "avatar", None
    ending = f" is now called {name}"
    if said.endswith(ending) and len(said) > len(ending):
        return "name", said[: -len(ending)]
    return "profile", None


_WEEK = re.compile(r"Allowance for the week of ([0-9]{4}-[0-9]{2}-[0-9]{2})")
_MONTH = re.compile(r"Allowance for ([A-Z][a-z]+ [0-9]{4})")


def allowance_period(note: str | None, language: str) -> tuple[str, dict[str, str]]:
    """The period an allowance row's note names (rewards.allowance writes "Allowance for the week of
    2026-03-02" or "Allowance for March 2026"), in the language: ("week", {"day": "lun 2 mar"}),
    ("month", {"month": "marzo", "year": "2026"}), or ("none", {})."""
    from babel.dates import format_date  # at first use (test_startup_imports)

    text = note or ""
    try:
        if found := _WEEK.fullmatch(text):
            day = date.fromisoformat(found.group(1))
            return "week", {"day": str(format_date(day, "EEE d MMM", locale=language))}
        if found := _MONTH.fullmatch(text):
            month = datetime.strptime(found.group(1), "%B %Y").date()  # noqa: DTZ007 -- a month, no instant
            return "month", {"month": str(format_date(month, "LLLL", locale=language)), "year": str(month.year)}
    except ValueError:
        pass
    return "none", {}


# The time step's reminders (chores.timestep._remind), which have no feed row: "'Dishes' is due Mon 04
# Jan 18:00", "ada: 'Dishes' is overdue (it was due Mon 04 Jan 18:00)". Said again without the instant.
_DUE_SOON = re.compile(r"(?P<title>'.*'|\".*\") is due .+", re.DOTALL)
_OVERDUE = re.compile(r"(?:(?P<child>[^:]+): )?(?P<title>'.*'|\".*\") is overdue \(it was due .+\)", re.DOTALL)


def reminder(event: str, text: str) -> tuple[str, dict[str, str]] | None:
    """A reminder notification's kind ("due_soon", "overdue") and values (title, and child when the
    text names one), read from its English text; None when it is not one of those."""
    pattern = {"chore_due_soon": _DUE_SOON, "chore_overdue": _OVERDUE}.get(event)
    found = pattern.fullmatch(text) if pattern else None
    if found is None:
        return None
    try:
        title = ast.literal_eval(found.group("title"))
    except (ValueError, SyntaxError):
        return None
    if not isinstance(title, str):
        return None
    values = {"title": title}
    if event == "chore_overdue" and found.group("child"):
        values["child"] = found.group("child")
    return ("due_soon" if event == "chore_due_soon" else "overdue"), values


# Notes the services write on ledger entries (a child's money history shows them): a reward's debit
# (rewards.service), an allowance's credit (rewards.allowance), a reversal without a reason
# (ledger.reverse_entry). Said again in the page's language; any other note is a person's words.
_REWARD_NOTE = re.compile(r"Reward: (?P<title>.+)", re.DOTALL)
_REVERSAL_WORDS = {
    ("approval", False): i18n._("reverses the approval of {amount}"),
    ("approval", True): i18n._("reverses the approval for “{title}” of {amount}"),
    ("bonus", False): i18n._("reverses the bonus of {amount}"),
    ("bonus", True): i18n._("reverses the bonus for “{title}” of {amount}"),
    ("penalty", False): i18n._("reverses the penalty of {amount}"),
    ("penalty", True): i18n._("reverses the penalty for “{title}” of {amount}"),
    ("payout", False): i18n._("reverses the payout of {amount}"),
    ("payout", True): i18n._("reverses the payout for “{title}” of {amount}"),
}


def ledger_note(note: str | None, language: str, money: Callable[[str], str]) -> str:
    """A ledger entry's note in the page's language when a service wrote it (English pages: as written).
    `money` formats an amount ("1.00") as the page does."""
    text = note or ""
    if language == i18n.DEFAULT:
        return text
    if found := _REWARD_NOTE.fullmatch(text):
        return i18n.translate_message("Reward: {title}", {"title": found.group("title")}, language)
    period, values = allowance_period(text, language)
    if period == "week":
        return i18n.translate_message("Allowance for the week of {day}", values, language)
    if period == "month":
        return i18n.translate_message("Allowance for {month} {year}", values, language)
    if found := _REVERSAL.fullmatch(text):
        title = found.group("title")
        try:
            values = {"amount": money(found.group("amount")), "title": ast.literal_eval(title) if title else ""}
        except (ValueError, SyntaxError):
            return text
        return i18n.translate_message(_REVERSAL_WORDS[found.group("what"), bool(title)], values, language)
    return text


# Marked for the catalogue: ledger_note's other words.
_LEDGER_WORDS = (
    i18n._("Reward: {title}"),
    i18n._("Allowance for the week of {day}"),
    i18n._("Allowance for {month} {year}"),
)


# The worker's summaries, which have no feed row either. The daily digest (reports.digest.summary):
# "Today: 2 done, 1 approved, 3 waiting for review." then a parent's " Balances: Ana 3.00, Ben 0.50."
# or a child's " Your balance: 3.00." (nothing more for a parent without children).
_DIGEST = re.compile(
    r"Today: (?P<done>[0-9]+) done, (?P<approved>[0-9]+) approved, (?P<waiting>[0-9]+) waiting for review\."
    r"(?: Balances: (?P<balances>.+)\.| Your balance: (?P<own>-?[0-9]+\.[0-9]{2})\.)?",
    re.DOTALL,
)
_BALANCE = re.compile(r"(?P<name>.+?) (?P<amount>-?[0-9]+\.[0-9]{2})(?:, |\Z)", re.DOTALL)


@dataclass(frozen=True)
class Digest:
    """A daily digest's parts: the counts, and the balances ("3.00", as stored) a parent's names
    (`balances`, each child's name and amount) or a child's (`own`); neither for a parent without
    children."""

    done: int
    approved: int
    waiting: int
    balances: tuple[tuple[str, str], ...] | None = None
    own: str | None = None


def digest(text: str) -> Digest | None:
    """A daily digest's parts read from its English text; None when it does not read as one (a text
    cut at its 500 characters, a sentence of another release)."""
    found = _DIGEST.fullmatch(text)
    if found is None:
        return None
    balances = None
    if (listed := found.group("balances")) is not None:
        pairs, at = [], 0
        while at < len(listed):
            one = _BALANCE.match(listed, at)
            if one is None:
                return None
            pairs.append((one.group("name"), one.group("amount")))
            at = one.end()
        balances = tuple(pairs)
    return Digest(
        done=int(found.group("done")),
        approved=int(found.group("approved")),
        waiting=int(found.group("waiting")),
        balances=balances,
        own=found.group("own"),
    )


# The review nudge (notifications.delivery.nudge_reviews): "3 chores wait for your review", "1 chore
# waits for your review".
_NUDGE = re.compile(r"(?P<count>[0-9]+) chores? waits? for your review")


def nudge(text: str) -> int | None:
    """How many chores a review nudge's English text says wait; None when it is not one."""
    found = _NUDGE.fullmatch(text)
    if found is None:
        return None
    count = int(found.group("count"))
    if text != f"{count} chore{'s' if count != 1 else ''} wait{'' if count != 1 else 's'} for your review":
        return None
    return count


# The parents' word that a webhook was disabled (notifications.webhook_delivery): "The webhook to
# example.com was disabled after 5 failed deliveries in a row (last: answered 503); enable it again
# once it is mended." The error stays as the worker wrote it (a technical detail, often the
# receiver's own words).
_WEBHOOK_DISABLED = re.compile(
    r"The webhook to (?P<host>\S+) was disabled after (?P<count>[0-9]+) failed deliveries in a row"
    r" \(last: (?P<error>.*)\); enable it again once it is mended\.",
    re.DOTALL,
)


def webhook_disabled(text: str) -> dict[str, str] | None:
    """A webhook_disabled notification's host, count and error read from its English text; None when
    it is not one."""
    found = _WEBHOOK_DISABLED.fullmatch(text)
    return None if found is None else found.groupdict()

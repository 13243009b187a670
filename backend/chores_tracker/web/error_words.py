"""The services' error messages that extraction cannot find where they are raised (the message is a
name: a constant, a rule's message, a function's answer, a parameter's default), written out here so
the catalogue has them and a page says them in its language (`rendering.page_error`, `i18n.ErrorText`).

Each must be the service's text exactly: tests/web/test_error_messages_translated.py checks that each
is still in the services' source. f-string messages stay English, as extracted ones do.
"""

from __future__ import annotations

import re

from chores_tracker.web.i18n import _

ERROR_WORDS = (
    # chores/lifecycle.py: why a child cannot complete a chore now (_why_not_now), a race lost
    _("this chore is no longer assigned to you"),
    _("another child has already taken this chore"),
    _("already marked as done; it is waiting for a parent's approval"),
    _("another child has already done this chore"),
    _("done and approved; a one-off chore is done once"),
    _("this chore cannot be completed right now; try again"),
    _("too late to take it back: a parent has just reviewed it"),
    _("this completion has already been reviewed"),
    _("a range chore: approve it on its own with the amount"),  # approve_many's reason for a skipped one
    # families/service.py, currencies.py
    _("no family has this invite code, or it has expired or been used"),
    _("must be an ISO 4217 currency code with at most two decimals, e.g. USD, EUR or JPY"),
    # ratelimit/service.py's rules
    _("too many log-in attempts; wait a moment and try again"),
    _("too many sign-ups from here; try again later"),
    _("too many password resets; try again later"),
    _("too many attempts to join a family; try again later"),
    _("too many PIN attempts; wait a minute and try again"),
)

# The services' messages made with values (f-strings), each as a pattern of the English the service
# writes and a msgid with the same named values: a page says them in its language (i18n.translate).
# tests/web/test_error_messages_translated.py checks each pattern against the service's own f-string.
WITH_VALUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"must be at least (?P<count>\d+) characters"), _("must be at least {count} characters")),
    (re.compile(r"use at most (?P<count>\d+) characters"), _("use at most {count} characters")),
    (re.compile(r"at most (?P<count>\d+) devices; revoke one first"), _("at most {count} devices; revoke one first")),
    (re.compile(r"at most (?P<count>\d+) tokens; revoke one first"), _("at most {count} tokens; revoke one first")),
    (re.compile(r"at most (?P<count>\d+) days at once"), _("at most {count} days at once")),
    (re.compile(r"snooze 1 to (?P<count>\d+) days"), _("snooze 1 to {count} days")),
    (re.compile(r"a pause lasts at most (?P<count>\d+) days"), _("a pause lasts at most {count} days")),
    (re.compile(r"must be between (?P<low>\S+) and (?P<high>\S+)"), _("must be between {low} and {high}")),
    (re.compile(r"this chore's reward is fixed at (?P<amount>\S+)"), _("this chore's reward is fixed at {amount}")),
    (
        re.compile(r"(?P<title>'.*'|\".*\") can be claimed (?P<count>\d+) times a week"),
        _("{title} can be claimed {count} times a week"),
    ),
    (
        re.compile(r"(?P<title>'.*'|\".*\") can be claimed (?P<count>\d+) times a month"),
        _("{title} can be claimed {count} times a month"),
    ),
    (re.compile(r"(?P<title>'.*'|\".*\") is out of stock"), _("{title} is out of stock")),
    (
        re.compile(r"too late: an entry can be reversed within (?P<count>\d+) hours of it"),
        _("too late: an entry can be reversed within {count} hours of it"),
    ),
    (
        re.compile(r"too late: an entry can be reversed within (?P<count>\d+) days of it"),
        _("too late: an entry can be reversed within {count} days of it"),
    ),
    (re.compile(r"not children of your family: (?P<ids>.+)"), _("not children of your family: {ids}")),
)

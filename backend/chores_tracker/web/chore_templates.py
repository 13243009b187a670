"""Chores to start from on the new-chore page: a plain list, no table.

Each fills the form's title, details, reward and schedule inputs (the names of chore_form.html);
the parent still chooses who does it and saves. Rewards are in the family's currency: amounts in
hundredths, shown with the currency's digits (a currency without decimals gets them times 100).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from chores_tracker import currencies
from chores_tracker.web import i18n
from chores_tracker.web.i18n import _
from chores_tracker.web.rendering import plain_amount


@dataclass(frozen=True)
class ChoreTemplate:
    slug: str
    title: str
    description: str
    reward: Decimal
    when: str  # how the list says it: "Every day by 9:00 am"
    schedule: dict[str, object] = field(default_factory=dict)


TEMPLATES = (
    ChoreTemplate(
        "make-your-bed",
        _("Make your bed"),
        _("Duvet straight, pillow on top."),
        Decimal("0.25"),
        _("Every day by 9:00 am"),
        {"schedule_kind": "daily", "schedule_due_time": "09:00"},
    ),
    ChoreTemplate(
        "feed-the-pet",
        _("Feed the pet"),
        _("Fresh water too."),
        Decimal("0.50"),
        _("Every day by 6:00 pm"),
        {"schedule_kind": "daily", "schedule_due_time": "18:00"},
    ),
    ChoreTemplate(
        "take-out-the-bins",
        _("Take out the bins"),
        _("The night before collection."),
        Decimal("1.00"),
        _("Every Tuesday by 8:00 pm"),
        {"schedule_kind": "weekly", "schedule_weekdays": ["1"], "schedule_due_time": "20:00"},
    ),
    ChoreTemplate(
        "homework",
        _("Homework"),
        _("Done, checked and packed in the school bag."),
        Decimal("0.50"),
        _("Monday to Friday by 7:00 pm"),
        {"schedule_kind": "weekly", "schedule_weekdays": ["0", "1", "2", "3", "4"], "schedule_due_time": "19:00"},
    ),
    ChoreTemplate(
        "tidy-your-room",
        _("Tidy your room"),
        _("Floor clear, clothes away, bed made."),
        Decimal("2.00"),
        _("Every Saturday by noon"),
        {"schedule_kind": "weekly", "schedule_weekdays": ["5"], "schedule_due_time": "12:00"},
    ),
    ChoreTemplate(
        "water-the-plants",
        _("Water the plants"),
        _("Indoor pots; not the cactus."),
        Decimal("0.50"),
        _("Every 3 days"),
        {"schedule_kind": "every_n_days", "schedule_every_days": "3"},
    ),
    ChoreTemplate(
        "empty-the-dishwasher",
        _("Empty the dishwasher"),
        "",
        Decimal("0.50"),
        _("1 day after it is done"),
        {"schedule_kind": "after_completion", "schedule_after_days": "1"},
    ),
)
BY_SLUG = {template.slug: template for template in TEMPLATES}


def reward_in(template: ChoreTemplate, currency: str) -> Decimal:
    """The template's reward in a currency's own sizes: 0.50 is 50 in a currency without decimals."""
    return template.reward if currencies.minor_digits(currency) else template.reward * 100


def form_of(template: ChoreTemplate, currency: str, language: str = i18n.DEFAULT) -> dict[str, object]:
    """The inputs the template fills in, over a new chore's defaults, in the page's language."""
    return {
        "title": i18n.translate(template.title, language),
        "description": i18n.translate(template.description, language) if template.description else "",
        "reward_kind": "fixed",
        "reward": plain_amount(reward_in(template, currency), currency),
        **template.schedule,
    }

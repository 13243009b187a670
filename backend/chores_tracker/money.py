"""Money: integer cents in the database, Decimal in Python, JSON numbers (or decimal strings) on the wire.

Input amounts are validated to at most two decimals and a sane bound, so that converting
to cents is always exact and no float ever touches a stored amount.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer

# The largest single amount accepted anywhere (a reward, an adjustment, a payout).
MAX_AMOUNT = Decimal("1000000.00")
CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> int:
    """Exact for amounts with at most two decimals (which every input type guarantees)."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has more than two decimals")
    return int(cents)


def from_cents(cents: int | None) -> Decimal | None:
    if cents is None:
        return None
    return Decimal(int(cents)).scaleb(-2)


def from_cents_or_zero(cents: int | None) -> Decimal:
    return Decimal(int(cents or 0)).scaleb(-2)


def _as_number(amount: Decimal) -> float:
    # Every amount has at most two decimals and is far below 2**53 cents, so the shortest
    # float representation prints exactly those digits: the JSON number is the decimal.
    return float(amount)


def _as_string(amount: Decimal) -> str:
    return str(amount.quantize(CENT))


# Inputs: a JSON number or a decimal string, at most two decimals, bounded.
Amount = Annotated[
    Decimal,
    Field(ge=0, le=MAX_AMOUNT, decimal_places=2, allow_inf_nan=False, examples=[5, "2.50"]),
]
SignedAmount = Annotated[
    Decimal,
    Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, decimal_places=2, allow_inf_nan=False, examples=["5.00", "-2.50"]),
]

# Outputs: JSON numbers (chores, balances, reports) or decimal strings (adjustments, payouts).
MoneyNumber = Annotated[Decimal, PlainSerializer(_as_number, return_type=float, when_used="json")]
MoneyString = Annotated[Decimal, PlainSerializer(_as_string, return_type=str, when_used="json")]

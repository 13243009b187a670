"""Money: integer cents in the database, Decimal in Python, JSON numbers (or decimal strings) on the wire.

An input amount has one strict format, in the API and on the pages alike: a JSON number, or a
string of ASCII digits with at most two decimals ("5", "5.5", "5.50"), with a leading minus only
where an amount may be negative ("-2.50"). No "+", no ".5" or "5.", no exponent, no "_", no other
digits. A JSON number is read by its shortest spelling (2.5 is "2.5"), so the same rule holds for
it; one written with an exponent (1e2) is the number it is, 100. Amounts have two decimals
whatever CURRENCY is: the ledger keeps cents. Converting to cents is then always exact, and no
float ever touches a stored amount.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

# The largest single amount accepted anywhere (a reward, an adjustment, a payout).
MAX_AMOUNT = Decimal("1000000.00")
CENT = Decimal("0.01")

_DIGITS = "[0-9]+(?:\\.[0-9]{1,2})?"


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


def _spelling(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return repr(value)  # the shortest spelling that reads back as this float: 0.1 is "0.1"
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    raise PydanticCustomError("amount_type", "must be an amount: a number, or a string like 2.50")


def _amount(value: object, *, negative: bool) -> Decimal:
    text = _spelling(value)
    signed = text.startswith("-")
    if not re.fullmatch(_DIGITS, text[1:] if signed else text):
        raise PydanticCustomError("amount_format", "must be an amount like 2.50: digits, and at most two decimals")
    if signed and not negative:
        raise PydanticCustomError("amount_negative", "must not be negative")
    amount = Decimal(text)
    if abs(amount) > MAX_AMOUNT:
        lowest = -MAX_AMOUNT if negative else 0
        raise PydanticCustomError("amount_too_large", f"must be between {lowest} and {MAX_AMOUNT}")
    return amount


def _unsigned(value: object) -> Decimal:
    return _amount(value, negative=False)


def _signed(value: object) -> Decimal:
    return _amount(value, negative=True)


def _documented(minimum: Decimal, string_pattern: str) -> WithJsonSchema:
    number = {"type": "number", "minimum": float(minimum), "maximum": float(MAX_AMOUNT)}
    return WithJsonSchema({"anyOf": [number, {"type": "string", "pattern": f"^{string_pattern}$"}]})


# Inputs: a JSON number or a decimal string, at most two decimals, bounded.
Amount = Annotated[Decimal, BeforeValidator(_unsigned), Field(examples=[5, "2.50"]), _documented(Decimal(0), _DIGITS)]
SignedAmount = Annotated[
    Decimal, BeforeValidator(_signed), Field(examples=["5.00", "-2.50"]), _documented(-MAX_AMOUNT, f"-?{_DIGITS}")
]

# Outputs: JSON numbers (chores, balances, reports) or decimal strings (adjustments, payouts).
MoneyNumber = Annotated[Decimal, PlainSerializer(_as_number, return_type=float, when_used="json")]
MoneyString = Annotated[Decimal, PlainSerializer(_as_string, return_type=str, when_used="json")]
# An answer's amount read from integer cents, as JSON numbers: for a schema built with
# model_validate(row, from_attributes=True), `cost: NumberFromCents = Field(validation_alias="cost_cents")`.
NumberFromCents = Annotated[MoneyNumber, BeforeValidator(from_cents_or_zero)]

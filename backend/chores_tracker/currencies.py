"""A family's currency (ISO 4217) and amounts formatted by locale, with Babel.

The ledger keeps hundredths of the currency's main unit ("cents") whatever the currency, and the
API's JSON carries amounts as it always has. A currency's minor units decide what may be entered:
two decimals in USD or EUR, none in JPY (an amount with decimals is refused, 422). Currencies with
three or more decimals (KWD, BHD...) cannot be kept in hundredths, so a family cannot choose them.

Pages format amounts with the currency's symbol and digits in the page's locale ("$1,234.50",
"¥500", "1.234,50 €"). The image keeps Babel's locale data of the languages served (LANGUAGES) and
the root only (see the Dockerfile), so the locale of a page is negotiated among those.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from babel import Locale, localedata
from babel.core import UnknownLocaleError, get_global
from babel.numbers import format_currency, get_currency_name, get_currency_precision, get_currency_symbol

from chores_tracker.errors import InvalidInput

DEFAULT = "USD"
DEFAULT_LOCALE = "en_US"
# The languages pages are served in; the Dockerfile keeps Babel's locale data of these and of the root.
LANGUAGES = ("en", "es")
# Amounts are kept in hundredths of the main unit: no currency may need more decimals than that.
MAX_DIGITS = 2


@cache
def codes() -> tuple[str, ...]:
    """The ISO 4217 codes a family may choose: legal tender somewhere today, with at most two decimals."""
    in_use = {
        code
        for spans in get_global("territory_currencies").values()
        for code, _start, end, tender in spans
        if end is None and tender
    }
    return tuple(sorted(code for code in in_use if get_currency_precision(code) <= MAX_DIGITS))


def is_known(code: str) -> bool:
    return code in codes()


UNKNOWN = "must be an ISO 4217 currency code with at most two decimals, e.g. USD, EUR or JPY"


def checked(code: str) -> str:
    """The code, upper-cased, if a family may choose it; InvalidInput (422) otherwise."""
    upper = code.strip().upper()
    if not is_known(upper):
        raise InvalidInput(UNKNOWN, field="currency")
    return upper


def minor_digits(code: str) -> int:
    """How many decimals the currency's amounts have: 2 for USD, 0 for JPY."""
    return min(get_currency_precision(code), MAX_DIGITS)


def fits(amount: Decimal, code: str) -> bool:
    """Whether an amount is one the currency can express (no decimals in JPY)."""
    step = Decimal(1).scaleb(-minor_digits(code))
    return amount % step == 0


def refuse_unless_fits(amount: Decimal | None, code: str, field: str) -> None:
    if amount is not None and not fits(amount, code):
        digits = minor_digits(code)
        how = "a whole amount: no decimals" if digits == 0 else f"at most {digits} decimal{'s' * (digits > 1)}"
        raise InvalidInput(f"amounts in {code} are {how}", field=field)


def has_decimals(amount: Decimal | None) -> bool:
    """Whether an amount could be refused by some currency (a whole amount fits them all)."""
    return amount is not None and amount % 1 != 0


@cache
def _locale(identifier: str) -> Locale:
    return Locale.parse(identifier)


@cache
def _available() -> frozenset[str]:
    return frozenset(name for name in localedata.locale_identifiers() if name.split("_")[0] in LANGUAGES)


def page_locale(accept_language: str | None) -> str:
    """The best locale of the served languages for a browser's Accept-Language; en_US without one."""
    wanted: list[tuple[float, str]] = []
    for position, part in enumerate((accept_language or "").split(",")[:12]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and tag != "*" and len(tag) < 36:
            wanted.append((-quality + position * 1e-6, tag.replace("-", "_")))
    available = _available()
    for _, tag in sorted(wanted):
        parts = tag.split("_")
        language = parts[0].lower()
        if language not in LANGUAGES:
            continue
        if len(parts) > 1:
            exact = f"{language}_{parts[-1].upper()}"
            if exact in available:
                return exact
        if language == "en":
            return DEFAULT_LOCALE
        return language if language in available else DEFAULT_LOCALE
    return DEFAULT_LOCALE


def _usable(locale: str | None) -> Locale:
    try:
        return _locale(locale or DEFAULT_LOCALE)
    except (UnknownLocaleError, ValueError):
        return _locale(DEFAULT_LOCALE)


def format_amount(
    value: Decimal | int | str, code: str = DEFAULT, locale: str | None = None, *, signed: bool = False
) -> str:
    """An amount as people read it: '$1,234.50', '¥500', '1.234,50 €'; a minus sign (−) when negative
    and, when `signed`, a plus when positive."""
    amount = Decimal(str(value))
    sign = "−" if amount < 0 else ("+" if signed and amount > 0 else "")
    # An amount the currency has no digits for (2.50 kept from before a family chose JPY) keeps them.
    return sign + format_currency(abs(amount), code, locale=_usable(locale), currency_digits=fits(amount, code))


def symbol(code: str = DEFAULT, locale: str | None = None) -> str:
    """The currency's symbol in the locale: '$', '€', '¥', 'CA$'."""
    return get_currency_symbol(code, locale=_usable(locale))


def name(code: str, locale: str | None = None) -> str:
    return get_currency_name(code, locale=_usable(locale))


def example(code: str) -> Decimal:
    """An amount to show what the currency's amounts look like: 1234.50, or 1234 without decimals."""
    return Decimal("1234.50") if minor_digits(code) else Decimal(1234)


def plain(value: Decimal | None, code: str = DEFAULT) -> str:
    """An amount as an input shows it: 2.50 (500 in JPY), no symbol, no grouping."""
    if value is None:
        return ""
    digits = minor_digits(code)
    return f"{Decimal(str(value)).quantize(Decimal(1).scaleb(-digits))}"

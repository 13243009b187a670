"""Currencies and amounts by locale (currencies.py), also with only the locale data the image keeps."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from babel import localedata

from chores_tracker import currencies
from chores_tracker.errors import InvalidInput
from chores_tracker.web.rendering import money_in_text

DOCKERFILE = Path(__file__).resolve().parents[1] / "Dockerfile"


def test_the_codes_a_family_may_choose_are_money_in_use_with_at_most_two_decimals():
    codes = currencies.codes()
    assert {"USD", "EUR", "GBP", "JPY", "INR", "CAD", "AUD", "MXN", "KRW"} <= set(codes)
    assert not {"KWD", "BHD", "XAU", "DEM", "FRF", "ZZZ"} & set(codes)
    assert currencies.minor_digits("JPY") == 0 and currencies.minor_digits("USD") == 2
    with pytest.raises(InvalidInput):
        currencies.checked("KWD")
    assert currencies.checked(" eur ") == "EUR"


@pytest.mark.parametrize(
    ("amount", "code", "fits"),
    [("500", "JPY", True), ("500.00", "JPY", True), ("500.5", "JPY", False), ("0.01", "JPY", False),
     ("2.55", "USD", True), ("-2.5", "EUR", True)],
)  # fmt: skip
def test_an_amount_fits_the_currencys_minor_units(amount, code, fits):
    assert currencies.fits(Decimal(amount), code) is fits
    if not fits:
        with pytest.raises(InvalidInput, match=f"amounts in {code} are a whole amount: no decimals") as refused:
            currencies.refuse_unless_fits(Decimal(amount), code, "reward")
        assert refused.value.field == "reward"


@pytest.mark.parametrize(
    ("amount", "code", "locale", "signed", "shown"),
    [("1234.5", "USD", None, False, "$1,234.50"), ("500", "JPY", "en_US", False, "¥500"),
     ("-2.5", "USD", None, True, "−$2.50"), ("2.5", "GBP", None, True, "+£2.50"),
     ("1234.5", "EUR", "es", False, "1.234,50\xa0€"), ("2.5", "JPY", None, False, "¥2.50")],
)  # fmt: skip
def test_amounts_are_formatted_by_locale(amount, code, locale, signed, shown):
    assert currencies.format_amount(amount, code, locale, signed=signed) == shown


@pytest.mark.parametrize(
    ("header", "locale"),
    [(None, "en_US"), ("", "en_US"), ("es-ES,es;q=0.9", "es_ES"), ("fr-FR,es;q=0.5,en;q=0.4", "es"),
     ("en-GB", "en_GB"), ("de-DE, *", "en_US"), ("es;q=0.1, en;q=0.9", "en_US"), ("x" * 500, "en_US")],
)  # fmt: skip
def test_a_page_speaks_the_served_language_the_browser_prefers(header, locale):
    assert currencies.page_locale(header) == locale


def test_amounts_in_messages_are_shown_in_the_currency():
    assert money_in_text("Must be between 0 and 1000000.00.", "USD") == "Must be between $0.00 and $1,000,000.00."
    assert money_in_text("ada is owed 3.00; no more.", "JPY") == "ada is owed ¥3; no more."
    assert money_in_text("Snooze 1 to 7 days, at most 200 characters.", "USD") == (
        "Snooze 1 to 7 days, at most 200 characters."
    )


def _kept_by_the_image() -> list[str]:
    text = DOCKERFILE.read_text()
    kept = re.findall(r"! -name (\S+\.dat)", text)
    assert "babel/locale-data" in text and kept
    return kept


def test_the_image_keeps_the_locale_data_of_every_language_served():
    kept = _kept_by_the_image()
    assert "root.dat" in kept and f"{currencies.DEFAULT_LOCALE}.dat" in kept
    for language in currencies.LANGUAGES:
        assert f"{language}.dat" in kept


@pytest.fixture
def image_locale_data(tmp_path, monkeypatch):
    """Babel with only the locale files the Dockerfile keeps, as in the image."""
    source = Path(localedata._dirname)
    for name in _kept_by_the_image():
        shutil.copy(source / name, tmp_path / name)
    monkeypatch.setattr(localedata, "_dirname", str(tmp_path))
    monkeypatch.setattr(localedata, "_cache", {})

    def clear() -> None:
        localedata.locale_identifiers.cache_clear()
        localedata.exists.cache_clear()
        currencies._available.cache_clear()
        currencies._locale.cache_clear()

    clear()
    yield
    clear()


@pytest.mark.usefixtures("image_locale_data")
def test_with_only_the_image_locale_data_every_page_locale_formats_every_currency():
    kept = sorted(name[:-4] for name in _kept_by_the_image() if name != "root.dat")
    assert sorted(localedata.locale_identifiers()) == kept
    headers = [None, "en-GB", "en-US", "es-ES,es;q=0.9", "es-MX", "fr", "es-419"]
    locales = {currencies.page_locale(header) for header in headers}
    assert locales == {"en_US", "es"}
    for locale in locales:
        for code in currencies.codes():
            assert currencies.format_amount(currencies.example(code), code, locale)
            assert currencies.symbol(code, locale) and currencies.name(code, locale)
    assert currencies.format_amount("1234.5", "EUR", "es") == "1.234,50\xa0€"
    assert currencies.format_amount("500", "JPY", "en_US") == "¥500"

"""Templates, flash messages and the few formatting rules the pages share."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import zlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from fastapi import Request
from starlette.responses import HTMLResponse, RedirectResponse

from chores_tracker import clock, currencies, timezones
from chores_tracker.chores.schedule import ScheduleSpec
from chores_tracker.identity import avatars
from chores_tracker.money import from_cents
from chores_tracker.settings import Settings
from chores_tracker.web import activity_lines, i18n
from chores_tracker.web.csrf import CSRF_COOKIE, CSRF_FIELD, token_for

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
FLASH_COOKIE = "ct_flash"
# The browser's zone, set URL-encoded by static/app.js: a new family's zone, and the zone of pages
# shown before there is a family (UTC without JavaScript). A family's pages use the family's zone.
TIMEZONE_COOKIE = "ct_tz"

environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
    extensions=["jinja2.ext.i18n"],
)
# English by default (a template rendered outside `render`); `render` passes the page's language's.
environment.install_gettext_callables(  # type: ignore[attr-defined]
    lambda text: text, lambda singular, plural, n: singular if n == 1 else plural, newstyle=True
)


def currency_symbol(code: str, locale: str | None = None) -> str:
    """The currency's symbol as the page's locale writes it: '$', '€', '¥', 'CA$'."""
    return currencies.symbol(code.upper(), locale)


def format_money(
    value: Decimal | int | str,
    settings: Settings,
    currency: str | None = None,
    locale: str | None = None,
    *,
    signed: bool = False,
) -> str:
    """An amount with its currency, formatted by locale with Babel ('$2.50', '¥500', '2,50 €').
    Pass the family's `currency` (`page_currency(request)`) and the page's `locale`
    (`page_locale(request)`); without them, the server's CURRENCY setting and en_US."""
    code = currency or str(getattr(settings, "currency", currencies.DEFAULT))
    return currencies.format_amount(value, code, locale, signed=signed)


@jinja2.pass_context
def money(context: jinja2.runtime.Context, value: Decimal | int | str | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    code = context.get("currency_code", currencies.DEFAULT)
    return currencies.format_amount(value, code, context.get("money_locale"), signed=signed)


@jinja2.pass_context
def plain_amount_filter(context: jinja2.runtime.Context, value: Decimal | None) -> str:
    return plain_amount(value, context.get("currency_code", currencies.DEFAULT))


def plain_amount(value: Decimal | None, currency: str = currencies.DEFAULT) -> str:
    """An amount as a form field shows it: 2.50 (500 in JPY), no symbol."""
    return currencies.plain(value, currency)


def _zone(context: jinja2.runtime.Context) -> ZoneInfo:
    return timezones.zone(context.get("timezone_name"))


def _local(context: jinja2.runtime.Context, value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(_zone(context))


_NEAR_DAYS = {0: i18n._("Today"), 1: i18n._("Tomorrow"), -1: i18n._("Yesterday")}


def format_date(when: date, pattern: str, *, locale: str) -> str:
    """Babel's, imported at first use: serving /health loads no locale data (test_startup_imports)."""
    from babel.dates import format_date as babel_format_date

    return str(babel_format_date(when, pattern, locale=locale))


@jinja2.pass_context
def day(context: jinja2.runtime.Context, value: datetime | date | None) -> str:
    """'Today', 'Tomorrow', 'Yesterday', or 'Mon 3 Mar' (with the year when it is not this year)."""
    if value is None:
        return ""
    today = clock.now().astimezone(_zone(context)).date()
    when = _local(context, value).date() if isinstance(value, datetime) else value
    delta = (when - today).days
    language = str(context.get("language", i18n.DEFAULT))
    if delta in _NEAR_DAYS:
        return i18n.translate(_NEAR_DAYS[delta], language)
    if language != i18n.DEFAULT:
        pattern = "EEE d MMM" if when.year == today.year else "EEE d MMM y"
        return format_date(when, pattern, locale=language)
    text = f"{when:%a} {when.day} {when:%b}"
    return text if when.year == today.year else f"{text} {when.year}"


def short_day(when: date, language: str = i18n.DEFAULT, *, with_year: bool = False) -> str:
    """'Mon 7 Dec' ('Mon 7 Dec 2026' with the year), in the language ('lun 7 dic')."""
    if language != i18n.DEFAULT:
        return format_date(when, "EEE d MMM y" if with_year else "EEE d MMM", locale=language)
    text = f"{when:%a} {when.day} {when:%b}"
    return f"{text} {when.year}" if with_year else text


@jinja2.pass_context
def short_date(context: jinja2.runtime.Context, when: date, with_year: bool = False) -> str:
    """The template filter of short_day, in the page's language."""
    return short_day(when, str(context.get("language", i18n.DEFAULT)), with_year=with_year)


@jinja2.pass_context
def moment(context: jinja2.runtime.Context, value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{day(context, value)}, {_local(context, value):%H:%M}"


@jinja2.pass_context
def clock_time(context: jinja2.runtime.Context, value: datetime | None) -> str:
    """A time of day in the page's zone, as people say it: '6:00 pm', '7:30 am'."""
    if value is None:
        return ""
    local = _local(context, value)
    if context.get("language", i18n.DEFAULT) != i18n.DEFAULT:
        return f"{local:%H:%M}"
    return f"{local.hour % 12 or 12}:{local.minute:02d} {'am' if local.hour < 12 else 'pm'}"


def iso(value: datetime | date | None) -> str:
    return value.isoformat() if value is not None else ""


def shown_name(someone: object) -> str:
    """What a page calls a person (a user, a report row, or a bare name): the display name, else the username."""
    if isinstance(someone, str):
        return someone
    return str(getattr(someone, "display_name", None) or getattr(someone, "username", ""))


def palette_index(someone: object) -> int:
    """A person's avatar colour: the chosen one, else a stable one from the username (or a bare name)."""
    if isinstance(someone, str):
        return zlib.crc32(someone.lower().encode()) % len(avatars.COLOURS)
    return avatars.colour_index(str(getattr(someone, "username", "")), getattr(someone, "avatar", None))


def avatar_text(someone: object) -> str:
    """What an avatar shows: the person's emoji, else the first letter of their shown name."""
    chosen = None if isinstance(someone, str) else getattr(someone, "avatar", None)
    if isinstance(chosen, str) and avatars.is_emoji(chosen):
        return chosen
    return shown_name(someone)[:1].upper()


@jinja2.pass_context
def translated(context: jinja2.runtime.Context, value: str | None) -> str:
    """A text made in Python (a page title, an error page's words) in the page's language when the
    catalogue has it: `{{ title|t }}`."""
    if value is None:
        return ""
    language = str(context.get("language", i18n.DEFAULT))
    if isinstance(value, i18n.Message):
        return i18n.translate_message(value.msgid, value.values, language)
    return i18n.translate(str(value), language)


@jinja2.pass_context
def schedule_words(context: jinja2.runtime.Context, chore: object) -> str:
    """A chore's schedule in the page's language: `{{ chore|schedule_words }}`. English is the API's own
    schedule_text; another language describes the chore's schedule (a ScheduleSpec, or its JSON) again."""
    language = str(context.get("language", i18n.DEFAULT))
    text = _field(chore, "schedule_text")
    schedule = _field(chore, "schedule")
    if language == i18n.DEFAULT or schedule is None:
        return str(text or "")
    try:
        spec = schedule if isinstance(schedule, ScheduleSpec) else ScheduleSpec.model_validate(schedule)
    except ValueError:  # not a schedule this release reads: the API's words
        return str(text or "")
    return i18n.schedule_text(spec, language)


@jinja2.pass_context
def activity_from_fields(context: jinja2.runtime.Context, activity: object) -> bool:
    return activity_lines.from_fields(activity, str(context.get("language", i18n.DEFAULT)))


@jinja2.pass_context
def allowance_period(context: jinja2.runtime.Context, note: str | None) -> tuple[str, dict[str, str]]:
    return activity_lines.allowance_period(note, str(context.get("language", i18n.DEFAULT)))


@jinja2.pass_context
def activity_note(context: jinja2.runtime.Context, activity: object) -> str | None:
    return activity_lines.shown_note(activity, str(context.get("language", i18n.DEFAULT)))


@jinja2.pass_context
def ledger_note(context: jinja2.runtime.Context, note: str | None) -> str:
    """A ledger entry's note in the page's language when a service wrote it: `{{ row.note|ledger_note }}`."""
    code, locale = context.get("currency_code", currencies.DEFAULT), context.get("money_locale")

    def amount(value: str) -> str:
        return currencies.format_amount(value, code, locale)

    return activity_lines.ledger_note(note, str(context.get("language", i18n.DEFAULT)), amount)


def _field(thing: object, name: str) -> object:
    return thing.get(name) if isinstance(thing, dict) else getattr(thing, name, None)


environment.filters.update(
    t=translated,
    schedule_words=schedule_words,
    ledger_note=ledger_note,
    cents=from_cents,
    money=money,
    plain_amount=plain_amount_filter,
    day=day,
    short_date=short_date,
    moment=moment,
    clock_time=clock_time,
    iso=iso,
    palette_index=palette_index,
    shown_name=shown_name,
    avatar_text=avatar_text,
)
environment.globals.update(
    activity_from_fields=activity_from_fields,
    activity_note=activity_note,
    allowance_period=allowance_period,
    profile_change=activity_lines.profile_change,
)


def _sign(settings: Settings, payload: str) -> str:
    return hmac.new(settings.secret_key.encode(), f"flash|{payload}".encode(), hashlib.sha256).hexdigest()[:32]


def _read_flash(request: Request, settings: Settings) -> dict[str, Any] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or "." not in raw:
        return None
    payload, signature = raw.rsplit(".", 1)
    # A hex signature; compare_digest refuses (TypeError) to compare text that is not ASCII.
    if not signature.isascii() or not hmac.compare_digest(signature, _sign(settings, payload)):
        return None
    try:
        kind, text, *translatable = json.loads(base64.urlsafe_b64decode(payload.encode()).decode())
    except (ValueError, TypeError):
        return None
    shown = {"kind": "error" if kind == "error" else "success", "text": str(text)}
    # A message with values (i18n.message) carries its msgid and values, translated where it is shown.
    if len(translatable) == 2 and isinstance(translatable[0], str) and isinstance(translatable[1], dict):
        shown["msgid"] = translatable[0]
        shown["values"] = {str(k): str(v) for k, v in translatable[1].items()}  # type: ignore[assignment]
    return shown


def redirect(url: str, settings: Settings, flash: str | None = None, *, kind: str = "success") -> RedirectResponse:
    """After a form: 303 so a reload does not post again; the message shows on the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        parts: list[object] = [kind, flash]
        if isinstance(flash, i18n.Message):
            parts += [flash.msgid, flash.values]
        payload = base64.urlsafe_b64encode(json.dumps(parts).encode()).decode()
        response.set_cookie(
            FLASH_COOKIE,
            f"{payload}.{_sign(settings, payload)}",
            max_age=60,
            httponly=True,
            samesite="lax",
            secure=settings.is_production,
            path="/",
        )
    return response


def browser_timezone(request: Request) -> str | None:
    return timezones.from_browser(request.cookies.get(TIMEZONE_COOKIE))


def page_timezone(request: Request) -> str | None:
    """The family's zone; the browser's where there is no family yet."""
    family = getattr(request.state, "family", None)
    return family.timezone if family is not None else browser_timezone(request)


# An amount inside an error message, as the API words it: "must be between 1.00 and 5.00", "is owed 3.00".
_AMOUNT_IN_TEXT = re.compile(
    r"(?<![\w.,])-?[0-9]{1,7}\.[0-9]{2}(?!\w|\.[0-9])|(?<=between )-?[0-9]{1,7}(?= and -?[0-9]{1,7}\.[0-9]{2})"
)
_FORMAT_HINT = re.compile(r"like ([0-9]\.[0-9]{2}): digits, and at most two decimals")
# The same hint in Spanish (the catalogue's words for forms.py's "amount_format").
_FORMAT_HINT_ES = re.compile(r"como ([0-9]\.[0-9]{2}): dígitos y como máximo dos decimales")


def money_in_text(text: str, currency: str, locale: str | None = None) -> str:
    """A message with its amounts in the currency, as the page shows every amount: "Must be
    between $1.00 and $5.00.", "Enter an amount like ¥500: whole numbers, no decimals."."""

    def amount(match: re.Match[str]) -> str:
        return currencies.format_amount(match.group(0), currency, locale)

    if currencies.minor_digits(currency) == 0:
        example = currencies.format_amount(500, currency, locale)
        text = _FORMAT_HINT.sub(f"like {example}: whole numbers, no decimals", text)
        text = _FORMAT_HINT_ES.sub(f"como {example}: números enteros, sin decimales", text)
    return _AMOUNT_IN_TEXT.sub(amount, text)


def _errors_with_money(values: dict[str, object], currency: str, locale: str, language: str = i18n.DEFAULT) -> None:
    """Every form's errors on the page (`errors`, `<form>_errors`, `item_errors`) in the page's language
    (when the catalogue has them) with their amounts in the currency."""
    for key, value in values.items():
        if (key == "errors" or key.endswith("_errors")) and isinstance(value, dict):
            values[key] = {
                name: money_in_text(i18n.translate(text, language), currency, locale) if isinstance(text, str) else text
                for name, text in value.items()
            }


def page_currency(request: Request) -> str:
    """The family's currency; the server's CURRENCY setting where there is no family yet."""
    family = getattr(request.state, "family", None)
    settings: Settings = request.app.state.settings
    return str(getattr(family, "currency", None) or getattr(settings, "currency", currencies.DEFAULT))


def page_language(request: Request) -> str:
    """The page's language: the family's, else the browser's among en and es, else English."""
    family = getattr(request.state, "family", None)
    return i18n.choose(getattr(family, "language", None), request.headers.get("accept-language"))


def page_locale(request: Request) -> str:
    """The locale amounts are formatted in, of the page's language: the browser's when it is of that
    language (es_MX), else the language's own (es; en_US)."""
    return i18n.locale_for(page_language(request), request.headers.get("accept-language"))


def page_text(request: Request, text: str) -> str:
    """A message (a flash, a domain error's English text) in the page's language when the catalogue has it."""
    return i18n.translate(text, page_language(request))


def page_error(request: Request, message: str, *, capitalize: bool = True) -> str:
    """A domain error's message (a service's English) as a sentence in the page's language."""
    return i18n.error_sentence(message, page_language(request), capitalize=capitalize)


def page_money(request: Request, value: Decimal | int | str, *, signed: bool = False) -> str:
    """format_money in the page's currency and locale."""
    return currencies.format_amount(value, page_currency(request), page_locale(request), signed=signed)


def render(
    request: Request,
    template: str,
    context: dict[str, object] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    flash = _read_flash(request, settings)
    language = page_language(request)
    if flash is not None and "msgid" in flash:
        flash = {"kind": flash["kind"], "text": i18n.translate_message(flash["msgid"], flash["values"], language)}
    elif flash is not None:
        flash["text"] = i18n.translate(flash["text"], language)
    values: dict[str, object] = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "family": getattr(request.state, "family", None),
        "pending_count": getattr(request.state, "pending_count", 0),
        "unread_count": getattr(request.state, "unread_count", 0),
        "notification_poll_seconds": getattr(settings, "notification_poll_seconds", 15),
        "flash": flash,
        "csrf_field": CSRF_FIELD,
        "csrf_token": token_for(request, settings),
        "timezone_name": page_timezone(request),
        "browser_timezone": browser_timezone(request),
        "path": request.url.path,
        "currency_code": page_currency(request),
        "money_locale": page_locale(request),
        "language": language,
        **i18n.template_callables(language),
        "currency_symbol": currency_symbol(page_currency(request), page_locale(request)),
        "errors": {},
        "form": {},
    }
    values.update(context or {})
    _errors_with_money(values, str(values["currency_code"]), str(values["money_locale"]), language)
    html = environment.get_template(template).render(values)
    page = HTMLResponse(html, status_code=status_code)
    if request.cookies.get(CSRF_COOKIE) != request.state.csrf_nonce:
        page.set_cookie(
            CSRF_COOKIE,
            request.state.csrf_nonce,
            httponly=True,
            samesite="lax",
            secure=settings.is_production,
            path="/",
        )
    if flash is not None or FLASH_COOKIE in request.cookies:
        page.delete_cookie(FLASH_COOKIE, path="/")
    # Pages show personal figures: never keep them in a shared cache.
    page.headers["Cache-Control"] = "no-store"
    return page

"""The pages' languages: English (the templates' own text) and Spanish, through gettext catalogues.

Templates mark text with `{% trans %}` and `_()` (Jinja2's i18n extension, new-style gettext: the
variables are formatted in after translation and escaped); the web layer marks its flash messages
and form error words with `_()` of this module, which only marks them: they are translated where a
page shows them (`render`), in the page's language. Domain error messages (English, from services;
scripts/translations extracts them with the error classes as keywords) are looked up in the catalogue
before they are made a sentence (`error_sentence`, `ErrorText`), and stay English without an entry
(an f-string message). The JSON API keeps them as the services wrote them.

The catalogue is web/locale/<language>/LC_MESSAGES/messages.po, compiled to messages.mo, which is
what runs (stdlib gettext reads it; the image has no babel.messages). `scripts/translations`
extracts, updates and compiles them; tests/web/test_translations.py checks that the committed .mo is
compiled from the committed .po and that every text of the templates is in the catalogue.

The page's language: the family's (`families.language`, set by its owner), else the browser's
Accept-Language among LANGUAGES, else English. The JSON API is English whatever it is.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from chores_tracker import currencies
from chores_tracker.chores.schedule import ScheduleSpec, describe

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
DEFAULT = "en"
LANGUAGES = currencies.LANGUAGES  # ("en", "es")


def _(text: str) -> str:
    """Marks a text for extraction; it is translated where a page shows it (see `translate`)."""
    return text


class Message(str):
    """A message with values ("Approved “{title}”: {child} earned {amount}."): the English text, which
    is what it reads as, with its msgid and values kept so that a page translates it (`message`)."""

    msgid: str
    values: dict[str, str]

    def __new__(cls, msgid: str, values: dict[str, str]) -> Message:
        made = super().__new__(cls, msgid.format(**values))
        made.msgid = msgid
        made.values = values
        return made


def message(msgid: str, **values: object) -> Message:
    """Marks a message with values for extraction; `translate_message` puts it in a page's language."""
    return Message(msgid, {name: str(value) for name, value in values.items()})


def translate_message(msgid: str, values: dict[str, str], language: str) -> str:
    try:
        return translate(msgid, language).format(**values)
    except (KeyError, IndexError, ValueError):  # a translation that names another value: the English
        return msgid.format(**values)


@cache
def translations(language: str) -> gettext_module.NullTranslations:
    if language == DEFAULT or language not in LANGUAGES:
        return gettext_module.NullTranslations()
    with open(LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as compiled:
        return gettext_module.GNUTranslations(compiled)


def sentence(message: str, *, capitalize: bool = True) -> str:
    """A message as a page shows it: a capital (unless `capitalize` is False) and a final stop."""
    message = message.removeprefix("Value error, ").strip()
    if not message:
        return message
    if capitalize:
        message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


class ErrorText(str):
    """A domain error's message as a form shows it (its English sentence, maybe with the form's labels
    for the API's field names), with the service's own message kept, so that `translate` looks that
    up in the page's language and makes the sentence of the translation."""

    message: str
    capital: bool

    def __new__(cls, shown: str, message: str, *, capitalize: bool = True) -> ErrorText:
        made = super().__new__(cls, shown)
        made.message = message
        made.capital = capitalize
        return made


def error_sentence(message: str, language: str, *, capitalize: bool = True) -> str:
    """A domain error's message (a service's English) as a sentence in the language: translated
    before it is capitalised, since the catalogue's msgid is the service's own text."""
    return sentence(translate(message, language), capitalize=capitalize)


def translate(text: str, language: str) -> str:
    """The text in the language when the catalogue has it; as it is otherwise. Looked up as it is
    (a msgid, or a service's message with values: `_with_values`); an ErrorText by the service's
    message it was made from; a sentence by the phrase it was made of (`sentence` adds the stop:
    "Say what needs doing.") or by the service's message (a capital and a stop: "Snooze 1 to 28 days.")."""
    if language == DEFAULT:
        return text
    catalogue = translations(language)
    if isinstance(text, ErrorText) and (said := _lookup(text.message, catalogue)):
        return sentence(said, capitalize=text.capital)
    if said := _lookup(text, catalogue):
        return said
    if not text.endswith("."):
        return text
    phrase = text[:-1]
    if said := _lookup(phrase, catalogue):
        return said + "."
    message = phrase[:1].lower() + phrase[1:]
    if message != phrase and (said := _lookup(message, catalogue)):
        return said[:1].upper() + said[1:] + "."
    return text


def _lookup(text: str, catalogue: gettext_module.NullTranslations) -> str | None:
    said = catalogue.gettext(text)
    if said == text:
        said = _with_values(text, catalogue) or text
    return None if said == text else said


def _with_values(text: str, catalogue: gettext_module.NullTranslations) -> str | None:
    """A service's message made with values (an f-string: no msgid of its own), said again from its
    pattern's msgid (web.error_words.WITH_VALUES) with the same values; None when none matches."""
    from chores_tracker.web.error_words import WITH_VALUES  # it imports this module

    for pattern, msgid in WITH_VALUES:
        if (found := pattern.fullmatch(text)) is not None:
            try:
                return catalogue.gettext(msgid).format(**found.groupdict())
            except (KeyError, IndexError, ValueError):
                return None
    return None


def gettext_for(language: str) -> Callable[[str], str] | None:
    """The catalogue's gettext for the language; None for English (the texts' own words)."""
    return None if language == DEFAULT or language not in LANGUAGES else translations(language).gettext


def schedule_text(spec: ScheduleSpec, language: str) -> str:
    """A schedule in plain words in the page's language (schedule.describe; English is the API's
    schedule_text). A language other than English writes the due time on a 24-hour clock, as the
    pages' times are."""
    return describe(spec, gettext_for(language), hours24=language != DEFAULT)


def language_of(locale: str) -> str:
    """'es' for 'es_MX', 'en' for 'en_US'."""
    language = locale.split("_")[0].lower()
    return language if language in LANGUAGES else DEFAULT


def choose(family_language: str | None, accept_language: str | None) -> str:
    """The family's language when it has one, else the browser's among those served, else English."""
    if family_language in LANGUAGES:
        return str(family_language)
    return language_of(currencies.page_locale(accept_language))


def locale_for(language: str, accept_language: str | None) -> str:
    """The locale amounts are formatted in: the browser's when it is of the page's language
    (es_MX, en_GB), else the language's own (es, en_US)."""
    browser = currencies.page_locale(accept_language)
    if language_of(browser) == language:
        return browser
    return currencies.DEFAULT_LOCALE if language == DEFAULT else language


def template_callables(language: str) -> dict[str, Callable[..., Any]]:
    """`gettext`, `ngettext` and `_` for a page in the language, as new-style Jinja2 i18n calls them."""
    catalogue = translations(language)

    @jinja2.pass_context
    def gettext(__context: jinja2.runtime.Context, __string: str, **variables: Any) -> str:
        text = catalogue.gettext(__string)
        if __context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 -- our own catalogue; Markup % escapes the variables
        return text % variables

    @jinja2.pass_context
    def ngettext(
        __context: jinja2.runtime.Context, __singular: str, __plural: str, __num: int, **variables: Any
    ) -> str:
        variables.setdefault("num", __num)
        text = catalogue.ngettext(__singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 -- our own catalogue; Markup % escapes the variables
        return text % variables

    return {"gettext": gettext, "ngettext": ngettext, "_": gettext}

"""The pages in English and Spanish (issue 14, point 10): gettext catalogues, the family's or the
browser's language, and the committed catalogue in step with the templates."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from chores_tracker.web import i18n

WEB = Path(i18n.__file__).parent
PO = WEB / "locale" / "es" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
# The services whose words pages show, and the messages of the domain errors they raise, the error
# classes being keywords (scripts/translations' SERVICES and ERRORS).
SERVICES = [
    *(
        WEB.parent / domain
        for domain in (
            "activity",
            "chores",
            "families",
            "identity",
            "ledger",
            "notifications",
            "ratelimit",
            "reports",
            "rewards",
        )
    ),
    WEB.parent / "currencies.py",
]
ERRORS = (
    "DomainError",
    "NotFound",
    "Forbidden",
    "Unauthorized",
    "Conflict",
    "InvalidInput",
    "RateLimited",
    "ServerBusy",
    "PinLocked",
)
KEYWORDS = {
    "_": None,
    "_marked": None,
    "gettext": None,
    "ngettext": (1, 2),
    "message": None,
    **dict.fromkeys(ERRORS),
}
JINJA_OPTIONS = {
    "extensions": "jinja2.ext.i18n",
    "trim_blocks": "true",
    "lstrip_blocks": "true",
    "newstyle_gettext": "true",
}


def _catalogue():
    with PO.open("rb") as po:
        return read_po(po, locale="es")


def test_the_committed_mo_is_compiled_from_the_committed_po():
    compiled = io.BytesIO()
    write_mo(compiled, _catalogue())
    assert compiled.getvalue() == MO.read_bytes(), "run ./scripts/translations compile and commit the .mo"


def test_every_text_of_the_pages_has_its_spanish():
    extracted = {
        message if isinstance(message, str) else message[0]
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(WEB),
            method_map=[("**.py", "python"), ("templates/**.html", "jinja2")],
            options_map={"templates/**.html": JINJA_OPTIONS},
            keywords=KEYWORDS,
        )
    }
    for service in SERVICES:
        extracted |= {
            message if isinstance(message, str) else message[0]
            for _lineno, message, _comments, _context in (
                extract_from_file("python", str(service), keywords=KEYWORDS)
                if service.is_file()
                else (
                    found[1:]
                    for found in extract_from_dir(str(service), method_map=[("**.py", "python")], keywords=KEYWORDS)
                )
            )
        }
    assert len(extracted) > 10
    assert "Monthly on the %(nth)s Monday" in extracted  # chores/schedule.py's words are read
    assert "it is not your turn for this chore" in extracted  # the services' error messages are read
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in _catalogue()
        if m.id and m.string and (isinstance(m.string, str) or all(m.string)) and not m.fuzzy
    }
    missing = sorted(extracted - translated)
    assert not missing, f"no Spanish for {missing}: ./scripts/translations update, translate, compile"


# Words a template may show as they are, in every language: the product's name, each language's own
# name in the language picker, and the feed's "you", which only English pages say (the Spanish ones name the person).
AS_THEY_ARE = {
    "base.html": {"Chores Tracker", "· Chores Tracker"},
    "family.html": {"English", "Español"},
    "_activity.html": {"you", "You"},
}


def _unmarked_words(template: str) -> list[str]:
    """The words a template shows outside {% trans %} and {{ ... }}: English no catalogue can translate."""
    text = re.sub(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", " ", template, flags=re.DOTALL)
    for shown_elsewhere in (
        r"{#.*?#}",
        r"<(script|style)\b.*?</\1>",
        r"{{.*?}}",
        r"{%.*?%}",
        r"<!--.*?-->",
        r"<[^>]*>",
    ):
        text = re.sub(shown_elsewhere, " ", text, flags=re.DOTALL)
    text = re.sub(r"&[a-z#0-9]+;", " ", text)
    return [words.strip() for words in re.split(r"\s{2,}|\n", text) if re.search(r"[A-Za-z]{2}", words)]


def test_every_word_a_template_shows_is_marked_for_translation():
    unmarked = {
        template.name: words
        for template in sorted((WEB / "templates").rglob("*.html"))
        if (words := [w for w in _unmarked_words(template.read_text()) if w not in AS_THEY_ARE.get(template.name, ())])
    }
    assert not unmarked, f"text outside {{% trans %}} or _(): {unmarked}"


def test_the_unmarked_words_check_finds_plain_text_and_passes_marked_text():
    assert _unmarked_words("<p>Nothing sent yet.</p>") == ["Nothing sent yet."]
    assert _unmarked_words("<p>{% trans %}Nothing sent yet.{% endtrans %} {{ _('Again') }} {{ hook.url }}</p>") == []


@pytest.mark.parametrize(
    ("family_language", "accept_language", "expected"),
    [
        (None, None, "en"),
        (None, "es-MX,es;q=0.9,en;q=0.5", "es"),
        (None, "fr-FR,en;q=0.8,es;q=0.5", "en"),
        (None, "de", "en"),
        ("es", "en-US", "es"),
        ("en", "es-ES", "en"),
    ],
)
def test_the_language_is_the_family_s_else_the_browser_s_else_english(family_language, accept_language, expected):
    assert i18n.choose(family_language, accept_language) == expected


def _family(visitor):
    parent = visitor()
    parent.parent_with_family()
    return parent


SPANISH = {"accept-language": "es-ES,es;q=0.9"}


def test_english_without_a_choice_or_a_browser_language(visitor):
    parent = _family(visitor)
    page = parent.get("/family")
    assert '<html lang="en">' in page.text
    assert "Save language" in page.text and "Guardar idioma" not in page.text


def test_a_spanish_browser_gets_spanish_pages_and_amounts_when_the_family_has_no_language(visitor):
    parent = _family(visitor)
    parent.api("PUT", "/families/currency", json={"currency": "EUR"})
    page = parent.get("/family", headers=SPANISH)
    assert '<html lang="es">' in page.text
    assert "Guardar idioma" in page.text and "Save language" not in page.text
    # The amount in the currency hint, formatted for es: comma decimals, the symbol after.
    assert "1234,50\xa0€" in page.text or "1.234,50\xa0€" in page.text


def test_the_owner_sets_spanish_for_the_family_and_every_browser_follows(visitor):
    parent = _family(visitor)
    parent.get("/family")
    response = parent.submit("/family/language", {"language": "es"})
    assert response.url.path == "/family"
    assert parent.flash() == "Las páginas están en español ahora."
    page = parent.get("/family", headers={"accept-language": "en-US"})
    assert '<html lang="es">' in page.text and "Guardar idioma" in page.text
    # The amount hint in es whatever the browser says ("1234,50 US$" or similar: a decimal comma).
    assert "1234,50" in page.text or "1.234,50" in page.text
    # The API stays English.
    answer = parent.api("PUT", "/families/language", json={"language": None})
    assert answer.status_code == 200 and answer.json() == {"language": None}
    page = parent.get("/family", headers={"accept-language": "en-US"})
    assert '<html lang="en">' in page.text and "Save language" in page.text


def test_only_the_owner_sets_the_language_and_only_en_or_es(visitor):
    parent = _family(visitor)
    assert parent.api("PUT", "/families/language", json={"language": "fr"}).status_code == 422
    assert parent.api("PUT", "/families/language", json={"language": "es"}).json() == {"language": "es"}
    child_name = parent.add_child()
    child = visitor()
    child.log_in(child_name)
    assert child.api("PUT", "/families/language", json={"language": "en"}).status_code == 403


def test_the_sign_in_page_follows_the_browser(visitor):
    someone = visitor()
    spanish = someone.get("/login", headers=SPANISH).text
    assert '<html lang="es">' in spanish and "Iniciar sesión" in spanish and "Welcome back" not in spanish
    english = someone.get("/login").text
    assert '<html lang="en">' in english and "Welcome back" in english and "Iniciar sesión" not in english


def test_an_error_page_in_spanish(visitor):
    page = visitor().get("/no-such-page", headers=SPANISH)
    assert page.status_code == 404
    assert "No encontramos esa página" in page.text


def test_flash_messages_with_values_and_form_errors_follow_the_page(visitor):
    parent = _family(visitor)
    parent.get("/family")
    parent.submit("/family/language", {"language": "es"})
    parent.get("/chores/new")
    response = parent.submit(
        "/chores/new", {"title": "", "reward_kind": "fixed", "reward": "1", "assignment_mode": "unassigned"}
    )
    assert response.status_code == 422
    assert "Di qué hay que hacer." in response.text
    parent.get("/chores/new")
    response = parent.submit(
        "/chores/new", {"title": "Feed the cat", "reward_kind": "fixed", "reward": "1", "assignment_mode": "unassigned"}
    )
    assert response.url.path == "/chores"
    assert parent.flash().startswith("“Feed the cat” está lista para los niños")
    # The amounts of a Spanish page: a decimal comma.
    assert "1,00" in response.text


def test_a_child_s_pages_in_spanish_with_amounts_for_es(visitor):
    parent = _family(visitor)
    parent.api("PUT", "/families/language", json={"language": "es"})
    child_name = parent.add_child()
    child = visitor()
    child.log_in(child_name)
    home = child.get("/")
    assert '<html lang="es">' in home.text
    assert "Mi dinero" in home.text and "Para hacer ahora" in home.text and "My money" not in home.text
    # USD in es: a decimal comma and the symbol after the amount ("0,00 US$").
    assert "0,00\xa0US$" in home.text
    money = child.get("/me/money")
    assert "Lo que ganaste" in money.text


def test_a_sign_in_error_in_spanish(visitor):
    someone = visitor()
    someone.get("/login", headers=SPANISH)
    page = someone.submit("/login", {"username": "", "password": ""}, headers=SPANISH)
    assert "Escribe tu usuario." in page.text


def test_the_image_gets_the_compiled_catalogue_and_not_its_source():
    from tests.deploy import artifacts

    context = artifacts.build_context_files()
    shipped = str(MO.relative_to(artifacts.REPO))
    assert shipped in context
    assert not [f for f in context if f.endswith((".po", ".pot"))]


def test_a_spanish_amount_error_in_yen_asks_for_whole_numbers(visitor):
    from chores_tracker.web.rendering import money_in_text

    hint = i18n.translate("Enter an amount like 2.50: digits, and at most two decimals.", "es")
    assert money_in_text(hint, "JPY", "es") == "Escribe un monto como 500\xa0JPY: números enteros, sin decimales."

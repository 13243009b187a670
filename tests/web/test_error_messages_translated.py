"""The services' error messages on Spanish pages (issue 14): real failures driven through the pages
of a Spanish family say the service's message in Spanish, an English family's pages read as before,
and the JSON API's `detail` for the same failure is the service's English, unchanged."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from chores_tracker.web import i18n
from chores_tracker.web.error_words import ERROR_WORDS, WITH_VALUES
from tests.support.api import PASSWORD, Api, Person
from tests.support.family import approve, chore, complete
from tests.web.conftest import Visitor, field_error

SERVICES = Path(i18n.__file__).parent.parent


def _family(api: Api, language: str) -> tuple[Person, Person]:
    parent = api.parent(family_name="Los Pérez")
    kid = api.child(parent)
    answer = api.put("/families/language", parent, json={"language": language})
    assert answer.status_code == 200, answer.text
    return parent, kid


def _signed_in(app, who: Person, page: str) -> Visitor:
    visitor = Visitor(app)
    assert visitor.log_in(who.username, PASSWORD).status_code == 200
    assert visitor.get(page).status_code == 200
    return visitor


def _flash(visitor: Visitor) -> str:
    said = visitor.flash()
    assert said is not None, visitor.page.text
    return html.unescape(said)


def _lead(page) -> str:
    """The error page's message."""
    found = re.search(r'<p class="lead">([^<]*)</p>', page.text)
    assert found, page.text
    return html.unescape(found.group(1))


# (language, what the page says) for each failure
ALREADY_DONE = {
    "es": "Esta vez no: ya la marcaste como hecha; está esperando que tu mamá o papá la apruebe.",
    "en": "Not this time: already marked as done; it is waiting for a parent's approval.",
}
NOTHING_TO_TAKE_BACK = {
    "es": "Esta vez no: no hay nada que retirar: esta tarea no está esperando revisión.",
    "en": "Not this time: nothing to take back: this chore is not waiting for review.",
}
ALREADY_APPROVED = {
    "es": "No hay nada que revisar: esta tarea no está esperando aprobación.",
    "en": "Nothing to review: this assignment is not waiting for approval.",
}
WRONG_PASSWORD = {"es": "La contraseña actual no es correcta.", "en": "The current password is not correct."}
NO_SUCH_CHORE = {"es": "No encontramos esa tarea.", "en": "Chore not found."}


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_child_completing_a_chore_already_done_or_taking_back_one_not_done(app, api, language):
    parent, kid = _family(api, language)
    dishes = chore(api, parent, title="Dishes", assignee_ids=[kid.id])
    socks = chore(api, parent, title="Socks", assignee_ids=[kid.id])
    complete(api, kid, dishes["id"])  # on another device: the page still offers the button
    child = _signed_in(app, kid, "/")

    child.submit(f"/chores/{dishes['id']}/complete")
    assert _flash(child) == ALREADY_DONE[language]
    child.submit(f"/chores/{socks['id']}/take-back")
    assert _flash(child) == NOTHING_TO_TAKE_BACK[language]
    if language == "es":
        assert "already" not in child.page.text and "nothing to" not in child.page.text.lower()

    again = api.post(f"/chores/{dishes['id']}/complete", kid)
    assert again.status_code == 409
    assert again.json()["detail"] == "already marked as done; it is waiting for a parent's approval"
    back = api.post(f"/chores/{socks['id']}/take-back", kid)
    assert back.status_code == 409
    assert back.json()["detail"] == "nothing to take back: this chore is not waiting for review"


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_parent_approving_what_is_already_approved(app, api, language):
    parent, kid = _family(api, language)
    dishes = chore(api, parent, title="Dishes", assignee_ids=[kid.id])
    assignment = complete(api, kid, dishes["id"])
    owner = _signed_in(app, parent, "/approvals")
    approve(api, parent, assignment["id"])  # another parent, or another tab, was quicker

    owner.submit(f"/approvals/{assignment['id']}/approve")
    assert owner.page.url.path == "/approvals"
    assert _flash(owner) == ALREADY_APPROVED[language]
    if language == "es":
        assert "waiting for approval" not in owner.page.text

    answer = api.post(f"/assignments/{assignment['id']}/approve", parent, json={})
    assert answer.status_code == 409
    assert answer.json()["detail"] == "nothing to review: this assignment is not waiting for approval"


@pytest.mark.parametrize("language", ["es", "en"])
def test_approving_several_when_one_is_already_approved_says_why_it_was_skipped(app, api, language):
    parent, kid = _family(api, language)
    first = complete(api, kid, chore(api, parent, title="Dishes", assignee_ids=[kid.id])["id"])
    second = complete(api, kid, chore(api, parent, title="Bins", assignee_ids=[kid.id])["id"])
    owner = _signed_in(app, parent, "/approvals")
    approve(api, parent, second["id"])

    owner.submit("/approvals/approve-many", {"which": "all", "shown_ids": [str(first["id"]), str(second["id"])]})
    said = _flash(owner)
    skipped = {"es": " 1 sin aprobar: ", "en": " 1 not approved: "}[language]
    assert said.startswith({"es": "Aprobadas 1: ", "en": "Approved 1: "}[language]), said
    assert said.endswith(skipped + ALREADY_APPROVED[language]), said


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_wrong_current_password_on_the_account_page(app, api, language):
    parent, _kid = _family(api, language)
    owner = _signed_in(app, parent, "/account/password")

    page = owner.submit("/account/password", {"current_password": "not-" + PASSWORD, "new_password": "new-" + PASSWORD})
    assert page.status_code == 422
    assert html.unescape(field_error(page.text, "current_password") or "") == WRONG_PASSWORD[language]
    if language == "es":
        assert "not correct" not in page.text

    answer = api.post(
        "/users/me/password", parent, json={"current_password": "not-" + PASSWORD, "new_password": "x" * 12}
    )
    assert answer.status_code == 422
    assert answer.json()["detail"] == [
        {"loc": ["body", "current_password"], "msg": "the current password is not correct", "type": "invalid_input"}
    ]


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_chore_that_is_not_there_on_the_error_page(app, api, language):
    parent, _kid = _family(api, language)
    owner = _signed_in(app, parent, "/chores")

    page = owner.get("/chores/987654/edit")
    assert page.status_code == 404
    assert _lead(page) == NO_SUCH_CHORE[language]
    if language == "es":
        assert "not found" not in page.text

    answer = api.get("/chores/987654", parent)
    assert answer.status_code == 404
    assert answer.json()["detail"] == "chore not found"


def test_a_message_without_spanish_stays_english_and_becomes_a_sentence():
    # A message no entry and no pattern knows: the English, capitalised, with its stop.
    assert i18n.error_sentence("amounts in JPY are whole numbers", "es") == "Amounts in JPY are whole numbers."
    assert i18n.error_sentence("chore not found", "es") == "No encontramos esa tarea."
    assert i18n.error_sentence("chore not found", "en") == "Chore not found."


def test_the_error_words_written_out_in_the_web_layer_are_still_the_services_own():
    sources = "\n".join(
        path.read_text() for path in SERVICES.rglob("*.py") if "web" not in path.relative_to(SERVICES).parts
    )
    assert len(ERROR_WORDS) > 10
    stale = [words for words in ERROR_WORDS if f'"{words}"' not in sources]
    assert not stale, f"no service says these any more (update web/error_words.py and the catalogue): {stale}"


# Messages the services make with values (f-strings), as they write them, and the Spanish a page says.
MADE_WITH_VALUES = [
    ("must be at least 10 characters", "debe tener al menos 10 caracteres"),
    ("must be between 1.00 and 5.00", "debe estar entre 1.00 y 5.00"),
    ("this chore's reward is fixed at 2.50", "la recompensa de esta tarea es fija: 2.50"),
    ("snooze 1 to 28 days", "pospón de 1 a 28 días"),
    ("a pause lasts at most 365 days", "una pausa dura como máximo 365 días"),
    ("'Cinema' can be claimed 2 times a week", "'Cinema' se puede pedir 2 veces por semana"),
    ('"Bob\'s game" can be claimed 1 times a month', '"Bob\'s game" se puede pedir 1 veces al mes'),
    ("'Cinema' is out of stock", "'Cinema' está agotado"),
    (
        "too late: an entry can be reversed within 24 hours of it",
        "demasiado tarde: un movimiento se puede deshacer durante 24 horas",
    ),
    (
        "too late: an entry can be reversed within 7 days of it",
        "demasiado tarde: un movimiento se puede deshacer durante 7 días",
    ),
    ("at most 10 devices; revoke one first", "como mucho 10 dispositivos; revoca uno primero"),
]


@pytest.mark.parametrize(("english", "spanish"), MADE_WITH_VALUES)
def test_a_message_made_with_values_is_said_in_spanish_with_the_same_values(english, spanish):
    assert i18n.translate(english, "es") == spanish
    assert i18n.error_sentence(english, "es") == spanish[0].upper() + spanish[1:] + "."
    assert i18n.translate(english, "en") == english  # English pages: as the service wrote it


def test_a_message_with_values_that_no_pattern_knows_stays_as_written():
    unknown = "amounts in JPY are whole numbers"
    assert i18n.translate(unknown, "es") == unknown


def test_every_pattern_is_still_a_message_a_service_writes():
    sources = "\n".join(
        path.read_text() for path in SERVICES.rglob("*.py") if "web" not in path.relative_to(SERVICES).parts
    )
    # The longest run of words between a pattern's values stands in one of the services' f-strings.
    stale = []
    for pattern, _msgid in WITH_VALUES:
        words = max(re.split(r"\(\?P<\w+>[^)]*\)", pattern.pattern.replace("\\d+", "N")), key=len)
        if words.replace("\\", "") not in sources:
            stale.append(pattern.pattern)
    assert not stale, f"no service writes these any more (update web/error_words.py): {stale}"

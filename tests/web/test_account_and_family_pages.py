"""Sign-up, log-in and the family pages, as plain HTML forms; errors appear next to their field."""

from __future__ import annotations

import re

from tests.support.api import PASSWORD
from tests.support.routes import get_routes
from tests.web.conftest import field_error, user_id


def test_a_visitor_is_sent_to_the_login_page(visitor):
    response = visitor().get("/")
    assert response.url.path == "/login"
    assert '<label for="f-username">Username' in response.text


def test_sign_up_errors_show_next_to_their_fields_and_keep_what_was_typed(visitor):
    person = visitor()
    person.get("/signup")
    response = person.submit("/signup", {"username": "no spaces", "password": "short", "email": "not-an-email"})
    assert response.status_code == 422
    assert field_error(response.text, "username")
    assert field_error(response.text, "email")
    assert 'value="no spaces"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "short" not in re.findall(r'name="password"[^>]*>', response.text)[0]  # a password is never echoed


def test_a_short_password_is_explained_by_the_same_rule_as_the_api(visitor):
    person = visitor()
    person.get("/signup")
    response = person.submit("/signup", {"username": "pat", "password": "short"})
    assert field_error(response.text, "password") == "Must be at least 8 characters."


def test_a_taken_username_is_reported_on_the_username(visitor):
    first, second = visitor(), visitor()
    first.sign_up("quinn")
    second.get("/signup")
    response = second.submit("/signup", {"username": "QUINN", "password": PASSWORD})
    assert response.status_code == 422
    assert field_error(response.text, "username") == "This username is taken."


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(visitor):
    person = visitor()
    username = person.sign_up()
    stranger = visitor()
    response = stranger.log_in(username, "not-the-password")
    assert response.status_code == 401
    assert "Incorrect username or password." in response.text
    assert stranger.get("/family").url.path == "/login"


def test_empty_login_fields_are_named(visitor):
    person = visitor()
    person.get("/login")
    response = person.submit("/login", {"username": "", "password": ""})
    assert field_error(response.text, "username") == "Enter your username."
    assert field_error(response.text, "password") == "Enter your password."


def test_a_new_parent_creates_a_family_and_sees_its_invite_code(visitor, app):
    person = visitor()
    person.sign_up()
    response = person.submit("/family/create", {"name": "The Quokkas"})
    assert response.url.path == "/family"
    code = re.search(r'id="invite-code">([A-Z0-9]+)<', response.text).group(1)
    from chores_tracker.families.models import Family

    with app.state.session_factory() as session:
        assert session.query(Family).filter_by(name="The Quokkas").one().invite_code == code


def test_a_second_parent_joins_with_the_code_and_a_wrong_code_is_explained(visitor):
    first, second = visitor(), visitor()
    first.parent_with_family("The Robins")
    code = re.search(r'id="invite-code">([A-Z0-9]+)<', first.get("/family").text).group(1)
    second.sign_up()
    response = second.submit("/family/join", {"invite_code": "WRONG123"})
    assert (
        field_error(response.text, "invite_code") == "No family has this invite code, or it has expired or been used."
    )
    response = second.submit("/family/join", {"invite_code": code.lower()})
    assert "You joined The Robins." in response.text
    assert "The Robins" in second.get("/family").text


def test_a_new_invite_code_replaces_the_old_one(visitor):
    first, latecomer = visitor(), visitor()
    first.parent_with_family()
    old = re.search(r'id="invite-code">([A-Z0-9]+)<', first.get("/family").text).group(1)
    response = first.submit("/family/invite-code")
    new = re.search(r'id="invite-code">([A-Z0-9]+)<', response.text).group(1)
    assert new != old
    latecomer.sign_up()
    assert field_error(latecomer.submit("/family/join", {"invite_code": old}).text, "invite_code")


def test_adding_a_child_with_a_taken_name_is_reported_on_the_field(visitor):
    parent = visitor()
    parent.parent_with_family()
    name = parent.add_child()
    response = parent.submit("/family/children", {"username": name, "password": PASSWORD})
    assert response.status_code == 422
    assert field_error(response.text, "username") == "This username is taken."


def test_a_child_password_reset_that_is_too_short_says_so_next_to_that_childs_field(visitor, app):
    parent = visitor()
    parent.parent_with_family()
    name = parent.add_child()
    from chores_tracker.identity.models import User

    with app.state.session_factory() as session:
        child_id = session.query(User).filter_by(username=name).one().id
    parent.get("/family")
    response = parent.submit(f"/family/children/{child_id}/password", {"password": "short"})
    assert response.status_code == 422
    assert re.search(rf'id="reset-{child_id}-error">Must be at least 8 characters.<', response.text)


def test_a_parent_cannot_reset_the_password_of_another_familys_child(visitor, app):
    ours, theirs = visitor(), visitor()
    ours.parent_with_family()
    theirs.parent_with_family()
    their_child = theirs.add_child()
    from chores_tracker.identity.models import User

    with app.state.session_factory() as session:
        child_id = session.query(User).filter_by(username=their_child).one().id
    ours.get("/family")
    response = ours.submit(f"/family/children/{child_id}/password", {"password": "taken-over-123"})
    assert response.status_code == 404
    assert visitor().log_in(their_child).url.path == "/"


def test_the_pages_can_be_installed_on_a_phone(visitor):
    person = visitor()
    page = person.get("/login").text
    assert '<link rel="manifest" href="/static/manifest.webmanifest">' in page
    manifest = person.client.get("/static/manifest.webmanifest").json()
    sizes = set()
    for icon in manifest["icons"]:
        response = person.client.get(icon["src"])
        assert response.status_code == 200
        if icon["type"] == "image/png":
            assert response.content.startswith(b"\x89PNG")
            sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"


def test_a_reset_password_longer_than_the_api_takes_is_refused_on_its_field(visitor, app):
    parent = visitor()
    parent.parent_with_family()
    name = parent.add_child()
    from tests.web.conftest import user_id

    child_id = user_id(app, name)
    parent.get("/family")
    response = parent.submit(f"/family/children/{child_id}/password", {"password": "x" * 257})
    assert response.status_code == 422
    assert re.search(rf'id="reset-{child_id}-error">Use at most 256 characters.<', response.text)
    assert visitor().log_in(name).url.path == "/"  # the old password still works


def test_no_page_a_child_can_open_shows_the_invite_code(visitor, app):
    parent = visitor()
    parent.parent_with_family("The Wrens")
    code = re.search(r'id="invite-code">([A-Z0-9]+)<', parent.get("/family").text).group(1)
    kid_name = parent.add_child()
    made = parent.api("POST", "/chores", json={"title": "Sweep", "reward": 1, "assignment_mode": "unassigned"})
    assert made.status_code == 201
    kid = visitor()
    kid.log_in(kid_name)
    # An action link's token (a signed link is for parents; a made-up one opens its "does not work" page).
    values = {"child_id": user_id(app, kid_name), "chore_id": made.json()["id"], "token": "x" * 40}
    pages = [
        path
        for path in get_routes(app)
        if not path.startswith(("/api/", "/docs", "/redoc", "/openapi", "/metrics", "/health"))
    ]
    opened = 0
    for path in sorted(pages):
        page = kid.get(path.format(**values))
        assert page.status_code < 500, path
        assert code not in page.text, f"{path} shows the invite code to a child"
        opened += page.status_code == 200
    assert opened >= 3, "the child opened its own pages"


def test_the_owner_hands_the_family_over_on_the_family_page(visitor, app):
    owner, other = visitor(), visitor()
    owner.parent_with_family("The Finches")
    code = re.search(r'id="invite-code">([A-Z0-9]+)<', owner.get("/family").text).group(1)
    other_name = other.sign_up()
    other.submit("/family/join", {"invite_code": code})
    assert 'action="/family/owner"' not in other.get("/family").text  # only the owner is offered it

    owner.get("/family")
    response = owner.submit("/family/owner", {"user_id": str(user_id(app, other_name))})
    assert owner.flash() == f"{other_name} owns the family now."
    assert 'action="/family/owner"' not in response.text
    assert 'action="/family/owner"' in other.get("/family").text
    # The former owner's form, sent again, is refused.
    assert owner.submit("/family/owner", {"user_id": str(user_id(app, other_name))}).status_code == 403


def test_a_code_lets_in_as_many_parents_as_the_page_asked_for(visitor):
    owner, joiners = visitor(), [visitor() for _ in range(3)]
    owner.parent_with_family("The Herons")
    assert "Lets in 1 more parent," in owner.get("/family").text
    assert field_error(owner.submit("/family/invite-code", {"max_uses": "21"}).text, "max_uses")
    page = owner.submit("/family/invite-code", {"max_uses": "2"})
    assert "Lets in 2 more parents," in page.text
    code = re.search(r'id="invite-code">([A-Z0-9]+)<', page.text).group(1)
    answers = []
    for joiner in joiners:
        joiner.sign_up()
        answers.append(joiner.submit("/family/join", {"invite_code": code}).status_code)
    assert answers == [200, 200, 422]
    assert "This code has been used or has expired: make a new one." in owner.get("/family").text


def test_member_changes_read_as_sentences_in_the_activity_feed(visitor, app):
    owner, other = visitor(), visitor()
    owner_name = owner.parent_with_family("The Owls")
    kid = owner.add_child()
    code = re.search(r'id="invite-code">([A-Z0-9]+)<', owner.get("/family").text).group(1)
    other_name = other.sign_up()
    other.submit("/family/join", {"invite_code": code})
    owner.get("/family")
    owner.submit("/family/owner", {"user_id": str(user_id(app, other_name))})
    page = other.get("/activity").text
    assert f"<strong>{owner_name}</strong> handed the family over to you" in page
    assert "<strong>You</strong> joined the family" in page
    assert f"{owner_name} added {kid} to the family" in page

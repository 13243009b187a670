"""Children, named, on the pages: display names and avatars everywhere instead of usernames; a
parent renames, deactivates, lets in again or removes a child on the family page."""

from __future__ import annotations

import re

from tests.support.api import unique
from tests.web.conftest import field_error, user_id


def _add_named_child(parent, display_name: str, avatar: str) -> str:
    username = unique("kid")
    parent.get("/family")
    response = parent.submit(
        "/family/children",
        {"username": username, "password": "correct-horse-battery", "display_name": display_name, "avatar": avatar},
    )
    assert response.url.path == "/family", response.text
    return username


def test_pages_show_the_display_name_and_the_emoji_not_the_username(app, visitor):
    parent = visitor()
    parent.parent_with_family()
    username = _add_named_child(parent, "Mia", "🦊")
    assert parent.flash() == "Mia can now log in with the password you chose."
    for page in ("/", "/family", f"/children/{user_id(app, username)}"):
        html = parent.get(page).text
        assert "Mia" in html, page
        assert re.search(r'class="avatar avatar-\d" aria-hidden="true">🦊<', html), page
    family = parent.get("/family").text
    assert f"Signs in as {username}." in family  # the only place a parent sees it
    assert username not in parent.get("/").text

    child = visitor()
    child.log_in(username)
    home = child.get("/").text
    assert "Hi, Mia!" in home and username not in home


def test_a_colour_avatar_picks_the_palette_colour(visitor):
    parent = visitor()
    parent.parent_with_family()
    _add_named_child(parent, "Leo", "purple")
    assert re.search(r'class="avatar avatar-4" aria-hidden="true">L<', parent.get("/family").text)


def test_a_parent_renames_a_child_on_the_family_page(app, visitor):
    parent = visitor()
    parent.parent_with_family()
    username = _add_named_child(parent, "Sam", "")
    child_id = user_id(app, username)
    parent.get("/family")
    response = parent.submit(f"/family/children/{child_id}/profile", {"display_name": "Samuel", "avatar": "🚀"})
    assert response.url.path == "/family"
    assert parent.flash() == "Saved: Samuel."
    assert "Samuel" in parent.get("/").text
    assert "Samuel" in parent.get("/activity").text


def test_a_bad_avatar_and_name_are_shown_at_their_fields_together(app, visitor):
    parent = visitor()
    parent.parent_with_family()
    username = _add_named_child(parent, "Ada", "")
    child_id = user_id(app, username)
    parent.get("/family")
    response = parent.submit(f"/family/children/{child_id}/profile", {"display_name": "x" * 41, "avatar": "fox"})
    assert response.status_code == 422
    assert field_error(response.text, f"name-{child_id}")
    assert field_error(response.text, f"avatar-{child_id}")


def test_deactivating_on_the_page_signs_the_child_out_and_letting_in_again_works(app, visitor):
    parent = visitor()
    parent.parent_with_family()
    username = parent.add_child()
    child_id = user_id(app, username)
    child = visitor()
    child.log_in(username)
    assert child.get("/").url.path == "/"

    parent.get("/family")
    response = parent.submit(f"/family/children/{child_id}/deactivate")
    assert response.url.path == "/family"
    assert "inactive" in response.text and "Let sign in again" in response.text
    assert child.get("/").url.path == "/login"  # its session ended
    assert child.log_in(username).url.path == "/login"

    parent.get("/family")
    parent.submit(f"/family/children/{child_id}/reactivate")
    assert parent.flash() == f"{username} can sign in again."
    assert child.log_in(username).url.path == "/"


def test_removing_a_child_on_the_page(app, visitor):
    parent = visitor()
    parent.parent_with_family()
    username = _add_named_child(parent, "Tom", "")
    child_id = user_id(app, username)
    parent.get("/family")
    response = parent.submit(f"/family/children/{child_id}/remove")
    assert response.url.path == "/family"
    assert parent.flash() == "Tom is no longer in the family."
    assert "No children yet" in response.text
    assert "removed Tom from the family" in parent.get("/activity").text


def test_the_child_forms_do_not_act_on_a_parent(visitor):
    owner = visitor()
    owner.parent_with_family()
    my_id = owner.api("GET", "/users/me").json()["id"]
    for action in ("remove", "deactivate"):
        owner.get("/family")
        assert owner.submit(f"/family/children/{my_id}/{action}").status_code == 404
    assert owner.api("GET", "/users/me").status_code == 200

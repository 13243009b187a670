"""Children, named: a display name and an avatar (a colour or an emoji) the family sees instead of
the server-wide username, which stays for signing in; a parent renames, deactivates (history kept,
no more signing in, sessions end at once) or lets a child sign in again."""

from __future__ import annotations

from tests.support.api import PASSWORD, unique
from tests.support.family import chore


def _new_child(api, parent, **extra):
    username = unique("kid")
    body = {"username": username, "password": PASSWORD, "is_parent": False, **extra}
    response = api.post("/users/", parent, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _feed_types(api, who) -> list[str]:
    return [a["activity_type"] for a in api.get("/activities/recent", who).json()["activities"]]


def test_a_child_is_created_with_a_display_name_and_an_avatar_and_signs_in_by_username(api):
    parent = api.parent()
    child = _new_child(api, parent, display_name="  Mia \t Rose ", avatar="🦊")
    assert (child["display_name"], child["name"], child["avatar"]) == ("Mia Rose", "Mia Rose", "🦊")
    token = api.token_for(child["username"])
    me = api.client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["username"] == child["username"] and me["name"] == "Mia Rose"
    members = api.get("/families/members", parent).json()
    assert [(c["name"], c["avatar"]) for c in members["children"]] == [("Mia Rose", "🦊")]


def test_without_a_display_name_the_name_is_the_username(api):
    parent = api.parent()
    child = _new_child(api, parent)
    assert (child["display_name"], child["name"], child["avatar"]) == (None, child["username"], None)


def test_a_parent_renames_a_child_and_fields_left_out_stay(api):
    parent = api.parent()
    other_parent = api.second_parent(parent)
    child = _new_child(api, parent, display_name="Sam", avatar="green")
    renamed = api.client.patch(
        f"/api/v1/users/children/{child['id']}", json={"display_name": "Samuel"}, headers=other_parent.headers
    )
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["avatar"]) == ("Samuel", "green")
    emoji = api.client.patch(f"/api/v1/users/children/{child['id']}", json={"avatar": "🦖"}, headers=parent.headers)
    assert (emoji.json()["name"], emoji.json()["avatar"]) == ("Samuel", "🦖")
    cleared = api.client.patch(
        f"/api/v1/users/children/{child['id']}", json={"display_name": "", "avatar": None}, headers=parent.headers
    )
    assert (cleared.json()["display_name"], cleared.json()["name"], cleared.json()["avatar"]) == (
        None,
        child["username"],
        None,
    )
    feed = api.get("/activities/recent", parent).json()["activities"]
    changes = [a for a in feed if a["activity_type"] == "profile_changed"]
    assert len(changes) == 3
    assert {a["target_user_id"] for a in changes} == {child["id"]}
    assert "Sam is now called Samuel" in [a["description"] for a in changes]


def test_the_same_profile_again_changes_nothing_and_writes_no_feed_row(api):
    parent = api.parent()
    child = _new_child(api, parent, display_name="Ada")
    again = api.client.patch(
        f"/api/v1/users/children/{child['id']}", json={"display_name": "Ada"}, headers=parent.headers
    )
    assert again.status_code == 200
    assert "profile_changed" not in _feed_types(api, parent)


def test_anyone_sets_their_own_display_name_and_avatar(api):
    parent = api.parent()
    kid = api.child(parent)
    mine = api.client.patch(
        "/api/v1/users/me", json={"display_name": "Mum", "avatar": "purple"}, headers=parent.headers
    )
    assert (mine.json()["name"], mine.json()["avatar"]) == ("Mum", "purple")
    theirs = api.client.patch("/api/v1/users/me", json={"avatar": "🚀"}, headers=kid.headers)
    assert (theirs.json()["name"], theirs.json()["avatar"]) == (kid.username, "🚀")


def test_bad_names_and_avatars_are_refused_with_their_field(api):
    parent = api.parent()
    child = _new_child(api, parent)
    for body, field in [
        ({"avatar": "fox"}, "avatar"),
        ({"avatar": "🦊 fox"}, "avatar"),
        ({"avatar": "a"}, "avatar"),
        ({"display_name": "x" * 41}, "display_name"),
        ({"display_name": "bell\u0007"}, "display_name"),
        ({"display_name": 5}, "display_name"),
    ]:
        response = api.client.patch(f"/api/v1/users/children/{child['id']}", json=body, headers=parent.headers)
        assert response.status_code == 422, (body, response.text)
        assert field in response.text, (body, response.text)
    refused = api.post("/users/", parent, json={"username": unique("kid"), "password": PASSWORD, "avatar": "blue-ish"})
    assert refused.status_code == 422 and "avatar" in refused.text


def test_another_familys_parent_cannot_rename_or_deactivate(api):
    parent = api.parent()
    child = _new_child(api, parent)
    stranger = api.parent()
    renamed = api.client.patch(
        f"/api/v1/users/children/{child['id']}", json={"display_name": "X"}, headers=stranger.headers
    )
    assert renamed.status_code == 404
    assert api.post(f"/users/children/{child['id']}/deactivate", stranger).status_code == 404
    assert api.get("/families/members", parent).json()["children"][0]["is_active"] is True


def test_a_deactivated_child_keeps_its_history_but_is_signed_out_at_once(api):
    parent = api.parent()
    kid = api.child(parent)
    assert (
        api.post("/adjustments/", parent, json={"child_id": kid.id, "amount": "2.50", "reason": "tidy"}).status_code
        == 201
    )
    assert api.get("/users/me", kid).status_code == 200

    response = api.post(f"/users/children/{kid.id}/deactivate", parent)
    assert response.status_code == 200, response.text
    assert response.json()["is_active"] is False

    assert api.get("/users/me", kid).status_code == 401  # the session it had ended
    assert api.login(kid.username).status_code == 401  # and it cannot sign in again
    members = api.get("/families/members", parent).json()
    assert [(c["id"], c["is_active"]) for c in members["children"]] == [(kid.id, False)]
    assert api.get(f"/adjustments/total/{kid.id}", parent).status_code == 200
    summary = api.get("/reports/allowance-summary", parent).json()["child_summaries"]
    assert [(row["id"], row["balance_due"]) for row in summary] == [(kid.id, 2.5)]
    refused = api.post("/chores", parent, json={"title": "Dishes", "reward": 1, "assignee_ids": [kid.id]})
    assert refused.status_code == 422  # no new chores for it


def test_deactivating_twice_writes_one_feed_row_and_reactivating_lets_the_child_in_again(api):
    parent = api.parent()
    kid = api.child(parent)
    assert api.post(f"/users/children/{kid.id}/deactivate", parent).status_code == 200
    assert api.post(f"/users/children/{kid.id}/deactivate", parent).status_code == 200
    assert _feed_types(api, parent).count("child_deactivated") == 1
    again = api.post(f"/users/children/{kid.id}/reactivate", parent)
    assert again.status_code == 200 and again.json()["is_active"] is True
    assert api.login(kid.username).status_code == 200
    assert _feed_types(api, parent).count("child_reactivated") == 1
    chore(api, parent, title="Dishes", assignee_ids=[kid.id])  # assignable again


def test_a_removed_child_cannot_be_reactivated_or_renamed(api):
    parent = api.parent()
    kid = api.child(parent)
    assert api.delete(f"/families/members/{kid.id}", parent).status_code == 204
    assert api.post(f"/users/children/{kid.id}/reactivate", parent).status_code == 404
    renamed = api.client.patch(
        f"/api/v1/users/children/{kid.id}", json={"display_name": "Back"}, headers=parent.headers
    )
    assert renamed.status_code == 404
    assert api.login(kid.username).status_code == 401


def test_the_allowance_summary_carries_names_and_avatars(api):
    parent = api.parent()
    child = _new_child(api, parent, display_name="Leo", avatar="🐯")
    rows = api.get("/reports/allowance-summary", parent).json()["child_summaries"]
    assert [(r["username"], r["display_name"], r["avatar"]) for r in rows] == [(child["username"], "Leo", "🐯")]

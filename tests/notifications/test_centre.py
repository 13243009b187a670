"""The in-app notification centre over the API: each member's own notifications, newest first, an
unread count to poll, marking one or all read. Nothing to set up."""

from __future__ import annotations

from tests.support.family import approve, chore, complete, family


def test_a_parent_lists_counts_and_marks_read_what_it_was_told(api):
    home = family(api, kids=2)
    first, second = home.kids
    for kid, title in ((first, "Dishes"), (second, "Bins")):
        complete(api, kid, chore(api, home.parent, title=title, assignee_ids=[kid.id])["id"])
    listed = api.get("/notifications", home.parent).json()
    assert listed["unread_count"] == 2 and listed["total_count"] == 2 and listed["has_more"] is False
    newest, oldest = listed["notifications"]
    assert newest["event"] == "chore_completed" and "Bins" in newest["text"] and newest["child_id"] == second.id
    assert "Dishes" in oldest["text"] and newest["read_at"] is None
    assert api.get("/notifications/unread-count", home.parent).json() == {"unread_count": 2}

    marked = api.post(f"/notifications/{oldest['id']}/read", home.parent)
    assert marked.status_code == 200 and marked.json()["read_at"] is not None
    again = api.post(f"/notifications/{oldest['id']}/read", home.parent)
    assert again.json()["read_at"] == marked.json()["read_at"], "the first reading stays"
    assert api.get("/notifications/unread-count", home.parent).json() == {"unread_count": 1}
    unread = api.get("/notifications", home.parent, params={"unread_only": "true"}).json()
    assert [n["id"] for n in unread["notifications"]] == [newest["id"]]

    assert api.post("/notifications/read-all", home.parent).json() == {"marked": 1}
    assert api.post("/notifications/read-all", home.parent).json() == {"marked": 0}
    assert api.get("/notifications/unread-count", home.parent).json() == {"unread_count": 0}


def test_members_see_only_their_own_and_pages_are_bounded(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    made = chore(api, home.parent, assignee_ids=[kid.id], is_recurring=True, cooldown_days=0)
    for _ in range(3):
        approve(api, home.parent, complete(api, kid, made["id"])["id"])
    kid_sees = api.get("/notifications", kid, params={"limit": 2}).json()
    assert [n["event"] for n in kid_sees["notifications"]] == ["chore_approved", "chore_approved"]
    assert kid_sees["total_count"] == 3 and kid_sees["has_more"] is True
    parents_own = api.get("/notifications", home.parent).json()["notifications"]
    assert {n["event"] for n in parents_own} == {"chore_completed"}
    one_of_the_kids = kid_sees["notifications"][0]["id"]
    assert api.post(f"/notifications/{one_of_the_kids}/read", home.parent).status_code == 404
    stranger = api.parent(family_name="Others")
    assert api.get("/notifications", stranger).json()["total_count"] == 0
    assert api.post(f"/notifications/{one_of_the_kids}/read", stranger).status_code == 404
    assert api.get("/notifications", kid, params={"limit": 0}).status_code == 422
    assert api.get("/notifications", kid, params={"limit": 101}).status_code == 422
    assert api.post("/notifications/0/read", kid).status_code in (404, 422)


def test_a_member_who_leaves_the_family_keeps_none_of_its_notifications(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    complete(api, kid, chore(api, home.parent, assignee_ids=[kid.id])["id"])
    other = api.second_parent(home.parent)
    complete(api, kid, chore(api, home.parent, title="Second", assignee_ids=[kid.id])["id"])
    assert api.get("/notifications/unread-count", other).json() == {"unread_count": 1}
    assert api.delete(f"/families/members/{other.id}", home.parent).status_code == 204
    assert api.get("/notifications", other).json()["notifications"] == []

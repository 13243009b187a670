"""Who may do what in a family (docs/families.md): the owner, the other parents, the children.

Issue 16, defect 1: a child read the invite code, signed up a second account, joined its own family
as a parent, and removed the real parent. Children never see the code; a code lets in a set number
of parents (one by default) and always expires; only the owner removes a parent, nobody the owner.
"""

from __future__ import annotations

from tests.support.api import Api, Person


def join(api: Api, who: Person, code: str):
    return api.post("/families/join", who, json={"invite_code": code})


def parent_ids(api: Api, who: Person) -> set[int]:
    return {p["id"] for p in api.get("/families/members", who).json()["parents"]}


def test_a_child_sees_no_invite_code_in_the_family_context_or_the_stats(api):
    parent = api.parent()
    code = api.invite_code(parent)
    child = api.child(parent)

    context = api.get("/families/context", child).json()
    assert context["role"] == "child" and context["can_invite"] is False
    assert context["family"]["invite_code"] == ""
    assert context["family"]["invite_code_expires_at"] is None
    assert api.get("/families/stats", child).json()["invite_code"] == ""
    # The parents still see it.
    assert api.get("/families/context", parent).json()["family"]["invite_code"] == code
    assert api.get("/families/stats", parent).json()["invite_code"] == code


def test_a_child_cannot_make_itself_a_parent_of_its_own_family(api):
    mum = api.parent()
    api.invite_code(mum)
    kid = api.child(mum)
    sibling = api.child(mum)

    seen = api.get("/families/context", kid).json()["family"]["invite_code"]
    second_account = api.parent(with_family=False)
    assert join(api, second_account, seen).status_code in (404, 422)

    assert parent_ids(api, mum) == {mum.id}
    assert api.get("/families/context", second_account).json()["has_family"] is False
    assert api.post(f"/users/children/{sibling.id}/reset-password", second_account, json="taken-over-1").status_code == 404
    assert api.delete(f"/families/members/{mum.id}", second_account).status_code == 404

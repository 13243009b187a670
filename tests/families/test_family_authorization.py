"""Who may do what in a family (docs/families.md): the owner, the other parents, the children.

Issue 16, defect 1: a child read the invite code, signed up a second account, joined its own family
as a parent, and removed the real parent. Children never see the code; a code lets in a set number
of parents (one by default) and always expires; only the owner removes a parent, nobody the owner.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from tests.support.api import Api, Person

NO_CODE = "no family has this invite code, or it has expired or been used"


def join(api: Api, who: Person, code: str):
    return api.post("/families/join", who, json={"invite_code": code})


def new_code(api: Api, parent: Person, **body: object) -> dict:
    response = api.post("/families/invite-code/generate", parent, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def parent_ids(api: Api, who: Person) -> set[int]:
    return {p["id"] for p in api.get("/families/members", who).json()["parents"]}


def owner_id(api: Api, who: Person) -> int:
    [owner] = [p["id"] for p in api.get("/families/members", who).json()["parents"] if p["is_owner"]]
    return owner


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
    assert (
        api.post(f"/users/children/{sibling.id}/reset-password", second_account, json="taken-over-1").status_code == 404
    )
    assert api.delete(f"/families/members/{mum.id}", second_account).status_code == 404


def test_a_parent_who_is_not_the_owner_cannot_remove_another_parent(api):
    owner = api.parent()
    second = api.second_parent(owner)
    third = api.second_parent(owner)

    assert api.delete(f"/families/members/{third.id}", second).status_code == 403
    assert api.delete(f"/families/members/{owner.id}", second).status_code == 403
    assert parent_ids(api, owner) == {owner.id, second.id, third.id}


def test_nobody_removes_the_owner_not_even_the_owner(api):
    owner = api.parent()
    second = api.second_parent(owner)
    refused = api.delete(f"/families/members/{owner.id}", owner)
    assert refused.status_code == 409
    assert "transfer ownership first" in refused.json()["detail"]
    assert api.delete(f"/families/members/{owner.id}", second).status_code == 403
    assert owner.id in parent_ids(api, second)


def test_the_owner_removes_a_parent_and_any_parent_removes_a_child(api):
    owner = api.parent()
    second = api.second_parent(owner)
    third = api.second_parent(owner)
    kid = api.child(owner)

    assert api.delete(f"/families/members/{kid.id}", second).status_code == 204
    assert api.delete(f"/families/members/{third.id}", owner).status_code == 204
    assert parent_ids(api, owner) == {owner.id, second.id}
    assert api.get("/families/context", third).json()["has_family"] is False


def test_the_creator_owns_the_family_and_hands_ownership_to_another_parent(api):
    creator = api.parent()
    second = api.second_parent(creator)
    assert owner_id(api, second) == creator.id
    assert api.get("/families/context", second).json()["family"]["owner_id"] == creator.id

    handed = api.post("/families/owner", creator, json={"user_id": second.id})
    assert handed.status_code == 200, handed.text
    assert handed.json()["owner_id"] == second.id
    assert owner_id(api, creator) == second.id
    # The former owner is a parent like any other now.
    assert api.delete(f"/families/members/{second.id}", creator).status_code == 403
    assert api.post("/families/owner", creator, json={"user_id": creator.id}).status_code == 403
    assert api.delete(f"/families/members/{creator.id}", second).status_code == 204


def test_ownership_goes_only_to_another_parent_of_the_family(api):
    owner = api.parent()
    second = api.second_parent(owner)
    kid = api.child(owner)
    stranger = api.parent(family_name="Elsewhere")

    assert api.post("/families/owner", second, json={"user_id": second.id}).status_code == 403
    assert api.post("/families/owner", kid, json={"user_id": kid.id}).status_code == 403
    assert api.post("/families/owner", owner, json={"user_id": kid.id}).status_code == 422
    assert api.post("/families/owner", owner, json={"user_id": stranger.id}).status_code == 404
    assert api.post("/families/owner", owner, json={"user_id": "x"}).status_code == 422
    assert owner_id(api, owner) == owner.id


def test_a_family_the_previous_release_made_is_owned_by_its_earliest_joined_parent(api, app):
    from chores_tracker.families.models import Family

    first = api.parent()
    second = api.second_parent(first)
    with app.state.session_factory() as session:
        session.execute(update(Family).values(owner_id=None))
        session.commit()
    assert owner_id(api, second) == first.id
    assert api.delete(f"/families/members/{second.id}", first).status_code == 204


def test_an_invite_code_lets_one_parent_in_by_default(api):
    owner = api.parent()
    issued = new_code(api, owner)
    assert issued["max_uses"] == 1
    first, second = api.parent(with_family=False), api.parent(with_family=False)

    assert join(api, first, issued["invite_code"]).status_code == 200
    refused = join(api, second, issued["invite_code"])
    assert refused.status_code == 404
    assert refused.json()["detail"] == NO_CODE
    assert parent_ids(api, owner) == {owner.id, first.id}


def test_a_parent_may_let_a_few_parents_in_with_one_code(api):
    owner = api.parent()
    code = new_code(api, owner, max_uses=2)["invite_code"]
    joiners = [api.parent(with_family=False) for _ in range(3)]
    assert [join(api, who, code).status_code for who in joiners] == [200, 200, 404]
    assert api.get("/families/context", owner).json()["family"]["invite_code_uses_left"] == 0


def test_a_use_limit_outside_1_to_20_answers_422(api):
    owner = api.parent()
    for bad in (0, 21, "many"):
        assert api.post("/families/invite-code/generate", owner, json={"max_uses": bad}).status_code == 422


def test_a_new_code_starts_its_uses_again(api):
    owner = api.parent()
    api.second_parent(owner)
    code = new_code(api, owner)["invite_code"]
    assert api.get("/families/context", owner).json()["family"]["invite_code_uses_left"] == 1
    assert join(api, api.parent(with_family=False), code).status_code == 200


def test_an_expired_code_answers_like_an_unknown_one(api, app):
    from chores_tracker.families.models import Family

    owner = api.parent()
    code = new_code(api, owner)["invite_code"]
    with app.state.session_factory() as session:
        session.execute(
            update(Family)
            .where(Family.invite_code == code)
            .values(invite_code_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()
    refused = join(api, api.parent(with_family=False), code)
    assert (refused.status_code, refused.json()["detail"]) == (404, NO_CODE)
    unknown = join(api, api.parent(with_family=False), "NOPE2345")
    assert (unknown.status_code, unknown.json()["detail"]) == (404, NO_CODE)


def test_a_code_from_before_expiries_and_use_limits_lets_nobody_in(api, app):
    from chores_tracker.families.models import Family

    owner = api.parent()
    code = new_code(api, owner)["invite_code"]
    with app.state.session_factory() as session:
        session.execute(update(Family).where(Family.invite_code == code).values(invite_code_max_uses=None))
        session.commit()
    assert join(api, api.parent(with_family=False), code).status_code == 404
    with app.state.session_factory() as session:
        session.execute(
            update(Family).where(Family.invite_code == code).values(invite_code_max_uses=5, invite_code_expires_at=None)
        )
        session.commit()
    assert join(api, api.parent(with_family=False), code).status_code == 404


def test_a_family_made_by_adding_a_first_child_has_an_owner_and_a_code_that_expires(api):
    parent = api.parent(with_family=False)
    api.child(parent)
    family = api.get("/families/context", parent).json()["family"]
    assert family["owner_id"] == parent.id
    expires = datetime.fromisoformat(family["invite_code_expires_at"])
    assert datetime.now(UTC) < expires <= datetime.now(UTC) + timedelta(days=7)
    assert family["invite_code_uses_left"] == 1


def test_every_member_change_is_in_the_parents_feed(api):
    owner = api.parent()
    second = api.second_parent(owner)  # a new code, then the join
    kid = api.child(owner)
    api.post("/families/owner", owner, json={"user_id": second.id})
    assert api.delete(f"/families/members/{kid.id}", second).status_code == 204
    third = api.second_parent(second)
    assert api.delete(f"/families/members/{third.id}", second).status_code == 204

    def feed(who: Person) -> list[tuple[str, int, int | None]]:
        rows = api.get("/activities/recent", who, params={"limit": 50}).json()["activities"]
        return [(a["activity_type"], a["user_id"], a["target_user_id"]) for a in rows]

    expected = [
        ("member_removed", second.id, third.id),
        ("parent_joined", third.id, None),
        ("invite_code_created", second.id, None),
        ("member_removed", second.id, kid.id),
        ("ownership_transferred", owner.id, second.id),
        ("child_added", owner.id, None),
        ("parent_joined", second.id, None),
        ("invite_code_created", owner.id, None),
    ]
    assert feed(owner) == expected
    assert feed(second) == expected
    types = api.get("/activities/types", owner).json()["descriptions"]
    assert {kind for kind, _, _ in expected} <= set(types)


def test_a_child_sees_no_member_changes_in_its_feed(api):
    parent = api.parent()
    kid = api.child(parent)
    api.second_parent(parent)
    api.child(parent)
    assert api.get("/activities/recent", kid).json()["activities"] == []

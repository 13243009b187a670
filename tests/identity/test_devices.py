"""Kid sign-in on a shared device (issue 14, point 7), through the API: a parent makes a family
device and sets a child's PIN; on the device the child picks itself and signs in with the PIN.
Wrong PINs lock, a parent unlocks, a revoked device and another family's device do nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from chores_tracker import clock
from chores_tracker.identity.models import FamilyDevice, User
from tests.support.api import Api, Person
from tests.support.databases import clear_all_tables

PIN = "4821"


def make_device(api: Api, parent: Person, name: str = "Kitchen tablet") -> str:
    made = api.client.post("/api/v1/families/devices", json={"name": name}, headers=parent.headers)
    assert made.status_code == 201, made.text
    assert made.json()["token"].startswith("ctdev_")
    api.client.cookies.clear()  # the answer set the device cookie; the tests send the header
    return made.json()["token"]


def set_pin(api: Api, parent: Person, child: Person, pin: str = PIN):
    return api.client.put(f"/api/v1/users/children/{child.id}/pin", json={"pin": pin}, headers=parent.headers)


def sign_in(api: Api, device: str | None, child: Person, pin: str):
    headers = {"X-Device-Token": device} if device else {}
    return api.client.post("/api/v1/families/devices/current/sign-in", json={"child_id": child.id, "pin": pin},
                           headers=headers)  # fmt: skip


def row(api: Api, model, **where):
    factory = api.client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        return session.scalar(select(model).filter_by(**where))


def test_a_child_signs_in_on_the_family_device_with_the_right_pin(api: Api):
    parent = api.parent()
    kid = api.child(parent)
    assert set_pin(api, parent, kid).status_code == 204
    device = make_device(api, parent)

    children = api.client.get("/api/v1/families/devices/current/children", headers={"X-Device-Token": device})
    assert children.status_code == 200, children.text
    assert children.json() == [{"id": kid.id, "name": kid.username, "avatar": None, "has_pin": True}]

    signed = sign_in(api, device, kid, PIN)
    assert signed.status_code == 200, signed.text
    me = api.client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {signed.json()['access_token']}"})
    assert me.status_code == 200 and me.json()["id"] == kid.id

    listed = api.get("/families/devices", parent).json()
    assert [d["name"] for d in listed] == ["Kitchen tablet"] and listed[0]["last_used_at"] is not None
    assert listed[0]["created_by_id"] == parent.id and "token" not in listed[0]


def test_the_pin_and_the_device_token_are_stored_hashed(api: Api):
    parent = api.parent()
    kid = api.child(parent)
    set_pin(api, parent, kid)
    device = make_device(api, parent)
    child = row(api, User, id=kid.id)
    assert child.pin_hash and PIN not in child.pin_hash and child.pin_hash.startswith("$argon2id$")
    stored = row(api, FamilyDevice, name="Kitchen tablet")
    assert device not in stored.token_hash and len(stored.token_hash) == 64


def test_a_wrong_pin_is_refused_and_counted(api: Api):
    parent = api.parent()
    kid = api.child(parent)
    set_pin(api, parent, kid)
    device = make_device(api, parent)
    wrong = sign_in(api, device, kid, "0000")
    assert wrong.status_code == 401 and wrong.json()["detail"] == "That PIN is not right. Try again."
    assert row(api, User, id=kid.id).pin_failures == 1
    assert sign_in(api, device, kid, PIN).status_code == 200
    assert row(api, User, id=kid.id).pin_failures is None  # a right PIN starts the count again


def test_a_child_without_a_pin_is_told_to_ask_a_parent(api: Api):
    parent = api.parent()
    kid = api.child(parent)
    device = make_device(api, parent)
    refused = sign_in(api, device, kid, PIN)
    assert refused.status_code == 401 and "ask a parent" in refused.json()["detail"]


def test_repeated_wrong_pins_lock_until_a_parent_sets_the_pin_again(database, build_app):
    clear_all_tables(database.engine)
    app = build_app(database, pin_max_failures=3, pin_lock_minutes=10)
    with TestClient(app) as client:
        api = Api(client)
        parent = api.parent()
        kid = api.child(parent)
        set_pin(api, parent, kid)
        device = make_device(api, parent)
        assert [sign_in(api, device, kid, "1111").status_code for _ in range(2)] == [401, 401]
        third = sign_in(api, device, kid, "1111")
        assert third.status_code == 401
        assert third.json()["detail"].startswith("Too many wrong PINs: PIN sign-in is locked for 10 more minutes.")
        locked = sign_in(api, device, kid, PIN)  # even the right PIN, while locked
        assert locked.status_code == 401 and "locked" in locked.json()["detail"]
        assert "A parent can unlock it by setting the PIN again." in locked.json()["detail"]

        assert set_pin(api, parent, kid).status_code == 204  # the parent unlocks
        assert sign_in(api, device, kid, PIN).status_code == 200


def test_a_lock_ends_by_itself_when_its_time_has_passed(database, build_app):
    clear_all_tables(database.engine)
    app = build_app(database, pin_max_failures=2)
    with TestClient(app) as client:
        api = Api(client)
        parent = api.parent()
        kid = api.child(parent)
        set_pin(api, parent, kid)
        device = make_device(api, parent)
        sign_in(api, device, kid, "1111")
        assert "locked" in sign_in(api, device, kid, "1111").json()["detail"]
        with app.state.session_factory() as session:  # the lock's time passes
            session.execute(
                update(User).where(User.id == kid.id).values(pin_locked_until=clock.now() - timedelta(seconds=1))
            )
            session.commit()
        # A wrong PIN after the lock counts from one again: not locked at once.
        again = sign_in(api, device, kid, "1111")
        assert again.json()["detail"] == "That PIN is not right. Try again."
        assert sign_in(api, device, kid, PIN).status_code == 200


def test_a_revoked_device_does_nothing(api: Api):
    parent = api.parent()
    kid = api.child(parent)
    set_pin(api, parent, kid)
    device = make_device(api, parent)
    device_id = api.get("/families/devices", parent).json()[0]["id"]
    revoked = api.client.delete(f"/api/v1/families/devices/{device_id}", headers=parent.headers)
    assert revoked.status_code == 204
    assert api.get("/families/devices", parent).json() == []
    assert sign_in(api, device, kid, PIN).status_code == 401
    listed = api.client.get("/api/v1/families/devices/current/children", headers={"X-Device-Token": device})
    assert listed.status_code == 401
    again = api.client.delete(f"/api/v1/families/devices/{device_id}", headers=parent.headers)
    assert again.status_code == 404


def test_another_familys_device_is_refused(api: Api):
    parent, stranger = api.parent(), api.parent(family_name="Strangers")
    kid = api.child(parent)
    set_pin(api, parent, kid)
    theirs = make_device(api, stranger)
    assert sign_in(api, theirs, kid, PIN).status_code == 404
    assert api.client.get(
        "/api/v1/families/devices/current/children", headers={"X-Device-Token": theirs}
    ).json() == []  # fmt: skip
    assert row(api, User, id=kid.id).pin_failures is None  # nothing counted against the child
    # Nor can the stranger see, revoke or set anything of this family.
    device_id = api.get("/families/devices", parent).json()
    assert device_id == []
    mine = make_device(api, parent)
    mine_id = api.get("/families/devices", parent).json()[0]["id"]
    assert api.client.delete(f"/api/v1/families/devices/{mine_id}", headers=stranger.headers).status_code == 404
    assert set_pin(api, stranger, kid).status_code == 404
    assert sign_in(api, mine, kid, PIN).status_code == 200


def test_no_device_token_no_sign_in(api: Api):
    parent = api.parent()
    kid = api.child(parent)
    set_pin(api, parent, kid)
    assert sign_in(api, None, kid, PIN).status_code == 401
    assert sign_in(api, "ctdev_made-up", kid, PIN).status_code == 401


@pytest.mark.parametrize("pin", ["123", "1234567", "12a4", "١٢٣٤", ""])
def test_a_pin_is_four_to_six_digits(api: Api, pin: str):
    parent = api.parent()
    kid = api.child(parent)
    refused = set_pin(api, parent, kid, pin)
    assert refused.status_code == 422, refused.text


def test_a_deactivated_child_is_not_offered_and_cannot_sign_in(api: Api):
    parent = api.parent()
    kid = api.child(parent)
    set_pin(api, parent, kid)
    device = make_device(api, parent)
    api.client.post(f"/api/v1/users/children/{kid.id}/deactivate", headers=parent.headers)
    listed = api.client.get("/api/v1/families/devices/current/children", headers={"X-Device-Token": device})
    assert listed.json() == []
    assert sign_in(api, device, kid, PIN).status_code == 404


def test_a_cleared_pin_no_longer_signs_in(api: Api):
    parent = api.parent()
    kid = api.child(parent)
    set_pin(api, parent, kid)
    device = make_device(api, parent)
    assert api.client.delete(f"/api/v1/users/children/{kid.id}/pin", headers=parent.headers).status_code == 204
    assert sign_in(api, device, kid, PIN).status_code == 401


def test_pin_attempts_are_rate_limited_per_device_and_per_child(database, build_app):
    clear_all_tables(database.engine)
    app = build_app(database, rate_limit_pin_per_minute=3, pin_max_failures=100)
    with TestClient(app) as client:
        api = Api(client)
        parent = api.parent()
        kid, sister = api.child(parent), api.child(parent)
        set_pin(api, parent, kid)
        set_pin(api, parent, sister)
        device, other_device = make_device(api, parent), make_device(api, parent, "Hall")
        assert [sign_in(api, device, kid, "1111").status_code for _ in range(3)] == [401, 401, 401]
        limited = sign_in(api, device, kid, PIN)
        assert limited.status_code == 429 and limited.headers["Retry-After"]
        assert limited.json()["detail"] == "too many PIN attempts; wait a minute and try again"
        # Per child: another device does not start the child's count again.
        assert sign_in(api, other_device, kid, PIN).status_code == 429
        # Per device: the device is spent for the minute, for its other children too.
        assert sign_in(api, device, sister, PIN).status_code == 429
        assert sign_in(api, other_device, sister, PIN).status_code == 200


def test_a_removed_parent_takes_no_family_device_along(api: Api):
    owner = api.parent()
    leaver = api.second_parent(owner)
    kid = api.child(owner)
    set_pin(api, owner, kid)
    theirs = make_device(api, leaver)
    ours = make_device(api, owner, "Hall")
    assert api.client.delete(f"/api/v1/families/members/{leaver.id}", headers=owner.headers).status_code == 204
    assert sign_in(api, theirs, kid, PIN).status_code == 401
    assert sign_in(api, ours, kid, PIN).status_code == 200
    assert [d["name"] for d in api.get("/families/devices", owner).json()] == ["Hall"]


def test_the_picker_and_a_pin_sign_in_cost_a_few_statements_whatever_the_familys_size(api: Api, app):
    from tests.test_statement_counts import MAX_READ_STATEMENTS, MAX_WRITE_STATEMENTS, counting_statements

    costs = []
    for size in (1, 5):
        parent = api.parent()
        kids = [api.child(parent) for _ in range(size)]
        set_pin(api, parent, kids[0])
        device = make_device(api, parent)
        with counting_statements(app.state.engine) as listed:
            picker = api.client.get("/api/v1/families/devices/current/children", headers={"X-Device-Token": device})
        assert len(picker.json()) == size
        with counting_statements(app.state.engine) as signed:
            assert sign_in(api, device, kids[0], PIN).status_code == 200
        costs.append((len(listed), len(signed)))
    assert costs[0] == costs[1], costs
    assert costs[0][0] <= MAX_READ_STATEMENTS and costs[0][1] <= MAX_WRITE_STATEMENTS, costs

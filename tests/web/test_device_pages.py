"""Kid sign-in on a shared device, through the pages: the parent sets a PIN and makes this browser a
family device on the family page, signs out; the sign-in page shows the children; a child taps
theirs and types the PIN. Wrong PINs, the lock, a revoked device and another browser."""

from __future__ import annotations

import re

from tests.web.conftest import Visitor, user_id

PIN = "2468"


def family_with_device(app, visitor) -> tuple[Visitor, str, int]:
    """A parent whose browser is a family device, and a child with a PIN; the parent is signed out."""
    parent: Visitor = visitor()
    parent.parent_with_family()
    kid_name = parent.add_child()
    kid = user_id(app, kid_name)
    parent.get("/family")
    pinned = parent.submit(f"/family/children/{kid}/pin", {"pin": PIN})
    assert pinned.url.path == "/family", pinned.text
    assert parent.flash() == f"{kid_name} can now sign in on the family device with the new PIN."
    made = parent.submit("/family/devices", {"name": "Hall computer"})
    assert made.url.path == "/family" and "this browser" in made.text, made.text
    assert parent.client.cookies.get("ct_device", "").startswith("ctdev_")
    assert 'action="/family/devices"' not in made.text  # this browser is one already
    parent.get("/")
    parent.submit("/logout")
    return parent, kid_name, kid


def test_a_child_picks_their_name_on_the_family_device_and_signs_in_with_the_pin(app, visitor):
    device, kid_name, kid = family_with_device(app, visitor)
    login = device.get("/login")
    assert "Who is signing in?" in login.text
    assert f'href="/login/pin/{kid}"' in login.text and kid_name in login.text
    assert "Parents: sign in with a password" in login.text  # the password form stays, folded

    device.get(f"/login/pin/{kid}")
    assert f"Hi, {kid_name}!" in device.page.text
    wrong = device.submit(f"/login/pin/{kid}", {"pin": "1357"})
    assert wrong.status_code == 401 and "That PIN is not right. Try again." in wrong.text
    right = device.submit(f"/login/pin/{kid}", {"pin": PIN})
    assert right.status_code == 200 and right.url.path == "/", right.text
    assert device.flash() == f"Hi, {kid_name}!"
    me = device.api("GET", "/users/me").json()
    assert me["id"] == kid and me["is_parent"] is False


def test_a_browser_that_is_not_a_family_device_shows_no_children(app, visitor):
    _device, kid_name, kid = family_with_device(app, visitor)
    other: Visitor = visitor()
    login = other.get("/login")
    assert "Who is signing in?" not in login.text and kid_name not in login.text
    assert other.get(f"/login/pin/{kid}").url.path == "/login"
    other.get("/login")
    refused = other.submit(f"/login/pin/{kid}", {"pin": PIN})
    assert refused.url.path == "/login" and other.client.cookies.get("ct_session") is None


def test_a_revoked_device_shows_the_plain_sign_in_again(app, visitor):
    device, kid_name, kid = family_with_device(app, visitor)
    parent_name = device.api("GET", "/families/members")  # signed out: no answer
    assert parent_name.status_code == 401
    parents = _parents(app)
    device.log_in(parents[0])  # the parent signs in again on the device's browser
    family = device.get("/family")
    device_id = int(re.search(r'action="/family/devices/(\d+)/revoke"', family.text).group(1))
    revoked = device.submit(f"/family/devices/{device_id}/revoke")
    assert (
        revoked.url.path == "/family"
        and device.flash() == "The device is revoked: children can no longer sign in on it."
    )
    assert "Hall computer" not in revoked.text and 'action="/family/devices"' in revoked.text
    device.submit("/logout")
    login = device.get("/login")
    assert device.client.cookies.get("ct_device")  # the cookie is still there, and does nothing
    assert "Who is signing in?" not in login.text and kid_name not in login.text
    assert device.get(f"/login/pin/{kid}").url.path == "/login"


def _parents(app) -> list[str]:
    from sqlalchemy import select

    from chores_tracker.identity.models import User

    with app.state.session_factory() as session:
        return list(session.scalars(select(User.username).where(User.is_parent.is_(True)).order_by(User.id)))


def test_repeated_wrong_pins_lock_and_the_page_says_so(app, visitor):
    device, _kid_name, kid = family_with_device(app, visitor)
    device.get(f"/login/pin/{kid}")
    for _ in range(4):
        device.submit(f"/login/pin/{kid}", {"pin": "0000"})
    locked = device.submit(f"/login/pin/{kid}", {"pin": "0000"})
    assert locked.status_code == 401
    assert "Too many wrong PINs: PIN sign-in is locked for 15 more minutes." in locked.text
    assert "A parent can unlock it by setting the PIN again." in locked.text
    still = device.submit(f"/login/pin/{kid}", {"pin": PIN})
    assert still.status_code == 401 and "locked" in still.text


def test_a_pin_that_is_not_four_to_six_digits_is_refused_on_the_family_page(app, visitor):
    parent: Visitor = visitor()
    parent.parent_with_family()
    kid = user_id(app, parent.add_child())
    parent.get("/family")
    refused = parent.submit(f"/family/children/{kid}/pin", {"pin": "12"})
    assert refused.status_code == 422 and "A PIN is 4 to 6 digits." in refused.text
    empty = parent.submit(f"/family/children/{kid}/pin", {"pin": ""})
    assert empty.status_code == 422 and "Choose a PIN of 4 to 6 digits." in empty.text

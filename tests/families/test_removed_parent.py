"""Issue 16, defect 4: a parent removed from a family reads nothing of it any more.

Every read goes through the reader's current membership. The replay below takes the read routes
from the app's route table, API and pages alike, so that a new GET route cannot be forgotten.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.support.api import PASSWORD, Person, unique
from tests.support.family import chore, complete
from tests.support.routes import get_routes

SECRET = "removalsecret"  # in every name of the old family, so that anything of it is easy to see

# Routes that show nothing of any family, whoever asks.
FAMILY_FREE = {
    # Read by its URL's token, not as the caller: a feed is revoked or rotated by a parent (docs/chores.md).
    "/api/v1/calendar/{token}.ics",
    # A signed action link: read by its token, and it works only while the parent it was made for is a
    # parent of the completion's family (web/action_pages.py); tests/web/test_action_links.py.
    "/act/{token}",
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/metrics",
    "/health",
    "/api/v1/health/ready",
    "/favicon.ico",
    "/login",
    "/signup",
}


def test_a_removed_parent_no_longer_sees_the_children_it_created(api):
    owner = api.parent(family_name=f"{SECRET} family")
    second = api.second_parent(owner)
    kid = api.child(second, unique(f"{SECRET}kid"))
    chore(api, owner, title=f"{SECRET} dishes", assignee_ids=[kid.id])
    assert [c["id"] for c in api.get("/users/my-children", second).json()] == [kid.id]

    assert api.delete(f"/families/members/{second.id}", owner).status_code == 204
    answer = api.get("/users/my-children", second)
    assert answer.status_code == 200
    assert answer.json() == []
    # The family keeps the child; the remaining parent sees it.
    assert [c["id"] for c in api.get("/users/my-family-children", owner).json()] == [kid.id]


def _web_session(client: TestClient, who: Person) -> TestClient:
    """The same person in a browser: the page session carries the API's token."""
    browser = TestClient(client.app, raise_server_exceptions=False)
    browser.cookies.set("ct_session", who.token)
    return browser


def _fill(path: str, values: dict[str, int]) -> str:
    names = set(re.findall(r"{(\w+)}", path))
    unknown = names - set(values)
    assert not unknown, f"{path}: teach this test a value for {unknown} (an id of the old family)"
    return path.format(**{name: values[name] for name in names})


def test_a_removed_parent_sees_nothing_of_the_old_family_on_any_read_route(api, app):
    owner = api.parent(family_name=f"{SECRET} family")
    leaver = api.second_parent(owner)
    kid = api.child(leaver, unique(f"{SECRET}kid"))
    todo = chore(api, leaver, title=f"{SECRET} dishes", reward="2.00", assignee_ids=[kid.id])
    done = chore(api, owner, title=f"{SECRET} lawn", reward="3.00", assignee_ids=[kid.id])
    complete(api, kid, done["id"])
    bonus = api.post("/adjustments/", leaver, json={"child_id": kid.id, "amount": "1.00", "reason": f"{SECRET} bonus"})
    assert bonus.status_code == 201
    feed = api.get("/activities/recent", leaver).json()["activities"]
    own_activity = next(a["id"] for a in feed if a["user_id"] == leaver.id)
    webhook = api.post("/webhooks", leaver, json={"url": f"https://93.184.215.14/{SECRET}"})
    assert webhook.status_code == 201, webhook.text
    values = {
        "child_id": kid.id,
        "chore_id": todo["id"],
        "activity_id": own_activity,
        "webhook_id": webhook.json()["id"],
    }
    browser = _web_session(api.client, leaver)

    def replay() -> dict[str, str]:
        """Each read route as the leaver: what it answered, by route."""
        seen = {}
        for path in sorted(get_routes(app)):
            if path in FAMILY_FREE:
                continue
            url = _fill(path, values)
            response = api.client.get(url, headers=leaver.headers) if path.startswith("/api/") else browser.get(url)
            assert response.status_code < 500, f"GET {url}: {response.status_code}"
            seen[path] = response.text
        return seen

    before = replay()
    assert {path for path, text in before.items() if SECRET in text}, "the replay must show the family before"

    assert api.delete(f"/families/members/{leaver.id}", owner).status_code == 204
    after = replay()
    assert set(after) == set(before)
    leaks = sorted(path for path, text in after.items() if SECRET in text)
    assert leaks == [], f"a removed parent still reads the old family on {leaks}"

    # The leaver keeps the account, and what it did stays in the family's feed.
    assert api.get("/users/me", leaver).status_code == 200
    assert api.login(leaver.username, PASSWORD).status_code == 200
    assert own_activity in [
        a["id"] for a in api.get("/activities/recent", owner, params={"limit": 100}).json()["activities"]
    ]

"""A family, and for every route that takes a body a request that would succeed: a test of "every
field" spoils one field at a time and expects that field, and nothing else, to be refused."""

from __future__ import annotations

from dataclasses import dataclass

from tests.support.api import PASSWORD, Api, Person, unique
from tests.support.family import complete
from tests.support.openapi import BodyField


@dataclass
class Scene:
    parent: Person
    kid: Person
    chore_id: int  # a range chore (1 to 2000) the kid has done, waiting for approval
    assignment_id: int
    occurrence_id: int  # an upcoming occurrence of a daily chore of the kid's
    entry_id: int  # a bonus of the kid's, which a parent may reverse
    reward_id: int  # a reward of the family's (cost 1)
    claim_id: int  # the kid's claim on it, waiting for review
    webhook_id: int  # the family's
    bodies: dict[tuple[str, str], object]  # (method, OpenAPI path) -> a body that would succeed

    def url(self, field: BodyField) -> str:
        return field.url(
            child_id=self.kid.id,
            chore_id=self.chore_id,
            assignment_id=self.assignment_id,
            occurrence_id=self.occurrence_id,
            entry_id=self.entry_id,
            reward_id=self.reward_id,
            claim_id=self.claim_id,
            webhook_id=self.webhook_id,
        )


def scene(api: Api) -> Scene:
    parent = api.parent()
    kid = api.child(parent)
    chore = api.post(
        "/chores", parent, json={"title": "Rake", "is_range_reward": True, "min_reward": 1, "max_reward": 2000,
                                 "assignee_ids": [kid.id]},
    ).json()  # fmt: skip
    assignment = complete(api, kid, chore["id"])["id"]
    savings = api.post("/adjustments/", parent, json={"child_id": kid.id, "amount": 5000, "reason": "savings"})
    api.post(
        "/chores", parent, json={"title": "Bed", "reward": 1, "assignee_ids": [kid.id],
                                 "schedule": {"kind": "daily", "due_time": "23:59"}},
    )  # fmt: skip
    occurrence_id = api.get("/occurrences", parent).json()[0]["id"]
    heir = api.second_parent(parent)
    reward_id = api.post("/rewards", parent, json={"title": "Park", "cost": 1}).json()["id"]
    claim_id = api.post(f"/rewards/{reward_id}/claim", kid).json()["id"]
    webhook = api.post("/webhooks", parent, json={"url": "https://93.184.215.14/scene"})
    assert webhook.status_code == 201, webhook.text
    bodies = {
        ("POST", "/api/v1/users/register"): {"username": unique("new"), "password": PASSWORD, "is_parent": True},
        ("POST", "/api/v1/users/login"): {"username": parent.username, "password": PASSWORD},
        ("POST", "/api/v1/users/"): {"username": unique("kid"), "password": PASSWORD, "is_parent": False},
        ("POST", "/api/v1/users/children/{child_id}/reset-password"): "another-password",
        ("PATCH", "/api/v1/users/me"): {"display_name": "Dad", "avatar": "blue"},
        ("POST", "/api/v1/users/me/password"): {"current_password": PASSWORD, "new_password": "another-password"},
        ("PATCH", "/api/v1/users/children/{child_id}"): {"display_name": "Kiddo", "avatar": "🐙"},
        ("PUT", "/api/v1/users/children/{child_id}/pin"): {"pin": "2468"},
        ("POST", "/api/v1/families/devices"): {"name": "Kitchen tablet"},
        ("POST", "/api/v1/families/devices/current/sign-in"): {"child_id": kid.id, "pin": "2468"},
        ("POST", "/api/v1/families/create"): {"name": "Another family", "timezone": "Europe/Paris"},
        ("POST", "/api/v1/families/join"): {"invite_code": api.invite_code(parent)},
        ("POST", "/api/v1/families/invite-code/generate"): {"expires_in_days": 3, "max_uses": 2},
        ("POST", "/api/v1/families/owner"): {"user_id": heir.id},
        ("PUT", "/api/v1/families/streak-bonus"): {"percent": 10, "step_days": 7, "cap_percent": 50},
        ("PUT", "/api/v1/families/timezone"): {"timezone": "America/Chicago"},
        ("PUT", "/api/v1/families/currency"): {"currency": "EUR"},
        ("PUT", "/api/v1/families/language"): {"language": "es"},
        ("POST", "/api/v1/chores"): {"title": "Dishes", "reward": 1, "assignee_ids": [kid.id]},
        ("PUT", "/api/v1/chores/{chore_id}"): {"title": "Rake the leaves"},
        ("POST", "/api/v1/chores/{chore_id}/approve"): {"reward_value": 1},
        ("POST", "/api/v1/chores/{chore_id}/reject"): {"rejection_reason": "more leaves"},
        ("POST", "/api/v1/assignments/{assignment_id}/approve"): {"reward_value": 1},
        ("POST", "/api/v1/assignments/{assignment_id}/reject"): {"rejection_reason": "more leaves"},
        ("POST", "/api/v1/assignments/approve-many"): {"assignment_ids": [assignment]},
        ("POST", "/api/v1/adjustments/"): {"child_id": kid.id, "amount": 1, "reason": "kind to the cat"},
        ("POST", "/api/v1/payouts/"): {"child_id": kid.id, "amount": 1, "note": "pocket money"},
        ("POST", "/api/v1/ledger/entries/{entry_id}/reverse"): {"reason": "a mistake"},
        ("POST", "/api/v1/rewards"): {
            "title": "Cinema",
            "cost": "5.00",
            "stock": 2,
            "limit_count": 1,
            "limit_period": "week",
            "is_active": True,
        },
        ("PUT", "/api/v1/rewards/{reward_id}"): {
            "title": "Cinema trip",
            "cost": 3,
            "stock": 1,
            "limit_count": 2,
            "limit_period": "month",
            "is_active": True,
        },
        ("POST", "/api/v1/rewards/claims/{claim_id}/decline"): {"reason": "after the holidays"},
        ("POST", "/api/v1/goals"): {"title": "Bike", "target": "80.00", "child_id": kid.id},
        ("PUT", "/api/v1/allowances/{child_id}"): {
            "amount": "2.50",
            "period": "week",
            "weekday": 5,
            "day_of_month": None,
            "at": "09:00",
        },
        ("POST", "/api/v1/occurrences/{occurrence_id}/snooze"): {"days": 2},
        ("POST", "/api/v1/children/{child_id}/pauses"): {"first_day": "2031-01-01", "last_day": "2031-01-05"},
        ("POST", "/api/v1/calendar/feeds"): {"child_id": kid.id},
        ("POST", "/api/v1/tokens"): {
            "name": "Home Assistant",
            "scopes": ["read", "complete"],
            "expires_at": "2031-01-01T00:00:00Z",
        },
        ("PUT", "/api/v1/notifications/preferences"): {"quiet_start": "21:30", "quiet_end": "07:00"},
        ("PUT", "/api/v1/notifications/digest"): {"digest_hour": 18},
        ("POST", "/api/v1/notifications/channels"): {
            "name": "phone",
            "url": "json://127.0.0.1:9/hook",
            "events": ["chore_completed"],
        },
        ("POST", "/api/v1/notifications/push-subscriptions"): {
            "name": "phone",
            "endpoint": "https://push.example.com/send/x",
            "keys": {
                "p256dh": "BPNmBsL8s9CYOdzxVXvR00NB6c_sLBxZI1Wc_LQsHM_jidJT444cqEioAdladSbmdgoUe2RIyP9p8mvbgA1Vn7Y",
                "auth": "c2l4dGVlbi1ieXRlcy0xMg",
            },
            "events": ["chore_completed"],
        },
        ("POST", "/api/v1/webhooks"): {"url": "https://93.184.215.14/hook", "events": ["chore_completed"]},
        ("PATCH", "/api/v1/webhooks/{webhook_id}"): {"enabled": False, "events": ["payout_recorded"]},
    }
    return Scene(
        parent,
        kid,
        chore["id"],
        assignment,
        occurrence_id,
        savings.json()["id"],
        reward_id,
        claim_id,
        webhook.json()["id"],
        bodies,
    )

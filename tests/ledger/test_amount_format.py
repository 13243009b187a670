"""Issue 16.9: an amount has one strict format, in every money field of the API (and of the pages,
tests/web/test_money_and_report_pages.py): a JSON number, or ASCII digits with at most two
decimals, with a leading minus only where an amount may be negative.

The money fields come from the OpenAPI schema (a number or a string), so a new one is covered too.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.api import Api
from tests.support.openapi import body_fields
from tests.support.valid_requests import scene

# Each was taken for an amount: 1000.00, 5.00, 12.00, 100.00, 5.00, 0.50, 5.00.
LENIENT = ["1_000", "\uff15", "\u0661\u0662", "1e2", "+5", ".5", "5."]


def test_no_lenient_spelling_is_an_amount_in_any_money_field_of_any_route(app):
    client = TestClient(app, raise_server_exceptions=False)
    family = scene(Api(client))
    fields = [field for field in body_fields(app) if field.admits("number") and field.admits("string")]
    assert {"amount", "reward", "min_reward", "max_reward", "reward_value"} <= {field.name for field in fields}

    failures = []
    for field in fields:
        for spelling in LENIENT:
            body = {**family.bodies[field.method, field.path], field.name: spelling}
            response = client.request(field.method, family.url(field), json=body, headers=family.parent.headers)
            if response.status_code != 422:
                failures.append(f"{field} = {spelling!r}: {response.status_code}")
                continue
            messages = [error["msg"] for error in response.json()["detail"] if error["loc"] == ["body", field.name]]
            if not any(message.startswith("must be an amount like 2.50") for message in messages):
                failures.append(f"{field} = {spelling!r}: {messages}")
    assert not failures, "\n".join(failures)


def test_amounts_in_the_strict_format_are_taken_exactly(api):
    family = scene(api)
    kid = family.kid.id
    for sent, stored in [
        (5, "5.00"),
        (5.5, "5.50"),
        (0.1, "0.10"),
        ("5.50", "5.50"),
        ("7", "7.00"),
        ("-2.50", "-2.50"),
        (-3, "-3.00"),
    ]:
        response = api.post("/adjustments/", family.parent, json={"child_id": kid, "amount": sent, "reason": "why"})
        assert response.status_code == 201, (sent, response.text)
        assert response.json()["amount"] == stored
    # A JSON number is the number it is, however the client's encoder wrote it.
    response = api.client.post(
        "/api/v1/adjustments/",
        content=f'{{"child_id": {kid}, "amount": 1e2, "reason": "why"}}',
        headers={**family.parent.headers, "Content-Type": "application/json"},
    )
    assert response.json()["amount"] == "100.00"
    free = api.post("/chores", family.parent, json={"title": "Help", "reward": 0, "assignee_ids": [kid]})
    assert free.status_code == 201 and free.json()["reward"] == 0
    assert api.post("/payouts/", family.parent, json={"child_id": kid, "amount": "0.5"}).json()["amount"] == "0.50"


def test_an_amount_says_what_is_wrong_with_it(api):
    family = scene(api)
    kid = family.kid.id

    def refusal(amount: object, path: str = "/adjustments/") -> str:
        response = api.post(path, family.parent, json={"child_id": kid, "amount": amount, "reason": "why"})
        assert response.status_code == 422, response.text
        return response.json()["detail"][0]["msg"]

    assert refusal("5.001").startswith("must be an amount like 2.50")
    assert refusal(0.001).startswith("must be an amount like 2.50")
    assert refusal(True) == "must be an amount: a number, or a string like 2.50"
    assert refusal("-1", "/payouts/") == "must not be negative"
    assert refusal("-1000000.01") == "must be between -1000000.00 and 1000000.00"
    assert refusal(10**6 + 1, "/payouts/") == "must be between 0 and 1000000.00"

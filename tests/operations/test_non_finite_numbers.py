"""Issue 16.6: JSON bodies may carry numbers that are not finite (Python's parser reads the literals
NaN, Infinity and -Infinity, and 1e309 overflows to infinity). In any numeric field of any request
body they are a 422 saying the number must be finite, in an answer that is itself strict JSON.

The fields come from the OpenAPI schema, so a numeric field added later is covered too.
"""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.support.openapi import body_fields

NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e309"]


def strict_json(text: str) -> dict:
    def refuse(constant: str) -> None:
        raise AssertionError(f"the answer is not JSON: it holds {constant}")

    return json.loads(text, parse_constant=refuse)


def test_every_numeric_field_of_every_route_refuses_non_finite_numbers(app, api):
    parent = api.parent()
    client = TestClient(app, raise_server_exceptions=False)
    fields = [field for field in body_fields(app) if field.admits("number") or field.admits("integer")]
    assert {"amount", "reward", "min_reward", "max_reward", "reward_value", "cooldown_days"} <= {f.name for f in fields}

    failures = []
    for field in fields:
        for literal in NON_FINITE:
            value = f"[{literal}]" if "array" in field.types else literal
            body = f'{{"{field.name}": {value}}}' if field.name else value
            response = client.request(
                field.method, field.url(), content=body, headers={**parent.headers, "Content-Type": "application/json"}
            )
            if response.status_code != 422:
                failures.append(f"{field} = {literal}: {response.status_code}")
                continue
            mine = [error for error in strict_json(response.text)["detail"] if error["loc"][:2] == ["body", field.name]]
            if not mine or "must be a finite number" not in mine[0]["msg"]:
                failures.append(f"{field} = {literal}: {mine}")
    assert failures == []

"""A thin client over the HTTP API for tests: it speaks the contract, nothing more."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from fastapi.testclient import TestClient

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


@dataclass
class Person:
    id: int
    username: str
    token: str
    is_parent: bool

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Api:
    def __init__(self, client: TestClient) -> None:
        self.client = client

    def register(self, username: str | None = None, password: str = PASSWORD, **extra: object):
        data = {"username": username or unique("parent"), "password": password, "is_parent": "true", **extra}
        return self.client.post("/api/v1/users/register", data=data)

    def login(self, username: str, password: str = PASSWORD):
        return self.client.post("/api/v1/users/login", data={"username": username, "password": password})

    def token_for(self, username: str, password: str = PASSWORD) -> str:
        response = self.login(username, password)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def parent(self, *, with_family: bool = True, family_name: str = "The Testers") -> Person:
        username = unique("parent")
        response = self.register(username)
        assert response.status_code == 201, response.text
        person = Person(response.json()["id"], username, self.token_for(username), True)
        if with_family:
            created = self.client.post("/api/v1/families/create", json={"name": family_name}, headers=person.headers)
            assert created.status_code == 201, created.text
        return person

    def child(self, parent: Person, username: str | None = None) -> Person:
        username = username or unique("kid")
        response = self.client.post(
            "/api/v1/users/",
            json={"username": username, "password": PASSWORD, "is_parent": False},
            headers=parent.headers,
        )
        assert response.status_code == 201, response.text
        return Person(response.json()["id"], username, self.token_for(username), False)

    def invite_code(self, parent: Person) -> str:
        response = self.client.post("/api/v1/families/invite-code/generate", json={}, headers=parent.headers)
        assert response.status_code == 200, response.text
        return response.json()["invite_code"]

    def second_parent(self, first: Person) -> Person:
        other = self.parent(with_family=False)
        response = self.client.post(
            "/api/v1/families/join", json={"invite_code": self.invite_code(first)}, headers=other.headers
        )
        assert response.status_code == 200, response.text
        return other

    def get(self, path: str, who: Person | None = None, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=who.headers if who else None, **kwargs)

    def post(self, path: str, who: Person | None = None, **kwargs):
        return self.client.post(f"/api/v1{path}", headers=who.headers if who else None, **kwargs)

    def put(self, path: str, who: Person | None = None, **kwargs):
        return self.client.put(f"/api/v1{path}", headers=who.headers if who else None, **kwargs)

    def delete(self, path: str, who: Person | None = None, **kwargs):
        return self.client.delete(f"/api/v1{path}", headers=who.headers if who else None, **kwargs)

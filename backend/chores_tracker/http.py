"""Small HTTP helpers shared by routes."""

from __future__ import annotations

import json
import math
import re
import threading
import zlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import orjson
from annotated_types import Ge, Le
from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, BeforeValidator, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from starlette._utils import get_route_path  # the path Starlette's routes match against (root_path off)
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Scope

from chores_tracker.paths import API_PREFIX


class ApiRouter(APIRouter):
    """A router of the API: included under API_PREFIX with a prefix of its own, and passed over at
    once for a request whose path is outside that prefix.

    FastAPI tries each route of each included router in turn, without first asking whether the path
    could be under the router's prefix at all (fastapi/fastapi#16159, open), so a request for the
    last routers, or for a page after them, was matched against some 200 routes.
    bench/statement_cpu.py measures the difference."""

    def __init__(self, *, prefix: str, **options: Any) -> None:
        if not prefix:
            raise ValueError("an ApiRouter needs a prefix of its own: it is passed over for paths outside it")
        super().__init__(prefix=prefix, **options)
        self.mounted_at = API_PREFIX + prefix

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        # Every route of the router is under mounted_at, so a path that is not cannot match any.
        if not get_route_path(scope).startswith(self.mounted_at):
            return Match.NONE, {}
        return super().matches(scope)


# A lone surrogate (from a JSON escape like "\ud800", or a form in UTF-7) is not Unicode: it cannot
# be encoded as UTF-8, so it can be neither stored nor shown.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(value: str) -> str:
    """The rule for text in every request, API bodies and page forms alike."""
    if LONE_SURROGATE.search(value):
        raise PydanticCustomError("text_unicode", "must be valid Unicode text")
    # PostgreSQL refuses NUL in text; refused here, it is a 422 and not a database error.
    if "\x00" in value:
        raise PydanticCustomError("text_nul", "must not contain NUL characters")
    return value


def _checked(value: object) -> object:
    """The rules every value of every request body obeys, whatever its field's type."""
    if isinstance(value, str):
        return valid_text(value)
    # Python's JSON parser reads NaN, Infinity and -Infinity, and 1e309 as infinity: none is an amount or a count.
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("finite_number", "must be a finite number")
    if isinstance(value, list):
        for item in value:
            _checked(item)
    return value


class Input(BaseModel):
    """The base of every request body's schema, so that a field added later obeys the same rules."""

    @field_validator("*", mode="before")
    @classmethod
    def _every_field(cls, value: object) -> object:
        return _checked(value)


# A body or parameter that is text without a schema of its own (a bare JSON string).
Text = Annotated[str, BeforeValidator(_checked)]


ModelT = TypeVar("ModelT", bound=BaseModel)


async def parse_form_or_json(request: Request, model: type[ModelT]) -> ModelT:
    """Validate a body sent as a form or as JSON into one schema; errors answer 422 as usual."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            payload = json.loads(await request.body() or b"null")
        except ValueError:
            raise RequestValidationError(
                [{"type": "json_invalid", "loc": ("body",), "msg": "the body is not valid JSON", "input": None}]
            ) from None
        if not isinstance(payload, dict):
            raise RequestValidationError(
                [{"type": "dict_type", "loc": ("body",), "msg": "expected a JSON object", "input": None}]
            )
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        payload = {key: value for key, value in form.items() if isinstance(value, str)}
    else:
        raise RequestValidationError(
            [
                {
                    "type": "content_type",
                    "loc": ("body",),
                    "msg": "send a form (application/x-www-form-urlencoded) or JSON",
                    "input": content_type or None,
                }
            ]
        )
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None


# Row ids are 32-bit integers on every database; anything outside that is not an id, so it is
# refused as invalid input (422) rather than reaching the driver (SQLite overflows on it).
MAX_ROW_ID = 2_147_483_647
RowId = Annotated[int, Ge(1), Le(MAX_ROW_ID)]


# A handler of one class of errors. Starlette calls it only with that class, so each handler names
# its own (Any here): typed as taking any Exception (as Starlette does), no handler of one class would fit.
ErrorHandler = Callable[[Request, Any], Response | Awaitable[Response]]


class OrjsonResponse(Response):
    """JSON made by orjson from plain dicts and lists (the lean read paths), with the bytes FastAPI's
    own answers have: compact, UTF-8, an aware UTC instant written with "Z" as pydantic writes it."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_UTC_Z)


# "<family revision>-<user id>-<crc32 of the query string>-<Unix time the answer changes by itself, or 0>"
_OUR_ETAG = re.compile(r'^(?:W/)?"([0-9]+)-([0-9]+)-([0-9a-f]{8})-([0-9]+)"$')
# Kept by the client, revalidated each time; never by a shared cache.
REVALIDATE = "private, no-cache"


class AnswerCache:
    """The bodies of the conditional reads' latest answers, by what their ETag names (one per process).

    Keyed by the route's path, the caller, the family revision and the whole query string (what
    the ETag's crc32 stands for), with the moment the answer changes by itself kept beside the body.
    A write to the family changes its revision, so a later request never finds an answer made
    before it: no entry is ever invalidated, old ones only fall out (least recently used first)
    once the bodies take more than `max_bytes`. `max_bytes` 0: nothing is kept.
    Endpoints run in worker threads, hence the lock."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self._entries: OrderedDict[tuple[str, int, int, str], tuple[bytes, str, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int, int, str], now: float) -> tuple[bytes, str] | None:
        """The body and ETag kept for `key`, if they are still the answer at `now` (a Unix time)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or (entry[2] and now >= entry[2]):
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0], entry[1]

    def put(self, key: tuple[str, int, int, str], body: bytes, etag: str, expires: int) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self.size -= len(previous[0])
            self._entries[key] = (body, etag, expires)
            self.size += len(body)
            while self.size > self.max_bytes:
                _, (dropped, _, _) = self._entries.popitem(last=False)
                self.size -= len(dropped)

    def __len__(self) -> int:
        return len(self._entries)


class Conditional:
    """Conditional requests on a read whose answer is a function of the caller's family revision
    (db.revisions), the caller, the query string and, for lists of chores cooling down, the time.

    `known()` answers what is already known: 304 for the client's copy (If-None-Match) that is
    still the answer (`fresh()`), else the body this process last sent for the same ETag while it
    is still the answer (AnswerCache, `request.app.state.answer_cache`); `tag()` puts the ETag on
    a new answer and keeps its body. No revision (a caller without a family): no ETag, never fresh,
    nothing kept."""

    def __init__(self, request: Request, revision: int | None, user_id: int) -> None:
        self.request = request
        self.revision = revision
        self.user_id = user_id
        query = request.url.query
        self.query = f"{zlib.crc32(query.encode()):08x}"
        cache = getattr(request.app.state, "answer_cache", None)
        self.cache: AnswerCache | None = cache if cache is not None and cache.max_bytes > 0 else None
        self.key = (request.url.path, revision or 0, user_id, query)

    def known(self, now: datetime) -> Response | None:
        """304 when the client's copy is still the answer; the kept body when this process has it."""
        if etag := self.fresh(now):
            return self.not_modified(etag)
        if self.revision is None or self.cache is None:
            return None
        entry = self.cache.get(self.key, now.timestamp())
        if entry is None:
            return None
        body, etag = entry
        return Response(body, media_type="application/json", headers={"ETag": etag, "Cache-Control": REVALIDATE})

    def fresh(self, now: datetime) -> str | None:
        """The client's ETag that still names the answer, or None."""
        if self.revision is None:
            return None
        for candidate in self.request.headers.get("if-none-match", "").split(","):
            match = _OUR_ETAG.match(candidate.strip())
            if match is None:
                continue
            revision, user_id, query, until = match.groups()
            if (int(revision), int(user_id), query) == (self.revision, self.user_id, self.query) and (
                until == "0" or now.timestamp() < int(until)
            ):
                return candidate.strip().removeprefix("W/")
        return None

    @staticmethod
    def not_modified(etag: str) -> Response:
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": REVALIDATE})

    def tag(self, response: Response, until: datetime | None = None) -> Response:
        if self.revision is not None:
            expires = math.ceil(until.timestamp()) if until else 0
            etag = f'"{self.revision}-{self.user_id}-{self.query}-{expires}"'
            response.headers["ETag"] = etag
            response.headers["Cache-Control"] = REVALIDATE
            if self.cache is not None and response.status_code == 200:
                self.cache.put(self.key, bytes(response.body), etag, expires)
        return response

"""Small HTTP helpers shared by routes."""

from __future__ import annotations

import json
import math
import re
import zlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import orjson
from annotated_types import Ge, Le
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, BeforeValidator, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from starlette.responses import Response

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


class Conditional:
    """Conditional requests on a read whose answer is a function of the caller's family revision
    (db.revisions), the caller, the query string and, for lists of chores cooling down, the time.

    `fresh()` finds the client's copy (If-None-Match) that is still the answer, `not_modified()`
    answers 304 for it, `tag()` puts the ETag on a new answer. No revision (a caller without a
    family): no ETag, never fresh."""

    def __init__(self, request: Request, revision: int | None, user_id: int) -> None:
        self.request = request
        self.revision = revision
        self.user_id = user_id
        self.query = f"{zlib.crc32(request.url.query.encode()):08x}"

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
            response.headers["ETag"] = f'"{self.revision}-{self.user_id}-{self.query}-{expires}"'
            response.headers["Cache-Control"] = REVALIDATE
        return response

"""A page form's round trip: the domain's schema, then the service, with what either refuses on the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

from chores_tracker.errors import DomainError
from chores_tracker.web.forms import FormErrors, validate

ModelT = TypeVar("ModelT", bound=BaseModel)
ResultT = TypeVar("ResultT")


def apply_form(
    errors: FormErrors,
    model: type[ModelT],
    fields: dict[str, object],
    act: Callable[[ModelT], ResultT],
    *,
    rename: dict[str, str] | None = None,
    words: dict[str, str] | None = None,
    capitalize: bool = True,
    refusals: type[DomainError] = DomainError,
) -> ResultT | None:
    """Validates `fields` with `model` and calls `act` (the service) with the result.

    What the schema or the service refuses (`refusals`; other errors go on to the error pages) is
    put into `errors` on its field, renamed by `rename`, and the answer is None: the caller shows
    the form again. `words` and `capitalize` are as in FormErrors.from_domain.
    """
    wanted = validate(model, fields, errors, **(rename or {}))
    if wanted is None:
        return None
    try:
        return act(wanted)
    except refusals as exc:
        errors.from_domain(exc, rename=rename, words=words, capitalize=capitalize)
        return None

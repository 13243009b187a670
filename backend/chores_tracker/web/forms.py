"""Reading page forms with the domains' own schemas, and turning their errors into per-field messages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from chores_tracker.errors import DomainError, InvalidInput
from chores_tracker.http import valid_text
from chores_tracker.web.i18n import ErrorText, _, sentence

ModelT = TypeVar("ModelT", bound=BaseModel)

# Shown above a form when an error belongs to no single field.
FORM = "__form__"

_FRIENDLY = {
    "missing": _("This field is required."),
    "string_too_short": _("This field is required."),
    "int_parsing": _("Enter a whole number."),
    "int_type": _("Enter a whole number."),
    "amount_format": _("Enter an amount like 2.50: digits, and at most two decimals."),
    "value_error": None,  # the validator's own words
}


@dataclass
class FormErrors:
    fields: dict[str, str] = field(default_factory=dict)

    def add(self, name: str | None, message: str, *, capitalize: bool = True) -> None:
        self.fields.setdefault(name or FORM, sentence(message, capitalize=capitalize))

    def __bool__(self) -> bool:
        return bool(self.fields)

    def from_validation(self, error: ValidationError, *, rename: dict[str, str] | None = None) -> FormErrors:
        for item in error.errors(include_url=False):
            name = str(item["loc"][-1]) if item["loc"] else FORM
            name = (rename or {}).get(name, name)
            if item.get("input", ...) is None or item["input"] == "":
                friendly = _FRIENDLY["missing"]  # an empty box, whatever type it should hold
            else:
                friendly = _FRIENDLY.get(item["type"])
            self.add(name, friendly or item["msg"])
        return self

    def from_domain(
        self,
        error: DomainError,
        *,
        rename: dict[str, str] | None = None,
        words: dict[str, str] | None = None,
        capitalize: bool = True,
    ) -> FormErrors:
        """The service's message on the field it names, and each further problem it found on its own
        (`error.more`); `words` swaps API field names for the form's labels, or a whole message
        (its API wording, without the final stop) for the form's own. A message that may start with a
        username keeps its case (capitalize=False). The page says it in its language (`render`): the
        catalogue's words for the service's message when it has them (ErrorText), else the English."""
        for each in (error, *getattr(error, "more", ())):
            name = (rename or {}).get(each.field or "", each.field)
            message = each.message
            plain = (words or {}).get(message.rstrip("."))
            if plain is not None:
                self.add(name, plain, capitalize=capitalize)
                continue
            for word, label in (words or {}).items():
                if re.fullmatch(r"\w+", word):
                    message = re.sub(rf"\b{re.escape(word)}\b", label, message)
            shown = ErrorText(sentence(message, capitalize=capitalize), each.message, capitalize=capitalize)
            self.fields.setdefault(name or FORM, shown)
        return self


@dataclass(frozen=True)
class Submitted:
    """A posted form, read once (by a dependency, so page handlers can stay synchronous)."""

    fields: dict[str, list[str]]

    def values(self, *, lists: tuple[str, ...] = ()) -> dict[str, object]:
        """Each field's value; names in `lists` keep every value (checkbox groups)."""
        data: dict[str, object] = {}
        for key, values in self.fields.items():
            if key == "csrf_token":
                continue
            if key in lists:
                data[key] = values
            elif not values:
                data[key] = ""
            else:
                # Passwords are taken exactly as typed, as the API takes them.
                data[key] = values[-1] if "password" in key else values[-1].strip()
        for key in lists:
            data.setdefault(key, [])
        return data


async def submitted_form(request: Request) -> Submitted:
    """Every field of every page form obeys the API's text rule, before the page reads any of it."""
    form = await request.form()
    fields = {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}
    for key, values in fields.items():
        for text in (key, *values):
            try:
                valid_text(text)
            except ValueError as exc:
                # Only a hand-made request sends such text (a form in UTF-7): a page that says so will do.
                raise InvalidInput(f"text in this form {exc}") from None
    return Submitted(fields)


SubmittedForm = Annotated[Submitted, Depends(submitted_form)]


def max_length(model: type[BaseModel], name: str) -> int:
    """A field's max_length as its schema declares it, so a page checks the API's own limit."""
    limit: int = next(m.max_length for m in model.model_fields[name].metadata if getattr(m, "max_length", None))
    return limit


def validate(model: type[ModelT], data: dict[str, object], errors: FormErrors, **rename: str) -> ModelT | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors.from_validation(exc, rename=rename or None)
        return None

"""A customer's email address, as an order carries it (SPEC: Telling customers)."""

from __future__ import annotations

from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

MAX_EMAIL = 254


def _email(value: str) -> str:
    # Syntax only: no DNS look-up on the request's path. The validator also refuses
    # every control character, so an address can never carry a header of its own.
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise PydanticCustomError(
            "email", "not a valid email address: {reason}", {"reason": str(exc)}
        ) from None


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=MAX_EMAIL),
    AfterValidator(_email),
    Field(json_schema_extra={"format": "email"}),
]
"""An email address: at most 254 characters, checked as RFC 5321 allows, normalised
(the domain in lower case)."""

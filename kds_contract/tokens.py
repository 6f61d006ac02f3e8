"""API tokens on the wire (``/api/tokens``, admin): list, create (the token shown once in
the answer), revoke. The token itself is never stored, only its hash and its first
characters (``prefix``), by which a person recognises it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from kds_contract.events import Role
from kds_contract.models import Name, Timestamp


class TokenIn(BaseModel):
    """What ``POST /api/tokens`` accepts."""

    model_config = ConfigDict(extra="forbid")

    role: Role
    name: Name | None = Field(
        default=None, description="who or what uses it (a till, a screen, a person)"
    )
    user_id: Name | None = Field(
        default=None,
        validate_default=True,
        description="the customer account a customer token belongs to (customer only)",
    )

    @field_validator("user_id")
    @classmethod
    def _customer_has_account(cls, value: str | None, info: ValidationInfo) -> str | None:
        role = info.data.get("role")
        if role is Role.CUSTOMER and not value:
            raise ValueError("a customer token needs the customer account it is for")
        if role is not None and role is not Role.CUSTOMER and value:
            raise ValueError("only a customer token belongs to an account")
        return value


class Token(BaseModel):
    """A token as listed: never the token itself."""

    id: int
    name: str
    role: Role
    user_id: str | None = None
    prefix: str = Field(description="its first characters, to recognise it by")
    created_at: Timestamp
    revoked_at: Timestamp | None = None


class TokenCreated(BaseModel):
    """A new token: ``secret`` is the token, shown only in this answer."""

    token: Token
    secret: str = Field(description="the token: shown only here, stored only as a hash")


class TokenList(BaseModel):
    tokens: list[Token]


class TokenAnswer(BaseModel):
    token: Token

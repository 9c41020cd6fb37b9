"""The shapes that cross a service boundary, one module per serving service.

A serving service's handler returns these models and a caller asks the RPC client for one
(`rpc.call(..., reply=Card)`), so both sides of a call read the same declaration and a reply
that does not fit is a typed `bad_gateway.invalid_response` at the caller, not a KeyError.
Field order is wire order: a model serialises its fields in the order declared here.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Contract(BaseModel):
    """A reply or request between services. Unknown fields are ignored, so a server may add
    one before its callers read it."""

    model_config = ConfigDict(extra="ignore")


def _is_none(value: object) -> bool:
    return value is None


def absent_when_none() -> Any:
    """A field sent only when it has a value: these bodies omit it rather than send null."""
    return Field(default=None, exclude_if=_is_none)


class Done(Contract):
    """An answer with nothing in it (`{}`): the change was made."""

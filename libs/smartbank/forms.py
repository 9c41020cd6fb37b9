"""Form bodies the way the public API sends them.

POST, PUT and PATCH bodies are `application/x-www-form-urlencoded` (a `;charset=...` suffix
allowed); maps arrive as bracket keys (`metadata[notes]=...`) and are matched literally after
decoding. `form_of(Model)` is a dependency that decodes the body and validates it into a
pydantic model, so numbers that arrive as strings are accepted while a bad value is a typed
400; `form_body(Model)` describes the same body in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import Request
from pydantic import BaseModel, ValidationError

from smartbank import errors

FORM = "application/x-www-form-urlencoded"
MAX_BODY = 64 * 1024
MAX_FIELDS = 200
M = TypeVar("M", bound=BaseModel)


async def read_form(request: Request) -> dict[str, str]:
    """The decoded body; a key sent twice keeps its last value."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    body = await request.body()
    if len(body) > MAX_BODY:
        raise errors.bad_request("body_too_large", f"a form body is at most {MAX_BODY} bytes")
    if body and media != FORM:
        raise errors.bad_request(
            "invalid_content_type", f"send the body as {FORM}", content_type=media
        )
    try:
        return dict(parse_qsl(body.decode(), keep_blank_values=True, max_num_fields=MAX_FIELDS))
    except UnicodeDecodeError:
        raise errors.bad_request("invalid_body", "the body is not UTF-8 text") from None
    except ValueError:
        raise errors.bad_request("invalid_body", f"at most {MAX_FIELDS} fields") from None


def bracket_map(form: dict[str, str], name: str) -> dict[str, str]:
    """`name[key]=value` pairs of the form as `{key: value}`."""
    opening = f"{name}["
    return {
        key[len(opening) : -1]: value
        for key, value in form.items()
        if key.startswith(opening) and key.endswith("]") and len(key) > len(opening) + 1
    }


def validate(model: type[M], values: dict[str, Any]) -> M:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise errors.invalid_request(exc.errors()) from None


def form_of(model: type[M]) -> Callable[[Request], Awaitable[M]]:
    async def parse(request: Request) -> M:
        return validate(model, await read_form(request))

    return parse


def form_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` for a route whose body is `model` sent as a form."""
    schema = model.model_json_schema()
    return {"requestBody": {"required": True, "content": {FORM: {"schema": schema}}}}

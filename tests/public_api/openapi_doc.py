"""Builds the public API's OpenAPI document from the api's routes and auth's `/oauth2/` ones.

python -m tests.public_api.openapi_doc   # writes services/api/openapi.json
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api import main as api
from api.document import DOCUMENT
from api.models import Error
from auth import oauth

TITLE = "smartbank public API"
DESCRIPTION = (
    "Compatible with the Monzo Developer API: paths, parameters, form encodings and JSON "
    "shapes follow it, so existing clients work with only the base URL changed."
)


# Statuses any public operation may answer with, each with the same error body. FastAPI's
# default 422 is not one: a request that fails validation is a 400 here.
ERRORS = {
    "400": "bad input: a typed bad_request.* code",
    "401": "no valid access token (unauthorized.bad_access_token*)",
    "403": "not yours (forbidden.*)",
    "404": "no such thing, or not yours (not_found.*)",
    "429": "rate limited (too_many_requests.rate_limited), with Retry-After",
}


def document() -> dict[str, Any]:
    app = FastAPI()
    for router in (*api.service.routers, oauth.router):
        app.include_router(router)
    built = get_openapi(
        title=TITLE,
        version="1.0.0",
        description=DESCRIPTION,
        routes=app.routes,
        servers=[{"url": "http://127.0.0.1:8080", "description": "the local stack's edge"}],
    )
    return with_errors(built)


def with_errors(built: dict[str, Any]) -> dict[str, Any]:
    schemas = built.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas["Error"] = Error.model_json_schema(ref_template="#/components/schemas/{model}")
    json_error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    page = {"text/html": {"schema": {"type": "string"}}}
    for operations in built["paths"].values():
        for operation in operations.values():
            responses = operation["responses"]
            responses.pop("422", None)
            html = "text/html" in responses.get("200", {}).get("content", {})
            for status, description in ERRORS.items():
                content = page if html else json_error
                responses.setdefault(status, {"description": description, "content": content})
    return built


def rendered() -> str:
    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    DOCUMENT.write_text(rendered())
    print(f"wrote {DOCUMENT}")

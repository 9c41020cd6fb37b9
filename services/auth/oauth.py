"""The public OAuth routes, which the edge sends straight to auth."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from auth import grants, login, oauth_errors, tokens
from auth.handlers import AuthSettingsDep
from auth.login import AuthorizeQuery, AuthorizeRequest, LinkRequest
from smartbank.deps import StoreDep
from smartbank.errors import ServiceError
from smartbank.forms import form_body, form_of, read_form, validate
from smartbank.responses import JsonResponse

router = APIRouter(prefix="/oauth2")

PAGE_HEADERS = {
    "cache-control": "no-store",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}

NOT_TOKEN_METHODS = ["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"]


async def token_form(request: Request) -> grants.TokenRequest:
    try:
        return validate(grants.TokenRequest, await read_form(request))
    except ServiceError as exc:
        raise oauth_errors.with_invalid_request(exc) from None


async def bearer_token(authorization: Annotated[str, Header()] = "") -> str:
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise oauth_errors.bad_access_token("send Authorization: Bearer <access_token>")
    return token.strip()


async def respond(outcome: Awaitable[login.Outcome]) -> Response:
    """The page or redirect a login step leads to; a refusal becomes an error page."""
    shown = await login.as_page(outcome)
    if isinstance(shown, login.Redirect):
        return RedirectResponse(shown.url, shown.status, headers=PAGE_HEADERS)
    return HTMLResponse(shown.html, shown.status, headers=PAGE_HEADERS)


@router.get("/authorize", response_class=HTMLResponse)
async def show_login(
    request: Annotated[AuthorizeQuery, Query()], store: StoreDep, settings: AuthSettingsDep
) -> Response:
    return await respond(login.show_login(store, settings, request))


@router.post("/authorize", response_class=HTMLResponse, openapi_extra=form_body(AuthorizeRequest))
async def confirm_login(
    request: Annotated[AuthorizeRequest, Depends(form_of(AuthorizeRequest))],
    store: StoreDep,
    settings: AuthSettingsDep,
) -> Response:
    return await respond(login.confirm_login(store, settings, request))


@router.get("/authorize/link", response_class=HTMLResponse)
async def show_link(store: StoreDep, token: str = "") -> Response:
    return await respond(login.show_link(store, token))


@router.post("/authorize/link", response_class=HTMLResponse, openapi_extra=form_body(LinkRequest))
async def follow_link(
    request: Annotated[LinkRequest, Depends(form_of(LinkRequest))],
    store: StoreDep,
    settings: AuthSettingsDep,
) -> Response:
    return await respond(login.follow_link(store, settings, request))


@router.post("/token", openapi_extra=form_body(grants.TokenRequest))
async def token(
    request: Annotated[grants.TokenRequest, Depends(token_form)],
    store: StoreDep,
    settings: AuthSettingsDep,
    response: Response,
) -> dict[str, Any]:
    response.headers.update({"cache-control": "no-store", "pragma": "no-cache"})
    return await grants.exchange(store, request, settings.access_token_ttl)


@router.api_route("/token", methods=NOT_TOKEN_METHODS, include_in_schema=False)
async def token_with_another_method(request: Request) -> Response:
    error = oauth_errors.method_not_allowed(request.method, "POST")
    return JsonResponse(error.to_dict(), error.status, headers={"allow": "POST"})


@router.post("/logout")
async def logout(
    access_token: Annotated[str, Depends(bearer_token)], store: StoreDep
) -> dict[str, Any]:
    await tokens.logout(store, access_token)
    return {}

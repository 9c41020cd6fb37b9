"""OAuth's authorization endpoint: the login page, the customer's confirmation, the login link.

Nothing redirects to a URI the client did not register: an unknown client or redirect URI is
an error page. In "choose" mode (the local stack) the page lists customers to pick from; in
"email" mode it emails a one-time login link, and says the same whether or not the address
belongs to a customer. Opening the link only shows a confirmation page; the link is spent by
the POST that page sends, so mail scanners that fetch links ahead of the customer do not use it up.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import BaseModel

from auth import clients, codes, customers, mail, pages
from auth.codes import Grant
from auth.settings import Settings
from auth.tables import LOGIN_LINKS
from smartbank import errors
from smartbank.errors import ServiceError
from smartbank.storage import Row, TableStore

CHOOSE_LIMIT = 50


class AuthorizeQuery(BaseModel):
    client_id: str = ""
    redirect_uri: str = ""
    response_type: str = ""
    state: str = ""

    def hidden(self) -> dict[str, str]:
        return {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "response_type": self.response_type,
            "state": self.state,
        }


class AuthorizeRequest(AuthorizeQuery):
    user_id: str = ""
    email: str = ""


@dataclass(frozen=True)
class Redirect:
    url: str
    status: int = 302


@dataclass(frozen=True)
class Page:
    html: str
    status: int = 200


Outcome = Redirect | Page


async def as_page(outcome: Awaitable[Outcome]) -> Outcome:
    """The outcome, or the refusal as an error page (outages still raise)."""
    try:
        return await outcome
    except ServiceError as exc:
        if exc.is_infrastructure:
            raise
        return Page(pages.error_page(exc.message), exc.status)


async def show_login(store: TableStore, settings: Settings, request: AuthorizeQuery) -> Outcome:
    client = await clients.client_for_redirect(store, request.client_id, request.redirect_uri)
    if request.response_type != "code":
        return unsupported_response_type(request)
    if settings.auth_login_mode == "choose":
        listed = await customers.list_customers(store, CHOOSE_LIMIT)
        return Page(pages.choose_page(client["name"], request.hidden(), listed))
    return Page(pages.email_page(client["name"], request.hidden()))


async def confirm_login(
    store: TableStore, settings: Settings, request: AuthorizeRequest
) -> Outcome:
    client = await clients.client_for_redirect(store, request.client_id, request.redirect_uri)
    if request.response_type != "code":
        return unsupported_response_type(request)
    if settings.auth_login_mode == "choose":
        customer = await customers.get_customer(store, request.user_id)
        grant = Grant(customer["id"], client["client_id"], request.redirect_uri, request.state)
        return await redirect_with_code(store, settings, grant, status=303)
    if not customers.normalise_email(request.email):
        raise errors.bad_request("invalid_email", "enter your email address")
    await send_link(store, settings, client, request)
    return Page(pages.check_email_page(request.email))


class LinkRequest(BaseModel):
    token: str = ""


async def show_link(store: TableStore, token: str) -> Outcome:
    grant = codes.grant_of(await live_link(store, token))
    client = await clients.client_for_redirect(store, grant.client_id, grant.redirect_uri)
    return Page(pages.link_page(client["name"], token))


async def follow_link(store: TableStore, settings: Settings, request: LinkRequest) -> Outcome:
    row = await live_link(store, request.token)
    if not await codes.claim(store, LOGIN_LINKS, row):
        raise invalid_link()
    grant = codes.grant_of(row)
    await clients.client_for_redirect(store, grant.client_id, grant.redirect_uri)
    return await redirect_with_code(store, settings, grant, status=303)


async def live_link(store: TableStore, token: str) -> Row:
    row = await codes.find(store, LOGIN_LINKS, token)
    if row is None:
        raise invalid_link()
    return row


def invalid_link() -> ServiceError:
    return errors.bad_request("invalid_link", "this login link is unknown, used or expired")


async def send_link(
    store: TableStore, settings: Settings, client: Row, request: AuthorizeRequest
) -> None:
    customer = await customers.find_by_email(store, request.email)
    if customer is None:
        return
    grant = Grant(customer["id"], client["client_id"], request.redirect_uri, request.state)
    ttl = settings.login_link_ttl
    token = await codes.create(store, LOGIN_LINKS, "sbll", ttl, grant)
    link = with_query(f"{settings.auth_public_url.rstrip('/')}/oauth2/authorize/link", token=token)
    subject, body = pages.login_mail(customer["name"], client["name"], link, ttl // 60)
    await mail.send(store, customer["email"], subject, body)


async def redirect_with_code(
    store: TableStore, settings: Settings, grant: Grant, status: int = 302
) -> Redirect:
    code = await codes.issue_code(store, grant, settings.authorization_code_ttl)
    return Redirect(with_query(grant.redirect_uri, code=code, state=grant.state), status)


def unsupported_response_type(request: AuthorizeQuery) -> Redirect:
    error = "unsupported_response_type"
    return Redirect(with_query(request.redirect_uri, error=error, state=request.state))


def with_query(uri: str, **params: str) -> str:
    """`uri` with `params` added to its query (empty values left out)."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.extend((name, value) for name, value in params.items() if value)
    return urlunsplit(parts._replace(query=urlencode(query)))

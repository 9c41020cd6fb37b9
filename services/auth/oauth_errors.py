"""Errors in OAuth's wire format: a typed code plus the `error` and `error_description` keys
that RFC 6749 clients read."""

from __future__ import annotations

from smartbank import errors
from smartbank.errors import ErrorMaker, ServiceError


def oauth_error(make: ErrorMaker, detail: str, error: str, description: str) -> ServiceError:
    return make(detail, description).with_fields(error=error, error_description=description)


def invalid_request(description: str) -> ServiceError:
    return oauth_error(errors.bad_request, "invalid_request", "invalid_request", description)


def with_invalid_request(error: ServiceError) -> ServiceError:
    return error.with_fields(error="invalid_request", error_description=error.message)


def invalid_client(description: str = "client authentication failed") -> ServiceError:
    return oauth_error(errors.unauthorized, "invalid_client", "invalid_client", description)


def invalid_grant(description: str) -> ServiceError:
    return oauth_error(errors.bad_request, "invalid_grant", "invalid_grant", description)


def unsupported_grant_type(grant_type: str) -> ServiceError:
    description = f"grant_type {grant_type!r} is not supported"
    return oauth_error(
        errors.bad_request, "unsupported_grant_type", "unsupported_grant_type", description
    )


def method_not_allowed(method: str, allowed: str) -> ServiceError:
    description = f"{method} is not allowed here: send {allowed}"
    error = ServiceError("method_not_allowed.route", description, method=method, allowed=allowed)
    return error.with_fields(error="invalid_request", error_description=description)


def server_error(description: str = "internal error") -> ServiceError:
    return oauth_error(errors.internal_service, "server_error", "server_error", description)


def for_token_endpoint(error: ServiceError) -> ServiceError:
    """The error as the token endpoint answers it: always with OAuth's `error` key."""
    if "error" in error.fields:
        return error
    if error.kind == "not_found":
        return invalid_grant(error.message)
    if error.is_infrastructure:
        return error.with_fields(error="server_error", error_description=error.message)
    return with_invalid_request(error)


def bad_access_token(description: str = "the access token is not valid") -> ServiceError:
    return oauth_error(errors.unauthorized, "bad_access_token", "invalid_token", description)


def expired_access_token() -> ServiceError:
    description = "the access token has expired"
    return oauth_error(
        errors.unauthorized, "bad_access_token.expired", "invalid_token", description
    )

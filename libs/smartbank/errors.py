"""Typed errors with dotted codes, modelled on Monzo's typhon.

An error is a value: a code such as `bad_request.insufficient_funds`, a message for people and
params for programs. The first segment of the code (its kind) decides the HTTP status, in one
table. The same error crosses a service hop intact: the server serialises it, the RPC client
rebuilds it, so a caller can branch on `err.code` no matter how many services it went through.
"""

from __future__ import annotations

from typing import Any, Protocol

STATUS_BY_KIND: dict[str, int] = {
    "bad_request": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "precondition_failed": 412,
    "too_many_requests": 429,
    "internal_service": 500,
    "bad_gateway": 502,
    "unavailable": 503,
    "timeout": 504,
}

RESERVED = frozenset({"code", "message", "params"})

KIND_BY_STATUS: dict[int, str] = {status: kind for kind, status in STATUS_BY_KIND.items()}

UNSPECIFIED = "unspecified"


def dotted(code: str) -> str:
    """`code` as `<kind>.<detail>`: the wire contract has no bare kinds, so a code built or
    received without a detail gets `unspecified`, and one without a kind `internal_service`."""
    kind, _, detail = code.strip().partition(".")
    return f"{kind or 'internal_service'}.{detail or UNSPECIFIED}"


class ServiceError(Exception):
    """An error with a dotted code that maps to an HTTP status and survives RPC hops."""

    def __init__(self, code: str, message: str = "", **params: Any) -> None:
        self.code = code
        super().__init__(f"{self.code}: {message}" if message else self.code)
        self.message = message or self.code
        self.params = params
        self.fields: dict[str, str] = {}

    @property
    def code(self) -> str:
        """Always `<kind>.<detail>`, however the error was built (see `dotted`)."""
        return self._code

    @code.setter
    def code(self, code: str) -> None:
        self._code = dotted(code)

    def with_fields(self, **fields: str) -> ServiceError:
        """Extra top-level keys in the error body, for wire formats that require them (OAuth's
        `error` and `error_description`). They cross RPC hops like the code does."""
        self.fields.update(fields)
        return self

    @property
    def kind(self) -> str:
        return self.code.split(".", 1)[0]

    @property
    def status(self) -> int:
        return STATUS_BY_KIND.get(self.kind, 500)

    @property
    def is_infrastructure(self) -> bool:
        """True for faults of the system (timeouts, outages), false for business outcomes."""
        return self.status >= 500

    def matches(self, code: str) -> bool:
        """True when this error's code is `code` or lies under it (`bad_request` matches all)."""
        return self.code == code or self.code.startswith(code + ".")

    def to_dict(self) -> dict[str, Any]:
        return {**self.fields, "code": self.code, "message": self.message, "params": self.params}

    @classmethod
    def from_dict(cls, body: dict[str, Any], status: int) -> ServiceError:
        code = body.get("code")
        if not isinstance(code, str) or not code:
            code = KIND_BY_STATUS.get(status, "internal_service")
        params = body.get("params") if isinstance(body.get("params"), dict) else {}
        error = cls(code, str(body.get("message", "")), **(params or {}))
        extra = {k: v for k, v in body.items() if k not in RESERVED and isinstance(v, str)}
        return error.with_fields(**extra)

    def __repr__(self) -> str:
        return f"ServiceError({self.code!r}, {self.message!r}, params={self.params!r})"


class ErrorMaker(Protocol):
    def __call__(self, detail: str = "", message: str = "", **params: Any) -> ServiceError: ...


def _maker(kind: str) -> ErrorMaker:
    def make(detail: str = "", message: str = "", **params: Any) -> ServiceError:
        return ServiceError(f"{kind}.{detail}", message, **params)

    make.__name__ = kind
    make.__doc__ = f"A `{kind}.<detail>` error (HTTP {STATUS_BY_KIND[kind]})."
    return make


bad_request = _maker("bad_request")
unauthorized = _maker("unauthorized")
forbidden = _maker("forbidden")
not_found = _maker("not_found")
conflict = _maker("conflict")
precondition_failed = _maker("precondition_failed")
too_many_requests = _maker("too_many_requests")
internal_service = _maker("internal_service")
bad_gateway = _maker("bad_gateway")
unavailable = _maker("unavailable")
timeout = _maker("timeout")


def invalid_request(problems: list[Any]) -> ServiceError:
    """`bad_request.invalid_request` from pydantic-style errors (`loc`, `msg`), by field."""
    listed = [
        {
            "field": ".".join(str(part) for part in p.get("loc", ()) if part != "body"),
            "problem": p["msg"],
        }
        for p in problems
    ]
    summary = "; ".join(f"{p['field'] or 'body'}: {p['problem']}" for p in listed)
    return bad_request("invalid_request", summary, problems=listed)


OUTCOME_UNKNOWN = "unavailable.outcome_unknown"


def outcome_unknown(what: str) -> ServiceError:
    """A conditional write that timed out and was not visible when read back (a Cassandra
    round, `Result.certain` False): it may yet land, so nothing may be decided on it having
    failed; the caller reads again, or sends the request again."""
    return unavailable(
        "outcome_unknown", f"{what} timed out and may yet apply; read it again and retry"
    )


def status_of(exc: BaseException) -> int:
    """The HTTP status an exception is answered with: its own for a ServiceError, else 500."""
    return exc.status if isinstance(exc, ServiceError) else 500

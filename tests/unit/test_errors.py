import pytest

from smartbank import errors
from smartbank.errors import ServiceError


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.bad_request("insufficient_funds"), 400),
        (errors.unauthorized("bad_access_token.expired"), 401),
        (errors.forbidden("not_owner"), 403),
        (errors.not_found("card"), 404),
        (errors.conflict("hold_mismatch"), 409),
        (errors.too_many_requests("rate_limited"), 429),
        (errors.internal_service(), 500),
        (errors.unavailable("upstream"), 503),
        (errors.timeout("deadline_exceeded"), 504),
        (ServiceError("teapot.short_and_stout"), 500),
    ],
)
def test_status_follows_the_code_prefix(error, status):
    assert error.status == status


def test_error_survives_serialisation():
    original = errors.bad_request("insufficient_funds", "not enough", available=10, requested=20)
    rebuilt = ServiceError.from_dict(original.to_dict(), 400)
    assert (rebuilt.code, rebuilt.message, rebuilt.params) == (
        "bad_request.insufficient_funds",
        "not enough",
        {"available": 10, "requested": 20},
    )


def test_from_dict_without_code_uses_the_status():
    assert ServiceError.from_dict({"message": "x"}, 404).code == "not_found"


def test_matches_code_and_its_parents_only():
    error = errors.unauthorized("bad_access_token.expired")
    assert error.matches("unauthorized")
    assert error.matches("unauthorized.bad_access_token")
    assert not error.matches("unauthorized.bad")
    assert not error.matches("bad_request")


def test_business_outcomes_are_not_infrastructure_faults():
    assert not errors.bad_request("insufficient_funds").is_infrastructure
    assert errors.timeout("upstream").is_infrastructure


def test_fields_travel_at_the_top_of_the_body_and_back():
    original = errors.unauthorized("bad_access_token", "no").with_fields(error="invalid_token")
    body = original.to_dict()
    assert body["error"] == "invalid_token"
    assert ServiceError.from_dict(body, 401).fields == {"error": "invalid_token"}

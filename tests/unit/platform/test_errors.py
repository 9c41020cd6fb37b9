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
    assert ServiceError.from_dict({"message": "x"}, 404).code == "not_found.unspecified"


@pytest.mark.parametrize(
    ("built", "code"),
    [
        (lambda: ServiceError("bad_request"), "bad_request.unspecified"),
        (lambda: ServiceError("bad_request."), "bad_request.unspecified"),
        (lambda: ServiceError(""), "internal_service.unspecified"),
        (lambda: ServiceError(".detail"), "internal_service.detail"),
        (lambda: errors.internal_service(), "internal_service.unspecified"),
        (lambda: errors.not_found("", "gone"), "not_found.unspecified"),
        (lambda: ServiceError.from_dict({"code": "forbidden"}, 403), "forbidden.unspecified"),
        (lambda: ServiceError("bad_request.too_deep"), "bad_request.too_deep"),
    ],
)
def test_an_error_without_a_detail_gets_one(built, code):
    error = built()
    assert error.code == code and error.to_dict()["code"] == code
    assert error.status == errors.STATUS_BY_KIND.get(code.split(".")[0], 500)


def test_a_code_set_later_is_dotted_too():
    error = errors.bad_request("invalid_json")
    error.code = "conflict"
    assert error.to_dict()["code"] == "conflict.unspecified" and error.status == 409


def test_every_maker_gives_a_dotted_code_and_a_message():
    for kind in errors.STATUS_BY_KIND:
        maker = getattr(errors, kind, None)
        if maker is None:
            continue
        body = maker().to_dict()
        assert body["code"].startswith(f"{kind}.") and body["code"] != f"{kind}."
        assert body["message"]


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

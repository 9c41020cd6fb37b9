import hashlib
import hmac

import pytest

from webhook import signing
from webhook.signing import SignatureError

SECRET = "whsec_test"
BODY = b'{"type":"transaction.created","data":{"id":"tx_1"}}'
SENT = 1_795_000_000


def test_sign_is_hmac_sha256_over_timestamp_dot_body() -> None:
    header = signing.sign(SECRET, BODY, SENT)
    expected = hmac.new(SECRET.encode(), f"{SENT}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={SENT},v1={expected}"


def test_verify_when_good_accepts() -> None:
    header = signing.sign(SECRET, BODY, SENT)
    signing.verify(SECRET, header, BODY, now=SENT + 299)
    assert signing.is_valid(SECRET, header, BODY, now=SENT)


def test_verify_when_body_tampered_refuses() -> None:
    header = signing.sign(SECRET, BODY, SENT)
    tampered = BODY.replace(b"tx_1", b"tx_2")
    with pytest.raises(SignatureError, match="no signature matches"):
        signing.verify(SECRET, header, tampered, now=SENT)
    assert not signing.is_valid(SECRET, header, tampered, now=SENT)


def test_verify_when_secret_wrong_refuses() -> None:
    header = signing.sign("whsec_other", BODY, SENT)
    with pytest.raises(SignatureError, match="no signature matches"):
        signing.verify(SECRET, header, BODY, now=SENT)


def test_verify_when_timestamp_replaced_refuses() -> None:
    signature = signing.sign(SECRET, BODY, SENT).split(",")[1]
    header = f"t={SENT + 100},{signature}"
    assert not signing.is_valid(SECRET, header, BODY, now=SENT + 100)


@pytest.mark.parametrize("now", [SENT + 301, SENT - 301])
def test_verify_when_timestamp_stale_or_future_refuses(now: int) -> None:
    header = signing.sign(SECRET, BODY, SENT)
    with pytest.raises(SignatureError, match="tolerance"):
        signing.verify(SECRET, header, BODY, now=now)


def test_verify_with_wider_tolerance_accepts_older() -> None:
    header = signing.sign(SECRET, BODY, SENT)
    assert signing.is_valid(SECRET, header, BODY, now=SENT + 3600, tolerance_seconds=3600)


def test_verify_with_several_signatures_accepts_any_match() -> None:
    good = signing.sign(SECRET, BODY, SENT).split(",")[1]
    other = signing.sign("whsec_old", BODY, SENT).split(",")[1]
    assert signing.is_valid(SECRET, f"t={SENT},{other},{good}", BODY, now=SENT)
    assert not signing.is_valid(SECRET, f"t={SENT},{other}", BODY, now=SENT)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        f"t={SENT}",
        "v1=" + "a" * 64,
        f"t=soon,v1={'a' * 64}",
        f"t=-5,v1={'a' * 64}",
        f"t={SENT},t={SENT},v1={'a' * 64}",
        f"t={SENT},v1=abc",
        f"t={SENT},v1={'A' * 64}",
        f"t={SENT};v1={'a' * 64}",
    ],
)
def test_verify_when_header_malformed_refuses(header: str) -> None:
    with pytest.raises(SignatureError):
        signing.verify(SECRET, header, BODY, now=SENT)
    assert not signing.is_valid(SECRET, header, BODY, now=SENT)


def test_verify_ignores_unknown_schemes() -> None:
    header = signing.sign(SECRET, BODY, SENT) + ",v0=legacy"
    assert signing.is_valid(SECRET, header, BODY, now=SENT)

import logging

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import ValidationError

from apns.provider_token import LOCAL_KEY_ID, LOCAL_TEAM_ID, ProviderToken
from apns.settings import Settings

MINUTE = 60


def pem_of(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def verified(token: str, key: ec.EllipticCurvePrivateKey) -> dict:
    return jwt.decode(token, key.public_key(), algorithms=["ES256"], options={"verify_iat": False})


def test_current_token_is_es256_with_key_id_and_team_claims(signing_key, clock) -> None:
    provider = ProviderToken(signing_key, "TEAM123456", "KEY1234567", clock=clock)
    token = provider.current()
    assert jwt.get_unverified_header(token) == {"alg": "ES256", "kid": "KEY1234567", "typ": "JWT"}
    assert verified(token, signing_key) == {"iss": "TEAM123456", "iat": int(clock.now)}


def test_current_token_before_fifty_minutes_is_reused(signing_key, clock) -> None:
    provider = ProviderToken(signing_key, "TEAM123456", "KEY1234567", clock=clock)
    first = provider.current()
    clock.now += 50 * MINUTE - 1
    assert provider.current() == first


def test_current_token_after_fifty_minutes_is_refreshed(signing_key, clock) -> None:
    provider = ProviderToken(signing_key, "TEAM123456", "KEY1234567", clock=clock)
    first = provider.current()
    clock.now += 50 * MINUTE
    second = provider.current()
    assert second != first
    assert verified(second, signing_key)["iat"] == int(clock.now)


def test_rejected_token_is_refreshed_no_sooner_than_twenty_minutes(signing_key, clock) -> None:
    provider = ProviderToken(signing_key, "TEAM123456", "KEY1234567", clock=clock)
    first = provider.current()
    clock.now += 5 * MINUTE
    provider.rejected()
    assert provider.current() == first
    clock.now += 15 * MINUTE
    refreshed = provider.current()
    assert refreshed != first
    clock.now += 1
    assert provider.current() == refreshed


def test_from_settings_with_pem_signs_with_that_key(signing_key) -> None:
    settings = Settings(
        apns_key_pem=pem_of(signing_key).replace("\n", "\\n"),
        apns_team_id="TEAM999999",
        apns_key_id="KEY9999999",
    )
    token = ProviderToken.from_settings(settings).current()
    assert verified(token, signing_key)["iss"] == "TEAM999999"
    assert jwt.get_unverified_header(token)["kid"] == "KEY9999999"


def test_from_settings_with_key_file_signs_with_that_key(signing_key, tmp_path) -> None:
    key_file = tmp_path / "AuthKey.p8"
    key_file.write_text(pem_of(signing_key))
    settings = Settings(apns_key_file=key_file, apns_team_id="T", apns_key_id="K")
    assert verified(ProviderToken.from_settings(settings).current(), signing_key)["iss"] == "T"


def test_from_settings_without_key_warns_and_uses_ephemeral_key(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="apns.provider_token"):
        provider = ProviderToken.from_settings(Settings())
    token = provider.current()
    assert (
        jwt.decode(token, provider.key.public_key(), algorithms=["ES256"])["iss"] == LOCAL_TEAM_ID
    )
    assert jwt.get_unverified_header(token)["kid"] == LOCAL_KEY_ID
    assert "ephemeral" in caplog.text


def test_settings_with_key_but_no_ids_are_refused(signing_key) -> None:
    with pytest.raises(ValidationError, match="APNS_TEAM_ID"):
        Settings(apns_key_pem=pem_of(signing_key))


def test_from_settings_with_rsa_key_is_refused() -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    settings = Settings(apns_key_pem=pem, apns_team_id="T", apns_key_id="K")
    with pytest.raises(ValueError, match="EC"):
        ProviderToken.from_settings(settings)

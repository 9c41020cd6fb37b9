import pytest

from apns import devices
from apns.devices import ACTIVE, INVALID
from smartbank.errors import ServiceError

TOKEN = "0123456789abcdef" * 4


async def test_register_device_twice_keeps_one_device(store) -> None:
    first = await devices.register(store, user_id="user_1", token=TOKEN, platform="ios")
    again = await devices.register(store, user_id="user_1", token=TOKEN, platform="ios")
    assert again == first
    assert first["status"] == ACTIVE and first["invalid_reason"] is None
    assert await devices.list_devices(store, "user_1") == [first]


async def test_register_device_with_upper_case_token_stores_it_lower_case(store) -> None:
    device = await devices.register(store, user_id="user_1", token=TOKEN.upper(), platform="ios")
    assert device["token"] == TOKEN
    await devices.remove(store, user_id="user_1", token=TOKEN.upper())
    assert await devices.list_devices(store, "user_1") == []


@pytest.mark.parametrize(
    "token", ["", "abc", "a" * 63, "a" * 65, "g" * 64, "a" * 202, TOKEN + " x"]
)
async def test_register_device_with_bad_token_is_refused(store, token) -> None:
    with pytest.raises(ServiceError) as caught:
        await devices.register(store, user_id="user_1", token=token, platform="ios")
    assert caught.value.code == "bad_request.invalid_device_token"
    assert await devices.list_devices(store, "user_1") == []


async def test_register_device_on_other_platform_is_refused(store) -> None:
    with pytest.raises(ServiceError) as caught:
        await devices.register(store, user_id="user_1", token=TOKEN, platform="android")
    assert caught.value.code == "bad_request.invalid_platform"
    assert await devices.list_devices(store, "user_1") == []


async def test_register_device_known_to_another_user_moves_it(store) -> None:
    await devices.register(store, user_id="user_1", token=TOKEN, platform="ios")
    moved = await devices.register(store, user_id="user_2", token=TOKEN, platform="ios")
    assert await devices.active_tokens(store, "user_1") == []
    assert await devices.list_devices(store, "user_2") == [moved]


async def test_register_device_after_it_was_invalid_reactivates_it(store) -> None:
    await devices.register(store, user_id="user_1", token=TOKEN, platform="ios")
    await devices.mark_invalid(store, user_id="user_1", token=TOKEN, reason="Unregistered")
    [invalid] = await devices.list_devices(store, "user_1")
    assert (invalid["status"], invalid["invalid_reason"]) == (INVALID, "Unregistered")
    assert await devices.active_tokens(store, "user_1") == []
    again = await devices.register(store, user_id="user_1", token=TOKEN, platform="ios")
    assert (again["status"], again["invalid_reason"]) == (ACTIVE, None)
    assert await devices.active_tokens(store, "user_1") == [TOKEN]


async def test_mark_invalid_after_removal_does_not_bring_it_back(store) -> None:
    await devices.register(store, user_id="user_1", token=TOKEN, platform="ios")
    await devices.remove(store, user_id="user_1", token=TOKEN)
    await devices.mark_invalid(store, user_id="user_1", token=TOKEN, reason="Unregistered")
    assert await devices.list_devices(store, "user_1") == []


async def test_remove_device_by_another_user_changes_nothing(store) -> None:
    device = await devices.register(store, user_id="user_1", token=TOKEN, platform="ios")
    await devices.remove(store, user_id="user_2", token=TOKEN)
    assert await devices.list_devices(store, "user_1") == [device]
    await devices.register(store, user_id="user_2", token=TOKEN, platform="ios")
    assert await devices.list_devices(store, "user_1") == []

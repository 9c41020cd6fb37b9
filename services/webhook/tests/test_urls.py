import ipaddress

import pytest

from smartbank.errors import ServiceError
from webhook import urls
from webhook.tests.fakes import PUBLIC_ADDRESS, FakeResolver

UNSAFE = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "2002:7f00:1::",
    "64:ff9b::a00:1",
]


@pytest.mark.parametrize(
    "url",
    [
        "",
        "hooks.example.com/x",
        "ftp://hooks.example.com/x",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "http://",
        "https:///path",
        "http://hooks example.com/",
        "http://hooks.example.com/a b",
        "http://hooks.example.com/\x00",
        "http://hooks.example.com:99999/",
        "http://hooks.example.com:abc/",
        "http://-bad-.example.com/",
        "https://hooks.example.com/" + "a" * 2048,
    ],
)
async def test_check_url_when_malformed_is_invalid(url: str, resolver: FakeResolver) -> None:
    with pytest.raises(ServiceError) as caught:
        await urls.check_url(url, allow_private=True, resolve=resolver)
    assert caught.value.code == "bad_request.invalid_url"
    assert resolver.asked == []


@pytest.mark.parametrize("address", UNSAFE)
async def test_check_url_when_host_resolves_unsafe_is_refused(
    address: str, resolver: FakeResolver
) -> None:
    resolver.answers["inside.example.com"] = [address]
    with pytest.raises(ServiceError) as caught:
        await urls.check_url(
            "https://inside.example.com/hook", allow_private=False, resolve=resolver
        )
    assert caught.value.code == "bad_request.unsafe_url"
    assert caught.value.params["addresses"] == [str(ipaddress.ip_address(address))]


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.7", "[::1]", "[fe80::1]"])
async def test_check_url_when_literal_unsafe_is_refused_without_dns(
    address: str, resolver: FakeResolver
) -> None:
    with pytest.raises(ServiceError) as caught:
        await urls.check_url(f"http://{address}:8000/hook", allow_private=False, resolve=resolver)
    assert caught.value.code == "bad_request.unsafe_url"
    assert resolver.asked == []


async def test_check_url_when_any_address_unsafe_is_refused(resolver: FakeResolver) -> None:
    resolver.answers["mixed.example.com"] = [PUBLIC_ADDRESS, "10.0.0.1"]
    with pytest.raises(ServiceError) as caught:
        await urls.check_url("https://mixed.example.com/", allow_private=False, resolve=resolver)
    assert caught.value.params["addresses"] == ["10.0.0.1"]


async def test_check_url_when_public_pins_the_checked_address(resolver: FakeResolver) -> None:
    target = await urls.check_url(
        "https://hooks.example.com:8443/in?x=1", allow_private=False, resolve=resolver
    )
    assert str(target.url) == f"https://{PUBLIC_ADDRESS}:8443/in?x=1"
    assert target.headers == {"Host": "hooks.example.com:8443"}
    assert target.extensions == {"sni_hostname": "hooks.example.com"}
    assert resolver.asked == ["hooks.example.com"]


async def test_check_url_when_plain_http_needs_no_sni(resolver: FakeResolver) -> None:
    target = await urls.check_url(
        "http://hooks.example.com/in", allow_private=False, resolve=resolver
    )
    assert str(target.url) == f"http://{PUBLIC_ADDRESS}/in"
    assert target.extensions == {}


async def test_check_url_when_public_literal_is_kept(resolver: FakeResolver) -> None:
    target = await urls.check_url(
        f"https://{PUBLIC_ADDRESS}/in", allow_private=False, resolve=resolver
    )
    assert str(target.url) == f"https://{PUBLIC_ADDRESS}/in"
    assert target.headers == {}


async def test_check_url_when_private_allowed_skips_dns(resolver: FakeResolver) -> None:
    target = await urls.check_url("http://localhost:9000/in", allow_private=True, resolve=resolver)
    assert str(target.url) == "http://localhost:9000/in"
    assert resolver.asked == []


async def test_check_url_when_host_unknown_is_invalid(resolver: FakeResolver) -> None:
    with pytest.raises(ServiceError) as caught:
        await urls.check_url("https://nowhere.invalid/", allow_private=False, resolve=resolver)
    assert caught.value.code == "bad_request.invalid_url"


async def test_check_url_when_resolver_answers_nothing_is_invalid(
    resolver: FakeResolver,
) -> None:
    resolver.answers["empty.example.com"] = []
    with pytest.raises(ServiceError) as caught:
        await urls.check_url("https://empty.example.com/", allow_private=False, resolve=resolver)
    assert caught.value.code == "bad_request.invalid_url"


@pytest.mark.parametrize("address", [PUBLIC_ADDRESS, "2606:4700::1111", "8.8.8.8"])
def test_is_unsafe_when_public_is_false(address: str) -> None:
    assert not urls.is_unsafe(ipaddress.ip_address(address))


async def test_system_resolve_when_numeric_host_answers_it() -> None:
    assert await urls.system_resolve("127.0.0.1", 80) == ["127.0.0.1"]

"""Which URLs a webhook may be sent to, and the address a delivery connects to.

A URL is refused when any address its host resolves to is private, loopback, link-local,
multicast, reserved or unspecified, unless the deployment allows such addresses (the local
stack does). The check runs at registration and again before every attempt, and an attempt
connects to the address that was checked, so a DNS answer that changes in between (rebinding)
cannot redirect it to an internal address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from smartbank import errors

MAX_URL_LENGTH = 2048
SCHEMES = ("http", "https")
_HOSTNAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]


@dataclass(frozen=True)
class Target:
    """Where to send: the URL to request, plus the headers and extensions that keep TLS and
    virtual hosting working when the URL names the checked address instead of the host."""

    url: httpx.URL
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, str] = field(default_factory=dict)


async def system_resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, using the event loop's resolver."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def parse_url(url: str) -> httpx.URL:
    """The URL if it is an absolute http(s) URL with a plausible host, else invalid_url."""
    if len(url) > MAX_URL_LENGTH:
        raise _invalid(url, f"a URL may be at most {MAX_URL_LENGTH} characters")
    if not url.isprintable() or any(c.isspace() for c in url):
        raise _invalid(url, "a URL cannot contain spaces or control characters")
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise _invalid(url, f"not a valid URL: {exc}") from None
    if parsed.scheme not in SCHEMES:
        raise _invalid(url, "a webhook URL must be http or https")
    host = parsed.raw_host.decode("ascii").lower()
    if not host or (_literal(host) is None and not _HOSTNAME.fullmatch(host)):
        raise _invalid(url, "a webhook URL needs a host name or address")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise _invalid(url, "the port must be between 1 and 65535")
    return parsed


async def check_url(url: str, *, allow_private: bool, resolve: Resolver) -> Target:
    """The target for `url`, refusing unsafe addresses unless `allow_private`."""
    parsed = parse_url(url)
    if allow_private:
        return Target(parsed)
    host = parsed.raw_host.decode("ascii").lower()
    literal = _literal(host)
    if literal is not None:
        _refuse_unsafe(url, [literal])
        return Target(parsed)
    addresses = await _resolve(url, host, parsed.port or _default_port(parsed), resolve)
    _refuse_unsafe(url, addresses)
    return _pinned(parsed, addresses[0])


def is_unsafe(address: IpAddress) -> bool:
    """True for any address a webhook must not reach from inside the deployment."""
    embedded = _embedded_ipv4(address)
    if embedded is not None and is_unsafe(embedded):
        return True
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _embedded_ipv4(address: IpAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


async def _resolve(url: str, host: str, port: int, resolve: Resolver) -> list[IpAddress]:
    try:
        answers = await resolve(host, port)
        addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in answers]
    except (OSError, ValueError) as exc:
        raise _invalid(url, f"the host {host} does not resolve: {exc}") from None
    if not addresses:
        raise _invalid(url, f"the host {host} does not resolve")
    return addresses


def _refuse_unsafe(url: str, addresses: list[IpAddress]) -> None:
    unsafe = [str(a) for a in addresses if is_unsafe(a)]
    if unsafe:
        raise errors.bad_request(
            "unsafe_url",
            "webhooks cannot be sent to private, loopback or link-local addresses",
            url=url,
            addresses=unsafe,
        )


def _pinned(parsed: httpx.URL, address: IpAddress) -> Target:
    extensions = (
        {"sni_hostname": parsed.raw_host.decode("ascii")} if parsed.scheme == "https" else {}
    )
    return Target(
        parsed.copy_with(host=str(address)),
        headers={"Host": parsed.netloc.decode("ascii")},
        extensions=extensions,
    )


def _literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _default_port(parsed: httpx.URL) -> int:
    return 443 if parsed.scheme == "https" else 80


def _invalid(url: str, message: str) -> errors.ServiceError:
    return errors.bad_request("invalid_url", message, url=url[:200])

"""Which URLs a webhook may be sent to: the one rule, used when a destination is saved
(portal.services.destinations) and again when it is called (portal.delivery.http, which also
checks every address the host name resolves to, with forbidden_reason)."""

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit


class TargetRefused(Exception):
    """The URL may not be called: its scheme, or an address its host resolves to."""


# IANA's special-purpose blocks that are not globally reachable, which some Python versions'
# ipaddress still calls global (3.11.7: 192.88.99.0/24, fec0::/10, multicast...). An address
# in one is refused whatever ipaddress says, so the rule does not move with the Python.
NOT_GLOBAL = tuple(
    ipaddress.ip_network(block)
    for block in (
        "0.0.0.0/8",
        "100.64.0.0/10",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/96",  # IPv4-compatible (deprecated): refused whatever it holds
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",
    )
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for: IPv4-mapped (::ffff:a.b.c.d),
    IPv4-compatible (::a.b.c.d), 6to4 (2002::/16), Teredo (2001::/32, server and client) and
    NAT64 (64:ff9b::/96). A packet to it may reach any of them."""
    found = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in NAT64 or (ip in IPV4_COMPATIBLE and int(ip) > 1):
        found.append(low32)
    return [address for address in found if address is not None]


def _kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why this one address is not public (None: it is global)."""
    for name in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-")
    if getattr(ip, "is_site_local", False):
        return "site-local"
    if not ip.is_global or any(ip in block for block in NOT_GLOBAL):
        return "not public"
    return None


def forbidden_reason(address: str) -> str | None:
    """Why an IP address may not be called from the worker (None: it may).

    An allow-list: an address may be called only if it is globally reachable (ipaddress's
    is_global, and in none of NOT_GLOBAL's blocks), and, for IPv6 forms that carry an IPv4
    address (compatible, 6to4, Teredo, NAT64), only if every IPv4 address in it is too; an
    IPv4-mapped address is its IPv4 address. (ipaddress calls all of NAT64's 64:ff9b::/96
    reserved, so it is refused even around a public address.) The reason names the first
    address found not public: loopback, private, link-local (which holds the cloud metadata
    address 169.254.169.254), multicast, unspecified, reserved, site-local, or "not public".
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return _kind(ip.ipv4_mapped)  # only ever the IPv4 address on the wire
    if isinstance(ip, ipaddress.IPv6Address):
        for inner in embedded_ipv4(ip):
            reason = _kind(inner)
            if reason:
                return reason
    return _kind(ip)


MAX_URL_LENGTH = 2048


@dataclass(frozen=True)
class WebhookURL:
    """Where a webhook URL points: scheme, host, port, and the path with its query."""

    scheme: str
    host: str
    port: int
    path: str


def check_url(url: str, *, allow_http: bool, allow_private: bool = True) -> WebhookURL:
    """The one rule for webhook URLs, when one is saved and when one is called: https (http
    too when `allow_http`), a host, no user name or password, a numeric port; and, unless
    `allow_private`, a host given as an IP address must be public (a name is checked when it
    is resolved, at each call). TargetRefused says what is wrong, for a person."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"The URL is longer than {MAX_URL_LENGTH:,} characters.")
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        raise TargetRefused("The URL may not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as error:
        raise TargetRefused(
            "The URL is not valid (check the brackets of an IPv6 address)."
        ) from error
    scheme = parts.scheme.lower()
    if scheme == "http" and not allow_http:
        raise TargetRefused("Use an https:// URL: plain http:// is refused in production.")
    if scheme not in ("https", "http"):
        raise TargetRefused("Use an https:// URL.")
    if not host:
        raise TargetRefused("The URL needs a host name, e.g. https://crm.example.edu/leads.")
    if parts.username or parts.password:
        raise TargetRefused("Leave the user name and password out of the URL.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as error:
        raise TargetRefused("The URL's port must be a number from 1 to 65535.") from error
    if not allow_private and _is_ip(host):
        reason = forbidden_reason(host)
        if reason:
            raise TargetRefused(
                f"the URL's host is {host}, a {reason} address "
                "(DELIVERY_ALLOW_PRIVATE_TARGETS is off)"
            )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return WebhookURL(scheme, host, port, path)


def _is_ip(host: str) -> bool:
    """Whether the URL's host is an IP address rather than a name."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True

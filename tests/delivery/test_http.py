"""The worker's HTTP client on its own: which addresses it refuses, and URLs it will not call."""

import pytest

from portal.delivery.http import post, resolve
from portal.services.destinations import InvalidDestination, check_webhook_url
from portal.services.webhook_urls import TargetRefused, WebhookURL, check_url, forbidden_reason

ADDRESSES = [
    # (address, why it is refused; None: it may be called)
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("::1", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.10", "private"),
    ("169.254.169.254", "link-local"),  # the cloud metadata service
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local"),
    ("fd00:ec2::254", "private"),  # a cloud metadata service over IPv6
    ("fc00::1", "private"),
    ("100.64.0.1", "not public"),  # carrier-grade NAT
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("0.1.2.3", "private"),  # "this network"
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("192.0.0.8", "not public"),  # IETF protocol assignments
    ("192.0.2.1", "private"),  # documentation
    ("198.51.100.7", "private"),
    ("203.0.113.9", "private"),
    ("198.18.0.1", "private"),  # benchmarking
    ("2001:db8::1", "private"),
    ("3fff::1", "not public"),  # documentation since 2024
    ("5f00::1", "reserved"),  # segment routing
    ("100::1", "reserved"),  # discard-only
    # The holes of the deny-list (issue 25): 6to4 relays, site-local, 6to4 around loopback and
    # around the metadata address.
    ("192.88.99.1", "not public"),
    ("fec0::1", "site-local"),
    ("fec0::a9fe:a9fe", "site-local"),
    ("2002:7f00:1::", "loopback"),
    ("2002:a9fe:a9fe::", "link-local"),
    ("2002:c0a8:101::1", "private"),
    ("2002:0a00:0001::", "private"),
    # IPv4 inside IPv6: mapped, compatible, Teredo, NAT64.
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:10.0.0.1", "private"),
    ("::ffff:169.254.169.254", "link-local"),
    ("::127.0.0.1", "loopback"),
    ("::8.8.8.8", "reserved"),  # IPv4-compatible: deprecated, refused whatever it holds
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"),  # Teredo, client 127.0.0.1
    ("2001:0:a9fe:a9fe::1", "link-local"),  # Teredo, server 169.254.169.254
    ("2001:0:808:808:8000:63bf:f7f7:f7f7", "private"),  # Teredo, both public: still not
    ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
    ("64:ff9b::a9fe:a9fe", "link-local"),
    ("64:ff9b:1::1", "reserved"),  # local-use NAT64
    # Public: may be called.
    ("8.8.8.8", None),
    ("1.1.1.1", None),
    ("93.184.215.14", None),
    ("2606:4700:4700::1111", None),
    ("2a00:1450:4001:82b::200e", None),
    ("::ffff:8.8.8.8", None),
    ("64:ff9b::808:808", "reserved"),  # NAT64: ipaddress calls it all reserved
    ("2002:808:808::1", None),  # 6to4 around a public address
]


@pytest.mark.parametrize(("address", "reason"), ADDRESSES, ids=[a for a, _ in ADDRESSES])
def test_only_global_addresses_may_be_called(address, reason):
    assert forbidden_reason(address) == reason


def test_the_table_is_large():
    assert len(ADDRESSES) >= 40 and sum(reason is None for _, reason in ADDRESSES) >= 5


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.1",
        "0177.0.0.1",
        "0x7f.0.0.1",
        "2130706433",
        "0x7f000001",
        "::1",
        "0:0:0:0:0:0:0:1",
        "::ffff:127.0.0.1",
        "::ffff:7f00:1",
        "localhost",
    ],
)
def test_loopback_in_any_spelling_is_refused_once_resolved(host):
    with pytest.raises(TargetRefused, match="a loopback address"):
        resolve(host, 443, allow_private=False)


@pytest.mark.parametrize(
    ("url", "allow_http", "expected"),
    [
        ("http://127.0.0.1:9/x", False, "plain http:// is refused in production"),
        ("ftp://example.com/x", True, "Use an https:// URL."),
        ("https://user:pw@example.com/x", True, "Leave the user name and password out"),
        ("https://example.com:99999/x", True, "port must be a number"),
        ("https://[::1/x", True, "The URL is not valid"),
        ("https://[2002:7f00:1::]/x", True, "loopback"),
        ("https://192.88.99.1/x", True, "not public"),
    ],
)
def test_urls_that_may_not_be_called(url, allow_http, expected):
    answer = post(url, b"{}", {}, timeout=1, allow_private=False, allow_http=allow_http)
    assert not answer.succeeded and answer.status is None
    assert answer.error.startswith("refused: ") and expected in answer.error


def test_one_rule_for_saving_and_calling():
    """destinations.check_webhook_url is check_url: the same URLs refused, the same words."""
    for url in ("ftp://x.example/", "https://", "https://[fec0::1]/", "http://x.example/"):
        with pytest.raises(TargetRefused) as called:
            check_url(url, allow_http=False, allow_private=False)
        with pytest.raises(InvalidDestination) as saved:
            check_webhook_url(url, production=True, allow_private=False)
        assert str(saved.value) == str(called.value)
    assert check_url("https://crm.example.edu:8443/in?x=1", allow_http=False) == WebhookURL(
        "https", "crm.example.edu", 8443, "/in?x=1"
    )


def test_an_unresolvable_host_is_a_failed_attempt():
    answer = post(
        "https://no-such-host.invalid/x",
        b"{}",
        {},
        timeout=2,
        allow_private=False,
        allow_http=False,
    )
    assert not answer.succeeded
    assert answer.error.startswith("cannot resolve the host name")

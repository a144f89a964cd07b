"""The worker's HTTP client on its own: which addresses it refuses, and URLs it will not call."""

import pytest

from portal.delivery.http import forbidden_reason, post


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.10", "private"),
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("fe80::1", "link-local"),
        ("fd00:ec2::254", "private"),  # a cloud metadata service over IPv6
        ("100.64.0.1", "not public"),  # carrier-grade NAT
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4 mapped into IPv6
        ("::ffff:10.0.0.1", "private"),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_addresses_that_are_not_public_are_refused(address, reason):
    assert forbidden_reason(address) == reason


@pytest.mark.parametrize(
    ("url", "allow_http", "expected"),
    [
        ("http://127.0.0.1:9/x", False, "only https:// URLs may be called in production"),
        ("ftp://example.com/x", True, "only https:// URLs may be called in production"),
        ("https://user:pw@example.com/x", True, "no user name or password"),
        ("https://example.com:99999/x", True, "port is not a number"),
    ],
)
def test_urls_that_may_not_be_called(url, allow_http, expected):
    answer = post(url, b"{}", {}, timeout=1, allow_private=True, allow_http=allow_http)
    assert not answer.succeeded and answer.status is None
    assert expected in answer.error


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

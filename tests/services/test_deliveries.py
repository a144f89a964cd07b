"""Delivery bookkeeping that needs no network: how long to wait before the next try."""

import pytest

from portal.services.deliveries import JITTER, MAX_RETRY_DELAY, retry_delay


@pytest.mark.parametrize(("attempts", "expected"), [(1, 30), (2, 60), (3, 120), (8, 3840)])
def test_retries_about_double_with_jitter_up_to_an_hour(attempts, expected):
    for _ in range(50):
        delay = retry_delay(attempts, 30)
        wanted = min(expected, MAX_RETRY_DELAY)
        assert wanted * (1 - JITTER) <= delay <= wanted * (1 + JITTER)

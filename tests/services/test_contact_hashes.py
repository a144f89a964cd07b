"""The fingerprints of contact details match however the details were typed."""

import hashlib

import pytest

from portal.services.contact_hashes import email_sha256, phone_sha256


@pytest.mark.parametrize("typed", ["jane@example.com", " Jane@Example.COM ", "JANE@EXAMPLE.COM"])
def test_an_email_is_hashed_trimmed_and_lower_cased(typed):
    assert email_sha256(typed) == hashlib.sha256(b"jane@example.com").hexdigest()


def test_a_phone_is_hashed_as_its_e164_text():
    assert phone_sha256("+13125550142") == hashlib.sha256(b"+13125550142").hexdigest()
    assert phone_sha256("+13125550142") != phone_sha256("+13125550143")

"""Hostile input for the property-based tests: strategies, settings and the checks they share.

Each test draws values a careless or malicious client might send (random unicode, very long
text, NUL and other control characters, HTML and SQL fragments, numbers out of every range)
and checks that the answer says what happened without crashing, and that whatever was stored
is well formed.
"""

import re
import unicodedata

from email_validator import validate_email
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.core.validators import has_control_characters
from portal.extensions import db
from portal.leads.forms import NAME_MAX
from portal.models import Lead
from portal.services.leads import EDUCATION_LEVELS, START_TIMEFRAMES

# Few examples per test (each runs on every database backend), always the same ones.
HOSTILE = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SCRIPT = "<script>alert(1)</script>"
FRAGMENTS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "60601\x00",
    "%00",
    "\r\n",
    "\t",
    "\u202e",
    "\ufeff",
    "\u200b",
    "\U0010ffff",
    "😀",
    "６０６０１",
    "٦٠٦٠١",
    "60601-",
    "60601-12345",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "Infinity",
    "-Infinity",
    "0x10",
    "99999999999999999999999999",
    "9223372036854775808",
    "2147483648",
    "true",
    "None",
    "null",
    "[]",
    "{}",
    "../../etc/passwd",
    "%2e%2e%2f",
    "' OR '1'='1",
    "'; DROP TABLE lead; --",
    '" OR 1=1 --',
    "%_%",
    "\\",
    "' UNION SELECT password_hash FROM admin_user --",
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "</textarea><script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% raw %}",
    "javascript:alert(1)",
    '=HYPERLINK("http://x")',
    "@SUM(1)",
    "2026-02-30",
    "0000-01-01",
    "9999-12-31",
    "2026-13-01",
]

# Text a browser could send: any character but lone surrogates (not encodable in UTF-8).
ANY_CHARACTER = st.characters(exclude_categories=("Cs",))


def _long(text: str) -> str:
    """`text` repeated to a few thousand characters."""
    return (text or "x") * (4000 // max(len(text), 1) + 1)


hostile_text = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(ANY_CHARACTER, max_size=40),
    st.builds(
        lambda a, b, c: a + b + c,
        st.text(ANY_CHARACTER, max_size=8),
        st.sampled_from(FRAGMENTS),
        st.text(ANY_CHARACTER, max_size=8),
    ),
    st.builds(lambda a, b: f"{a}\x00{b}", st.sampled_from(FRAGMENTS), st.text(max_size=8)),
    st.sampled_from(FRAGMENTS).map(_long),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


def maybe(valid: list[str]):
    """Either one of the `valid` values or hostile text, so some requests get through."""
    return st.one_of(st.sampled_from(valid), hostile_text)


def query(**values) -> dict[str, str]:
    """Query parameters with None values left out."""
    return {key: value for key, value in values.items() if value is not None}


TRACEBACK_SIGNS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "psycopg")


def assert_answered(response, allowed: set[int]) -> str:
    """The response has an expected status below 500, and no stack trace; return its body."""
    body = response.get_data(as_text=True)
    assert response.status_code < 500, body[:2000]
    assert response.status_code in allowed, (response.status_code, body[:2000])
    for sign in TRACEBACK_SIGNS:
        assert sign not in body
    return body


E164_US = re.compile(r"\+1\d{10}")
ZIP5 = re.compile(r"\d{5}")
STATE = re.compile(r"[A-Z]{2}")
# The evidence and attribution columns, with the longest value each may hold.
FREE_TEXT_LIMITS = {
    "ip_address": 45,
    "user_agent": 512,
    "page_url": 2048,
    "referrer": 2048,
    "utm_source": 200,
    "utm_medium": 200,
    "utm_campaign": 200,
    "utm_term": 200,
    "utm_content": 200,
}


def assert_lead_well_formed(lead: Lead) -> None:
    """One stored lead keeps every invariant the form and the service promise."""
    assert lead.email == validate_email(lead.email, check_deliverability=False).normalized.lower()
    assert lead.email == lead.email.strip().lower() and len(lead.email) <= 254
    assert E164_US.fullmatch(lead.phone_e164), lead.phone_e164
    assert ZIP5.fullmatch(lead.zip_code) and lead.zip_code.isascii(), lead.zip_code
    assert STATE.fullmatch(lead.state), lead.state
    for name in (lead.first_name, lead.last_name):
        assert name and name == name.strip() and len(name) <= NAME_MAX, name
        assert not has_control_characters(name), ascii(name)
        assert name == unicodedata.normalize("NFC", name)
    assert lead.education_level in EDUCATION_LEVELS
    assert lead.start_timeframe in START_TIMEFRAMES
    for column, limit in FREE_TEXT_LIMITS.items():
        value = getattr(lead, column)
        assert isinstance(value, str) and len(value) <= limit, (column, len(value))
        assert "\x00" not in value, column


def stored_leads() -> list[Lead]:
    """Every lead in the database (call inside an app context)."""
    db.session.expire_all()
    return list(db.session.scalars(select(Lead).order_by(Lead.id)))

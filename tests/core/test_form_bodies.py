"""Form endpoints take HTML form bodies only (portal.core.forms), and no body gets a 5xx.

The examples first: the two bodies of issue 25 that answered 500 (JSON `1` to /contact, an
email sent as a file to /admin/login), the 415 page, and that every form of the site is a
SiteForm. Then hypothesis posts to every form endpoint the app's url_map has (whatever it will
have: the list is read from the app, not written here), signed in where the endpoint needs it
and with a real CSRF token, bodies of every content type and shape: JSON scalars, arrays and
objects, nesting 1,000 deep, urlencoded and multipart forms with text and file parts under
every form's field names, invalid UTF-8, bodies without or with a wrong Content-Type. None may
answer 5xx; each non-form body is a 415.
"""

import io
import json
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.core.errors import wants_json
from portal.core.forms import FORM_TYPES, NOT_A_FILE, SiteForm
from portal.extensions import db
from portal.models import SchoolUser, utcnow
from portal.services import accounts
from portal.services.destinations import add_webhook
from portal.services.exports import Actor as ExportActor
from portal.services.exports import ExportOptions, export_leads_csv
from portal.services.inbox import ContactDraft, save_contact_message
from portal.services.lead_returns import request_return
from portal.services.outbox import queue_deliveries
from portal.services.school_api import create_token
from portal.services.school_leads import Actor
from tests.support.factories import (
    make_admin,
    make_lead,
    make_open_privacy_request,
    make_program,
    make_school,
    make_school_user,
)
from tests.support.forms import csrf_token, form_inputs, sign_in, sign_in_school
from tests.support.hostile import TRACEBACK_SIGNS, hostile_text

SCHOOL_EMAIL = "staff@alder.example"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
EXAMPLES_PER_ENDPOINT = 12


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """scrypt at a tiny work factor: the test signs in again before each endpoint."""
    monkeypatch.setattr(accounts, "PASSWORD_HASH_METHOD", "scrypt:1024:8:1")


def all_subclasses(cls) -> set[type]:
    """Every subclass of `cls`, however deep."""
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | all_subclasses(sub)
    return found


def test_every_form_of_the_site_is_a_site_form(app):
    """A form on FlaskForm alone would let a file reach a text field (a 500): use SiteForm."""
    from flask_wtf import FlaskForm

    ours = {c for c in all_subclasses(FlaskForm) if c.__module__.startswith("portal.")}
    assert len(ours) > 30
    strays = sorted(c.__qualname__ for c in ours if not issubclass(c, SiteForm))
    assert strays == [], "make these forms subclass portal.core.forms.SiteForm"


def field_names() -> list[str]:
    """The field names of every form of the site (what a hostile body should aim at)."""
    names = {"csrf_token"}
    for form in all_subclasses(SiteForm):
        names |= {name for name, value in vars(form).items() if hasattr(value, "field_class")}
    return sorted(names)


# --- The examples ------------------------------------------------------------------------


def test_json_to_a_public_form_is_a_415_page_not_a_500(client):
    token = csrf_token(client, "/contact")
    for body in (b"1", b"[]", b'"x"', b"null", b'{"name": {"a": 1}}', b"[" * 1000 + b"]" * 1000):
        response = client.post(
            "/contact",
            data=body,
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 415, body[:20]
        page = response.get_data(as_text=True)
        assert response.mimetype == "text/html"
        assert "Unsupported media type" in page and "<footer" in page  # the site's layout
        assert "application/x-www-form-urlencoded or multipart/form-data" in page
        assert "not application/json" in page


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b"name=x"),
        ("application/xml", b"<a/>"),
        ("application/octet-stream", b"\xff\xfe"),
        (None, b"name=x"),  # a body without a type
    ],
)
def test_other_bodies_are_a_415_before_any_other_check(client, content_type, body):
    # No CSRF token at all: the body's type is judged first.
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = client.post("/privacy/do-not-sell", data=body, headers=headers)
    assert response.status_code == 415


def test_form_bodies_still_work_both_ways(client):
    token = csrf_token(client, "/admin/login")
    data = {"csrf_token": token, "email": "nobody@example.com", "password": "x" * 12}
    urlencoded = client.post("/admin/login", data=data)
    multipart = client.post("/admin/login", data=data, content_type="multipart/form-data")
    assert urlencoded.status_code == multipart.status_code == 401


def test_a_file_where_text_is_expected_is_a_field_error(client):
    token = csrf_token(client, "/admin/login")
    data = {
        "csrf_token": token,
        "email": (io.BytesIO(b"admin@example.com"), "email.txt"),
        "password": "correct horse battery staple",
    }
    response = client.post("/admin/login", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert NOT_A_FILE in page


def test_a_file_field_still_takes_its_file(app, client):
    with app.app_context():
        make_admin()
    assert sign_in(client).status_code == 302
    token = csrf_token(client, "/admin/programs/import")
    data = {"csrf_token": token, "csv_file": (io.BytesIO(b"a,b\n"), "x.csv"), "dry_run": "y"}
    response = client.post("/admin/programs/import", data=data, content_type="multipart/form-data")
    assert response.status_code < 500 and NOT_A_FILE not in response.get_data(as_text=True)
    sent_as_file = {**data, "dry_run": (io.BytesIO(b"y"), "dry.txt")}
    sent_as_file["csv_file"] = (io.BytesIO(b"a,b\n"), "x.csv")
    response = client.post(
        "/admin/programs/import", data=sent_as_file, content_type="multipart/form-data"
    )
    assert response.status_code == 422 and NOT_A_FILE in response.get_data(as_text=True)


# --- Every form endpoint, every kind of body ---------------------------------------------


def form_endpoints(app) -> list[tuple[str, str]]:
    """(rule, method) of every route outside the JSON API that takes an unsafe method."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & set(UNSAFE)):
            with app.test_request_context(concrete(rule.rule)):
                if not wants_json():
                    found.append((rule.rule, method))
    return sorted(found)


def concrete(rule: str) -> str:
    """The rule with every argument 1 (the fixture makes row 1 of each table)."""
    parts = []
    for piece in rule.split("<"):
        name, sep, rest = piece.partition(">")
        parts.append("1" + rest if sep else piece)
    return "".join(parts)


@pytest.fixture
def rows(app):
    """Row 1 of everything a form endpoint's URL can name, and the people to sign in."""
    with app.app_context():
        make_admin()
        school = make_school("Alder Technical College")
        program = make_program(school, zip_code="60601")
        lead = make_lead(program, created_at=utcnow())
        user = make_school_user(school, SCHOOL_EMAIL)
        create_token(school.id, user.email)
        add_webhook(school.id, "http://127.0.0.1:9/in", production=False)
        queue_deliveries(lead.id, school.id, utcnow())
        request_return(
            school.id, lead.id, "wrong_number", "", Actor(user.email, user.id), utcnow(), 30
        )
        list(export_leads_csv(ExportOptions(), ExportActor("test", "cli")))
        draft = ContactDraft("Ann", "ann@example.com", "question", "Hello")
        save_contact_message(draft, "nonce-1")
        make_open_privacy_request("ann@example.com", "Ann", "IL", "nonce-2")
        return {"lead": lead.id}


def signed_in_clients(app) -> dict[str, tuple]:
    """A client and a CSRF token for each kind of visitor: anonymous, admin, school user."""
    with app.app_context():
        user = db.session.query(SchoolUser).filter_by(email=SCHOOL_EMAIL).one()
        user.is_enabled = True
        db.session.commit()
    anonymous, admin, school = app.test_client(), app.test_client(), app.test_client()
    assert sign_in(admin).status_code == 302
    assert sign_in_school(school, SCHOOL_EMAIL).status_code == 302
    return {
        "anonymous": (anonymous, csrf_token(anonymous, "/contact")),
        "admin": (admin, form_inputs(admin.get("/admin").get_data(as_text=True))["csrf_token"]),
        "school": (school, csrf_token(school, "/school/api-tokens")),
    }


def who(path: str) -> str:
    """Which visitor the endpoint is for."""
    if path.endswith("/login"):
        return "anonymous"
    if path.startswith("/admin"):
        return "admin"
    return "school" if path.startswith("/school") else "anonymous"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | hostile_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=4),
    max_leaves=12,
)
invalid_utf8 = st.sampled_from(
    [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80"]
)
raw_text = st.one_of(
    hostile_text.map(lambda text: text.encode("utf-8")),
    st.builds(lambda a, b: a + b, invalid_utf8, st.binary(max_size=8)),
    st.binary(max_size=40),
)


def deep(opening: bytes, closing: bytes) -> bytes:
    return opening * 1000 + b"1" + closing * 1000


def json_body(names: list[str]):
    """A JSON body: any value, an object of the forms' fields, or nested 1,000 deep."""
    objects = st.dictionaries(st.sampled_from(names), json_values, max_size=6)
    encoded = st.one_of(json_values, objects).map(lambda v: json.dumps(v).encode())
    nested = st.sampled_from([deep(b"[", b"]"), deep(b'{"a":', b"}"), b"[" * 1000])
    return st.tuples(st.just("application/json"), encoded | nested)


def urlencoded_body(names: list[str], token: str):
    """A form body of the forms' field names (the CSRF token mostly right), raw bytes allowed."""
    pair = st.tuples(st.sampled_from(names).map(str.encode) | raw_text, raw_text)

    def encode(pairs, with_token):
        fields = [(b"csrf_token", token.encode())] if with_token else []
        fields += pairs
        return b"&".join(
            quote_from_bytes(k).encode() + b"=" + quote_from_bytes(v).encode() for k, v in fields
        )

    raw = st.builds(lambda a, b: a + b"=" + b, raw_text, raw_text)  # not even percent-encoded
    encoded = st.builds(encode, st.lists(pair, max_size=8), st.booleans())
    return st.tuples(st.just("application/x-www-form-urlencoded"), encoded | raw)


def multipart_body(names: list[str], token: str):
    """A multipart body: text and file parts under the forms' names, any bytes inside."""
    part = st.tuples(
        st.sampled_from(names) | hostile_text.filter(lambda n: '"' not in n and "\r" not in n),
        st.none() | st.sampled_from(["x.csv", "a.txt", "", "../../etc/passwd", "ä.bin"]),
        raw_text,
    )

    def encode(parts, with_token):
        boundary = b"----portalboundary7MA4YWxk"
        chunks = []
        if with_token:
            parts = [("csrf_token", None, token.encode()), *parts]
        for name, filename, content in parts:
            disposition = b'form-data; name="' + name.encode("utf-8", "replace") + b'"'
            if filename is not None:
                disposition += b'; filename="' + filename.encode() + b'"'
            head = b"Content-Disposition: " + disposition + b"\r\n"
            if filename is not None:
                head += b"Content-Type: application/octet-stream\r\n"
            chunks.append(b"--" + boundary + b"\r\n" + head + b"\r\n" + content + b"\r\n")
        body = b"".join(chunks) + b"--" + boundary + b"--\r\n"
        return "multipart/form-data; boundary=" + boundary.decode(), body

    return st.builds(encode, st.lists(part, max_size=6), st.booleans())


def other_body():
    """Bodies with a type no form reads, a broken one, or none at all."""
    types = st.sampled_from(
        [
            "text/plain",
            "application/xml",
            "application/octet-stream",
            "text/html; charset=utf-8",
            "application/json; charset=latin-1",
            "application/merge-patch+json",
            "multipart/form-data",  # no boundary
            "multipart/mixed; boundary=x",
            "application/x-www-form-urlencoded; charset=utf-16",
            "",
        ]
    )
    return st.tuples(types, st.binary(min_size=1, max_size=60))


def bodies(names: list[str], token: str):
    return st.one_of(
        json_body(names), urlencoded_body(names, token), multipart_body(names, token), other_body()
    )


def post_bodies(client, token: str, path: str, method: str, names: list[str]) -> None:
    """Send EXAMPLES_PER_ENDPOINT bodies to one endpoint: never a 5xx; non-forms a 415."""

    @settings(
        max_examples=EXAMPLES_PER_ENDPOINT,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(body=bodies(names, token))
    def post_it(body):
        content_type, data = body
        headers = {"X-CSRFToken": token}
        if content_type:
            headers["Content-Type"] = content_type
        response = client.open(path, method=method, data=data, headers=headers)
        text = response.get_data(as_text=True)
        assert response.status_code < 500, (method, path, content_type, data[:200], text[:500])
        for sign in TRACEBACK_SIGNS:
            assert sign not in text
        if content_type.split(";")[0].strip().lower() not in FORM_TYPES:
            assert response.status_code == 415, (method, path, content_type)

    post_it()


def test_no_body_sent_to_any_form_endpoint_is_a_server_error(app, rows):
    endpoints = form_endpoints(app)
    assert len(endpoints) > 30 and ("/contact", "POST") in endpoints
    names = field_names()
    for rule, method in endpoints:
        path = concrete(rule)
        client, token = signed_in_clients(app)[who(path)]
        post_bodies(client, token, path, method, names)

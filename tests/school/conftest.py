"""Fixtures for the schools' area: two schools, A and B, each with a listing, leads, a user
and an API token; clients signed in as A's user and as an admin."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from portal.models import utcnow
from portal.services import accounts
from portal.services.school_api import create_token
from tests.support.factories import (
    make_admin,
    make_lead,
    make_program,
    make_school,
    make_school_user,
)
from tests.support.forms import sign_in, sign_in_school


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """scrypt at a tiny work factor, so sign-in tests stay fast."""
    monkeypatch.setattr(accounts, "PASSWORD_HASH_METHOD", "scrypt:1024:8:1")


@dataclass
class SchoolData:
    """What a test knows of one school: ids, its user's email, its token, distinctive text."""

    id: int
    name: str
    program_id: int
    campus_id: int | None
    lead_ids: list[int] = field(default_factory=list)
    user_email: str = ""
    user_id: int = 0
    token: str = ""
    token_id: int = 0
    marker: str = ""  # a last name only this school's leads have


def _school(name: str, marker: str, zip_code: str) -> SchoolData:
    school = make_school(name)
    program = make_program(school, zip_code=zip_code, title=f"{marker} Program")
    now = utcnow()
    lead_ids = [
        make_lead(
            program, last_name=f"{marker}{i}", created_at=now - timedelta(days=i, minutes=5)
        ).id
        for i in range(3)
    ]
    user = make_school_user(school, f"staff@{marker.lower()}.example")
    row, token = create_token(school.id, user.email)
    return SchoolData(
        id=school.id,
        name=name,
        program_id=program.id,
        campus_id=program.campus_id,
        lead_ids=lead_ids,
        user_email=user.email,
        user_id=user.id,
        token=token,
        token_id=row.id,
        marker=marker,
    )


@pytest.fixture
def schools(app):
    """Schools A and B with three leads each (today, yesterday, two days ago)."""
    with app.app_context():
        return {
            "A": _school("Alder Technical College", "Alderson", "60601"),
            "B": _school("Birch Health Academy", "Birchwood", "10001"),
        }


@pytest.fixture
def school_client(client, schools):
    """A test client signed in as school A's user."""
    response = sign_in_school(client, schools["A"].user_email)
    assert response.status_code == 302
    return client


@pytest.fixture
def admin_client(app, client):
    """A test client signed in as an admin."""
    with app.app_context():
        make_admin()
    assert sign_in(client).status_code == 302
    return client

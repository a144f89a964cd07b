"""create-school-user and school-tokens create, through the CLI runner."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import SchoolApiToken, SchoolUser
from portal.services.school_accounts import authenticate_school
from portal.services.school_api import token_sha256
from tests.support.factories import make_school

GOOD = "a long enough password"


@pytest.mark.parametrize("by", ["id", "name"])
def test_create_school_user_by_id_or_exact_name(app, runner, by):
    with app.app_context():
        school = make_school("Elm Valley College")
        db.session.commit()
        school_id = school.id
    which = str(school_id) if by == "id" else "Elm Valley College"
    result = runner.invoke(
        args=["create-school-user", "Dean@Elm.example", "--school", which, "--password-stdin"],
        input=GOOD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created school user dean@elm.example of Elm Valley College." in result.output
    with app.app_context():
        user = db.session.scalars(select(SchoolUser)).one()
        assert user.school_id == school_id and GOOD not in user.password_hash
        assert user.password_hash.startswith("scrypt:")
        assert authenticate_school("dean@elm.example", GOOD, "192.0.2.1") is not None


def test_create_school_user_refuses_what_it_should(app, runner):
    with app.app_context():
        make_school("Elm Valley College")
        db.session.commit()
    unknown = runner.invoke(
        args=["create-school-user", "a@b.example", "--school", "Elm", "--password-stdin"],
        input=GOOD + "\n",
    )
    assert unknown.exit_code == 2 and "No school has the id or name 'Elm'" in unknown.output
    short = runner.invoke(
        args=["create-school-user", "a@b.example", "--school", "1", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    args = ["create-school-user", "a@b.example", "--school", "1", "--password-stdin"]
    assert runner.invoke(args=args, input=GOOD + "\n").exit_code == 0
    again = runner.invoke(args=args, input=GOOD + "\n")
    assert again.exit_code == 1 and "already exists" in again.output


def test_school_tokens_create_prints_the_token_once_as_the_last_line(app, runner, client):
    with app.app_context():
        make_school("Elm Valley College")
        db.session.commit()
    result = runner.invoke(args=["school-tokens", "create", "Elm Valley College"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    with app.app_context():
        row = db.session.scalars(select(SchoolApiToken)).one()
        assert row.token_sha256 == token_sha256(token) and token not in row.prefix + "x"
    response = client.get("/api/v1/leads", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert runner.invoke(args=["school-tokens", "create", "99"]).exit_code == 2

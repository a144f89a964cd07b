"""The admin's listing editor: a listing's details (what visitors decide on) and a school's
response time, with problems beside their fields."""

import re
from datetime import date

import pytest

from portal.extensions import db
from portal.models import Program, School
from tests.support.factories import make_program, make_school
from tests.support.forms import csrf_token, form_inputs


@pytest.fixture
def program_id(app) -> int:
    with app.app_context():
        return make_program(
            make_school("Lakeside Health Institute"),
            title="Medical Office Administration",
            tuition_min_cents=1_240_000,
            schedule=("evenings",),
            next_start_dates=(date(2027, 1, 4),),
        ).id


def details_url(program_id: int) -> str:
    return f"/admin/programs/{program_id}/details"


def good_details(token: str) -> dict:
    return {
        "csrf_token": token,
        "tuition_min": "12400.50",
        "tuition_max": "16,200",
        "schedule": ["full_time", "weekends"],
        "starts-0": "2027-03-01",
        "starts-1": "",
        "starts-2": "2027-01-04",
        "accreditation": "Accrediting Bureau of Health Education Schools (ABHES)",
        "financial_aid": "yes",
        "program_url": "https://lakeside.example/moa",
    }


def test_the_programs_list_links_each_listings_details(admin_client, program_id):
    html = admin_client.get("/admin/programs").get_data(as_text=True)
    assert f'href="/admin/programs/{program_id}/details">Edit details</a>' in html


def test_the_form_shows_what_is_stored(admin_client, program_id):
    html = admin_client.get(details_url(program_id)).get_data(as_text=True)
    values = form_inputs(html)
    assert values["tuition_min"] == "12400.00" and values["tuition_max"] == ""
    assert values["starts-0"] == "2027-01-04" and values["starts-5"] == ""
    assert re.search(r'<input[^>]*checked[^>]*value="evenings"', html)
    assert "Start date 6" in html and "<legend>Schedule</legend>" in html


def test_saving_the_details(app, admin_client, program_id):
    token = csrf_token(admin_client, details_url(program_id))
    data = good_details(token) | {"tuition_max": "16200"}
    response = admin_client.post(details_url(program_id), data=data, follow_redirects=True)
    assert response.status_code == 200
    assert "Details of Medical Office Administration saved." in response.get_data(as_text=True)
    with app.app_context():
        program = db.session.get(Program, program_id)
        assert (program.tuition_min_cents, program.tuition_max_cents) == (1_240_050, 1_620_000)
        assert program.schedule == ("full_time", "weekends")
        assert program.next_start_dates == (date(2027, 1, 4), date(2027, 3, 1))
        assert program.accreditation.endswith("(ABHES)") and program.financial_aid is True
        assert program.program_url == "https://lakeside.example/moa"
    page = admin_client.get(f"/programs/{program_id}").get_data(as_text=True)
    assert "$12,400.50–$16,200" in page and "Full-time, weekends" in page


def test_clearing_the_details(app, admin_client, program_id):
    token = csrf_token(admin_client, details_url(program_id))
    blank = {name: "" for name in good_details(token) if name not in ("csrf_token", "schedule")}
    data = blank | {"csrf_token": token}  # as a browser sends it: unticked boxes left out
    assert admin_client.post(details_url(program_id), data=data).status_code == 302
    with app.app_context():
        program = db.session.get(Program, program_id)
        assert program.details.problems() == {} and program.tuition_min_cents is None
        assert program.schedule == () and program.next_start_dates == ()
        assert program.financial_aid is None and program.program_url is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"tuition_min": "ten"}, "tuition_min", "Not a valid decimal value."),
        ({"tuition_min": "12.345"}, "tuition_min", "Use dollars with at most two decimals"),
        ({"tuition_min": "NaN"}, "tuition_min", "Use dollars with at most two decimals"),
        ({"tuition_min": "-5"}, "tuition_min", "Use an amount from 0 to 1,000,000."),
        ({"tuition_min": "", "tuition_max": "500"}, "tuition_max", "Give the lowest tuition"),
        ({"tuition_max": "100"}, "tuition_max", "Use an amount from the lowest tuition up"),
        ({"schedule": ["nights"]}, "schedule", "Use only full_time, part_time"),
        ({"starts-0": "2027-02-30"}, "starts-0", "Not a valid date value."),
        ({"accreditation": "A" * 201}, "accreditation", "Field cannot be longer than 200"),
        ({"program_url": "lakeside.example"}, "program_url", "Use a web address starting with"),
        ({"program_url": "https://x.example/\x00"}, "program_url", "Remove the control characters"),
        ({"financial_aid": "maybe"}, "financial_aid", "Not a valid choice."),
    ],
)
def test_problems_show_beside_their_fields(app, admin_client, program_id, changes, field, message):
    token = csrf_token(admin_client, details_url(program_id))
    data = good_details(token) | {"tuition_max": ""} | changes
    response = admin_client.post(details_url(program_id), data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(rf'<p class="field-error" id="{field}-error" role="alert">([^<]*)</p>', html)
    assert error and message in error[1], html[html.find("field-error") - 200 :][:600]
    with app.app_context():
        assert db.session.get(Program, program_id).tuition_min_cents == 1_240_000


def test_details_need_csrf_and_a_real_listing(admin_client, program_id):
    assert admin_client.post(details_url(program_id), data={}).status_code == 400
    assert admin_client.get(details_url(999999)).status_code == 404


def test_a_schools_response_time_is_set_on_its_page(app, admin_client, program_id):
    with app.app_context():
        school_id = db.session.get(Program, program_id).school_id
    page = admin_client.get(f"/admin/schools/{school_id}").get_data(as_text=True)
    assert "contacts them within 24 hours" in page
    url = f"/admin/schools/{school_id}/settings"
    assert f'href="{url}"' in page
    token = csrf_token(admin_client, url)
    response = admin_client.post(url, data={"csrf_token": token, "response_hours": "4"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(School, school_id).response_hours == 4


@pytest.mark.parametrize(
    ("hours", "message"),
    [("0", "Use a whole number from 1 to 720."), ("721", "from 1 to 720"), ("", "Enter a number")],
)
def test_a_response_time_out_of_range_is_refused(app, admin_client, program_id, hours, message):
    with app.app_context():
        school_id = db.session.get(Program, program_id).school_id
    url = f"/admin/schools/{school_id}/settings"
    token = csrf_token(admin_client, url)
    response = admin_client.post(url, data={"csrf_token": token, "response_hours": hours})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert admin_client.get("/admin/schools/999999/settings").status_code == 404

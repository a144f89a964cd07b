"""The lead form as tests use it: opened as a browser would, filled in, and what it stored."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Lead, Program, today_utc
from tests.support.factories import make_program
from tests.support.forms import form_inputs

GOOD_ANSWERS = {
    "first_name": "Jane",
    "last_name": "Doe",
    "email": "Jane.Doe@Example.COM",
    "phone": "(312) 555-0142",
    "zip_code": "60601",
    "education_level": "high_school",
    "start_timeframe": "within_1_month",
    "consent": "y",
}


def form_url(program_id: int, zip_code: str = "60601", radius: int | None = None) -> str:
    """The request-info address as the search results link to it."""
    url = f"/programs/{program_id}/request-info?zip={zip_code}"
    return url + (f"&radius={radius}" if radius else "")


def open_form(client, program_id: int, **url_args) -> dict[str, str]:
    """GET the form; return its hidden fields (CSRF token, time stamp, radius)."""
    response = client.get(form_url(program_id, **url_args))
    assert response.status_code == 200, response.status_code
    values = form_inputs(response.get_data(as_text=True))
    return {key: values[key] for key in ("csrf_token", "started", "radius")}


def submit(client, program_id: int, /, url_args: dict | None = None, headers=None, **answers):
    """Open the form, then POST it with GOOD_ANSWERS changed by `answers` (None drops a field)."""
    data = open_form(client, program_id, **(url_args or {}))
    data.update(GOOD_ANSWERS)
    data.update(answers)
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(form_url(program_id, **(url_args or {})), data=data, headers=headers)


def lead_count(app, **where) -> int:
    """How many leads are stored, optionally only those with these column values."""
    with app.app_context():
        query = select(func.count()).select_from(Lead)
        for column, value in where.items():
            query = query.where(getattr(Lead, column) == value)
        return db.session.scalar(query)


def all_leads(app) -> list[Lead]:
    """Every stored lead, oldest first (detached, so readable outside the context)."""
    with app.app_context():
        leads = list(db.session.scalars(select(Lead).order_by(Lead.id)))
        db.session.expunge_all()
        return leads


def listing(app, **fields) -> int:
    """Another listing made by make_program(**fields); returns its id."""
    with app.app_context():
        return make_program(**fields).id


def fill_today(app, program_id: int) -> None:
    """Record today's lead count as equal to the listing's daily cap."""
    with app.app_context():
        sponsorship = db.session.get(Program, program_id).sponsorship
        sponsorship.count_day, sponsorship.day_count = today_utc(), sponsorship.daily_cap
        db.session.commit()

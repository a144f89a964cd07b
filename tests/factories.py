"""Small functions that make valid rows for tests, with overridable defaults."""

import itertools
from datetime import date

from portal.extensions import db
from portal.models import Campus, Program, ProgramState, School, Sponsorship, ZipCode

_counter = itertools.count(1)


def make_school(name: str | None = None, **fields) -> School:
    """A school, named uniquely unless a name is given."""
    school = School(name=name or f"Demo School {next(_counter)}", **fields)
    db.session.add(school)
    db.session.flush()
    return school


def make_campus(school: School, zip_code: str = "60601", **fields) -> Campus:
    """A campus at the centre of `zip_code` unless coordinates are given."""
    zip_row = db.session.get(ZipCode, zip_code)
    values = {
        "name": f"{zip_row.city} campus",
        "address": f"{next(_counter)} Main St",
        "city": zip_row.city,
        "state": zip_row.state,
        "zip_code": zip_code,
        "latitude": zip_row.latitude,
        "longitude": zip_row.longitude,
    }
    values.update(fields)
    campus = Campus(school=school, **values)
    db.session.add(campus)
    db.session.flush()
    return campus


def make_program(
    school: School | None = None,
    campus: Campus | None = None,
    *,
    modality: str = "campus",
    states: tuple[str, ...] = (),
    bid_cents: int = 2500,
    starts_on: date = date(2020, 1, 1),
    ends_on: date | None = None,
    daily_cap: int | None = None,
    monthly_cap: int | None = None,
    zip_code: str = "60601",
    **fields,
) -> Program:
    """A sponsored listing; a campus listing gets a campus at `zip_code` unless one is given."""
    school = school or (campus.school if campus else make_school())
    if modality != "online" and campus is None:
        campus = make_campus(school, zip_code)
    n = next(_counter)
    values = {
        "external_id": f"EXT-{n}",
        "career": "medical-office-manager",
        "title": f"Medical Office Management {n}",
        "credential_level": "certificate",
        "duration": "6 months",
        "description": "A demo program.",
        "is_active": True,
    }
    values.update(fields)
    program = Program(school=school, campus=campus, modality=modality, **values)
    program.states = [ProgramState(state=s) for s in states]
    program.sponsorship = Sponsorship(
        bid_cents=bid_cents,
        starts_on=starts_on,
        ends_on=ends_on,
        daily_cap=daily_cap,
        monthly_cap=monthly_cap,
        day_count=0,
        month_count=0,
    )
    db.session.add(program)
    db.session.commit()
    return program

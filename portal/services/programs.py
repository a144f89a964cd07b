"""Program listings as the other services load them: by id, with their school and campus;
and what admin lists can be filtered by."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import Program, School


class ProgramNotFound(LookupError):
    """No listing with that id (or, where a visitor asks, none that is active)."""


def load_programs(ids: Sequence[int]) -> list[Program]:
    """The listings with these ids, school and campus loaded, in the order of `ids`."""
    if not ids:
        return []
    rows = db.session.scalars(
        select(Program)
        .options(joinedload(Program.school), joinedload(Program.campus))
        .where(Program.id.in_(ids))
    )
    by_id = {program.id: program for program in rows}
    return [by_id[i] for i in ids if i in by_id]


@dataclass(frozen=True)
class FilterChoices:
    """What the lead filters can be set to: schools, programs and careers that exist."""

    schools: list[tuple[int, str]]
    programs: list[tuple[int, str]]
    careers: list[str]


def filter_choices(with_programs: bool = True) -> FilterChoices:
    """The schools, programs (unless not wanted) and careers an admin can filter lists by."""
    schools = db.session.execute(select(School.id, School.name).order_by(School.name)).all()
    programs = []
    if with_programs:
        programs = db.session.execute(
            select(Program.id, School.name, Program.title, Program.external_id)
            .join(School, School.id == Program.school_id)
            .order_by(School.name, Program.title, Program.id)
        ).all()
    careers = db.session.scalars(select(Program.career).distinct().order_by(Program.career))
    return FilterChoices(
        schools=[(sid, name) for sid, name in schools],
        programs=[(pid, f"{school}: {title} ({ext})") for pid, school, title, ext in programs],
        careers=list(careers),
    )

"""Program listings as the other services load them: by id, with their school and campus."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import Program


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

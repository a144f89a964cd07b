"""The careers a program can be listed under: the career guides' own list, in one place.

The search form, the CSV import and the demo data all ask here, so a listing can only name a
career that has a guide page.
"""

from functools import cache

from portal.guides.content import Career, all_careers, find_career


@cache
def known_careers() -> tuple[Career, ...]:
    """Every career a listing may belong to, in alphabetical order of name."""
    return tuple(sorted(all_careers(), key=lambda c: c.name.lower()))


def career_name(slug: str | None) -> str | None:
    """The name of the career with this slug, or None when there is no such career."""
    career = find_career(slug) if slug else None
    return career.name if career else None

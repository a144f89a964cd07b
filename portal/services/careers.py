"""The careers the site covers, as data: the guides' content files, loaded once, checked,
with every figure derived from them. Services (search choices, the import, the demo data) and
the guide pages read careers here, so a listing can only name a career that has a page.
"""

import json
import re
import string
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
MONTHS_PER_YEAR = 12
HOURS_PER_YEAR = 2080  # 40 hours x 52 weeks, the convention BLS uses to turn annual pay hourly
FEATURED_SLUG = "medical-office-manager"
SLUG_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class GuideDataError(ValueError):
    """Raised when a content file misses a field or holds an impossible value."""


def _round(value: Decimal, places: str) -> Decimal:
    """Round half up (as people do), not to even (as Python's round does)."""
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def format_money(amount: int | Decimal, cents: bool = False) -> str:
    """Format dollars as '$77,060', or '$37.05' with cents."""
    return f"${amount:,.2f}" if cents else f"${amount:,.0f}"


def format_count(number: int | Decimal) -> str:
    """Format a whole number with thousands separators: 143,900."""
    return f"{number:,.0f}"


@dataclass(frozen=True)
class Pay:
    """One annual salary with the monthly and hourly figures derived from it."""

    annual: int

    @property
    def monthly(self) -> Decimal:
        """Annual pay over 12 months, to the dollar."""
        return _round(Decimal(self.annual) / MONTHS_PER_YEAR, "1")

    @property
    def hourly(self) -> Decimal:
        """Annual pay over 2,080 working hours, to the cent."""
        return _round(Decimal(self.annual) / HOURS_PER_YEAR, "0.01")

    def amount(self, view: str) -> int | Decimal:
        """The figure for a pay view: annual, monthly or hourly."""
        return {"annual": self.annual, "monthly": self.monthly, "hourly": self.hourly}[view]

    def text(self, view: str = "annual") -> str:
        """The figure for a pay view, formatted for reading."""
        return format_money(self.amount(view), cents=view == "hourly")


@dataclass(frozen=True)
class StateSalary:
    """A state's (or territory's) average salary; pay is None where the source has none."""

    name: str
    pay: Pay | None


@dataclass(frozen=True)
class Percentile:
    """One point of the national wage distribution, e.g. the 25th percentile."""

    rank: int
    pay: Pay

    @property
    def label(self) -> str:
        """'10th', '50th (median)' ..."""
        return f"{self.rank}th (median)" if self.rank == 50 else f"{self.rank}th"


@dataclass(frozen=True)
class Projection:
    """Employment at a start and end year, with the change derived from the two."""

    start_year: int
    start: int
    end_year: int
    end: int

    @property
    def change(self) -> int:
        """Jobs added between the two years."""
        return self.end - self.start

    @property
    def percent(self) -> Decimal:
        """The change as a percentage of the start, to one decimal place."""
        return _round(Decimal(self.change) * 100 / self.start, "0.1")

    @property
    def per_year(self) -> Decimal:
        """The change spread evenly over the years, to the job."""
        return _round(Decimal(self.change) / (self.end_year - self.start_year), "1")

    @property
    def percent_text(self) -> str:
        """'+16.9%' (or '-2.0%' for a fall)."""
        return f"{self.percent:+}%"


@dataclass(frozen=True)
class Source:
    """Where figures of a guide come from: the publisher, its survey (or document) and date, and
    the occupation the figures describe with its code (None where the source names none)."""

    id: str
    publisher: str
    survey: str
    survey_short: str  # how the survey is named beside a figure ("BLS OEWS")
    date: str
    occupation: str | None
    code: str | None
    url: str | None
    used_for: str  # which of the guide's figures it gives
    note: str

    @property
    def cite(self) -> str:
        """How a figure names its source where it is shown: occupation, code, survey, date."""
        occupation = self.occupation or "occupation not named"
        code = self.code or "no occupation code given"
        return f"{occupation} ({code}), {self.survey_short}, {self.date}"


class Prose(str):
    """A sentence of a guide with its figures filled in; `sources` names where they come from
    (ids of the guide's sources), in the order the figures appear."""

    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Career:
    """A career the site has a page for, in one of the careers index's groups."""

    slug: str
    name: str
    summary: str
    has_guide: bool
    group: str = ""


@dataclass(frozen=True)
class CareerGroup:
    """A group of the careers index (clinical, office and administration...), its careers in
    alphabetical order."""

    key: str
    name: str
    careers: tuple[Career, ...]


@dataclass(frozen=True)
class Guide:
    """A full career guide: its text sections (placeholders filled) and its figures."""

    slug: str
    text: dict
    average: Pay
    experienced: Pay
    percentiles: tuple[Percentile, ...]
    states: tuple[StateSalary, ...]
    top_states: tuple[StateSalary, ...]
    projection: Projection
    reviewed: date  # when an editor last checked the guide against its sources
    sources: dict  # id -> Source, in the content file's order

    @property
    def missing_states(self) -> tuple[str, ...]:
        """States the salary table has no figure for."""
        return tuple(s.name for s in self.states if s.pay is None)


def _get(data: dict, path: str, kind: type | tuple):
    """Read a dotted path from loaded JSON, failing clearly when it is missing or mistyped."""
    value = data
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            raise GuideDataError(f"missing field {path!r}")
        value = value[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise GuideDataError(f"field {path!r} should be {kind}, not {type(value).__name__}")
    return value


def _read_json(path: Path) -> dict:
    """Read one content file."""
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def top_states(states: tuple[StateSalary, ...], count: int) -> tuple[StateSalary, ...]:
    """The best-paid states, highest first; states without data never count."""
    known = [s for s in states if s.pay is not None]
    return tuple(sorted(known, key=lambda s: (-s.pay.annual, s.name))[:count])


def _figures(
    data: dict, average: Pay, experienced: Pay, top: tuple, projection: Projection
) -> dict[str, tuple[str, str | None]]:
    """The formatted figures that prose in a content file may name as {placeholders}, each with
    the id of its source (None for what is not a figure: a year, a state's name)."""
    pay = data["salary"]["source"]
    states = data["states"]["source"]
    jobs = data["outlook"]["employment"]["source"]
    return {
        "average": (average.text(), pay),
        "average_hourly": (average.text("hourly"), pay),
        "experienced_annual": (experienced.text(), data["salary"]["experienced"]["source"]),
        "top_state": (top[0].name, None),
        "top_state_salary": (top[0].pay.text(), states),
        "start_year": (str(projection.start_year), None),
        "end_year": (str(projection.end_year), None),
        "employment_start": (format_count(projection.start), jobs),
        "employment_end": (format_count(projection.end), jobs),
        "employment_change": (format_count(projection.change), jobs),
        "growth_pct": (f"{projection.percent}%", jobs),
        "per_year": (format_count(projection.per_year), jobs),
    }


def _fill(value, figures: dict[str, tuple[str, str | None]]):
    """Replace {placeholders} in every string of loaded JSON; an unknown name is an error. A
    string that names figures becomes Prose that knows their sources."""
    if isinstance(value, dict):
        return {key: _fill(item, figures) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, figures) for item in value]
    if isinstance(value, str):
        names = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
        unknown = set(names) - figures.keys()
        if unknown:
            raise GuideDataError(f"unknown placeholder(s) {sorted(unknown)} in {value[:40]!r}")
        if not names:
            return value
        prose = Prose(value.format_map({name: text for name, (text, _) in figures.items()}))
        sources = (figures[name][1] for name in names)
        prose.sources = tuple(dict.fromkeys(source for source in sources if source))
        return prose
    return value


def _sources(data: dict) -> dict[str, Source]:
    """The guide's sources by id, each checked; every figure's `source` must name one."""
    found = {}
    for row in _get(data, "sources", list):
        source = Source(
            id=_get(row, "id", str),
            publisher=_get(row, "publisher", str),
            survey=_get(row, "survey", str),
            survey_short=row.get("survey_short") or _get(row, "survey", str),
            date=_get(row, "date", str),
            occupation=row.get("occupation"),
            code=row.get("code"),
            url=row.get("url"),
            used_for=_get(row, "used_for", str),
            note=_get(row, "note", str),
        )
        if source.id in found:
            raise GuideDataError(f"source {source.id!r} appears twice")
        found[source.id] = source
    if not found:
        raise GuideDataError("a guide needs a sources list")
    named = {
        "salary.source": _get(data, "salary.source", str),
        "salary.experienced.source": _get(data, "salary.experienced.source", str),
        "states.source": _get(data, "states.source", str),
        "outlook.employment.source": _get(data, "outlook.employment.source", str),
        "durations.source": _get(data, "durations.source", str),
    }
    for n, item in enumerate(_get(data, "reconciling.items", list)):
        named[f"reconciling.items.{n}.source"] = _get(item, "source", str)
    for field, source in named.items():
        if source not in found:
            raise GuideDataError(f"{field} names an unknown source {source!r}")
    return found


def build_guide(data: dict) -> Guide:
    """Check a guide's loaded JSON and derive its figures (pure: no file access)."""
    sources = _sources(data)
    average = Pay(_get(data, "salary.average", int))
    experienced = Pay(_get(data, "salary.experienced.annual", int))
    percentiles = tuple(
        Percentile(_get(p, "percentile", int), Pay(_get(p, "annual", int)))
        for p in _get(data, "salary.percentiles", list)
    )
    ranks = [p.rank for p in percentiles]
    amounts = [p.pay.annual for p in percentiles]
    if ranks != sorted(set(ranks)) or amounts != sorted(amounts):
        raise GuideDataError("percentiles must rise with their rank")
    states = []
    for row in _get(data, "states.rows", list):
        annual = row.get("annual")
        if annual is not None and (not isinstance(annual, int) or annual <= 0):
            raise GuideDataError(f"bad salary for {row.get('name')!r}: {annual!r}")
        states.append(StateSalary(_get(row, "name", str), Pay(annual) if annual else None))
    names = [s.name for s in states]
    if len(names) != len(set(names)):
        raise GuideDataError("a state appears twice in the salary table")
    employment = _get(data, "outlook.employment", dict)
    projection = Projection(
        _get(employment, "start_year", int),
        _get(employment, "start", int),
        _get(employment, "end_year", int),
        _get(employment, "end", int),
    )
    if projection.end_year <= projection.start_year or projection.start <= 0:
        raise GuideDataError("the employment projection must run forward from a positive count")
    top = top_states(tuple(states), _get(data, "top_states.count", int))
    lengths = _get(data, "durations.items", list)
    if sum(1 for item in lengths if item.get("headline")) != 1:
        raise GuideDataError("durations.items needs exactly one headline length")
    if len(_get(data, "faq.items", list)) == 0:
        raise GuideDataError("a guide needs at least one FAQ")
    try:
        reviewed = date.fromisoformat(_get(data, "reviewed", str))
    except ValueError as error:
        raise GuideDataError("reviewed must be a date like 2026-11-30") from error
    figures = _figures(data, average, experienced, top, projection)
    return Guide(
        slug=_get(data, "slug", str),
        text=_fill(data, figures),
        average=average,
        experienced=experienced,
        percentiles=percentiles,
        states=tuple(states),
        top_states=top,
        projection=projection,
        reviewed=reviewed,
        sources=sources,
    )


@cache
def load_guide(slug: str) -> Guide | None:
    """The full guide for a career, or None when it has only a summary page."""
    path = CONTENT_DIR / "careers" / f"{slug}.json"
    if not SLUG_PATTERN.fullmatch(slug) or not path.is_file():
        return None
    guide = build_guide(_read_json(path))
    if guide.slug != slug:
        raise GuideDataError(f"{path.name} says its slug is {guide.slug!r}")
    return guide


def _sort_key(career: Career) -> str:
    """Alphabetical order of careers, as people read it (case aside)."""
    return career.name.casefold()


@cache
def all_careers() -> tuple[Career, ...]:
    """Every career with a page, in the order of the seed's More Medical Careers list."""
    data = _read_json(CONTENT_DIR / "careers.json")
    groups = {_get(group, "key", str) for group in _get(data, "groups", list)}
    careers = []
    for row in _get(data, "careers", list):
        slug = _get(row, "slug", str)
        if not SLUG_PATTERN.fullmatch(slug):
            raise GuideDataError(f"slug {slug!r} must be lowercase words joined by hyphens")
        group = _get(row, "group", str)
        if group not in groups:
            raise GuideDataError(f"career {slug!r} is in an unknown group {group!r}")
        has_guide = (CONTENT_DIR / "careers" / f"{slug}.json").is_file()
        name, summary = _get(row, "name", str), _get(row, "summary", str)
        careers.append(Career(slug, name, summary, has_guide, group))
    if len({c.slug for c in careers}) != len(careers):
        raise GuideDataError("a career slug appears twice in careers.json")
    return tuple(careers)


@cache
def career_groups() -> tuple[CareerGroup, ...]:
    """The careers index's groups, in the content file's order, each sorted by name."""
    data = _read_json(CONTENT_DIR / "careers.json")
    found = []
    for group in _get(data, "groups", list):
        key = _get(group, "key", str)
        members = sorted((c for c in all_careers() if c.group == key), key=_sort_key)
        if members:
            found.append(CareerGroup(key, _get(group, "name", str), tuple(members)))
    return tuple(found)


def find_career(slug: str) -> Career | None:
    """The career with this slug, or None."""
    return next((c for c in all_careers() if c.slug == slug), None)


@cache
def known_careers() -> tuple[Career, ...]:
    """Every career a listing may belong to, in alphabetical order of name."""
    return tuple(sorted(all_careers(), key=_sort_key))


def career_name(slug: str | None) -> str | None:
    """The name of the career with this slug, or None when there is no such career."""
    career = find_career(slug) if slug else None
    return career.name if career else None

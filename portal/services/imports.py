"""Program listings from CSV: parse, check every row, then write all of them or nothing.

Rows are matched to stored listings by `external_id`, schools by name and campuses by school,
ZIP and street address, so importing the same file twice changes nothing the second time.
The columns are documented in README.md ("Importing programs") and shown in
docs/programs-example.csv.
"""

import contextlib
import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import (
    CREDENTIAL_LEVELS,
    MODALITIES,
    Campus,
    Program,
    ProgramDetails,
    ProgramState,
    School,
    Sponsorship,
    SponsorshipTerms,
    ZipCode,
    program_details,
)
from portal.services.careers import known_careers
from portal.services.geo import InvalidZip, normalise_zip

COLUMNS = (
    "external_id",
    "school",
    "school_website",
    "campus_name",
    "campus_address",
    "campus_city",
    "campus_state",
    "campus_zip",
    "campus_latitude",
    "campus_longitude",
    "career",
    "title",
    "credential_level",
    "modality",
    "duration",
    "description",
    "active",
    "states",
    "bid_usd",
    "starts_on",
    "ends_on",
    "daily_cap",
    "monthly_cap",
    "tuition_min_usd",
    "tuition_max_usd",
    "schedule",
    "next_start_dates",
    "accreditation",
    "financial_aid",
    "program_url",
)
# The listing details' columns, by the ProgramDetails field each fills. A file without one of
# these columns leaves that detail of its listings as it is (new listings: blank).
DETAIL_COLUMNS = {
    "tuition_min_cents": "tuition_min_usd",
    "tuition_max_cents": "tuition_max_usd",
    "schedule": "schedule",
    "next_start_dates": "next_start_dates",
    "accreditation": "accreditation",
    "financial_aid": "financial_aid",
    "program_url": "program_url",
}
# Columns the header must have; the others may be left out (then every row has them blank).
REQUIRED_COLUMNS = (
    "external_id",
    "school",
    "career",
    "title",
    "credential_level",
    "modality",
    "duration",
    "bid_usd",
    "starts_on",
)
CAMPUS_COLUMNS = tuple(c for c in COLUMNS if c.startswith("campus_"))
TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0"}
MAX_LENGTHS = {
    "external_id": 64,
    "school": 200,
    "school_website": 300,
    "campus_name": 200,
    "campus_address": 200,
    "campus_city": 100,
    "title": 200,
    "duration": 64,
    "accreditation": 200,
    "program_url": 500,
}
# What "ALL" means in the states column: the fifty states and DC (list territories by code).
US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
    ]
)
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
# Dollars, maybe with thousands separators: 12500, 12,500, 12500.00, $12,500.50.
DOLLARS = re.compile(r"\d+(\.\d{1,2})?|\d{1,3}(,\d{3})+(\.\d{1,2})?")
LIST_SEPARATORS = re.compile(r"[\s,;]+")
# Control characters no listing needs (tab and line breaks may stay, in descriptions); NUL would
# not even reach PostgreSQL, which refuses it in text.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A report lists this many problems and counts the rest: a file of bad rows stays a short page.
MAX_REPORTED_ERRORS = 100
_CHUNK = 500


class RowInvalid(ValueError):
    """One row's value is not acceptable; the message says which and why."""


@dataclass(frozen=True)
class Record:
    """One record of the file: the line it starts on, and its values by column, or (when it
    cannot be read as a row) what is wrong with it."""

    line: int
    values: dict[str, str] | None = None
    problem: str | None = None


@dataclass(frozen=True)
class RowError:
    """A problem with the file: the line it is on (1 is the header) and what is wrong."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportReport:
    """What an import did, or would do on a dry run, or why it did nothing."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    schools_created: int = 0
    campuses_created: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)  # the first MAX_REPORTED_ERRORS
    error_count: int = 0

    @property
    def ok(self) -> bool:
        """Whether the file was accepted (nothing is written when it was not)."""
        return not self.error_count

    def add_error(self, line: int, reason: str) -> None:
        """Note a problem; only the first MAX_REPORTED_ERRORS are kept, all are counted."""
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(line, reason))


def _refused(dry_run: bool, line: int, *reasons: str) -> ImportReport:
    """A report of a file refused as a whole, for these reasons."""
    report = ImportReport(dry_run=dry_run)
    for reason in reasons:
        report.add_error(line, reason)
    return report


@dataclass(frozen=True)
class CampusValues:
    """A campus as a row describes it."""

    name: str
    address: str
    city: str
    state: str
    zip_code: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class ListingRow:
    """One checked row: a listing with its school, campus, states and sponsorship."""

    line: int
    external_id: str
    school: str
    school_website: str | None
    campus: CampusValues | None
    career: str
    title: str
    credential_level: str
    modality: str
    duration: str
    description: str
    is_active: bool
    states: frozenset[str]
    terms: SponsorshipTerms
    details: ProgramDetails
    # The ProgramDetails fields the file has columns for (the others are left as they are).
    detail_fields: frozenset[str] = frozenset()


def import_programs(stream: TextIO, dry_run: bool = False) -> ImportReport:
    """Import listings from a CSV text stream; with any bad row, or on a dry run, write nothing."""
    reader = csv.reader(stream)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        return _refused(dry_run, 1, "the file is empty")
    except csv.Error as error:
        return _refused(dry_run, 1, f"unreadable CSV: {error}")
    problems = _header_problems(header)
    if problems:
        return _refused(dry_run, 1, *problems)
    return save_listings(_records(reader, header), dry_run=dry_run)


def save_listings(records: Iterable[Record], dry_run: bool = False) -> ImportReport:
    """Check and store the records, all or nothing; return an ImportReport."""
    report = ImportReport(dry_run=dry_run)
    records = list(records)
    report.rows = sum(1 for record in records if record.values is not None)
    checker = _RowChecker([record.values for record in records if record.values is not None])
    rows: list[ListingRow] = []
    for record in records:
        if record.problem is not None:
            report.add_error(record.line, record.problem)
            continue
        try:
            rows.append(checker.check(record.line, record.values))
        except RowInvalid as error:
            report.add_error(record.line, str(error))
    if not report.ok:
        return report
    _upsert(rows, report)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return report


def _header_problems(header: list[str]) -> list[str]:
    """What is wrong with the header row, if anything."""
    problems = []
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)}")
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        problems.append(f"repeated column(s): {', '.join(duplicated)}")
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    return problems


def _records(reader, header: list[str]) -> Iterator[Record]:
    """The file's records after the header, blank lines skipped."""
    end = reader.line_num
    while True:
        start = end + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            end = reader.line_num
            yield Record(start, problem="unreadable CSV record")
            continue
        end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            yield Record(start, problem=f"{len(cells)} fields where the header has {len(header)}")
            continue
        yield Record(start, dict(zip(header, cells, strict=True)))


def _in_chunks(items: list, query) -> Iterator:
    """Every row of query(chunk) for the items, _CHUNK at a time (a bound on bind parameters)."""
    for start in range(0, len(items), _CHUNK):
        yield from db.session.scalars(query(items[start : start + _CHUNK]))


class _RowChecker:
    """Turns each record's text into a ListingRow, or raises RowInvalid saying why."""

    def __init__(self, records: list[dict[str, str]]):
        self.careers = {career.slug for career in known_careers()}
        self.states = set(db.session.scalars(select(ZipCode.state).distinct()))
        self.zips = self._zip_rows(values.get("campus_zip", "") for values in records)
        self.seen_ids: dict[str, int] = {}
        self.seen_campuses: dict[tuple, tuple[int, CampusValues]] = {}

    @staticmethod
    def _zip_rows(texts: Iterable[str]) -> dict[str, ZipCode]:
        """The ZIP rows of every well-formed campus ZIP, fetched in a few queries."""
        codes = set()
        for text in texts:
            with contextlib.suppress(InvalidZip):
                codes.add(normalise_zip(text))
        rows = _in_chunks(
            sorted(codes), lambda chunk: select(ZipCode).where(ZipCode.code.in_(chunk))
        )
        return {z.code: z for z in rows}

    def check(self, line: int, values: dict[str, str]) -> ListingRow:
        """The checked row, or RowInvalid with the first problem found."""
        text = _clean_text(values)
        external_id = self._new_external_id(line, text)
        school = _required(text, "school")
        modality = _one_of(text, "modality", MODALITIES)
        campus, states = self._place(line, school, modality, text)
        return ListingRow(
            line=line,
            external_id=external_id,
            school=school,
            school_website=_website(text),
            campus=campus,
            career=self._career(text),
            title=_required(text, "title"),
            credential_level=_one_of(text, "credential_level", CREDENTIAL_LEVELS),
            modality=modality,
            duration=_required(text, "duration"),
            description=text["description"],
            is_active=_boolean(text, "active"),
            states=states,
            terms=_terms(text),
            details=_details(text),
            detail_fields=frozenset(f for f, c in DETAIL_COLUMNS.items() if c in values),
        )

    def _new_external_id(self, line: int, text: dict[str, str]) -> str:
        """The row's external_id, which no earlier row of the file may have used."""
        external_id = _required(text, "external_id")
        if external_id in self.seen_ids:
            raise RowInvalid(
                f"external_id {external_id!r} is already used on line {self.seen_ids[external_id]}"
            )
        self.seen_ids[external_id] = line
        return external_id

    def _career(self, text: dict[str, str]) -> str:
        """The row's career, which must have a guide page."""
        career = _required(text, "career")
        if career not in self.careers:
            raise RowInvalid(
                f"career {career!r} is not a known career slug (such as medical-office-manager)"
            )
        return career

    def _place(self, line: int, school: str, modality: str, text: dict[str, str]):
        """Where the listing is found: (campus, no states), or (no campus, states) online."""
        if modality == "online":
            filled = [name for name in CAMPUS_COLUMNS if text[name]]
            if filled:
                raise RowInvalid(
                    f"an online listing has no campus; leave {', '.join(filled)} blank"
                )
            return None, self._states(text["states"])
        if text["states"]:
            raise RowInvalid(
                f"states is only for online listings; a {modality} listing is found by campus"
            )
        return self._campus(line, school, text), frozenset()

    def _states(self, text: str) -> frozenset[str]:
        """The states an online listing enrols in: codes separated by spaces, commas or ';'."""
        if text.upper() == "ALL":
            return US_STATES
        codes = [code.upper() for code in re.split(r"[\s,;]+", text) if code]
        if not codes:
            raise RowInvalid("states is required for an online listing (state codes, or ALL)")
        unknown = [code for code in codes if code not in self.states]
        if unknown:
            raise RowInvalid(f"states has unknown state code(s): {', '.join(unknown)}")
        return frozenset(codes)

    def _campus(self, line: int, school: str, text: dict[str, str]) -> CampusValues:
        """The campus of a campus or hybrid listing, completed from the ZIP table."""
        if not text["campus_zip"]:
            raise RowInvalid("campus_zip is required for a campus or hybrid listing")
        try:
            code = normalise_zip(text["campus_zip"])
        except InvalidZip as error:
            raise RowInvalid(
                f"campus_zip {text['campus_zip']!r} is not a 5-digit ZIP code"
            ) from error
        zip_row = self.zips.get(code)
        if zip_row is None:
            raise RowInvalid(f"campus_zip {code} is not a known ZIP code")
        address = _required(text, "campus_address")
        state = (text["campus_state"] or zip_row.state).upper()
        if state not in self.states:
            raise RowInvalid(f"campus_state {state!r} is not a known state code")
        latitude = _coordinate(text, "campus_latitude", 90)
        longitude = _coordinate(text, "campus_longitude", 180)
        if (latitude is None) != (longitude is None):
            raise RowInvalid("give both campus_latitude and campus_longitude, or neither")
        city = text["campus_city"] or zip_row.city
        campus = CampusValues(
            name=text["campus_name"] or f"{city} campus",
            address=address,
            city=city,
            state=state,
            zip_code=code,
            latitude=zip_row.latitude if latitude is None else latitude,
            longitude=zip_row.longitude if longitude is None else longitude,
        )
        key = (school, code, address)
        if key in self.seen_campuses and self.seen_campuses[key][1] != campus:
            raise RowInvalid(
                f"this campus is described differently on line {self.seen_campuses[key][0]}"
            )
        self.seen_campuses.setdefault(key, (line, campus))
        return campus


def _clean_text(values: dict[str, str]) -> dict[str, str]:
    """Every column's text, trimmed; RowInvalid for control characters or overlong text."""
    for name, value in values.items():
        if CONTROL_CHARACTERS.search(value):
            raise RowInvalid(f"{name} holds a control character (such as NUL); remove it")
    text = {name: (values.get(name) or "").strip() for name in COLUMNS}
    for name, limit in MAX_LENGTHS.items():
        if len(text[name]) > limit:
            raise RowInvalid(f"{name} is longer than {limit} characters")
    return text


def _website(text: dict[str, str]) -> str | None:
    """The school's web address, if given: http:// or https://."""
    website = text["school_website"] or None
    if website and not re.match(r"https?://\S+$", website):
        raise RowInvalid("school_website must be a web address starting with http:// or https://")
    return website


# The columns of the sponsorship terms' fields, for messages that name what to fix.
TERMS_COLUMNS = {
    "bid_cents": "bid_usd",
    "starts_on": "starts_on",
    "ends_on": "ends_on",
    "daily_cap": "daily_cap",
    "monthly_cap": "monthly_cap",
}


def _terms(text: dict[str, str]) -> SponsorshipTerms:
    """The row's sponsorship terms, which must keep their rules (SponsorshipTerms.problems)."""
    terms = SponsorshipTerms(
        bid_cents=_cents(text, "bid_usd"),
        starts_on=_date(text, "starts_on", required=True),
        ends_on=_date(text, "ends_on"),
        daily_cap=_count(text, "daily_cap"),
        monthly_cap=_count(text, "monthly_cap"),
    )
    problems = terms.problems()
    if problems:
        field, message = next(iter(problems.items()))
        raise RowInvalid(f"{TERMS_COLUMNS[field]}: {message}")
    return terms


def _details(text: dict[str, str]) -> ProgramDetails:
    """The row's listing details, which must keep their rules (ProgramDetails.problems)."""
    details = program_details(
        tuition_min_cents=_optional_cents(text, "tuition_min_usd"),
        tuition_max_cents=_optional_cents(text, "tuition_max_usd"),
        schedule=[
            code.lower().replace("-", "_")
            for code in LIST_SEPARATORS.split(text["schedule"])
            if code
        ],
        next_start_dates=_dates(text, "next_start_dates"),
        accreditation=text["accreditation"],
        financial_aid=_optional_boolean(text, "financial_aid"),
        program_url=text["program_url"],
    )
    problems = details.problems()
    if problems:
        field, message = next(iter(problems.items()))
        raise RowInvalid(f"{DETAIL_COLUMNS[field]}: {message}")
    return details


def _optional_cents(text: dict[str, str], name: str) -> int | None:
    """A dollar amount (thousands separators allowed) as whole cents, or None when blank."""
    raw = text[name].removeprefix("$").strip()
    if not raw:
        return None
    if not DOLLARS.fullmatch(raw):
        raise RowInvalid(
            f"{name} must be an amount in dollars like 12500 or 12,500.00, or blank (not {raw!r})"
        )
    return int(Decimal(raw.replace(",", "")) * 100)


def _optional_boolean(text: dict[str, str], name: str) -> bool | None:
    """A yes/no column; blank means not known."""
    return _boolean(text, name) if text[name] else None


def _dates(text: dict[str, str], name: str) -> list[date]:
    """YYYY-MM-DD dates separated by spaces, commas or semicolons."""
    days = []
    for part in LIST_SEPARATORS.split(text[name]):
        if part:
            days.append(_date({name: part}, name))
    return days


def _required(text: dict[str, str], name: str) -> str:
    """The column's text, which must not be blank."""
    if not text[name]:
        raise RowInvalid(f"{name} is required")
    return text[name]


def _one_of(text: dict[str, str], name: str, allowed: tuple[str, ...]) -> str:
    """The column's value, lower-cased, which must be one of `allowed`."""
    value = _required(text, name).lower()
    if value not in allowed:
        raise RowInvalid(f"{name} must be one of {', '.join(allowed)} (not {text[name]!r})")
    return value


def _boolean(text: dict[str, str], name: str) -> bool:
    """A yes/no column; blank means yes."""
    value = text[name].lower()
    if value in TRUE_WORDS or not value:
        return True
    if value in FALSE_WORDS:
        return False
    raise RowInvalid(f"{name} must be true or false (not {text[name]!r})")


def _date(text: dict[str, str], name: str, required: bool = False) -> date | None:
    """A YYYY-MM-DD date column."""
    if not text[name]:
        if required:
            raise RowInvalid(f"{name} is required")
        return None
    try:
        if not DATE_PATTERN.fullmatch(text[name]):
            raise ValueError(text[name])
        return date.fromisoformat(text[name])
    except ValueError as error:
        raise RowInvalid(f"{name} must be a date like 2026-01-31 (not {text[name]!r})") from error


def _cents(text: dict[str, str], name: str) -> int:
    """A dollar amount with at most two decimals, as whole cents."""
    raw = _required(text, name).removeprefix("$")
    try:
        amount = Decimal(raw)
    except InvalidOperation as error:
        raise RowInvalid(f"{name} must be an amount in dollars like 25.00 (not {raw!r})") from error
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise RowInvalid(
            f"{name} must be zero or more dollars with at most two decimals (not {raw!r})"
        )
    return int(amount * 100)


def _count(text: dict[str, str], name: str) -> int | None:
    """A lead cap: blank for none, else a whole number of 0 or more."""
    if not text[name]:
        return None
    if not (text[name].isascii() and text[name].isdigit()):
        raise RowInvalid(f"{name} must be a whole number of 0 or more, or blank for no cap")
    return int(text[name])


def _coordinate(text: dict[str, str], name: str, limit: float) -> float | None:
    """A latitude or longitude in degrees, within +/- `limit`."""
    if not text[name]:
        return None
    try:
        value = float(text[name])
    except ValueError as error:
        raise RowInvalid(f"{name} must be a number of degrees") from error
    if not -limit <= value <= limit:
        raise RowInvalid(f"{name} must be between -{limit:g} and {limit:g}")
    return value


def _upsert(rows: list[ListingRow], report: ImportReport) -> None:
    """Create or update the schools, campuses and listings the rows describe."""
    schools = _schools(rows, report)
    campuses = _campuses(rows, schools, report)
    programs = _existing_programs([row.external_id for row in rows])
    for row in rows:
        school = schools[row.school]
        campus = (
            campuses[(row.school, row.campus.zip_code, row.campus.address)] if row.campus else None
        )
        program = programs.get(row.external_id)
        if program is None:
            program = Program(
                external_id=row.external_id, sponsorship=Sponsorship(day_count=0, month_count=0)
            )
            db.session.add(program)
            _apply(program, row, school, campus)
            report.created += 1
        elif _apply(program, row, school, campus):
            report.updated += 1
        else:
            report.unchanged += 1
    db.session.flush()


def _schools(rows: list[ListingRow], report: ImportReport) -> dict[str, School]:
    """The rows' schools by name, created where missing, websites brought up to date."""
    websites = {row.school: row.school_website for row in rows}
    found = _in_chunks(sorted(websites), lambda chunk: select(School).where(School.name.in_(chunk)))
    schools = {school.name: school for school in found}
    for name, website in websites.items():
        if name not in schools:
            schools[name] = School(name=name)
            db.session.add(schools[name])
            report.schools_created += 1
        _set(schools[name], website=website)
    return schools


def _campuses(rows, schools: dict[str, School], report: ImportReport) -> dict[tuple, Campus]:
    """The rows' campuses by (school, ZIP, address), created or updated as described."""
    wanted = {
        (row.school, row.campus.zip_code, row.campus.address): row.campus
        for row in rows
        if row.campus
    }
    school_ids = [school.id for school in schools.values() if school.id is not None]
    found = _in_chunks(school_ids, lambda chunk: select(Campus).where(Campus.school_id.in_(chunk)))
    existing = {(c.school.name, c.zip_code, c.address): c for c in found}
    campuses = {}
    for key, values in wanted.items():
        campus = existing.get(key)
        if campus is None:
            campus = Campus(
                school=schools[key[0]], zip_code=values.zip_code, address=values.address
            )
            db.session.add(campus)
            report.campuses_created += 1
        _set(
            campus,
            name=values.name,
            city=values.city,
            state=values.state,
            latitude=values.latitude,
            longitude=values.longitude,
        )
        campuses[key] = campus
    return campuses


def _existing_programs(external_ids: list[str]) -> dict[str, Program]:
    """The stored listings with these external ids, with states and sponsorship loaded."""
    found = _in_chunks(
        external_ids,
        lambda chunk: (
            select(Program)
            .options(selectinload(Program.states), selectinload(Program.sponsorship))
            .where(Program.external_id.in_(chunk))
        ),
    )
    return {program.external_id: program for program in found}


def _apply(program: Program, row: ListingRow, school: School, campus: Campus | None) -> bool:
    """Bring a listing in line with its row; return whether anything changed."""
    changed = _set(
        program,
        school=school,
        campus=campus,
        career=row.career,
        title=row.title,
        credential_level=row.credential_level,
        modality=row.modality,
        duration=row.duration,
        description=row.description,
        is_active=row.is_active,
    )
    wanted = {name: getattr(row.details, name) for name in row.detail_fields}
    changed |= _set(program, **wanted)
    if {s.state for s in program.states} != row.states:
        program.states = [ProgramState(state=state) for state in sorted(row.states)]
        changed = True
    if program.sponsorship is None:
        program.sponsorship = Sponsorship(day_count=0, month_count=0)
    sponsorship = program.sponsorship
    changed |= _set(sponsorship, **asdict(row.terms))
    return changed


def _set(target, **values) -> bool:
    """Assign only the attributes that differ, so an unchanged row writes nothing."""
    changed = False
    for name, value in values.items():
        if getattr(target, name) != value:
            setattr(target, name, value)
            changed = True
    return changed

"""The demo data set: the ZIP table plus fictional schools, so a new site shows real searches.

Every demo school's name ends in "(Demo)" and its web addresses are under .example. The data is
generated from a fixed seed and stored through the CSV import's checks and upsert, so running
the seed again changes nothing (but for start dates, which move on with the months: they are
the next ones from the day it runs). Listings of an earlier demo set that this one no longer
has are switched off.
"""

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, or_, select, update

from portal.extensions import db
from portal.models import Program, ZipCode, today_utc
from portal.services.careers import career_name
from portal.services.geo import bounding_box, distance_miles, load_zip_codes
from portal.services.imports import ImportReport, Record, save_listings

SEED = 2026
# Campuses of a metro are spread over the ZIPs within this distance of its centre.
NEARBY_MILES = 15
STARTS_ON = date(2025, 1, 1).isoformat()
# A central ZIP in each metro area that gets campus programs.
METRO_ZIPS = [
    "10001",
    "90012",
    "60601",
    "77002",
    "85004",
    "19103",
    "78205",
    "92101",
    "75201",
    "95113",
    "78701",
    "32202",
    "43215",
    "46204",
    "28202",
    "94103",
    "98101",
    "80202",
    "20001",
    "02108",
    "37203",
    "48226",
    "73102",
    "97204",
    "89101",
    "38103",
    "40202",
    "21202",
    "53202",
    "87102",
    "85701",
    "93721",
    "95814",
    "64106",
    "30303",
    "33130",
    "27601",
    "68102",
    "55401",
    "33602",
    "70112",
    "44113",
    "15222",
    "63101",
    "84111",
    "45202",
    "32801",
    "23219",
    "35203",
    "83702",
    "50309",
    "72201",
    "06103",
    "99501",
    "96813",
    "29401",
]
CAMPUS_SCHOOLS = (
    "Brightpath Health Institute (Demo)",
    "Summit Allied Health College (Demo)",
    "Riverside Career Academy (Demo)",
    "Northstar Medical Training Center (Demo)",
    "Keystone Technical School (Demo)",
    "Harbor View Community College (Demo)",
)
STREETS = ("Main St", "Oak Ave", "Market St", "Park Blvd", "Elm St", "Commerce Dr", "Center St")


@dataclass(frozen=True)
class Offering:
    """A kind of program the demo schools teach, with its usual tuition range in dollars."""

    career: str
    title: str
    level: str
    duration: str
    tuition: tuple[int, int]


OFFERINGS = (
    Offering(
        "medical-office-manager",
        "Medical Office Administration",
        "certificate",
        "9 months",
        (9_000, 16_000),
    ),
    Offering(
        "medical-office-manager",
        "Medical Office Management",
        "diploma",
        "12 months",
        (12_000, 20_000),
    ),
    Offering(
        "medical-office-manager",
        "Healthcare Office Management AAS",
        "associate",
        "24 months",
        (18_000, 34_000),
    ),
    Offering(
        "medical-office-manager",
        "BS in Health Services Management",
        "bachelor",
        "4 years",
        (38_000, 62_000),
    ),
    Offering(
        "medical-assistant",
        "Clinical Medical Assistant",
        "certificate",
        "10 months",
        (11_000, 17_000),
    ),
    Offering(
        "medical-assistant", "Medical Assisting AAS", "associate", "20 months", (20_000, 32_000)
    ),
    Offering(
        "medical-biller-and-coder",
        "Medical Billing and Coding",
        "certificate",
        "8 months",
        (8_000, 15_000),
    ),
    Offering("pharmacy-technician", "Pharmacy Technician", "diploma", "9 months", (9_000, 15_000)),
    Offering("phlebotomist", "Phlebotomy Technician", "certificate", "12 weeks", (1_200, 3_000)),
    Offering(
        "certified-nursing-assistant", "Nurse Aide Training", "certificate", "6 weeks", (900, 2_000)
    ),
    Offering(
        "healthcare-administrator",
        "MHA in Healthcare Administration",
        "master",
        "2 years",
        (28_000, 48_000),
    ),
    Offering("ekg-technician", "EKG Technician", "certificate", "4 months", (2_000, 4_500)),
)
# Each demo school's accrediting body (real bodies; the schools are fictional).
ACCREDITORS = {
    "Brightpath Health Institute (Demo)": "Accrediting Bureau of Health Education Schools (ABHES)",
    "Summit Allied Health College (Demo)": "Accrediting Commission of Career Schools and "
    "Colleges (ACCSC)",
    "Riverside Career Academy (Demo)": "Council on Occupational Education (COE)",
    "Northstar Medical Training Center (Demo)": "Accrediting Bureau of Health Education Schools "
    "(ABHES)",
    "Keystone Technical School (Demo)": "Accrediting Commission of Career Schools and Colleges "
    "(ACCSC)",
    "Harbor View Community College (Demo)": "Higher Learning Commission (HLC)",
    "Meridian Online University (Demo)": "Higher Learning Commission (HLC)",
    "Crestline Distance Learning (Demo)": "Distance Education Accrediting Commission (DEAC)",
    "Pioneer Online Health Academy (Demo)": "Distance Education Accrediting Commission (DEAC)",
}
CAMPUS_SCHEDULES = (
    "full_time",
    "full_time evenings",
    "part_time evenings",
    "full_time part_time",
    "evenings weekends",
)
ONLINE_SCHEDULES = ("self_paced", "part_time self_paced", "full_time part_time")
# How often a program starts: every month, every other month, every quarter.
START_EVERY_MONTHS = (1, 2, 3)
ONLINE_SCHOOLS = (
    "Meridian Online University (Demo)",
    "Crestline Distance Learning (Demo)",
    "Pioneer Online Health Academy (Demo)",
)
# Where each online program may enrol: everywhere, regions, a few states.
ONLINE_STATE_SETS = (
    "ALL",
    "CA OR WA NV AZ UT ID",
    "IL IN WI MI OH MN IA MO",
    "NY NJ PA CT MA RI VT NH ME",
    "TX OK LA AR NM",
    "FL GA SC NC AL TN",
    "ALL",
    "CO",
    "AZ NV",
    "IL",
)


def seed_demo() -> ImportReport:
    """Load the ZIP table and store the demo listings (changing nothing when already there);
    switch off demo listings an earlier demo set had and this one has not."""
    load_zip_codes()
    records = demo_records(today_utc())
    report = save_listings(Record(line, values) for line, values in enumerate(records, 1))
    if report.ok:
        current = [record["external_id"] for record in records]
        db.session.execute(
            update(Program)
            .where(
                Program.external_id.like("DEMO-%"),
                Program.external_id.not_in(current),
                Program.is_active.is_(True),
            )
            .values(is_active=False)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    return report


def demo_records(today: date) -> list[dict[str, str]]:
    """Every demo listing as an import record (column name to text): the same on each run but
    for the start dates, the next ones after `today`."""
    rng = random.Random(SEED)
    nearby = _nearby_zips(METRO_ZIPS, NEARBY_MILES)
    records = []
    for metro in METRO_ZIPS:
        for school in rng.sample(CAMPUS_SCHOOLS, rng.randint(2, 3)):
            records.extend(_campus_records(rng, metro, school, rng.choice(nearby[metro]), today))
    # One listing per school and program: where two state sets of a school drew the same
    # program, it is one listing open to both (two would show as the same card twice).
    online: dict[tuple[str, Offering], dict] = {}
    for n, states in enumerate(ONLINE_STATE_SETS):
        school = ONLINE_SCHOOLS[n % len(ONLINE_SCHOOLS)]
        for offering in rng.sample(OFFERINGS, 3):
            record = _online_record(rng, school, offering, states, n, today)
            earlier = online.setdefault((school, offering), record)
            if earlier is not record:
                earlier["states"] = _merged_states(earlier["states"], states)
    records.extend(online.values())
    return records


def _merged_states(first: str, second: str) -> str:
    """Two `states` cells as one: ALL if either is, else every code of both."""
    if "ALL" in (first, second):
        return "ALL"
    return " ".join(sorted(set(first.split()) | set(second.split())))


def _nearby_zips(metros: list[str], miles: float) -> dict[str, list[str]]:
    """For each metro ZIP, the ZIPs within `miles` of it (itself included), in code order."""
    centres = {
        z.code: z for z in db.session.scalars(select(ZipCode).where(ZipCode.code.in_(metros)))
    }
    boxes = {code: bounding_box(z.latitude, z.longitude, miles) for code, z in centres.items()}
    in_any_box = or_(
        *(
            and_(
                ZipCode.latitude.between(box.min_lat, box.max_lat),
                ZipCode.longitude.between(box.min_lon, box.max_lon),
            )
            for box in boxes.values()
        )
    )
    rows = db.session.execute(
        select(ZipCode.code, ZipCode.latitude, ZipCode.longitude)
        .where(in_any_box)
        .order_by(ZipCode.code)
    ).all()
    nearby = {}
    for metro, centre in centres.items():
        box = boxes[metro]
        nearby[metro] = [
            code
            for code, lat, lon in rows
            if box.min_lat <= lat <= box.max_lat
            and box.min_lon <= lon <= box.max_lon
            and distance_miles(centre.latitude, centre.longitude, lat, lon) <= miles
        ]
    return nearby


def _campus_records(
    rng: random.Random, metro: str, school: str, zip_code: str, today: date
) -> list[dict]:
    """A campus of `school` near `metro` teaching three to five programs."""
    number = SCHOOL_NUMBER[school]
    address = f"{rng.randint(100, 9900)} {rng.choice(STREETS)}"
    offerings = [rng.choice(OFFERINGS[:4]), *rng.sample(OFFERINGS[4:], rng.randint(2, 4))]
    records = []
    for offering in offerings:
        records.append(
            {
                "external_id": f"DEMO-{metro}-{number}-{OFFERINGS.index(offering)}",
                "school": school,
                "school_website": _website(school),
                "campus_address": address,
                "campus_zip": zip_code,
                "career": offering.career,
                "title": offering.title,
                "credential_level": offering.level,
                "modality": rng.choice(("campus", "campus", "campus", "hybrid")),
                "duration": offering.duration,
                "description": _description(offering, school),
                "bid_usd": f"{rng.randrange(15, 65, 5)}.00",
                "starts_on": STARTS_ON,
                "daily_cap": rng.choice(("", "", "25")),
                "monthly_cap": rng.choice(("", "500")),
                **_details(f"DEMO-{metro}-{number}", school, offering, CAMPUS_SCHEDULES, today),
            }
        )
    return records


def _online_record(
    rng: random.Random, school: str, offering: Offering, states: str, n: int, today: date
) -> dict:
    """An online program of `school` open to `states` (a little cheaper than on campus)."""
    return {
        "external_id": f"DEMO-ONLINE-{n}-{OFFERINGS.index(offering)}",
        "school": school,
        "school_website": _website(school),
        "career": offering.career,
        "title": f"{offering.title} (Online)",
        "credential_level": offering.level,
        "modality": "online",
        "duration": offering.duration,
        "description": _description(offering, school),
        "states": states,
        "bid_usd": f"{rng.randrange(10, 55, 5)}.00",
        "starts_on": STARTS_ON,
        **_details(f"DEMO-ONLINE-{n}", school, offering, ONLINE_SCHEDULES, today, 0.85),
    }


def _details(
    listing: str,
    school: str,
    offering: Offering,
    schedules: tuple[str, ...],
    today: date,
    discount: float = 1.0,
) -> dict[str, str]:
    """Plausible listing details: tuition in the offering's range (a range for some, none
    for a few: "contact the school"), a schedule, the next start dates, the school's
    accreditor, financial aid (not offered by some short programs) and the program's page.

    Drawn from a generator of their own, seeded by the listing, so they change nothing else
    of the demo set."""
    rng = random.Random(f"{SEED}-{listing}-{offering.title}")
    low, high = (round(dollars * discount) for dollars in offering.tuition)
    tuition = rng.randrange(low, high, 50)
    shape = rng.random()
    tuition_min, tuition_max = str(tuition), ""
    if shape < 0.1:
        tuition_min = ""
    elif shape < 0.3:
        tuition_max = str(min(high, tuition + rng.randrange(500, 4000, 250)))
    short = "weeks" in offering.duration or offering.duration == "4 months"
    aid = rng.choice(("false", "false", "")) if short else rng.choice(("true",) * 5 + ("",))
    return {
        "tuition_min_usd": tuition_min,
        "tuition_max_usd": tuition_max if tuition_min else "",
        "schedule": rng.choice(schedules),
        "next_start_dates": " ".join(
            day.isoformat()
            for day in _start_dates(today, rng.choice(START_EVERY_MONTHS), rng.randint(3, 6))
        ),
        "accreditation": ACCREDITORS[school],
        "financial_aid": aid,
        "program_url": f"{_website(school)}/programs/{_slug(offering.title)}",
    }


def _start_dates(today: date, every_months: int, count: int) -> list[date]:
    """The first Monday of every `every_months`-th month, from next month on, `count` times."""
    days = []
    year, month = today.year, today.month
    for _ in range(count):
        month += every_months
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
        first = date(year, month, 1)
        days.append(first + timedelta(days=(7 - first.weekday()) % 7))
    return days


def _slug(text: str) -> str:
    """Lower-case words joined by hyphens: 'Medical Assisting AAS' -> 'medical-assisting-aas'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _website(school: str) -> str:
    """A demo school's web address, under the .example domain no one can own."""
    return f"https://{_slug(school.removesuffix(' (Demo)'))}.example"


def _description(offering: Offering, school: str) -> str:
    """A short description; the demo's schools and programs are fictional."""
    return (
        f"A fictional {offering.level} program of {school}, shown as demo data: "
        f"{offering.duration} of training for a career as {career_name(offering.career)}."
    )


SCHOOL_NUMBER = {name: n for n, name in enumerate(CAMPUS_SCHOOLS + ONLINE_SCHOOLS, start=1)}

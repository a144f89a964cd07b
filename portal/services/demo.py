"""The demo data set: the ZIP table plus fictional schools, so a new site shows real searches.

Every demo school's name ends in "(Demo)". The data is generated from a fixed seed and stored
through the CSV import's checks and upsert, so running the seed again changes nothing.
"""

import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select

from portal.extensions import db
from portal.models import ZipCode
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
    """A kind of program the demo schools teach."""

    career: str
    title: str
    level: str
    duration: str


OFFERINGS = (
    Offering("medical-office-manager", "Medical Office Administration", "certificate", "9 months"),
    Offering("medical-office-manager", "Medical Office Management", "diploma", "12 months"),
    Offering(
        "medical-office-manager", "Healthcare Office Management AAS", "associate", "24 months"
    ),
    Offering("medical-office-manager", "BS in Health Services Management", "bachelor", "4 years"),
    Offering("medical-assistant", "Clinical Medical Assistant", "certificate", "10 months"),
    Offering("medical-assistant", "Medical Assisting AAS", "associate", "20 months"),
    Offering("medical-biller-and-coder", "Medical Billing and Coding", "certificate", "8 months"),
    Offering("pharmacy-technician", "Pharmacy Technician", "diploma", "9 months"),
    Offering("phlebotomist", "Phlebotomy Technician", "certificate", "12 weeks"),
    Offering("certified-nursing-assistant", "Nurse Aide Training", "certificate", "6 weeks"),
    Offering("healthcare-administrator", "MHA in Healthcare Administration", "master", "2 years"),
    Offering("ekg-technician", "EKG Technician", "certificate", "4 months"),
)
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
    """Load the ZIP table and store the demo listings (changing nothing when already there)."""
    load_zip_codes()
    return save_listings(Record(line, values) for line, values in enumerate(demo_records(), 1))


def demo_records() -> list[dict[str, str]]:
    """Every demo listing as an import record (column name to text), the same on each run."""
    rng = random.Random(SEED)
    nearby = _nearby_zips(METRO_ZIPS, NEARBY_MILES)
    records = []
    for metro in METRO_ZIPS:
        for school in rng.sample(CAMPUS_SCHOOLS, rng.randint(2, 3)):
            records.extend(_campus_records(rng, metro, school, rng.choice(nearby[metro])))
    for n, states in enumerate(ONLINE_STATE_SETS):
        school = ONLINE_SCHOOLS[n % len(ONLINE_SCHOOLS)]
        for offering in rng.sample(OFFERINGS, 3):
            records.append(_online_record(rng, school, offering, states, n))
    return records


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


def _campus_records(rng: random.Random, metro: str, school: str, zip_code: str) -> list[dict]:
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
            }
        )
    return records


def _online_record(rng: random.Random, school: str, offering: Offering, states: str, n: int):
    """An online program of `school` open to `states`."""
    return {
        "external_id": f"DEMO-ONLINE-{n}-{OFFERINGS.index(offering)}",
        "school": school,
        "career": offering.career,
        "title": f"{offering.title} (Online)",
        "credential_level": offering.level,
        "modality": "online",
        "duration": offering.duration,
        "description": _description(offering, school),
        "states": states,
        "bid_usd": f"{rng.randrange(10, 55, 5)}.00",
        "starts_on": STARTS_ON,
    }


def _description(offering: Offering, school: str) -> str:
    """A short description; the demo's schools and programs are fictional."""
    return (
        f"A fictional {offering.level} program of {school}, shown as demo data: "
        f"{offering.duration} of training for a career as {career_name(offering.career)}."
    )


SCHOOL_NUMBER = {name: n for n, name in enumerate(CAMPUS_SCHOOLS + ONLINE_SCHOOLS, start=1)}

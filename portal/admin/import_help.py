"""What the import page says about each column of the listings CSV.

The columns themselves are the import's (portal.services.imports.COLUMNS, REQUIRED_COLUMNS);
a test checks that every one of them is described here, so a new column cannot be left out.
"""

from dataclasses import dataclass

from portal.services.imports import COLUMNS, REQUIRED_COLUMNS

DESCRIPTIONS = {
    "external_id": "Your own stable id for the listing (up to 64 characters); a later upload "
    "with the same id updates that listing.",
    "school": "The school's name; schools are matched by name.",
    "school_website": "The school's web address, starting with http:// or https://.",
    "campus_name": 'The campus name; blank means "<city> campus".',
    "campus_address": "Street address; needed for campus and hybrid listings (a campus is "
    "matched by school, ZIP and address).",
    "campus_city": "Blank: the city of the ZIP code.",
    "campus_state": "Two letters; blank: the state of the ZIP code.",
    "campus_zip": "A known 5-digit ZIP code; needed for campus and hybrid listings, blank for "
    "online ones.",
    "campus_latitude": "Decimal degrees, with campus_longitude or not at all; blank: the "
    "centre of the ZIP code.",
    "campus_longitude": "Decimal degrees, with campus_latitude or not at all.",
    "career": "A career slug, such as medical-office-manager (the list is below).",
    "title": "The program's name.",
    "credential_level": "certificate, diploma, associate, bachelor or master.",
    "modality": "campus, online or hybrid.",
    "duration": "Free text, e.g. 9 months.",
    "description": "Free text shown with the listing.",
    "active": "true or false (also yes/no, 1/0); blank means true.",
    "states": "Online listings only, and needed for them: the states where it may enrol, as "
    "two-letter codes separated by spaces, commas or semicolons, or ALL.",
    "bid_usd": "The price per lead in dollars, at most two decimals, e.g. 25.00.",
    "starts_on": "The first day of the sponsorship, as YYYY-MM-DD.",
    "ends_on": "The last day, as YYYY-MM-DD; blank means open-ended.",
    "daily_cap": "The most leads per UTC day; blank means no cap.",
    "monthly_cap": "The most leads per UTC month; blank means no cap.",
    "tuition_min_usd": "Optional. Total tuition in dollars, e.g. 12400 (alone: one price; with "
    'tuition_max_usd: a range); both blank: "Contact the school for tuition".',
    "tuition_max_usd": "Optional. The top of the tuition range in dollars; needs a minimum.",
    "schedule": "Optional. Any of full_time, part_time, evenings, weekends, self_paced, "
    "separated by spaces, commas or semicolons.",
    "next_start_dates": "Optional. Up to 6 dates as YYYY-MM-DD, separated by spaces, commas or "
    "semicolons; past dates are not shown.",
    "accreditation": "Optional. The accrediting body's name (up to 200 characters).",
    "financial_aid": "Optional. true or false (also yes/no, 1/0); blank means not said.",
    "program_url": "Optional. The program's page on the school's site, http:// or https://.",
}


@dataclass(frozen=True)
class ImportColumn:
    """One column of the listings CSV, as the import page documents it."""

    name: str
    required: bool
    description: str


def import_columns() -> list[ImportColumn]:
    """Every column the import reads, in the file's order, with what it holds."""
    return [
        ImportColumn(name, name in REQUIRED_COLUMNS, DESCRIPTIONS.get(name, "")) for name in COLUMNS
    ]

"""The careers a program can be listed under: one list for the search form, import and demo.

The career guides will publish the same list (`portal.guides.content.all_careers()`); until
they do, it is kept here, and `known_careers` is the one place to switch over.
"""

import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Career:
    """A career with a guide page: its URL slug and its name."""

    slug: str
    name: str


# Medical Office Manager and the "More Medical Careers" of the seed guide.
CAREER_NAMES = (
    "Medical Office Manager",
    "Certified Nursing Assistant",
    "Dental Assistant",
    "Dental Hygienist",
    "Dialysis Technician",
    "Dog Groomer",
    "EKG Technician",
    "EMT",
    "Healthcare Administrator",
    "Home Health Aide",
    "Licensed Practical Nurse (LPN)",
    "Medical Assistant",
    "Medical Biller and Coder",
    "Medical Technologist",
    "Medical Transcriptionist",
    "MRI Technologist",
    "Nutritionist",
    "Optician",
    "Patient Access Representative",
    "Patient Care Technician",
    "Pharmacy Technician",
    "Phlebotomist",
    "Physical Therapist Assistant",
    "Professional Recovery Coach",
    "Radiation Therapist",
    "Registered Nurse (RN)",
    "Respiratory Therapist",
    "Sterile Processing Technician",
    "Surgical Technologist",
    "Ultrasound Technician",
    "Vet Office Manager",
    "Veterinary Assistant",
    "Veterinary Technician",
    "X-Ray Technician",
)


def slugify(name: str) -> str:
    """The URL slug of a name: lower case, words joined by hyphens ("EKG Tech" -> "ekg-tech")."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@cache
def known_careers() -> tuple[Career, ...]:
    """Every career a listing may belong to, in alphabetical order of name."""
    careers = (Career(slugify(name), name) for name in CAREER_NAMES)
    return tuple(sorted(careers, key=lambda c: c.name.lower()))


def career_name(slug: str | None) -> str | None:
    """The name of the career with this slug, or None when there is no such career."""
    return next((c.name for c in known_careers() if c.slug == slug), None)

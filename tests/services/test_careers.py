"""The careers as data: the content files, their checks, and every figure derived from them."""

import copy
import json
import re
from decimal import Decimal

import pytest

from portal.services import careers as content
from portal.services.careers import GuideDataError, Pay, Projection

GUIDE_FILE = content.CONTENT_DIR / "careers" / "medical-office-manager.json"

# The careers under "More Medical Careers" in the seed, in its order (34 of them).
SEED_CAREERS = [
    "Certified Nursing Assistant",
    "Dental Assistant",
    "Dental Hygienist",
    "Dialysis Technician",
    "Dog Groomer",
    "Healthcare Administrator",
    "Home Health Aide",
    "Licensed Practical Nurse (LPN)",
    "Medical Assistant",
    "Medical Biller and Coder",
    "Medical Technologist",
    "Medical Transcriptionist",
    "Nutritionist",
    "Patient Access Representative",
    "Patient Care Technician",
    "Pharmacy Technician",
    "Phlebotomist",
    "Physical Therapist Assistant",
    "Professional Recovery Coach",
    "Radiation Therapist",
    "Registered Health Information Technician",
    "Registered Nurse (RN)",
    "Respiratory Therapist",
    "Sterile Processing Technician",
    "Surgical Technologist",
    "Vet Office Manager",
    "Veterinary Assistant",
    "Veterinary Technician",
    "EKG Technician",
    "EMT",
    "MRI Technologist",
    "Optician",
    "Ultrasound Technician",
    "X-Ray Technician",
]


def raw_guide() -> dict:
    """A fresh copy of the Medical Office Manager data, to break in tests."""
    return json.loads(GUIDE_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def guide():
    """The loaded Medical Office Manager guide."""
    return content.load_guide("medical-office-manager")


@pytest.mark.parametrize(
    ("annual", "monthly", "hourly", "hourly_text"),
    [
        (77060, Decimal("6422"), Decimal("37.05"), "$37.05"),
        (117960, Decimal("9830"), Decimal("56.71"), "$56.71"),
        (48000, Decimal("4000"), Decimal("23.08"), "$23.08"),
        (90890, Decimal("7574"), Decimal("43.70"), "$43.70"),
        (70050, Decimal("5838"), Decimal("33.68"), "$33.68"),  # 5837.5 rounds half up
    ],
)
def test_monthly_and_hourly_pay_derive_from_annual(annual, monthly, hourly, hourly_text):
    pay = Pay(annual)
    assert pay.monthly == monthly
    assert pay.hourly == hourly
    assert pay.text("hourly") == hourly_text
    assert pay.text("monthly") == f"${monthly:,}"
    assert pay.text() == f"${annual:,}"


def test_guide_figures_match_the_seed(guide):
    assert guide.average.annual == 77060
    assert guide.average.text("monthly") == "$6,422"
    assert guide.average.text("hourly") == "$37.05"
    assert guide.experienced.annual == 117960  # another occupation's median: see its source
    assert [(p.rank, p.pay.annual) for p in guide.percentiles] == [
        (10, 48000),
        (25, 60000),
        (50, 77000),
        (75, 90000),
        (90, 107000),
    ]


def test_employment_change_is_computed(guide):
    jobs = guide.projection
    assert (jobs.start_year, jobs.start, jobs.end_year, jobs.end) == (2023, 850000, 2033, 993900)
    assert jobs.change == 143900
    assert jobs.percent == Decimal("16.9")
    assert jobs.percent_text == "+16.9%"
    assert jobs.per_year == 14390


def test_a_falling_projection_shows_its_sign():
    assert Projection(2020, 1000, 2030, 980).percent_text == "-2.0%"


def test_top_five_states_come_from_the_table(guide):
    assert [(s.name, s.pay.annual) for s in guide.top_states] == [
        ("California", 90890),
        ("District of Columbia", 88820),
        ("New York", 86000),
        ("Connecticut", 85970),
        ("New Jersey", 85330),
    ]


def test_state_table_has_every_seed_row_and_colorado_without_data(guide):
    names = [s.name for s in guide.states]
    assert len(names) == 54  # 50 states, DC, Guam, Puerto Rico, Virgin Islands
    assert {"Guam", "Puerto Rico", "Virgin Islands", "District of Columbia"} <= set(names)
    colorado = next(s for s in guide.states if s.name == "Colorado")
    assert colorado.pay is None
    assert guide.missing_states == ("Colorado",)
    by_name = {s.name: s.pay.annual for s in guide.states if s.pay}
    assert by_name["California"] == 90890
    assert by_name["Puerto Rico"] == 37970
    assert by_name["Wyoming"] == 56780


def test_prose_placeholders_are_filled_with_derived_figures_and_their_sources(guide):
    salary = guide.text["salary"]["paragraphs"]
    assert "$77,060 a year, or $37.05 an hour" in salary[0]
    assert salary[0].sources == ("bls-oews-43-6011",)
    assert "$117,960" in salary[2] and salary[2].sources == ("bls-oews-11-9111",)
    assert not isinstance(salary[1], content.Prose)  # no figure, no source
    outlook = guide.text["outlook"]["paragraphs"][0]
    assert "143,900 more jobs, a rise of 16.9%, or about 14,390 a year" in outlook
    assert outlook.sources == ("projection-as-quoted",)
    assert not re.search(r"\{[a-z_]+\}", json.dumps(guide.text))


def test_each_source_is_cited_by_occupation_code_survey_and_date(guide):
    pay = guide.sources["bls-oews-43-6011"]
    assert pay.cite == (
        "Executive Secretaries and Executive Administrative Assistants (43-6011), "
        "BLS OEWS, May 2024"
    )
    assert pay.survey == "BLS Occupational Employment and Wage Statistics (OEWS)"
    assert guide.sources["bls-oews-11-9111"].cite == (
        "Medical and Health Services Managers (11-9111), BLS OEWS, May 2024"
    )
    jobs = guide.sources["projection-as-quoted"]
    assert "no occupation code given" in jobs.cite and "2023 to 2033" in jobs.cite


def break_percentiles(data):
    data["salary"]["percentiles"][0]["annual"] = 999999


def break_state(data):
    data["states"]["rows"][0]["annual"] = 0


def duplicate_state(data):
    data["states"]["rows"].append(dict(data["states"]["rows"][0]))


def unknown_placeholder(data):
    data["intro"][0] = "Earn {lots} of money"


def drop_average(data):
    del data["salary"]["average"]


def string_average(data):
    data["salary"]["average"] = "77,060"


def two_headline_lengths(data):
    data["durations"]["items"][1]["headline"] = True


def no_sources(data):
    data["sources"] = []


def unknown_source(data):
    data["salary"]["experienced"]["source"] = "somewhere"


def twice_the_same_source(data):
    data["sources"].append(dict(data["sources"][0]))


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (break_percentiles, "percentiles must rise"),
        (break_state, "bad salary"),
        (duplicate_state, "appears twice"),
        (unknown_placeholder, "unknown placeholder"),
        (drop_average, "missing field 'salary.average'"),
        (string_average, "should be"),
        (two_headline_lengths, "exactly one headline length"),
        (no_sources, "needs a sources list"),
        (unknown_source, "salary.experienced.source names an unknown source 'somewhere'"),
        (twice_the_same_source, "appears twice"),
    ],
)
def test_bad_content_is_refused_with_a_clear_message(breakage, message):
    data = copy.deepcopy(raw_guide())
    breakage(data)
    with pytest.raises(GuideDataError, match=message):
        content.build_guide(data)


def test_careers_list_has_every_seed_career_plus_the_guide():
    careers = content.all_careers()
    names = [c.name for c in careers]
    assert names[1:] == SEED_CAREERS
    assert names[0] == "Medical Office Manager"
    assert len(careers) == 35
    for career in careers:
        assert content.SLUG_PATTERN.fullmatch(career.slug)
        assert len(career.summary) > 40
    slugs = {c.slug for c in careers}
    expected = {"licensed-practical-nurse", "x-ray-technician", "ekg-technician", "emt"}
    assert expected | {"registered-nurse"} <= slugs
    assert [c.slug for c in careers if c.has_guide] == ["medical-office-manager"]


def test_unknown_or_odd_slugs_have_no_guide():
    assert content.find_career("no-such-career") is None
    assert content.load_guide("../careers") is None
    assert content.load_guide("emt") is None

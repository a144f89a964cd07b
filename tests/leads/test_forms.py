"""Every field of the request-info form: bad values get their message and store nothing."""

import pytest
from markupsafe import escape

from tests.support.leads import all_leads, lead_count, submit

NAME_LETTERS = "Use letters, spaces, hyphens, apostrophes and full stops only."
CONTROL = "Remove the invisible control characters."
EMAIL = "Enter a valid email address, like name@example.com."
PHONE = "Enter a valid US phone number, like (312) 555-0142."
ZIP = "Enter a 5-digit ZIP code, like 60601."
EDUCATION = "Choose your highest level of education."
START = "Choose when you would like to start."

BAD_VALUES = [
    ("first_name", "", "Enter your first name."),
    ("first_name", "   ", "Enter your first name."),
    ("first_name", "A" * 51, "Use at most 50 characters."),
    ("first_name", "<script>alert(1)</script>", NAME_LETTERS),
    ("first_name", "Robert'); DROP TABLE lead;--", NAME_LETTERS),
    ("first_name", "12345", NAME_LETTERS),
    ("first_name", "' OR '1'='1", NAME_LETTERS),
    ("first_name", "Ann\x00e", CONTROL),
    ("first_name", "Ann\nMarie", CONTROL),
    ("first_name", "Ann\u202eeiram", CONTROL),  # right-to-left override
    ("last_name", "", "Enter your last name."),
    ("last_name", "D" * 51, "Use at most 50 characters."),
    ("last_name", "<b>Doe</b>", NAME_LETTERS),
    ("last_name", "Doe\x1b[31m", CONTROL),
    ("email", "", "Enter your email address."),
    ("email", "jane", EMAIL),
    ("email", "jane@localhost", EMAIL),
    ("email", "jane@@example.com", EMAIL),
    ("email", "<script>alert(1)</script>@example.com", EMAIL),
    ("email", "x@example.com'; DROP TABLE lead;--", EMAIL),
    ("email", "a" * 250 + "@example.com", "Use at most 254 characters."),
    ("email", "jane\x00@example.com", CONTROL),
    ("phone", "", "Enter your phone number."),
    ("phone", "12345", PHONE),
    ("phone", "(312) 555-014", PHONE),
    ("phone", "+44 20 7946 0958", PHONE),  # a London number
    ("phone", "604 555 1234", PHONE),  # Vancouver: +1, but not the US
    ("phone", "call me maybe", PHONE),
    ("phone", "312-555-0142; DROP TABLE lead", "Use at most 25 characters."),
    ("phone", "<script>1</script>", PHONE),
    ("phone", "3" * 26, "Use at most 25 characters."),
    ("phone", "312\x00555\x000142", CONTROL),
    ("zip_code", "", "Enter your ZIP code."),
    ("zip_code", "6060", ZIP),
    ("zip_code", "606011", ZIP),
    ("zip_code", "6060a", ZIP),
    ("zip_code", "٦٠٦٠١", ZIP),  # Arabic-Indic digits
    ("zip_code", "<script>", ZIP),
    ("zip_code", "1' OR 1=1", ZIP),
    ("zip_code", "60601-123456", "Use at most 10 characters."),
    ("zip_code", "606\x0001", CONTROL),
    ("education_level", "", EDUCATION),
    ("education_level", "phd", EDUCATION),
    ("education_level", "<script>", EDUCATION),
    ("start_timeframe", "", START),
    ("start_timeframe", "yesterday", START),
    ("consent", None, "Tick the box to agree, so that the school may contact you."),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_VALUES)
def test_bad_value_gets_its_message_beside_the_field(
    app, client, program_id, field, value, message
):
    response = submit(client, program_id, **{field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    expected = f'<p class="field-error" id="{field}-error" role="alert">{escape(message)}</p>'
    assert expected in html
    assert html.count('class="field-error"') == 1
    assert "<script>alert" not in html  # whatever came back was escaped
    assert lead_count(app) == 0


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("José", "Núñez"),
        ("Zoë", "Brontë-Smith"),
        ("Siobhán", "O'Brien"),
        ("Mary Jo", "D’Angelo"),
        ("Nguyễn", "Thị Minh Khai"),
        ("李", "小龍"),
        ("प्रिया", "शर्मा"),  # Devanagari, with combining vowel signs
        ("محمد", "عبد الله"),
        ("J.", "St. John"),
    ],
)
def test_names_in_any_alphabet_are_accepted_as_typed(app, client, program_id, first, last):
    assert submit(client, program_id, first_name=first, last_name=last).status_code == 303
    [lead] = all_leads(app)
    assert (lead.first_name, lead.last_name) == (first, last)


def test_names_are_trimmed_and_inner_spaces_squeezed(app, client, program_id):
    submit(client, program_id, first_name="  Mary   Jo ", last_name=" Doe  ")
    [lead] = all_leads(app)
    assert (lead.first_name, lead.last_name) == ("Mary Jo", "Doe")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Jane.Doe@Example.COM ", "jane.doe@example.com"),
        ("jane+school@gmail.com", "jane+school@gmail.com"),
        ("josé@example.com", "josé@example.com"),
    ],
)
def test_email_is_stored_normalised(app, client, program_id, typed, stored):
    assert submit(client, program_id, email=typed).status_code == 303
    assert all_leads(app)[0].email == stored


@pytest.mark.parametrize(
    "typed", ["312.555.0142", "+1 (312) 555-0142", "1-312-555-0142", "3125550142"]
)
def test_phone_is_stored_in_e164(app, client, program_id, typed):
    assert submit(client, program_id, phone=typed).status_code == 303
    assert all_leads(app)[0].phone_e164 == "+13125550142"


def test_zip_plus_four_keeps_its_first_five(app, client, program_id):
    assert submit(client, program_id, zip_code="60601-1234").status_code == 303
    assert all_leads(app)[0].zip_code == "60601"

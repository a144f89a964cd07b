"""Validators and filters for what visitors type into the site's public forms: trimmed,
normalised text without control characters, names, email addresses, US phones, and codes from
a list."""

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from wtforms.validators import StopValidation, ValidationError

# Besides letters and marks of any script, names may hold these.
NAME_PUNCTUATION = frozenset(" '’-.")
# Joiners that some scripts need inside names; every other format character is refused.
ALLOWED_FORMAT_CHARS = {"\u200c", "\u200d"}
PHONE_CHARS = re.compile(r"^[0-9 ()+\-.]+$")


def has_control_characters(text: str) -> bool:
    """Whether the text holds control, format, surrogate, private or unassigned characters."""
    return any(
        unicodedata.category(ch).startswith("C") and ch not in ALLOWED_FORMAT_CHARS for ch in text
    )


def clean(value):
    """Trim the ends, normalise to NFC and squeeze runs of spaces (other characters stay)."""
    if not isinstance(value, str):
        return value
    return re.sub(r" {2,}", " ", unicodedata.normalize("NFC", value).strip())


def required(message: str):
    """A validator that stops with `message` when the field is empty."""

    def check(form, field):
        if not field.data:
            raise StopValidation(message)

    return check


def short_text(max_length: int):
    """A validator refusing overlong text and control characters, before any format check."""

    def check(form, field):
        if len(field.data) > max_length:
            raise StopValidation(f"Use at most {max_length} characters.")
        if has_control_characters(field.data):
            raise StopValidation("Remove the invisible control characters.")

    return check


def person_name(form, field):
    """Names: letters of any alphabet, with spaces, hyphens, apostrophes and full stops."""
    allowed = all(
        unicodedata.category(ch)[0] in "LM" or ch in NAME_PUNCTUATION or ch in ALLOWED_FORMAT_CHARS
        for ch in field.data
    )
    if not allowed or not any(ch.isalpha() for ch in field.data):
        raise ValidationError("Use letters, spaces, hyphens, apostrophes and full stops only.")


def email_address(form, field):
    """A deliverable-looking email (syntax only, no DNS), replaced by its normalised form."""
    try:
        result = validate_email(field.data, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValidationError("Enter a valid email address, like name@example.com.") from error
    field.data = result.normalized.lower()


def long_text(max_length: int):
    """A validator for free text such as a message: at most `max_length` characters, line
    breaks and tabs allowed, no other control characters."""

    def check(form, field):
        text = field.data or ""
        if len(text) > max_length:
            raise StopValidation(f"Use at most {max_length:,} characters.")
        if has_control_characters(text.replace("\r", "").replace("\n", "").replace("\t", "")):
            raise StopValidation("Remove the invisible control characters.")

    return check


def one_of(choices: dict, message: str):
    """A validator accepting only the machine codes in `choices`."""

    def check(form, field):
        if field.data not in choices:
            raise StopValidation(message)

    return check


def us_phone(form, field):
    """A valid US phone number, replaced by its E.164 form (+1XXXXXXXXXX)."""
    message = "Enter a valid US phone number, like (312) 555-0142."
    if not PHONE_CHARS.match(field.data):
        raise ValidationError(message)
    try:
        number = phonenumbers.parse(field.data, "US")
    except phonenumbers.NumberParseException as error:
        raise ValidationError(message) from error
    if not phonenumbers.is_valid_number_for_region(number, "US"):
        raise ValidationError(message)
    field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

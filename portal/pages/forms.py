"""The forms of the site's own pages: the contact form and the "Do Not Sell or Share My
Personal Information" request. Both carry the request-info form's quiet bot checks: a honeypot
and a signed stamp (portal.core.stamps); CSRF and a rate limit are the views'."""

import unicodedata

from wtforms import EmailField, HiddenField, SelectField, StringField, TelField, TextAreaField

from portal.core.forms import SiteForm
from portal.core.stamps import (
    BadData,
    Stamp,
    StampField,
    confirms,
    judge_stamp,
    make_confirmation,
    make_stamp,
    read_stamp,
)
from portal.core.validators import (
    clean,
    email_address,
    long_text,
    one_of,
    person_name,
    required,
    short_text,
    us_phone,
)
from portal.core.widgets import (
    QuickEmailInput,
    QuickHiddenInput,
    QuickSelect,
    QuickTelInput,
    QuickTextInput,
    select_options,
)
from portal.models import CONTACT_TOPICS
from portal.services.imports import US_STATES
from portal.services.inbox import ContactDraft, OptOutDraft

NAME_MAX = 100
EMAIL_MAX = 254
PHONE_MAX = 25
MESSAGE_MAX = 5000
CHOOSE_ONE = ("", "Choose one")
OUTSIDE_US = "--"
STATE_CHOICES = {code: code for code in sorted(US_STATES)} | {OUTSIDE_US: "Outside the US"}


def clean_message(value):
    """A message as typed: NFC, line ends as \\n, trimmed at both ends (inner spaces kept)."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


class StampedForm(SiteForm):
    """A public form with the quiet bot checks: a honeypot people never see, and a signed
    stamp of when the form was shown, to which session. Subclasses name their stamp's salt."""

    STAMP_SALT = ""

    website = StringField("Leave this field empty", widget=QuickTextInput())
    started = StampField(widget=QuickHiddenInput())
    # Set only on a form sent back too fast: confirming it needs no wait.
    confirmation = HiddenField(widget=QuickHiddenInput())

    def restamp(self) -> None:
        """Give the form a fresh stamp: shown now, to this session."""
        self.started.data = make_stamp(self.STAMP_SALT, (self.STAMP_SALT,))

    def read_stamp(self) -> Stamp | None:
        """The verified stamp the form came back with, or None (missing or forged)."""
        try:
            return read_stamp(self.STAMP_SALT, self.started.data or "", 1)
        except (BadData, TypeError, ValueError):
            return None

    def judge(self, stamp: Stamp | None, min_age: float, max_age: float) -> str:
        """ "bot" (the honeypot filled, or no good stamp of this form for this session),
        "too_fast", "expired" or "good" (see portal.core.stamps.judge_stamp)."""
        if self.website.data:
            return "bot"
        matches = stamp is not None and stamp.subject == (self.STAMP_SALT,)
        confirmed = stamp is not None and confirms(
            self.STAMP_SALT, self.confirmation.data or "", stamp.nonce
        )
        return judge_stamp(stamp, matches, min_age, max_age, confirmed)

    def ask_to_confirm(self, stamp: Stamp) -> None:
        """Keep the stamp and carry its confirmation, so sending the form again at once stores
        it (once: the stamp's nonce stays the same)."""
        self.confirmation.data = make_confirmation(self.STAMP_SALT, stamp.nonce)


class ContactForm(StampedForm):
    """A message to the site's operator."""

    STAMP_SALT = "contact-form"

    name = StringField(
        "Your name",
        filters=[clean],
        validators=[required("Enter your name."), short_text(NAME_MAX), person_name],
        render_kw={"autocomplete": "name", "maxlength": NAME_MAX},
        widget=QuickTextInput(),
    )
    email = EmailField(
        "Your email address",
        description="We reply to this address and use it for nothing else.",
        filters=[clean],
        validators=[required("Enter your email address."), short_text(EMAIL_MAX), email_address],
        render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX},
        widget=QuickEmailInput(),
    )
    topic = SelectField(
        "What is it about?",
        choices=select_options(CONTACT_TOPICS, first=CHOOSE_ONE),
        validate_choice=False,
        widget=QuickSelect(),
        validators=[one_of(CONTACT_TOPICS, "Choose what your message is about.")],
    )
    body = TextAreaField(
        "Your message",
        filters=[clean_message],
        validators=[required("Write your message."), long_text(MESSAGE_MAX)],
        render_kw={"rows": 7, "maxlength": MESSAGE_MAX},
    )

    def draft(self) -> ContactDraft:
        """The validated message."""
        return ContactDraft(self.name.data, self.email.data, self.topic.data, self.body.data)


class OptOutForm(StampedForm):
    """A "Do Not Sell or Share My Personal Information" request: the email (and, if the person
    gives it, the phone) to put on the suppression list."""

    STAMP_SALT = "opt-out-form"

    email = EmailField(
        "Email address",
        description="The address you gave in your requests for information.",
        filters=[clean],
        validators=[required("Enter your email address."), short_text(EMAIL_MAX), email_address],
        render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX},
        widget=QuickEmailInput(),
    )
    phone = TelField(
        "Phone number (optional)",
        description=(
            "Give it to stop requests that carry this number under another email address too."
        ),
        filters=[clean],
        render_kw={"autocomplete": "tel", "maxlength": PHONE_MAX},
        widget=QuickTelInput(),
    )
    state = SelectField(
        "State you live in (optional)",
        choices=select_options(STATE_CHOICES, first=("", "Prefer not to say")),
        validate_choice=False,
        widget=QuickSelect(),
        validators=[one_of({"": "", **STATE_CHOICES}, "Choose a state from the list.")],
    )

    def validate_phone(self, field) -> None:
        """A phone, when given, is a valid US number (kept in E.164)."""
        if field.data:
            short_text(PHONE_MAX)(self, field)
            us_phone(self, field)

    def draft(self) -> OptOutDraft:
        """The validated request."""
        state = self.state.data if self.state.data not in ("", OUTSIDE_US) else None
        return OptOutDraft(
            email=self.email.data,
            phone_e164=self.phone.data or None,
            state=state,
        )

"""The request-info form: validation, normalisation and the quiet bot checks."""

from markupsafe import Markup, escape
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, ValidationError

from portal.core.forms import SiteForm
from portal.core.stamps import StampField, judge_stamp
from portal.core.validators import (
    clean,
    email_address,
    one_of,
    person_name,
    required,
    short_text,
    us_phone,
)
from portal.core.widgets import (
    QuickCheckboxInput,
    QuickEmailInput,
    QuickHiddenInput,
    QuickSelect,
    QuickTelInput,
    QuickTextInput,
    select_options,
)
from portal.leads.tokens import (
    BadData,
    FormStamp,
    confirmation_token,
    form_token,
    is_confirmation,
    parse_radius,
    read_form_token,
)
from portal.services.geo import InvalidZip, normalise_zip
from portal.services.leads import (
    EDUCATION_LEVELS,
    PRIVACY_LINK_TEXT,
    START_TIMEFRAMES,
    Visitor,
)

CHOOSE_ONE = ("", "Choose one")
NAME_MAX = 50
EMAIL_MAX = 254
PHONE_MAX = 25


def zip_code(form, field):
    """A five-digit ZIP (a ZIP+4 keeps its first five); whether it exists is checked later."""
    try:
        field.data = normalise_zip(field.data)
    except InvalidZip as error:
        raise ValidationError(str(error)) from error


class KeepsSlot:
    """A field whose Markup value (a cached page's slot) is written as it is, not escaped."""

    def _value(self) -> str:
        return self.data if isinstance(self.data, Markup) else super()._value()


class SlotStringField(KeepsSlot, StringField):
    """A text field that can hold a slot: the ZIP code a cached form takes from the search."""


class SlotHiddenField(KeepsSlot, HiddenField):
    """A hidden field that can hold a slot: the radius a cached form takes from the search."""


def _stamp_verdict(
    stamp: FormStamp | None,
    program_id: int,
    min_age: float,
    max_age: float,
    confirmed: bool = False,
):
    """LeadForm.judge() for the stamp alone (portal.core.stamps.judge_stamp)."""
    matches = stamp is not None and stamp.program_id == program_id
    return judge_stamp(stamp, matches, min_age, max_age, confirmed)


class LeadForm(SiteForm):
    """A visitor's request for enrollment information from one school about one program."""

    first_name = StringField(
        "First name",
        filters=[clean],
        validators=[required("Enter your first name."), short_text(NAME_MAX), person_name],
        render_kw={"autocomplete": "given-name", "maxlength": NAME_MAX},
        widget=QuickTextInput(),
    )
    last_name = StringField(
        "Last name",
        filters=[clean],
        validators=[required("Enter your last name."), short_text(NAME_MAX), person_name],
        render_kw={"autocomplete": "family-name", "maxlength": NAME_MAX},
        widget=QuickTextInput(),
    )
    email = EmailField(
        "Email address",
        filters=[clean],
        validators=[required("Enter your email address."), short_text(EMAIL_MAX), email_address],
        render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX},
        widget=QuickEmailInput(),
    )
    phone = TelField(
        "Phone number",
        filters=[clean],
        validators=[required("Enter your phone number."), short_text(PHONE_MAX), us_phone],
        render_kw={"autocomplete": "tel", "maxlength": PHONE_MAX},
        widget=QuickTelInput(),
    )
    zip_code = SlotStringField(
        "ZIP code",
        filters=[clean],
        validators=[required("Enter your ZIP code."), short_text(10), zip_code],
        render_kw={"autocomplete": "postal-code", "inputmode": "numeric", "maxlength": 10},
        widget=QuickTextInput(),
    )
    education_level = SelectField(
        "Highest level of education",
        choices=select_options(EDUCATION_LEVELS, first=CHOOSE_ONE),
        validate_choice=False,
        widget=QuickSelect(),
        validators=[one_of(EDUCATION_LEVELS, "Choose your highest level of education.")],
    )
    start_timeframe = SelectField(
        "When would you like to start?",
        choices=select_options(START_TIMEFRAMES, first=CHOOSE_ONE),
        validate_choice=False,
        widget=QuickSelect(),
        validators=[one_of(START_TIMEFRAMES, "Choose when you would like to start.")],
    )
    consent = BooleanField(
        "I agree to be contacted.",
        widget=QuickCheckboxInput(),
        validators=[DataRequired("Tick the box to agree, so that the school may contact you.")],
    )
    # Quiet bot traps: a field people never see, and when the form was shown (signed).
    website = StringField("Leave this field empty", widget=QuickTextInput())
    started = StampField(widget=QuickHiddenInput())
    # Set only on a form sent back too fast: the visitor's "Confirm request" needs no wait.
    confirmation = HiddenField(widget=QuickHiddenInput())
    radius = SlotHiddenField(widget=QuickHiddenInput())

    def show_consent(self, disclosure: str, privacy_url: str) -> None:
        """Label the checkbox with the disclosure, its privacy-policy words made a link."""
        before, _, after = disclosure.partition(PRIVACY_LINK_TEXT)
        link = Markup('<a href="{}">{}</a>').format(privacy_url, PRIVACY_LINK_TEXT)
        self.consent.label.text = escape(before) + link + escape(after)

    def stamp(
        self,
        program_id: int,
        disclosure_sha256: str,
        stamp: FormStamp | None,
        max_age: float,
        form_sha256: str | None = None,
    ) -> None:
        """Record (signed) when the form was first shown, for which program and disclosure,
        and in which form (`form_sha256`, for a fresh stamp).

        A form sent back with a good `stamp` (as read_stamp() read it) for the same disclosure
        keeps it, so correcting a mistake does not restart the clock; one past `max_age`
        seconds, or for another disclosure, is replaced, and so is none (None: a fresh stamp).
        """
        kept = _stamp_verdict(stamp, program_id, 0, max_age) == "good"
        if not kept or stamp.consent_sha256 != disclosure_sha256:
            self.started.data = form_token(program_id, disclosure_sha256, form_sha256)

    def judge(self, stamp: FormStamp | None, program_id: int, min_age: float, max_age: float):
        """What the returned form says of its sender: "good"; "too_fast" (sent back within
        `min_age` seconds, and not a confirmation: autofill can be that quick, so the visitor
        is asked to confirm); "expired" (shown more than `max_age` seconds ago); or "bot": the
        honeypot filled, no (or a forged) stamp, or a stamp for another listing or shown to
        another session.
        """
        if self.website.data:
            return "bot"
        confirmed = stamp is not None and is_confirmation(self.confirmation.data or "", stamp)
        return _stamp_verdict(stamp, program_id, min_age, max_age, confirmed)

    def ask_to_confirm(self, stamp: FormStamp) -> None:
        """Carry a confirmation of `stamp`, so that sending the form again, at once, stores it
        (still one lead: the stamp, and so its nonce, stays the same)."""
        self.confirmation.data = confirmation_token(stamp)

    def read_stamp(self) -> FormStamp | None:
        """The verified time stamp the form came back with, or None (missing or forged)."""
        try:
            return read_form_token(self.started.data or "")
        except (BadData, TypeError, ValueError):
            return None

    def ask_consent_again(self) -> None:
        """Untick the box and say why: the disclosure changed after the form was shown."""
        self.consent.data = False
        self.consent.errors = ["The consent wording has changed. Please read it and tick again."]

    def radius_miles(self) -> int:
        """The search radius carried from the results page (the default if absent or odd)."""
        return parse_radius(self.radius.data)

    def visitor(self) -> Visitor:
        """The validated answers, normalised, as the service takes them."""
        return Visitor(
            first_name=self.first_name.data,
            last_name=self.last_name.data,
            email=self.email.data,
            phone_e164=self.phone.data,
            zip_code=self.zip_code.data,
            education_level=self.education_level.data,
            start_timeframe=self.start_timeframe.data,
        )

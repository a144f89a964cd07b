"""The admin area's forms: sign-in, lead filters and export, data deletion, listings."""

import unicodedata
from datetime import UTC, datetime, time, timedelta

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from portal.core.widgets import select_options
from portal.models import DB_INT_MAX, LEAD_STATUSES, MAX_BID_CENTS, MODALITIES, SponsorshipTerms
from portal.services.admin_leads import LeadFilters
from portal.services.exports import ExportOptions
from portal.services.listings import ProgramFilters
from portal.services.programs import FilterChoices

ANY = ("", "Any")
MAX_PAGE = 1_000_000


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs, with "Any" first."""
    return select_options(pairs, first=ANY)


def optional_int(value) -> int | None:
    """Coerce a select's value to an id, or None for "any" (ValueError for no possible id)."""
    if value in (None, ""):
        return None
    number = int(value)
    if not 1 <= number <= DB_INT_MAX:
        raise ValueError(f"{number} is not an id")
    return number


def no_control_characters(form, field) -> None:
    """Refuse control characters: no admin input needs them, and PostgreSQL refuses NUL."""
    if field.data and any(unicodedata.category(ch) == "Cc" for ch in field.data):
        raise ValidationError("Remove the control characters (tabs, line breaks, NUL).")


def whole_number(minimum: int, maximum: int = DB_INT_MAX):
    """A validator keeping an IntegerField from `minimum` to `maximum`.

    WTForms' NumberRange turns the number into a float first, which fails on huge numbers.
    """

    def check(form, field):
        if field.data is not None and not minimum <= field.data <= maximum:
            raise ValidationError(f"Use a whole number from {minimum} to {maximum}.")

    check.field_flags = {"min": minimum, "max": maximum}
    return check


def finite(form, field) -> None:
    """Refuse NaN and infinities in a DecimalField (they are no amount of money)."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(f"Use an amount from 0 to {MAX_BID_CENTS // 100}.")


def day_start(day) -> datetime | None:
    """Midnight UTC at the start of `day`."""
    return datetime.combine(day, time(), tzinfo=UTC) if day else None


class LoginForm(FlaskForm):
    """Email and password; `next` is where to go afterwards (checked before use)."""

    email = StringField(
        "Email", validators=[DataRequired(), Length(max=254), no_control_characters]
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()
    submit = SubmitField("Sign in")


class LogoutForm(FlaskForm):
    """Sign out: a POST with its CSRF token and nothing else."""

    submit = SubmitField("Sign out")


class LeadFilterForm(FlaskForm):
    """The lead list's filters, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    since = DateField("From (UTC)", validators=[Optional()])
    until = DateField("To (UTC, inclusive)", validators=[Optional()])
    career = SelectField(
        "Career", choices=options([]), validate_choice=False, validators=[no_control_characters]
    )
    school = SelectField("School", coerce=optional_int, choices=options([]), validate_choice=False)
    program = SelectField(
        "Program", coerce=optional_int, choices=options([]), validate_choice=False
    )
    state = StringField(
        "State",
        validators=[Optional(), Regexp(r"^[A-Za-z]{2}$", message="Use a two-letter state code.")],
    )
    status = SelectField("Status", choices=options((s, s) for s in LEAD_STATUSES), default="")
    page = IntegerField(validators=[Optional(), whole_number(1, MAX_PAGE)])

    def validate_until(self, field) -> None:
        """The range must not end before it starts."""
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date must not be before the start date.")

    def set_choices(self, choices: FilterChoices) -> None:
        """Fill the selects with the schools, programs and careers that exist."""
        self.career.choices = options((c, c) for c in choices.careers)
        self.school.choices = options(choices.schools)
        self.program.choices = options(choices.programs)

    def to_filters(self) -> LeadFilters:
        """The validated filters for the lead services."""
        return LeadFilters(
            since=day_start(self.since.data),
            until=day_start(self.until.data + timedelta(days=1)) if self.until.data else None,
            career=self.career.data or None,
            school_id=self.school.data,
            program_id=self.program.data,
            state=self.state.data.upper() if self.state.data else None,
            status=self.status.data or None,
        )

    def page_number(self) -> int:
        """The requested page, 1 by default."""
        return self.page.data or 1


class ExportForm(LeadFilterForm):
    """The lead filters plus the export switches, posted with CSRF (every export is recorded)."""

    class Meta:
        csrf = True

    not_exported = BooleanField("Only leads not yet exported")
    mark_exported = BooleanField("Mark them as exported")
    include_duplicates = BooleanField("Include non-billable duplicates")
    submit = SubmitField("Download CSV")

    def to_options(self) -> ExportOptions:
        """The validated export options."""
        return ExportOptions(
            filters=self.to_filters(),
            not_exported=self.not_exported.data,
            mark_exported=self.mark_exported.data,
            include_duplicates=self.include_duplicates.data,
        )


class DeleteDataForm(FlaskForm):
    """Whose data to delete, and the admin's confirmation."""

    email = EmailField(
        "Email address of the person",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    confirm = BooleanField(
        "I understand every request from this address will be deleted for good.",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )
    submit = SubmitField("Delete this person's data")


class ImportProgramsForm(FlaskForm):
    """A listings CSV to check (dry run, the default) or import."""

    MAX_BYTES = 5 * 1024 * 1024

    csv_file = FileField(
        "Listings CSV file",
        description="UTF-8, with the header row described in the README (at most 5 MB).",
        validators=[FileRequired(message="Choose a CSV file to upload.")],
    )
    dry_run = BooleanField("Dry run: check the file and show what would change", default=True)
    submit = SubmitField("Upload")

    def validate_csv_file(self, field) -> None:
        """Keep the file's text: UTF-8 (a byte-order mark is allowed), not too large."""
        data = field.data.read(self.MAX_BYTES + 1)
        if len(data) > self.MAX_BYTES:
            raise ValidationError("The file is larger than 5 MB; split it into smaller files.")
        try:
            self.text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError("The file is not UTF-8 text; save it as CSV UTF-8.") from error


class ProgramFilterForm(FlaskForm):
    """Search and filters for the listings page (query string, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=100), no_control_characters])
    career = SelectField(
        "Career", choices=options([]), validate_choice=False, validators=[no_control_characters]
    )
    school = SelectField("School", coerce=optional_int, choices=options([]), validate_choice=False)
    modality = SelectField("Modality", choices=options((m, m) for m in MODALITIES), default="")
    active = SelectField(
        "Active", choices=options([("yes", "Active"), ("no", "Inactive")]), default=""
    )
    page = IntegerField(validators=[Optional(), whole_number(1, MAX_PAGE)])

    def set_choices(self, choices: FilterChoices) -> None:
        """Fill the selects with the schools and careers that exist."""
        self.school.choices = options(choices.schools)
        self.career.choices = options((c, c) for c in choices.careers)

    def to_filters(self) -> ProgramFilters:
        """The validated filters for the listing service."""
        return ProgramFilters(
            text=self.q.data or None,
            career=self.career.data or None,
            school_id=self.school.data,
            modality=self.modality.data or None,
            active={"yes": True, "no": False}.get(self.active.data),
        )


class ProgramActiveForm(FlaskForm):
    """Switch one listing on or off."""

    active = HiddenField(validators=[DataRequired(), Regexp(r"^[01]$")])


class SponsorshipForm(FlaskForm):
    """A listing's sponsorship terms; their rules are SponsorshipTerms.problems()."""

    bid = DecimalField("Bid per lead (USD)", places=2, validators=[InputRequired(), finite])
    starts_on = DateField("Starts on", validators=[InputRequired()])
    ends_on = DateField("Ends on (blank: no end)", validators=[Optional()])
    daily_cap = IntegerField("Daily lead cap (blank: none)", validators=[Optional()])
    monthly_cap = IntegerField("Monthly lead cap (blank: none)", validators=[Optional()])
    submit = SubmitField("Save sponsorship")

    def validate(self, extra_validators=None) -> bool:
        """Each field parses, then the terms keep their rules (errors beside the fields)."""
        if not super().validate(extra_validators):
            return False
        fields = {"bid_cents": self.bid}
        for name, message in self.to_terms().problems().items():
            fields.get(name, getattr(self, name, None)).errors.append(message)
        return not self.errors

    def to_terms(self) -> SponsorshipTerms:
        """The terms as entered, the bid in cents."""
        bid = self.bid.data
        return SponsorshipTerms(
            bid_cents=int((bid * 100).to_integral_value()),
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            daily_cap=self.daily_cap.data,
            monthly_cap=self.monthly_cap.data,
        )

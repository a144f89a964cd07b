"""The admin area's forms: sign-in, lead filters, search, status and notes, export, data
deletion, listings, the dashboard's range."""

import unicodedata
from datetime import UTC, date, datetime, time, timedelta

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from portal.core.forms import SiteForm
from portal.core.widgets import select_options
from portal.models import (
    DB_INT_MAX,
    MAX_BID_CENTS,
    MODALITIES,
    REJECT_REASONS,
    SponsorshipTerms,
)
from portal.services.admin_leads import SORTS, LeadFilters
from portal.services.careers import career_name
from portal.services.exports import ExportOptions
from portal.services.lead_status import MAX_BULK, MAX_NOTE_CHARS, StatusChange
from portal.services.listings import ProgramFilters
from portal.services.programs import FilterChoices

STATUS_CHOICES = [("new", "New"), ("exported", "Exported"), ("rejected", "Rejected")]

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


def plain_lines(form, field) -> None:
    """Like no_control_characters, but text of several lines may keep its line breaks."""
    if field.data and any(
        unicodedata.category(ch) == "Cc" and ch not in "\r\n" for ch in field.data
    ):
        raise ValidationError("Remove the control characters (tabs, NUL).")


def career_options(slugs) -> list[SelectChoice]:
    """The career select's options: each career's name, "Any" first."""
    return options((slug, career_name(slug) or slug) for slug in slugs)


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


def day_start(day, zone=UTC) -> datetime | None:
    """The start of `day` in `zone` (midnight), as a UTC time."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC) if day else None


class LoginForm(SiteForm):
    """Email and password; `next` is where to go afterwards (checked before use)."""

    email = StringField(
        "Email", validators=[DataRequired(), Length(max=254), no_control_characters]
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()
    submit = SubmitField("Sign in")


class LogoutForm(SiteForm):
    """Sign out: a POST with its CSRF token and nothing else."""

    submit = SubmitField("Sign out")


class LeadFilterFields(SiteForm):
    """Which leads: the filters the lead list and the export share (no personal data)."""

    since = DateField("From", validators=[Optional()])
    until = DateField("To (inclusive)", validators=[Optional()])
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
    status = SelectField("Status", choices=options(STATUS_CHOICES), default="")

    FILTERS = ("since", "until", "career", "school", "program", "state", "status")

    def validate_until(self, field) -> None:
        """The range must not end before it starts."""
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date must not be before the start date.")

    def set_choices(self, choices: FilterChoices) -> None:
        """Fill the selects with the schools, programs and careers that exist."""
        self.career.choices = career_options(choices.careers)
        self.school.choices = options(choices.schools)
        self.program.choices = options(choices.programs)

    def to_filters(self, zone=UTC) -> LeadFilters:
        """The validated filters for the lead services; the days are days in `zone`."""
        until = self.until.data + timedelta(days=1) if self.until.data else None
        return LeadFilters(
            since=day_start(self.since.data, zone),
            until=day_start(until, zone),
            career=self.career.data or None,
            school_id=self.school.data,
            program_id=self.program.data,
            state=self.state.data.upper() if self.state.data else None,
            status=self.status.data or None,
        )


class LeadFilterForm(LeadFilterFields):
    """The lead list: filters, a search, the sort, the page; from the query string (no CSRF:
    it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(
        "Search",
        description="Name, email or phone (any format)",
        validators=[Optional(), Length(max=100), no_control_characters],
    )
    sort = HiddenField(
        default="date", validators=[Optional(), AnyOf(list(SORTS), message="Unknown sort.")]
    )
    order = HiddenField(
        default="desc", validators=[Optional(), AnyOf(["asc", "desc"], message="Unknown order.")]
    )
    page = IntegerField(validators=[Optional(), whole_number(1, MAX_PAGE)])

    def page_number(self) -> int:
        """The requested page, 1 by default."""
        return self.page.data or 1

    def sort_key(self) -> str:
        """The column the list is sorted by (date by default)."""
        return self.sort.data or "date"

    def descending(self) -> bool:
        """Whether the sort runs from the highest (newest) down."""
        return (self.order.data or "desc") == "desc"


class ExportForm(LeadFilterFields):
    """The lead filters plus the export's switches, posted with CSRF (every export is
    recorded). On the web, the daily job is the default: only new leads, marked as sent."""

    not_exported = BooleanField("Only leads not yet exported", default=True)
    mark_exported = BooleanField("Mark them as exported", default=True)
    include_duplicates = BooleanField("Include non-billable duplicates")
    include_rejected = BooleanField("Include rejected leads")
    columns = RadioField(
        "Columns",
        choices=select_options(
            [
                ("school", "For the school: readable, without prices, IP addresses or hashes"),
                ("full", "Full: every column, as stored (for us)"),
            ]
        ),
        default="school",
    )
    bom = BooleanField("Add a byte-order mark (for Excel)")
    submit = SubmitField("Download CSV")
    per_school = SubmitField("One CSV per school (.zip)")

    def to_options(self, zone=UTC) -> ExportOptions:
        """The validated export options (the zip button asks for one file per school, unless
        the filter picks a school: then it is that school's file)."""
        return ExportOptions(
            filters=self.to_filters(zone),
            not_exported=self.not_exported.data,
            mark_exported=self.mark_exported.data,
            include_duplicates=self.include_duplicates.data,
            include_rejected=self.include_rejected.data,
            columns=self.columns.data,
            bom=self.bom.data,
            per_school=bool(self.per_school.data) and self.school.data is None,
        )


class LeadIdsField(Field):
    """The ids of the leads ticked in a list: every value sent under this field's name."""

    def process_formdata(self, valuelist) -> None:
        self.data = []
        for value in valuelist:
            try:
                self.data.append(optional_int(value))
            except ValueError as error:
                self.data = []
                raise ValueError("Those are not leads of this list.") from error

    def pre_validate(self, form) -> None:
        if self.data is None:
            self.data = []
        if None in self.data:
            raise StopValidation("Those are not leads of this list.")


class StatusForm(SiteForm):
    """Set a lead's status: the reason when rejecting, and an optional note."""

    status = SelectField("New status", choices=select_options(STATUS_CHOICES))
    reason = SelectField(
        "Reason (when rejecting)",
        choices=select_options(REJECT_REASONS, first=("", "—")),
        default="",
    )
    note = TextAreaField(
        "Note (optional)",
        validators=[Optional(), Length(max=MAX_NOTE_CHARS), plain_lines],
    )
    submit = SubmitField("Change status")

    def validate_reason(self, field) -> None:
        """A reason exactly when rejecting."""
        if self.status.data == "rejected" and not field.data:
            raise ValidationError("Choose why the lead is rejected.")
        if self.status.data != "rejected" and field.data:
            raise ValidationError("A reason is only given when rejecting; choose “—”.")

    def to_change(self) -> StatusChange:
        """The change to make."""
        return StatusChange(self.status.data, self.reason.data or None, self.note.data or None)


class BulkStatusForm(StatusForm):
    """Set the status of the leads ticked in the list."""

    lead = LeadIdsField("Leads")
    submit = SubmitField("Apply to the selected leads")

    def validate_lead(self, field) -> None:
        """At least one lead, and not more than a change may touch at once."""
        if not field.data:
            raise ValidationError("Tick the leads to change first.")
        if len(field.data) > MAX_BULK:
            raise ValidationError(f"Change at most {MAX_BULK} leads at once.")


class NoteForm(SiteForm):
    """A note added to a lead."""

    body = TextAreaField(
        "Add a note",
        validators=[
            DataRequired(message="Write the note first."),
            Length(max=MAX_NOTE_CHARS),
            plain_lines,
        ],
    )
    submit = SubmitField("Add note")


class DashboardRangeForm(SiteForm):
    """The dashboard's range: the last 7, 30 or 90 days, or from one day to another."""

    class Meta:
        csrf = False

    MAX_DAYS = 366

    days = SelectField(
        "Range",
        choices=select_options([("7", "7 days"), ("30", "30 days"), ("90", "90 days")]),
        default="30",
        validate_choice=True,
    )
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        """Each field parses; then both days or neither, in order, at most a year apart."""
        if not super().validate(extra_validators):
            return False
        since, until = self.since.data, self.until.data
        if bool(since) != bool(until):
            self.until.errors.append("Give both days, or neither.")
        elif until and until < since:
            self.until.errors.append("The end date must not be before the start date.")
        elif until and (until - since).days >= self.MAX_DAYS:
            self.until.errors.append(f"Choose at most {self.MAX_DAYS} days.")
        return not self.until.errors

    def span(self, today: date) -> tuple[date, date]:
        """The first and last day of the range (today ends the last-n-days ranges)."""
        if self.since.data and self.until.data:
            return self.since.data, self.until.data
        return today - timedelta(days=int(self.days.data or 30) - 1), today


class DeleteDataForm(SiteForm):
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


class ImportProgramsForm(SiteForm):
    """A listings CSV to check (dry run, the default) or import."""

    MAX_BYTES = 5 * 1024 * 1024

    csv_file = FileField(
        "Listings CSV file",
        description="UTF-8, with the columns described below (at most 5 MB).",
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


class ProgramFilterForm(SiteForm):
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
        self.career.choices = career_options(choices.careers)

    def to_filters(self) -> ProgramFilters:
        """The validated filters for the listing service."""
        return ProgramFilters(
            text=self.q.data or None,
            career=self.career.data or None,
            school_id=self.school.data,
            modality=self.modality.data or None,
            active={"yes": True, "no": False}.get(self.active.data),
        )


class ProgramActiveForm(SiteForm):
    """Switch one listing on or off."""

    active = HiddenField(validators=[DataRequired(), Regexp(r"^[01]$")])


class SponsorshipForm(SiteForm):
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

"""The forms of the schools' area: finding leads (GET, no CSRF), and every change (POST)."""

from wtforms import DateField, IntegerField, PasswordField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.admin.forms import MAX_PAGE, no_control_characters, optional_int, options
from portal.core.forms import SiteForm
from portal.core.widgets import select_options
from portal.models import LEAD_OUTCOMES, RETURN_REASONS, today_utc
from portal.services.lead_returns import MAX_TEXT
from portal.services.school_leads import NO_OUTCOME, SchoolLeadFilters


class SchoolLeadFilterForm(SiteForm):
    """Which of the school's leads: received from/to (UTC days), program, campus, outcome."""

    class Meta:
        csrf = False

    since = DateField("Received from", validators=[Optional()])
    until = DateField("To (inclusive)", validators=[Optional()])
    program = SelectField(
        "Program", coerce=optional_int, choices=options([]), validate_choice=False
    )
    campus = SelectField("Campus", coerce=optional_int, choices=options([]), validate_choice=False)
    outcome = SelectField(
        "Outcome",
        choices=options([(NO_OUTCOME, "None recorded"), *LEAD_OUTCOMES.items()]),
        validators=[Optional()],
    )
    page = IntegerField(validators=[Optional(), NumberRange(1, MAX_PAGE)])

    FILTERS = ("since", "until", "program", "campus", "outcome")

    def set_choices(self, choices: dict) -> None:
        """The school's own programs and campuses."""
        self.program.choices = options(choices["programs"])
        self.campus.choices = options(choices["campuses"])

    def validate(self, extra_validators=None) -> bool:
        """Also: `since` not after `until`."""
        if not super().validate(extra_validators):
            return False
        if self.since.data and self.until.data and self.since.data > self.until.data:
            self.until.errors.append("Give a day on or after the first day.")
            return False
        return True

    def to_filters(self) -> SchoolLeadFilters:
        """The filters the fields stand for."""
        return SchoolLeadFilters(
            since=self.since.data,
            until=self.until.data,
            program_id=self.program.data,
            campus_id=self.campus.data,
            outcome=self.outcome.data or None,
        )


class CsrfOnlyForm(SiteForm):
    """A button that changes or downloads something: its CSRF token is all it sends."""

    submit = SubmitField("Go")


class OutcomeForm(SiteForm):
    """What became of a lead, and on which day."""

    outcome = SelectField(
        "Outcome",
        choices=select_options(LEAD_OUTCOMES, first=("", "Choose…")),
        validators=[DataRequired()],
    )
    occurred_on = DateField("On", validators=[DataRequired()], default=today_utc)
    submit = SubmitField("Record outcome")


class ReturnForm(SiteForm):
    """Return a lead for credit: why, in a reason and (for "other", required) words."""

    reason = SelectField(
        "Reason",
        choices=select_options(RETURN_REASONS, first=("", "Choose…")),
        validators=[DataRequired()],
    )
    text = TextAreaField(
        "Explanation",
        validators=[Optional(), Length(max=MAX_TEXT), no_control_characters],
        description="Needed when the reason is Other.",
    )
    submit = SubmitField("Return this lead")

    def validate(self, extra_validators=None) -> bool:
        """Also: words for "other"."""
        ok = super().validate(extra_validators)
        if ok and self.reason.data == "other" and not (self.text.data or "").strip():
            self.text.errors.append("Say why the lead is returned.")
            return False
        return ok


class PasswordForm(SiteForm):
    """A new password for the signed-in school user."""

    current = PasswordField("Current password", validators=[DataRequired(), Length(max=1024)])
    new = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=12, max=1024)],
        description="At least 12 characters.",
    )
    confirm = PasswordField("New password again", validators=[DataRequired(), Length(max=1024)])
    submit = SubmitField("Change password")

    def validate(self, extra_validators=None) -> bool:
        """Also: the new password typed twice the same."""
        ok = super().validate(extra_validators)
        if ok and self.new.data != self.confirm.data:
            self.confirm.errors.append("The two new passwords differ.")
            return False
        return ok

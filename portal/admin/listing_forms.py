"""Forms of the admin's listing editor: the details visitors decide on, and a school's
response time. Their rules are ProgramDetails.problems() (the import checks the same)."""

from decimal import Decimal

from wtforms import (
    DateField,
    DecimalField,
    FieldList,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from portal.admin.forms import no_control_characters, whole_number
from portal.core.forms import SiteForm
from portal.core.widgets import select_options
from portal.models import (
    MAX_RESPONSE_HOURS,
    MAX_START_DATES,
    SCHEDULE_NAMES,
    Program,
    ProgramDetails,
    program_details,
)

FINANCIAL_AID = [("", "Not said"), ("yes", "Offered"), ("no", "Not offered")]
CENT = Decimal("0.01")


def amount(form, field) -> None:
    """A dollar amount: a finite number with at most two decimals (its range is checked with
    the other rules)."""
    if field.data is None:
        return
    if not field.data.is_finite() or field.data != field.data.quantize(CENT):
        raise StopValidation("Use dollars with at most two decimals, like 12400 or 12400.50.")


def cents(value: Decimal | None) -> int | None:
    """Dollars as whole cents."""
    return None if value is None else int((value * 100).to_integral_value())


def dollars(value: int | None) -> Decimal | None:
    """Whole cents as dollars."""
    return None if value is None else Decimal(value).scaleb(-2)


class ProgramDetailsForm(SiteForm):
    """A listing's tuition, schedule, start dates, accreditation, financial aid and web page."""

    tuition_min = DecimalField(
        "Tuition (USD), or the lowest of a range",
        description="The total for the program. Leave both blank: visitors are told to ask.",
        places=2,
        validators=[Optional(), amount],
    )
    tuition_max = DecimalField(
        "Highest tuition of the range (USD)",
        description="Blank when there is one price.",
        places=2,
        validators=[Optional(), amount],
    )
    schedule = SelectMultipleField(
        "Schedule",
        choices=select_options(SCHEDULE_NAMES),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )
    starts = FieldList(
        DateField("Start date", validators=[Optional()]),
        min_entries=MAX_START_DATES,
        max_entries=MAX_START_DATES,
    )
    accreditation = StringField(
        "Accrediting body",
        description="Its full name, e.g. Accrediting Bureau of Health Education Schools (ABHES).",
        validators=[Optional(), Length(max=200), no_control_characters],
    )
    financial_aid = SelectField(
        "Financial aid", choices=select_options(FINANCIAL_AID), validate_choice=True
    )
    program_url = StringField(
        "The program's page on the school's site",
        description="Starting with https:// (or http://).",
        validators=[Optional(), Length(max=500), no_control_characters],
    )
    submit = SubmitField("Save details")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, entry in enumerate(self.starts, start=1):
            entry.label.text = f"Start date {number}"

    @classmethod
    def initial(cls, program: Program) -> dict:
        """The form's values for a stored listing."""
        found = program.details
        aid = {None: "", True: "yes", False: "no"}[found.financial_aid]
        return {
            "tuition_min": dollars(found.tuition_min_cents),
            "tuition_max": dollars(found.tuition_max_cents),
            "schedule": list(found.schedule),
            "starts": list(found.next_start_dates),
            "accreditation": found.accreditation or "",
            "financial_aid": aid,
            "program_url": found.program_url or "",
        }

    def validate(self, extra_validators=None) -> bool:
        """Each field parses, then the details keep their rules (errors beside the fields)."""
        if not super().validate(extra_validators):
            return False
        self.show_problems(self.to_details().problems())
        return not self.errors

    def show_problems(self, problems: dict[str, str]) -> None:
        """Put each of ProgramDetails' problems beside the field it is about."""
        fields = {
            "tuition_min_cents": self.tuition_min,
            "tuition_max_cents": self.tuition_max,
            "next_start_dates": self.starts,
        }
        for name, message in problems.items():
            field = fields.get(name) or getattr(self, name)
            field.errors = [*field.errors, message]

    def to_details(self) -> ProgramDetails:
        """The details as entered, tuition in cents."""
        return program_details(
            tuition_min_cents=cents(self.tuition_min.data),
            tuition_max_cents=cents(self.tuition_max.data),
            schedule=self.schedule.data or (),
            next_start_dates=[day for day in self.starts.data if day is not None],
            accreditation=self.accreditation.data,
            financial_aid={"yes": True, "no": False}.get(self.financial_aid.data),
            program_url=self.program_url.data,
        )


class ResponseHoursForm(SiteForm):
    """How soon a school usually contacts a visitor who asked it."""

    response_hours = IntegerField(
        "Usually contacts visitors within (hours)",
        description="The thank-you page tells each visitor this, after a request to this school.",
        validators=[
            InputRequired("Enter a number of hours."),
            whole_number(1, MAX_RESPONSE_HOURS),
        ],
    )
    submit = SubmitField("Save")

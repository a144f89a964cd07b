"""Forms of the schools' delivery settings: add a webhook or email destination, switch one on or
off, and the buttons that only need their CSRF token (rotate, test, redeliver)."""

from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp

from portal.admin.forms import no_control_characters
from portal.core.forms import SiteForm


class WebhookForm(SiteForm):
    """A new webhook destination: its URL."""

    url = StringField(
        "Webhook URL",
        description="The school's endpoint, e.g. https://crm.example.edu/hooks/leads.",
        validators=[
            DataRequired(message="Enter the URL."),
            Length(max=2048),
            no_control_characters,
        ],
    )
    submit = SubmitField("Add webhook")


class EmailDestinationForm(SiteForm):
    """A new email destination: one or more addresses."""

    addresses = StringField(
        "Email addresses",
        description="One or more, separated by commas; each lead goes to all of them.",
        validators=[
            DataRequired(message="Enter an address."),
            Length(max=1000),
            no_control_characters,
        ],
    )
    submit = SubmitField("Add email")


class DestinationEnabledForm(SiteForm):
    """Switch a destination on (1) or off (0)."""

    enabled = HiddenField(validators=[DataRequired(), Regexp(r"^[01]$")])


class ActionForm(SiteForm):
    """A button that changes something: its CSRF token is all it sends."""

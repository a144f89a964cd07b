"""The admin's forms for the schools' accounts: inviting a user, deciding a return, a month."""

from wtforms import EmailField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.admin.forms import no_control_characters
from portal.core.forms import SiteForm
from portal.core.widgets import select_options
from portal.services.lead_returns import MAX_TEXT


class InviteForm(SiteForm):
    """A new user of the school: their email (a password is made and shown once)."""

    email = EmailField(
        "Email",
        validators=[
            DataRequired(message="Enter an address."),
            Length(max=254),
            no_control_characters,
        ],
    )
    submit = SubmitField("Add user")


class UserEnabledForm(SiteForm):
    """Disable or enable a school user."""

    enabled = SelectField(choices=select_options([("0", "Disable"), ("1", "Enable")]))
    submit = SubmitField("Save")


class DecisionForm(SiteForm):
    """Approve or deny a return, with a note the school reads."""

    decision = SelectField(
        "Decision",
        choices=select_options(
            [("approve", "Approve: credit it"), ("deny", "Deny")], first=("", "Choose…")
        ),
        validators=[DataRequired(message="Choose approve or deny.")],
    )
    note = TextAreaField(
        "Note to the school", validators=[Optional(), Length(max=MAX_TEXT), no_control_characters]
    )
    submit = SubmitField("Decide")

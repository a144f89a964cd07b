"""Forms of the admin's inbox: contact messages (list, handled, delete) and closing a "Do Not
Sell or Share" request."""

from wtforms import HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Optional, Regexp

from portal.admin.forms import MAX_PAGE, whole_number
from portal.core.forms import SiteForm
from portal.core.validators import long_text
from portal.core.widgets import select_options
from portal.services.erasure import NOTE_MAX

CLOSE_ACTIONS = {"delete": "Delete their data and close", "close": "Close without deleting"}


class MessageListForm(SiteForm):
    """Which messages to list (query string, no CSRF)."""

    class Meta:
        csrf = False

    show = SelectField(
        "Show",
        choices=select_options([("all", "All messages"), ("open", "Not yet handled")]),
        default="all",
    )
    page = IntegerField(validators=[Optional(), whole_number(1, MAX_PAGE)])


class HandledForm(SiteForm):
    """Mark a message handled (1) or not handled (0)."""

    handled = HiddenField(validators=[DataRequired(), Regexp(r"^[01]$")])


class CloseRequestForm(SiteForm):
    """Close a privacy request: delete the person's data, or close with a note."""

    action = HiddenField(validators=[DataRequired(), Regexp(r"^(delete|close)$")])
    note = TextAreaField(
        "What was done",
        validators=[long_text(NOTE_MAX)],
        render_kw={"rows": 2, "maxlength": NOTE_MAX},
    )

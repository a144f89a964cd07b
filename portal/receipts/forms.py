"""The verify page's form: one receipt, pasted."""

from wtforms import TextAreaField
from wtforms.validators import StopValidation

from portal.core.forms import SiteForm
from portal.core.validators import required
from portal.services.receipts import MAX_RECEIPT_CHARS


def _compact(value):
    """A pasted receipt without the spaces and line breaks that copying may add."""
    return "".join(value.split()) if isinstance(value, str) else value


def _not_too_long(form, field):
    """Refuse text far longer than any receipt, before it is looked at."""
    if len(field.data) > MAX_RECEIPT_CHARS:
        raise StopValidation(f"A receipt is shorter than {MAX_RECEIPT_CHARS:,} characters.")


class VerifyForm(SiteForm):
    """A consent receipt to check (a JWS in compact form, as a school received it)."""

    receipt = TextAreaField(
        "Consent receipt",
        description="The receipt as you received it: three parts joined by dots, starting eyJ.",
        filters=[_compact],
        validators=[required("Paste a receipt to check."), _not_too_long],
        render_kw={"rows": 8, "spellcheck": "false", "autocomplete": "off"},
    )

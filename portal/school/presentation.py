"""How the schools' pages show values: times in UTC, money in dollars, labels for codes."""

from datetime import UTC, datetime

from markupsafe import Markup

from portal.admin.presentation import label, money, multiline, phone
from portal.models import LEAD_OUTCOMES, RETURN_REASONS


def utc_time(value: datetime | None) -> Markup:
    """A stored time as 2026-11-26 22:20 UTC in a <time> element; empty for none."""
    if value is None:
        return Markup("")
    utc = value.astimezone(UTC)
    return Markup('<time datetime="{}">{}</time>').format(
        utc.strftime("%Y-%m-%dT%H:%M:%SZ"), utc.strftime("%Y-%m-%d %H:%M UTC")
    )


def school_helpers() -> dict:
    """What school templates use to show values."""
    return {
        "utc_time": utc_time,
        "money": money,
        "phone": phone,
        "label": label,
        "multiline": multiline,
        "outcome_labels": LEAD_OUTCOMES,
        "return_reasons": RETURN_REASONS,
    }

"""How admin pages show stored values: labels instead of codes, money as dollars, phones as
people write them, and times in the admins' time zone (ADMIN_TIMEZONE; files stay in UTC)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from flask import current_app
from markupsafe import Markup, escape

from portal.core.charts import Chart, bar_chart, column_chart, counted
from portal.models import REJECT_REASONS
from portal.services.careers import career_name
from portal.services.exports import readable_phone
from portal.services.leads import EDUCATION_LEVELS, START_TIMEFRAMES

STATUS_LABELS = {"new": "New", "exported": "Exported", "rejected": "Rejected"}
COLUMN_SET_LABELS = {"full": "Full columns", "school": "School columns", "statement": "Statement"}


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def admin_zone() -> ZoneInfo:
    """The time zone admin pages show times in."""
    return _zone(current_app.config["ADMIN_TIMEZONE"])


def local_time(value: datetime | None, seconds: bool = False, zone: bool = True) -> Markup:
    """A stored (UTC) time in the admins' zone, as a <time> element carrying the UTC instant,
    e.g. 2026-11-26 22:20 EST (without the zone's name where the page names it); empty for no
    time."""
    if value is None:
        return Markup("")
    utc = value.astimezone(UTC)
    local = utc.astimezone(admin_zone())
    shown = local.strftime("%Y-%m-%d %H:%M" + (":%S" if seconds else "") + (" %Z" if zone else ""))
    return Markup('<time datetime="{}">{}</time>').format(utc.strftime("%Y-%m-%dT%H:%M:%SZ"), shown)


def money(cents: int | None) -> str:
    """Cents as dollars: $1,234.50."""
    return "" if cents is None else f"${cents / 100:,.2f}"


def phone(e164: str | None) -> str:
    """A stored phone as people write it: (312) 555-0100."""
    return readable_phone(e164) or ""


def career(slug: str | None) -> str:
    """A career's name (the slug when no career has it)."""
    return career_name(slug) or (slug or "")


def label(kind: str, code: str | None) -> str:
    """The label of a stored code: kind is status, reason, education, start or columns."""
    labels = {
        "status": STATUS_LABELS,
        "reason": REJECT_REASONS,
        "education": EDUCATION_LEVELS,
        "start": START_TIMEFRAMES,
        "columns": COLUMN_SET_LABELS,
    }[kind]
    return labels.get(code, code or "") if code else ""


def multiline(text: str | None) -> Markup:
    """Text with its line breaks kept (everything else escaped)."""
    return Markup("<br>").join(escape(line) for line in (text or "").split("\n"))


def presentation_helpers() -> dict:
    """What admin templates use to show values."""
    return {
        "local_time": local_time,
        "money": money,
        "phone": phone,
        "career": career,
        "label": label,
        "multiline": multiline,
        "admin_zone_name": current_app.config["ADMIN_TIMEZONE"],
    }


def short_day(day: date) -> str:
    """A day as Nov 27."""
    return f"{day:%b} {day.day}"


def long_day(day: date) -> str:
    """A day as Nov 27, 2026."""
    return f"{day:%b} {day.day}, {day.year}"


def dollars(value: float) -> str:
    """A chart tick in dollars: $1,500."""
    return f"${value:,.0f}"


# Each chart is drawn twice, wide and narrow, and CSS shows the one that fits: SVG text
# shrinks with the drawing, so one drawing cannot be readable on a phone and a desktop.
WIDE, NARROW = 560, 360


@dataclass(frozen=True)
class DashboardChart:
    """One chart of the dashboard: its drawings, what it shows in a sentence (for screen
    readers), and the same figures as a table."""

    id: str
    title: str
    wide: Chart
    narrow: Chart
    summary: str
    headers: list[str]
    rows: list[list]
    empty: str


def _days(days, attribute: str) -> list[tuple[str, float, str]]:
    """Chart rows of one figure per day (revenue in cents is drawn in dollars)."""
    if attribute == "revenue_cents":
        return [(short_day(d.day), d.revenue_cents / 100, money(d.revenue_cents)) for d in days]
    return [(short_day(d.day), getattr(d, attribute), f"{getattr(d, attribute):,}") for d in days]


def _busiest(days, attribute: str) -> str:
    """The day with the most of a figure, and how much: Nov 20 (12)."""
    top = max(days, key=lambda d: getattr(d, attribute))
    value = getattr(top, attribute)
    shown = money(value) if attribute == "revenue_cents" else f"{value:,}"
    return f"{short_day(top.day)} ({shown})"


def _columns(rows, **options) -> tuple[Chart, Chart]:
    """A column chart with its axis, wide and narrow."""
    common = {"axis": True, "baseline": 190, "plot_top": 12, "bar_share": 0.8, **options}
    return column_chart(rows, width=WIDE, **common), column_chart(rows, width=NARROW, **common)


def _bars(rows, wide_labels: int, narrow_labels: int) -> tuple[Chart, Chart]:
    """A horizontal bar chart with its axis, wide and narrow."""
    rows = counted(rows)
    return (
        bar_chart(rows, width=WIDE, axis=True, label_width=wide_labels),
        bar_chart(rows, width=NARROW, axis=True, label_width=narrow_labels),
    )


def _listed(rows) -> str:
    """(label, count) pairs in a sentence: AK 79, IL 67."""
    return ", ".join(f"{label} {count:,}" for label, count in rows)


def dashboard_charts(figures) -> list[DashboardChart]:
    """The dashboard's charts, from its figures (portal.services.dashboard.Dashboard)."""
    days = figures.days
    leads = sum(d.leads for d in days)
    revenue = sum(d.revenue_cents for d in days)
    newest_first = list(reversed(days))
    return [
        DashboardChart(
            "leads-per-day",
            "Leads per day",
            *_columns(_days(days, "leads")),
            f"{leads:,} leads in {len(days)} days"
            + (f", most on {_busiest(days, 'leads')}" if leads else ""),
            ["Day", "Leads", "Billable", "Duplicates", "Rejected"],
            [[long_day(d.day), d.leads, d.billable, d.duplicates, d.rejected] for d in newest_first]
            if leads
            else [],
            "No leads in these days.",
        ),
        DashboardChart(
            "revenue-per-day",
            "Revenue per day",
            *_columns(_days(days, "revenue_cents"), tick_text=dollars),
            f"{money(revenue)} in {len(days)} days"
            + (f", most on {_busiest(days, 'revenue_cents')}" if revenue else ""),
            ["Day", "Revenue"],
            [[long_day(d.day), money(d.revenue_cents)] for d in newest_first] if revenue else [],
            "No revenue in these days.",
        ),
        DashboardChart(
            "leads-per-school",
            "Leads per school (top 10)",
            *_bars(figures.leads_per_school, 200, 130),
            _listed(figures.leads_per_school),
            ["School", "Leads"],
            [list(row) for row in figures.leads_per_school],
            "No leads in these days.",
        ),
        DashboardChart(
            "searches-per-state",
            "Searches per state",
            *_bars(figures.searches_per_state, 110, 100),
            f"{figures.searches:,} searches in all; " + _listed(figures.searches_per_state),
            ["State", "Searches"],
            [list(row) for row in figures.searches_per_state],
            "No searches in these days.",
        ),
        DashboardChart(
            "zero-result-zips",
            "ZIPs searched most with no results",
            *_bars(figures.zero_result_zips, 90, 70),
            _listed(figures.zero_result_zips),
            ["ZIP code", "Searches"],
            [list(row) for row in figures.zero_result_zips],
            "Every search in these days found programs.",
        ),
    ]

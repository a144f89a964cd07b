"""The daily roll-up of the leads and searches: what the dashboard and the schools' figures add
up, counted once per day instead of from every row on every page (portal.services.rollup).

Every UTC day up to LeadRollup.counted_through is counted here; later days (today, and a day
until the worker counts it after it ends) are read from the leads and the search log
themselves. A change to a lead of a counted day changes its rows here in the same
transaction, so the roll-up always equals a recount (searches never change).
"""

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class LeadRollup(db.Model):
    """The roll-up's one row: the last UTC day it counts (None: none yet)."""

    __tablename__ = "lead_rollup"

    id: Mapped[int] = mapped_column(primary_key=True)
    counted_through: Mapped[date | None] = mapped_column(Date)


class LeadQuarter(db.Model):
    """The leads of one quarter hour (UTC, numbered from 1970), by category: every time
    zone's days start on a quarter hour, so any zone's days add up from these."""

    __tablename__ = "lead_quarter"

    quarter: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    leads: Mapped[int] = mapped_column(Integer)
    billable: Mapped[int] = mapped_column(Integer)
    duplicates: Mapped[int] = mapped_column(Integer)  # not rejected, repeating another
    rejected: Mapped[int] = mapped_column(Integer)
    revenue_cents: Mapped[int] = mapped_column(Integer)  # the prices of the billable ones


class LeadDay(db.Model):
    """One listing's leads of one UTC day: how many, what they bill, and of those not
    rejected ("kept") how many have an outcome, were reached, applied and enrolled."""

    __tablename__ = "lead_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"), primary_key=True)
    leads: Mapped[int] = mapped_column(Integer)
    revenue_cents: Mapped[int] = mapped_column(Integer)
    kept: Mapped[int] = mapped_column(Integer)
    reported: Mapped[int] = mapped_column(Integer)
    reached: Mapped[int] = mapped_column(Integer)  # contacted, applied or enrolled
    applied: Mapped[int] = mapped_column(Integer)  # applied or enrolled
    enrolled: Mapped[int] = mapped_column(Integer)


class LeadMonth(db.Model):
    """LeadDay's figures for a whole UTC month (`month` its first day): a year's range reads
    twelve of these per listing rather than 365 days. A month's row grows as its days are
    counted."""

    __tablename__ = "lead_month"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"), primary_key=True)
    leads: Mapped[int] = mapped_column(Integer)
    revenue_cents: Mapped[int] = mapped_column(Integer)
    kept: Mapped[int] = mapped_column(Integer)
    reported: Mapped[int] = mapped_column(Integer)
    reached: Mapped[int] = mapped_column(Integer)
    applied: Mapped[int] = mapped_column(Integer)
    enrolled: Mapped[int] = mapped_column(Integer)


class CampaignDay(db.Model):
    """One campaign's (utm_campaign, "" for none) leads of one UTC day, with the outcome
    counts of LeadDay."""

    __tablename__ = "campaign_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    campaign: Mapped[str] = mapped_column(String(200), primary_key=True)
    leads: Mapped[int] = mapped_column(Integer)
    kept: Mapped[int] = mapped_column(Integer)
    reported: Mapped[int] = mapped_column(Integer)
    reached: Mapped[int] = mapped_column(Integer)
    applied: Mapped[int] = mapped_column(Integer)
    enrolled: Mapped[int] = mapped_column(Integer)


class SearchDay(db.Model):
    """The searches of one UTC day from one state ("" for a ZIP we do not know)."""

    __tablename__ = "search_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    state: Mapped[str] = mapped_column(String(2), primary_key=True)
    searches: Mapped[int] = mapped_column(Integer)


class EmptySearchDay(db.Model):
    """The searches of one UTC day for one ZIP code that found nothing."""

    __tablename__ = "empty_search_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    zip_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    searches: Mapped[int] = mapped_column(Integer)

"""A record of each program search, kept without personal data to show demand."""

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow


class SearchLog(db.Model):
    """One search: ZIP, state, filters and result count (never who searched)."""

    __tablename__ = "search_log"
    __table_args__ = (
        Index("ix_search_log_created_at", "created_at"),
        Index("ix_search_log_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    zip_code: Mapped[str] = mapped_column(String(5))
    state: Mapped[str | None] = mapped_column(String(2))
    career: Mapped[str | None] = mapped_column(String(80))
    credential_level: Mapped[str | None] = mapped_column(String(16))
    modality: Mapped[str | None] = mapped_column(String(8))
    radius_miles: Mapped[int] = mapped_column(Integer)
    result_count: Mapped[int] = mapped_column(Integer)

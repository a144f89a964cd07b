"""PostgreSQL can use each index the pages were given (migration 0016) for the very query
the page sends: the trigram indexes for the search, the partial index for the leads waiting
to be exported, a school's leads by date and by outcome. A test database is too small for
the planner to choose them on its own, so sequential scans are ruled out while asking."""

from datetime import UTC, datetime

from sqlalchemy import select, text

from portal.extensions import db
from portal.models import WAITING, Lead
from portal.services.admin_leads import search_condition
from portal.services.school_leads import NO_OUTCOME, SchoolLeadFilters, school_leads_query
from tests.support.settings import POSTGRES_ONLY

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def plan(query) -> str:
    """EXPLAIN of the query as the app sends it, with sequential scans ruled out."""
    compiled = query.compile(dialect=db.engine.dialect)
    with db.engine.connect() as conn:
        conn.execute(text("SET enable_seqscan TO off"))
        rows = conn.exec_driver_sql("EXPLAIN " + compiled.string, compiled.params).all()
    return "\n".join(row[0] for row in rows)


@POSTGRES_ONLY
def test_each_index_serves_its_page(app):
    with app.app_context():
        search = select(Lead.id).where(search_condition("garcia"))
        assert "ix_lead_name_trgm" in plan(search) and "ix_lead_email_trgm" in plan(search)
        by_address = select(Lead.id).where(search_condition("maria.garcia17@example.net"))
        assert "ix_lead_email_trgm" in plan(by_address)
        by_phone = select(Lead.id).where(search_condition("(312) 555-0142"))
        assert "ix_lead_phone_e164" in plan(by_phone)
        waiting = select(Lead.id).where(WAITING, Lead.created_at < NOW)
        assert "ix_lead_waiting" in plan(waiting)
        month = SchoolLeadFilters(since=NOW.date().replace(day=1), until=NOW.date())
        by_date = school_leads_query(1, *month.conditions()).order_by(Lead.created_at.desc())
        assert "ix_lead_school_created" in plan(by_date.limit(50))
        found = school_leads_query(1, *SchoolLeadFilters(outcome="enrolled").conditions())
        newest = found.order_by(Lead.created_at.desc()).limit(50)
        assert "ix_lead_school_outcome_created" in plan(newest)
        # No outcome yet: most of a school's leads, which either school index walks well.
        found = school_leads_query(1, *SchoolLeadFilters(outcome=NO_OUTCOME).conditions())
        assert "ix_lead_school_" in plan(found.order_by(Lead.created_at.desc()).limit(50))

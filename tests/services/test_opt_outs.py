"""The opt-out service: what goes on the suppression list (fingerprints only, the phones of the
email's leads too), which leads are marked, each school's notices numbered in order, a repeat
that changes nothing, one transaction for all of it, and the indexes it reads through."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from portal.extensions import db
from portal.models import Lead, LeadOptOut, PrivacyRequest, School, Suppression
from portal.services import inbox
from portal.services.contact_hashes import email_sha256, phone_sha256
from portal.services.inbox import OptOutDraft, opt_out
from portal.services.opt_outs import leads_of, on_suppression_list, suppress_person
from tests.support.factories import make_lead, make_program, make_school

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture
def leads(app) -> dict[str, int]:
    """Pat's lead; a lead with Pat's phone under another email; Pat's lead at a second school;
    someone else's lead."""
    with app.app_context():
        first = make_program(make_school("Alder Technical College"))
        second = make_program(make_school("Birch Health Academy"))
        return {
            "pat": make_lead(first, email="Pat@Example.com", phone_e164="+13125550111").id,
            "pat_phone": make_lead(first, email="p@work.example", phone_e164="+13125550111").id,
            "pat_birch": make_lead(second, email="pat@example.com", phone_e164="+17735550111").id,
            "other": make_lead(first, email="sam@example.com", phone_e164="+13125550122").id,
        }


def opted_out(ids: dict[str, int]) -> set[str]:
    marked = set(db.session.scalars(select(Lead.id).where(Lead.opted_out_at.is_not(None))))
    return {name for name, lead_id in ids.items() if lead_id in marked}


def test_the_email_and_the_phones_of_its_leads_go_on_the_list(app, leads):
    with app.app_context():
        done = suppress_person(" PAT@example.COM ", None, NOW, "do_not_sell")
        db.session.commit()
        listed = dict(db.session.execute(select(Suppression.sha256, Suppression.kind)).all())
        assert listed == {
            email_sha256("pat@example.com"): "email",
            phone_sha256("+13125550111"): "phone",
            phone_sha256("+17735550111"): "phone",
        }
        assert opted_out(leads) == {"pat", "pat_phone", "pat_birch"}
        assert (done.leads, done.schools_told, done.deliveries_cancelled) == (3, 2, 0)
        assert on_suppression_list(email_sha256("pat@example.com"), "x")
        assert on_suppression_list("x", phone_sha256("+17735550111"))
        assert not on_suppression_list(email_sha256("sam@example.com"), "x")


def test_each_school_numbers_its_notices_and_a_repeat_changes_nothing(app, leads):
    with app.app_context():
        opt_out(OptOutDraft("pat@example.com", None, None), "r-1", NOW)
        again = suppress_person("pat@example.com", "+13125550111", NOW, "do_not_sell")
        db.session.commit()
        assert again.leads == 0 and again.schools_told == 0
        notices = db.session.execute(
            select(LeadOptOut.school_id, LeadOptOut.school_seq, LeadOptOut.lead_id).order_by(
                LeadOptOut.school_id, LeadOptOut.school_seq
            )
        ).all()
        alder, birch = sorted({school_id for school_id, _, _ in notices})
        assert notices == [
            (alder, 1, leads["pat"]),
            (alder, 2, leads["pat_phone"]),
            (birch, 1, leads["pat_birch"]),
        ]
        seqs = dict(db.session.execute(select(School.id, School.opt_out_seq)).all())
        assert seqs == {alder: 2, birch: 1}
        assert db.session.scalar(select(func.count()).select_from(Suppression)) == 3


def test_an_opt_out_is_all_or_nothing(app, leads, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(inbox, "record_opt_out", broken)
    with app.app_context():
        with pytest.raises(RuntimeError):
            opt_out(OptOutDraft("pat@example.com", "+13125550111", "CA"), "r-1", NOW)
        for model in (PrivacyRequest, Suppression, LeadOptOut):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
        assert opted_out(leads) == set()


def test_the_lookups_read_through_indexes(app, leads):
    """A person's leads are found through the fingerprint indexes, never a scan of every lead
    (on PostgreSQL with sequential scans priced out, as on a table of a million leads)."""
    with app.app_context():
        query = select(Lead.id).where(leads_of({"a"}, {"b"}), Lead.opted_out_at.is_(None))
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
            explain = "EXPLAIN"
        else:
            explain = "EXPLAIN QUERY PLAN"
        plan = " | ".join(str(row[-1]) for row in db.session.execute(text(f"{explain} {compiled}")))
        db.session.rollback()
    assert "ix_lead_email_sha256" in plan and "ix_lead_phone_sha256" in plan
    assert "SCAN lead" not in plan and "Seq Scan" not in plan

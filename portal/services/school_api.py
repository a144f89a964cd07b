"""The schools' pull API: tokens (only their SHA-256 kept), the lead feed a CRM pages through,
and the feed of its leads whose person opted out.

The feed is ordered by Lead.school_seq, a number each school's leads get from the school's
own counter in the transaction that stores them (portal.services.leads.next_feed_number).
Raising the counter holds the school's row until that transaction ends, so a lead numbered
later cannot become visible before one numbered earlier: whenever a client has read up to
number N, every lead numbered N or less is already there. The cursor is that N. A client
polling with the last cursor it got therefore sees every lead exactly once, oldest first,
however transactions interleave (ids and created_at give no such promise: both are set
before the commit, which may come in another order).

A lead whose person opted out is left out of the lead feed (the cursor still moves past it),
and listed in the opt-out feed, numbered the same way (lead_opt_out.school_seq, from
school.opt_out_seq; see portal.services.opt_outs).
"""

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from portal.extensions import db
from portal.models import Lead, LeadOptOut, SchoolApiToken
from portal.services.events import leads_data, opt_outs_data

PAGE_SIZE = 100
TOKEN_PREFIX = "mcg_"
# last_used_at is written at most this often per token (not on every request).
LAST_USED_PRECISION = timedelta(minutes=1)


class InvalidCursor(ValueError):
    """A cursor this API did not give this school."""


class TokenNotFound(LookupError):
    """The school has no token with this id."""


def token_sha256(token: str) -> str:
    """The hash a token is kept and found by."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(
    school_id: int, created_by: str, created_by_id: int | None = None
) -> tuple[SchoolApiToken, str]:
    """A new token for the school, made by `created_by` (the school user `created_by_id`, whose
    disabling revokes it, or None from the shell); commit. The token itself is returned once,
    never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = SchoolApiToken(
        school_id=school_id,
        token_sha256=token_sha256(token),
        prefix=token[:12],
        created_by=created_by,
        created_by_id=created_by_id,
    )
    db.session.add(row)
    db.session.commit()
    return row, token


def school_tokens(school_id: int) -> list[SchoolApiToken]:
    """The school's tokens, newest first (revoked ones too)."""
    return list(
        db.session.scalars(
            select(SchoolApiToken)
            .where(SchoolApiToken.school_id == school_id)
            .order_by(SchoolApiToken.created_at.desc(), SchoolApiToken.id.desc())
        )
    )


def revoke_token(school_id: int, token_id: int, now: datetime) -> SchoolApiToken:
    """Revoke one of the school's tokens (at once, for every request after); commit."""
    row = db.session.get(SchoolApiToken, token_id)
    if row is None or row.school_id != school_id:
        raise TokenNotFound(token_id)
    if row.revoked_at is None:
        row.revoked_at = now
    db.session.commit()
    return row


def revoke_tokens_made_by(user_id: int, now: datetime) -> int:
    """Revoke every live token the school user made (no commit: the caller's); how many."""
    result = db.session.execute(
        update(SchoolApiToken)
        .where(SchoolApiToken.created_by_id == user_id, SchoolApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def token_in_use(token: str, now: datetime) -> SchoolApiToken | None:
    """The live token this is (its last use noted, to the minute), or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(
        select(SchoolApiToken).where(
            SchoolApiToken.token_sha256 == token_sha256(token),
            SchoolApiToken.revoked_at.is_(None),
        )
    )
    if row is None:
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
        db.session.execute(
            update(SchoolApiToken)
            .where(SchoolApiToken.id == row.id)
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    return row


# The cursors of the two feeds differ, so one is never taken for the other.
LEAD_FEED = "v1"
OPT_OUT_FEED = "o1"


def encode_cursor(school_id: int, seq: int, feed: str = LEAD_FEED) -> str:
    """The opaque cursor after feed number `seq` of this school's feed."""
    return base64.urlsafe_b64encode(f"{feed}:{school_id}:{seq}".encode()).decode().rstrip("=")


def decode_cursor(school_id: int, cursor: str, feed: str = LEAD_FEED) -> int:
    """The feed number a cursor stands for; InvalidCursor unless this API gave it this school
    for this feed."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        version, owner, seq = text.split(":")
        if version != feed or int(owner) != school_id or not 0 <= int(seq) < 2**31:
            raise ValueError
        return int(seq)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise InvalidCursor("That cursor is not one this API gave you.") from None


@dataclass(frozen=True)
class FeedPage:
    """One page of the feed: the leads, the cursor to ask with next, and whether more wait."""

    leads: list[dict]
    next_cursor: str
    has_more: bool


def lead_feed(
    school_id: int, since: datetime | None, cursor: str | None, limit: int = PAGE_SIZE
) -> FeedPage:
    """The school's leads after `cursor` (and received at or after `since`), oldest first;
    none whose person opted out."""
    after = decode_cursor(school_id, cursor) if cursor else 0
    conditions = [Lead.school_id == school_id, Lead.school_seq > after]
    if since is not None:
        conditions.append(Lead.created_at >= since)
    conditions.append(Lead.opted_out_at.is_(None))
    rows = db.session.execute(
        select(Lead.id, Lead.school_seq)
        .where(*conditions)
        .order_by(Lead.school_seq)
        .limit(limit + 1)
    ).all()
    page, has_more = rows[:limit], len(rows) > limit
    if not page:
        return FeedPage([], encode_cursor(school_id, after), False)
    ids = [lead_id for lead_id, _ in page]
    data = leads_data([Lead.id.in_(ids), Lead.opted_out_at.is_(None)], order_by=(Lead.school_seq,))
    return FeedPage(data, encode_cursor(school_id, page[-1][1]), has_more)


@dataclass(frozen=True)
class OptOutPage:
    """One page of the opt-out feed: the notices, the cursor to ask with next, and whether
    more wait."""

    opt_outs: list[dict]
    next_cursor: str
    has_more: bool


def opt_out_feed(
    school_id: int, since: datetime | None, cursor: str | None, limit: int = PAGE_SIZE
) -> OptOutPage:
    """The school's leads whose person opted out, after `cursor` (and at or after `since`),
    in the order they opted out, each with the time."""
    after = decode_cursor(school_id, cursor, OPT_OUT_FEED) if cursor else 0
    conditions = [LeadOptOut.school_id == school_id, LeadOptOut.school_seq > after]
    if since is not None:
        conditions.append(LeadOptOut.opted_out_at >= since)
    rows = db.session.execute(
        select(LeadOptOut.id, LeadOptOut.school_seq)
        .where(*conditions)
        .order_by(LeadOptOut.school_seq)
        .limit(limit + 1)
    ).all()
    page, has_more = rows[:limit], len(rows) > limit
    if not page:
        return OptOutPage([], encode_cursor(school_id, after, OPT_OUT_FEED), False)
    ids = [notice_id for notice_id, _ in page]
    data = opt_outs_data([LeadOptOut.id.in_(ids)], order_by=(LeadOptOut.school_seq,))
    return OptOutPage(data, encode_cursor(school_id, page[-1][1], OPT_OUT_FEED), has_more)

"""The request forms visitors were shown, kept once per distinct text so that anyone can see
the wording and layout behind a receipt's `form_sha256`.

The text kept, and hashed, is the <form> element of the request-info page as every visitor
first receives it, with the values that are each visitor's own (the CSRF token, the form's
stamp, the ZIP code and radius carried from their search) written as the page cache's slots
(`<slot:csrf>`, `<slot:stamp>`, `<slot:zip>`, `<slot:radius>`). A copy is written when a
process first builds a form it has not kept yet, before any visitor can send it back.
"""

import hashlib
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.extensions import db
from portal.models import ConsentForm

EXTENSION = "consent_forms_kept"


class FormNotFound(LookupError):
    """No form with this SHA-256 was ever shown."""


def form_sha256(html: str) -> str:
    """The hex SHA-256 of a form's HTML (UTF-8): the receipt's `form_sha256`."""
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def init_consent_forms(app: Flask) -> None:
    """Give the app its note of the forms it has already kept (one write per new form)."""
    app.extensions[EXTENSION] = set()


def keep_form(html: str, now: datetime) -> str:
    """Keep a copy of the form (once; commit) and return its SHA-256."""
    digest = form_sha256(html)
    kept: set = current_app.extensions[EXTENSION]
    if digest in kept:
        return digest
    make = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = make(ConsentForm).on_conflict_do_nothing(index_elements=["sha256"])
    db.session.execute(statement, {"sha256": digest, "html": html, "first_shown_at": now})
    db.session.commit()
    kept.add(digest)
    return digest


def kept_form(digest: str) -> ConsentForm:
    """The form kept under this SHA-256; FormNotFound when there is none."""
    form = db.session.get(ConsentForm, digest.lower()) if len(digest) == 64 else None
    if form is None:
        raise FormNotFound(digest)
    return form

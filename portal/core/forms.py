"""What every form of the site shares: the bodies a form endpoint accepts, and files only where
a form has a file field.

A form endpoint (any route outside the JSON API that takes POST, PUT, PATCH or DELETE) reads
HTML form bodies only: application/x-www-form-urlencoded, or multipart/form-data. Anything
else (JSON, XML, text, a body without a type) is answered 415 before any view or CSRF check
reads it, by one hook for every route (form_bodies_only), so a new route is covered the day it
is added. Flask-WTF would otherwise read a JSON body as the form's data, and break on JSON
that is not an object.

multipart/form-data is accepted on every form endpoint, not only where a file is expected: a
browser sends it for any form submitted with `new FormData(form)` or `enctype`, so refusing it
would break such clients for nothing. What multipart can carry that urlencoded cannot, a file
part, is what breaks a form, and SiteForm takes care of it: a file part reaches only a file
field; sent for any other field, it is that field's error ("Send text here, not a file."),
which the view answers 422 as any invalid form.
"""

from flask import Flask, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from werkzeug.exceptions import UnsupportedMediaType

from portal.core.errors import wants_json

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FILE_FIELDS = (FileField, MultipleFileField)
NOT_A_FILE = "Send text here, not a file."


class SiteForm(FlaskForm):
    """Every form of the site: a FlaskForm whose non-file fields never receive a file."""

    class Meta:
        def wrap_formdata(self, form, formdata):
            """The submitted data with each file part kept only for a file field; a file part
            named after another field is noted, for validate() to report."""
            data = super().wrap_formdata(form, formdata)
            form.file_parts_for_text = set()
            if not isinstance(data, CombinedMultiDict) or not request.files:
                return data
            file_names = {f.name for f in form if isinstance(f, FILE_FIELDS)}
            kept = MultiDict(request.form.items(multi=True))
            for name, part in request.files.items(multi=True):
                if name in file_names:
                    kept.add(name, part)
                else:
                    form.file_parts_for_text.add(name)
            return kept

    def validate(self, extra_validators=None) -> bool:
        """Validate as usual; a field that was sent a file has that as its only error."""
        valid = super().validate(extra_validators)
        for field in self:
            if field.name in getattr(self, "file_parts_for_text", ()):
                field.errors = [NOT_A_FILE]
                valid = False
        return valid


def _has_body() -> bool:
    """Whether the request carries a body (a length above 0, or chunks)."""
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    return bool(request.content_length) or chunked


def form_bodies_only() -> None:
    """Answer 415 to a form endpoint sent a body that is not an HTML form's."""
    if request.method not in UNSAFE_METHODS or request.url_rule is None or wants_json():
        return
    if request.mimetype in FORM_TYPES or (not request.mimetype and not _has_body()):
        return
    sent = request.mimetype or "a body without a Content-Type"
    raise UnsupportedMediaType(
        f"This address takes an HTML form ({' or '.join(FORM_TYPES)}), not {sent}."
    )


def register(app: Flask) -> None:
    """Check form bodies before anything else reads them (CSRF included)."""
    app.before_request_funcs.setdefault(None, []).insert(0, form_bodies_only)

"""The site's own forms (contact, "Do Not Sell or Share") as tests use them: opened as a
browser would, filled in, sent."""

import re

from tests.support.forms import form_inputs

GOOD_CONTACT = {
    "name": "Pat Doe",
    "email": "Pat.Doe@Example.COM",
    "topic": "listing",
    "body": "The phone number on a listing is wrong.\r\nPlease check it.",
}
GOOD_OPT_OUT = {"email": "pat.doe@example.com", "phone": "(312) 555-0199", "state": "CA"}


def open_page_form(client, path: str) -> dict[str, str]:
    """GET the form page; return its hidden fields (CSRF token, stamp)."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    values = form_inputs(response.get_data(as_text=True))
    return {key: values[key] for key in ("csrf_token", "started")}


def send_page_form(client, path: str, answers: dict, /, **changes):
    """Open the form at `path`, then POST it with `answers` changed by `changes` (None drops)."""
    data = open_page_form(client, path) | answers | changes
    return client.post(path, data={k: v for k, v in data.items() if v is not None})


def opt_out_by_form(app, email: str, phone: str | None = None, state: str = "") -> str:
    """Send the "Do Not Sell or Share" form as a visitor (a client of their own) and return the
    reference its confirmation page shows."""
    app.config["LEAD_MIN_FILL_SECONDS"] = 0
    visitor = app.test_client()
    answers = {"email": email, "phone": phone or "", "state": state}
    response = send_page_form(visitor, "/privacy/do-not-sell", answers)
    assert response.status_code == 303, response.status_code
    page = visitor.get(response.headers["Location"]).get_data(as_text=True)
    return re.search(r'<strong class="reference-code">([^<]+)</strong>', page).group(1)

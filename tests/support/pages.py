"""The site's own forms (contact, "Do Not Sell or Share") as tests use them: opened as a
browser would, filled in, sent."""

from tests.support.forms import form_inputs

GOOD_CONTACT = {
    "name": "Pat Doe",
    "email": "Pat.Doe@Example.COM",
    "topic": "listing",
    "body": "The phone number on a listing is wrong.\r\nPlease check it.",
}
GOOD_OPT_OUT = {"email": "pat.doe@example.com", "name": "Pat Doe", "state": "CA"}


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

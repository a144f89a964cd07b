"""Reading forms out of pages as a browser would, and sending the admin sign-in form."""

import html
import re

# The site writes every attribute in double quotes; names and values are all a test needs.
INPUT = re.compile(r"<input\b([^>]*)>")
ATTRIBUTE = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)="([^"]*)"')
PASSWORD = "correct horse battery staple"


def form_inputs(page: str) -> dict[str, str]:
    """The name -> value of every named <input> on the page (the last one of a name wins)."""
    values = {}
    for match in INPUT.finditer(page):
        attributes = {name: html.unescape(value) for name, value in ATTRIBUTE.findall(match[1])}
        if attributes.get("name"):
            values[attributes["name"]] = attributes.get("value", "")
    return values


def csrf_token(client, path: str) -> str:
    """The CSRF token a browser would find in the page at `path`."""
    token = form_inputs(client.get(path).get_data(as_text=True)).get("csrf_token")
    assert token, f"no CSRF token on {path}"
    return token


def sign_in(client, email: str = "admin@example.com", password: str = PASSWORD, next_url=None):
    """Fill in and post the sign-in form as a browser would; return the response."""
    token = csrf_token(client, "/admin/login")
    data = {"csrf_token": token, "email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/admin/login", data=data)


def sign_in_school(client, email: str, password: str = PASSWORD, next_url=None):
    """Fill in and post the school sign-in form as a browser would; return the response."""
    token = csrf_token(client, "/school/login")
    data = {"csrf_token": token, "email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/school/login", data=data)

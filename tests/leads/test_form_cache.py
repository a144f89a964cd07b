"""The request-info form kept for a few seconds: each visitor still gets their own tokens."""

import pytest

from portal.core import page_cache
from portal.core.page_cache import PageCache
from tests.support.forms import form_inputs
from tests.support.leads import GOOD_ANSWERS, fill_today, form_url, lead_count, listing


@pytest.fixture
def clock(app, monkeypatch):
    """A 5-second page cache on the app, on a clock the test moves by hand."""
    now = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now[0])
    app.extensions["page_caches"]["pages"] = PageCache(5)
    return now


def visitor_form(app, program_id: int):
    """A new visitor (own cookies) opens the form: the client, the page and its inputs."""
    client = app.test_client()
    response = client.get(form_url(program_id))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return client, html, form_inputs(html)


def test_a_cached_form_carries_each_visitors_own_tokens_and_both_can_send_it(
    app, clock, program_id
):
    first_client, first_html, first = visitor_form(app, program_id)
    clock[0] += 1
    second_client, second_html, second = visitor_form(app, program_id)
    assert "\x00" not in second_html
    assert first["csrf_token"] != second["csrf_token"]
    assert first["started"] and second["started"]
    assert second_html.replace(second["csrf_token"], "").replace(
        second["started"], ""
    ) == first_html.replace(first["csrf_token"], "").replace(first["started"], "")
    for client, values, email in [
        (second_client, second, "second@example.com"),
        (first_client, first, "first@example.com"),
    ]:
        data = {**values, **GOOD_ANSWERS, "email": email}
        assert client.post(form_url(program_id), data=data).status_code == 303
    assert lead_count(app) == 2


def test_a_visitors_token_from_a_cached_page_is_refused_in_another_session(app, clock, program_id):
    visitor_form(app, program_id)
    _, _, mine = visitor_form(app, program_id)
    stranger = app.test_client()
    response = stranger.post(form_url(program_id), data={**mine, **GOOD_ANSWERS})
    assert response.status_code in (400, 422)
    assert lead_count(app) == 0


def test_a_listing_capped_while_its_form_is_cached_takes_no_lead(app, clock):
    program_id = listing(app, daily_cap=1)
    visitor_form(app, program_id)
    fill_today(app, program_id)
    client, html, values = visitor_form(app, program_id)  # from the cache, for 5 s at most
    assert 'name="first_name"' in html
    response = client.post(form_url(program_id), data={**values, **GOOD_ANSWERS})
    assert response.status_code == 409
    assert "no longer taking requests" in response.get_data(as_text=True)
    clock[0] += 5
    response = app.test_client().get(form_url(program_id))
    assert "no longer taking requests" in response.get_data(as_text=True)
    assert lead_count(app) == 0


def test_each_zip_and_radius_has_its_own_cached_form(app, clock, program_id):
    visitor_form(app, program_id)
    response = app.test_client().get(form_url(program_id, zip_code="60614", radius=100))
    values = form_inputs(response.get_data(as_text=True))
    assert (values["zip_code"], values["radius"]) == ("60614", "100")


@pytest.mark.parametrize("zip_text", ["<slot:csrf>", "\x00csrf\x00", "<slot:stamp>"])
def test_what_a_visitor_types_can_never_take_a_tokens_slot(app, clock, program_id, zip_text):
    """A NUL slot could be written by a URL (?zip=%00csrf%00): the token landed in the field."""
    for _ in range(2):  # built, then served from the cache
        client = app.test_client()
        html = client.get(form_url(program_id, zip_code=zip_text)).get_data(as_text=True)
        values = form_inputs(html)
        assert values["zip_code"] == zip_text[:10]
        assert values["csrf_token"] and values["csrf_token"] not in values["zip_code"]
        assert "<slot:" not in html

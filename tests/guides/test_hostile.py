"""Hostile query parameters and slugs on the guide pages: the page or a 404, never a crash."""

from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from tests.support.hostile import HOSTILE, SCRIPT, assert_answered, hostile_text, maybe, query

GUIDE_URL = "/careers/medical-office-manager"
SLUGS = ["medical-office-manager", "medical-assistant", "MEDICAL-OFFICE-MANAGER", "..", "."]

guide_args = st.builds(
    query,
    pay=st.none() | maybe(["annual", "monthly", "hourly"]),
    sort=st.none() | maybe(["state", "salary"]),
    order=st.none() | maybe(["asc", "desc"]),
)


@HOSTILE
@given(args=guide_args)
def test_guide_answers_hostile_table_parameters(client, args):
    body = assert_answered(client.get(GUIDE_URL, query_string=args), {200})
    assert SCRIPT not in body
    assert "<h1" in body


@HOSTILE
@given(slug=maybe(SLUGS), args=guide_args)
def test_odd_slugs_are_a_page_or_a_404(client, slug, args):
    response = client.get(f"/careers/{quote(slug, safe='')}", query_string=args)
    body = assert_answered(response, {200, 308, 404})
    assert SCRIPT not in body


@HOSTILE
@given(slug=hostile_text)
def test_odd_slugs_in_raw_paths_are_a_page_or_a_404(client, slug):
    response = client.get("/careers/" + quote(slug, safe="/%?#&=;"))
    assert_answered(response, {200, 308, 404})

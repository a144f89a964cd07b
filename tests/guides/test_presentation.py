"""How a career page presents its guide: the state table's order, the table's query values,
and the public pages listed for the sitemap."""

import pytest

from portal.guides import presentation
from portal.services.careers import Pay, StateSalary, all_careers

STATES = (
    StateSalary("Beta", Pay(2)),
    StateSalary("Alpha", Pay(3)),
    StateSalary("Gamma", None),
    StateSalary("Delta", Pay(1)),
)


@pytest.mark.parametrize(
    ("sort", "order", "expected"),
    [
        ("state", "asc", ["Alpha", "Beta", "Delta", "Gamma"]),
        ("state", "desc", ["Gamma", "Delta", "Beta", "Alpha"]),
        ("salary", "desc", ["Alpha", "Beta", "Delta", "Gamma"]),
        ("salary", "asc", ["Delta", "Beta", "Alpha", "Gamma"]),
    ],
)
def test_sort_states_keeps_missing_data_last_when_sorting_by_salary(sort, order, expected):
    assert [s.name for s in presentation.sort_states(STATES, sort, order)] == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((None, None, None), ("annual", "state", "asc")),
        (("monthly", "salary", None), ("monthly", "salary", "desc")),
        (("hourly", "state", "desc"), ("hourly", "state", "desc")),
        (("weekly", "<script>", "sideways"), ("annual", "state", "asc")),
    ],
)
def test_bad_query_values_fall_back_to_defaults(args, expected):
    assert presentation.parse_table_args(*args) == expected


def test_sitemap_paths_cover_every_career_the_listings_and_the_sites_pages(app):
    with app.test_request_context():
        paths = presentation.public_urls([7, 9])
    assert paths[:2] == ["/", "/careers/"]
    assert {f"/careers/{c.slug}" for c in all_careers()} <= set(paths)
    after_careers = paths[2 + len(all_careers()) :]
    assert after_careers == [
        "/programs",
        "/programs/7",
        "/programs/9",
        "/about",
        "/how-we-make-money",
        "/contact",
        "/privacy",
        "/terms",
        "/privacy/do-not-sell",
    ]


def test_the_indentation_dropped_from_career_pages_is_only_what_a_browser_ignores():
    html = "<ul>\n    <li>One\n      two</li>\n\t<li>Three</li>\n</ul>"
    assert (
        presentation.without_indentation(html) == "<ul>\n<li>One\ntwo</li>\n<li>Three</li>\n</ul>"
    )


def test_career_pages_have_nothing_whose_spaces_show(client):
    for slug in ("medical-office-manager", "emt"):
        html = client.get(f"/careers/{slug}").get_data(as_text=True)
        assert "<pre" not in html and "<textarea" not in html
        assert "\n " not in html.split("</head>")[1]

"""Every figure a career page shows names its source where it is shown.

A figure is an amount of money, a percentage, or a count written with thousands separators
(850,000). Each must sit inside an element whose `data-source` names sources the guide's
content file lists (`sources`), or our own listings (`our-listings`, the section counted from
the listings table), and that element must say, beside the figure, each source's occupation,
code, survey and date (Source.cite) or, for our listings, that they are counted from them.
"""

import json
import re
from html.parser import HTMLParser

import pytest

from portal.services import careers
from tests.support.factories import make_program

GUIDE_URL = "/careers/medical-office-manager"
FIGURE = re.compile(r"\$\d[\d,]*(?:\.\d+)?|\d[\d.]*\s?%|\b\d{1,3}(?:,\d{3})+\b")
OUR_LISTINGS = "our-listings"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


class Node:
    """An element of the page: its tag, attributes, parent and all the text inside it."""

    def __init__(self, tag: str, attrs: dict, parent: "Node | None"):
        self.tag, self.attrs, self.parent, self.text = tag, attrs, parent, []

    def sourced(self) -> "Node | None":
        """The nearest element (this or above) that names sources."""
        node = self
        while node is not None and "data-source" not in node.attrs:
            node = node.parent
        return node


class Figures(HTMLParser):
    """The figures in a page's <main>, each with the element that names its sources."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.node: Node | None = None
        self.found: list[tuple[str, Node | None]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "main" or self.node is not None:
            node = Node(tag, dict(attrs), self.node)
            if tag not in VOID:
                self.node = node

    def handle_endtag(self, tag):
        if self.node is not None and tag == self.node.tag:
            text = "".join(self.node.text)
            if self.node.parent is not None:
                self.node.parent.text.append(text)
            self.node = self.node.parent

    def handle_data(self, data):
        if self.node is None:
            return
        self.node.text.append(data)
        for figure in FIGURE.findall(data):
            self.found.append((figure, self.node.sourced()))


def unsourced(html: str, sources: dict) -> list[str]:
    """Every figure of the page that does not name a known source beside it."""
    problems = []
    figures = Figures(html)
    for figure, node in figures.found:
        if node is None:
            problems.append(f"{figure}: no source")
            continue
        text = " ".join("".join(node.text).split())
        for source in node.attrs["data-source"].split():
            if source == OUR_LISTINGS:
                if "counted from those listings" not in text:
                    problems.append(f"{figure}: our listings, not said")
            elif source not in sources:
                problems.append(f"{figure}: unknown source {source!r}")
            elif " ".join(sources[source].cite.split()) not in text:
                problems.append(f"{figure}: {source} not named beside it")
    return problems


def guide_sources() -> dict:
    return careers.load_guide("medical-office-manager").sources


@pytest.mark.parametrize("pay", ["annual", "monthly", "hourly"])
def test_every_figure_of_the_guide_names_its_source_where_it_is_shown(app, client, pay):
    with app.app_context():
        make_program(tuition_min_cents=900_000, tuition_max_cents=1_600_000)
    html = client.get(f"{GUIDE_URL}?pay={pay}").get_data(as_text=True)
    figures = Figures(html).found
    assert len(figures) > 100  # the state table alone has 55
    assert {node.attrs["data-source"] for _, node in figures if node} >= {OUR_LISTINGS}
    assert unsourced(html, guide_sources()) == []


@pytest.mark.parametrize("slug", ["phlebotomist", "emt"])
def test_a_landing_pages_figures_are_our_listings(app, client, slug):
    with app.app_context():
        make_program(career="phlebotomist", tuition_min_cents=125_000, tuition_max_cents=300_000)
    html = client.get(f"/careers/{slug}").get_data(as_text=True)
    assert unsourced(html, {}) == []


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("<main><p>Managers earn $99,999.</p></main>", "$99,999: no source"),
        ("<main><p data-source='nowhere'>Up 12%.</p></main>", "12%: unknown source 'nowhere'"),
        (
            "<main><div data-source='bls-oews-43-6011'><p>850,000 jobs</p></div></main>",
            "850,000: bls-oews-43-6011 not named beside it",
        ),
        ("<main><p data-source='our-listings'>From $1,200</p></main>", "not said"),
    ],
)
def test_a_figure_without_its_source_is_found(html, problem):
    assert any(problem in found for found in unsourced(html, guide_sources()))


def test_a_figure_that_names_its_source_passes():
    sources = guide_sources()
    cite = sources["bls-oews-43-6011"].cite
    html = f"<main><p data-source='bls-oews-43-6011'>$77,060 <small>({cite})</small></p></main>"
    assert unsourced(html, sources) == []
    assert "43-6011" in cite and "May 2024" in cite and "OEWS" in cite
    assert "Executive Secretaries and Executive Administrative Assistants" in cite


def test_the_data_file_keeps_a_sources_list_and_each_figure_names_one():
    data = json.loads((careers.CONTENT_DIR / "careers" / "medical-office-manager.json").read_text())
    ids = [source["id"] for source in data["sources"]]
    assert ids == ["bls-oews-43-6011", "bls-oews-11-9111", "projection-as-quoted", "original-guide"]
    for source in data["sources"]:
        assert source["survey"] and source["date"] and source["used_for"]
    assert data["salary"]["source"] == data["states"]["source"] == "bls-oews-43-6011"
    assert data["salary"]["experienced"] == {
        "annual": 117960,
        "source": "bls-oews-11-9111",
        "measure": "median annual wage",
    }
    assert data["outlook"]["employment"]["source"] == "projection-as-quoted"

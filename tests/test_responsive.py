"""The visitor's pages in Chromium at a phone's width (390 px) and a desktop's (1280 px): nothing
wider than the screen, no text under 11 px (chart labels included, as rendered), at least two
result cards per phone screen, the filters and the guide's table of contents folded on phones.
The README's phone and desktop screenshots are taken here (docs/ with UPDATE_SCREENSHOTS=1)."""

import pytest

from portal.extensions import db
from portal.models import Program
from portal.services.demo import seed_demo

pytestmark = pytest.mark.browser

WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
MIN_TEXT_PX = 11

# For every visible piece of text: its rendered size in CSS pixels (an SVG's text scaled by the
# SVG's own scale, as it is drawn), the smallest ones first.
SMALL_TEXT = """minPx => {
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        const text = node.textContent.trim();
        const element = node.parentElement;
        if (!text || !element) continue;
        const style = getComputedStyle(element);
        if (style.visibility !== 'visible' || style.opacity === '0') continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const box = range.getBoundingClientRect();
        // Not drawn (a closed <details>, an SVG <title>), or visually hidden (1 px, clipped)
        // for screen readers only, or put off screen (the honeypot): nobody reads it.
        if (box.width < 2 || box.height < 2 || box.right < 0) continue;
        let size = parseFloat(style.fontSize);
        const svg = element.closest('svg');
        if (svg) size *= svg.getScreenCTM().a;
        if (size < minPx) found.push(`${size.toFixed(1)}px: ${text.slice(0, 40)}`);
    }
    return found;
}"""
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > width + 1)
        .filter(e => !e.closest('.honeypot, .visually-hidden, .skip-link'))
        .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
    return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}"""


@pytest.fixture
def demo(app) -> dict[str, int]:
    """The demo data set, and a listing in Chicago with every detail."""
    with app.app_context():
        assert seed_demo().ok
        program = db.session.scalars(
            db.select(Program)
            .where(Program.external_id.like("DEMO-60601-%"), Program.tuition_max_cents.is_not(None))
            .order_by(Program.id)
        ).first()
        return {"program": program.id}


def pages(demo: dict[str, int]) -> dict[str, str]:
    """The pages the issue names, and the other visitor pages with much text."""
    program = demo["program"]
    return {
        "guide": "/careers/medical-office-manager",
        "search": "/programs?zip=60601",
        "program": f"/programs/{program}?zip=60601",
        "form": f"/programs/{program}/request-info?zip=60601",
        "careers": "/careers/",
        "summary": "/careers/emt",
        "no-results": "/programs?zip=59001&career=phlebotomist&radius=10",
        "contact": "/contact",
        "privacy": "/privacy",
        "do-not-sell": "/privacy/do-not-sell",
        "api-docs": "/api/docs",
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_is_wider_than_the_screen_or_has_text_under_11px(
    chromium, live_server, demo, width
):
    viewport_width, viewport_height = WIDTHS[width]
    context = chromium.new_context(viewport={"width": viewport_width, "height": viewport_height})
    page = context.new_page()
    found = {}
    for name, path in pages(demo).items():
        page.goto(live_server + path)
        overflow = page.evaluate(OVERFLOW)
        small = page.evaluate(SMALL_TEXT, MIN_TEXT_PX)
        if overflow["scroll"] > overflow["width"] or overflow["wide"] or small:
            found[name] = {"overflow": overflow, "small text": small}
    context.close()
    assert found == {}


def test_the_checks_catch_overflow_and_small_text(chromium, live_server, demo):
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server + "/careers/medical-office-manager")
    page.evaluate("""document.querySelector('main').insertAdjacentHTML('beforeend',
        '<p class="wide">' + 'x'.repeat(400) + '</p>')""")
    assert page.evaluate(OVERFLOW)["scroll"] > 390
    page.evaluate("document.querySelectorAll('.bar-label').forEach(t => t.style.fontSize = '12px')")
    small = page.evaluate(SMALL_TEXT, MIN_TEXT_PX)  # 12 units, drawn smaller by the SVG's scale
    assert any("50th (median)" in line for line in small), small
    assert not any("Medical Office Manager" in line for line in small)
    context.close()


def test_a_phone_shows_two_result_cards_and_folds_the_filters(
    chromium, live_server, demo, docs_folder
):
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server}/programs?zip=60601")
    assert page.locator(".search-filters").get_attribute("open") is None
    assert not page.get_by_label("Career", exact=True).is_visible()
    page.get_by_text("Filters (0)", exact=True).click()
    assert page.get_by_label("Career", exact=True).is_visible()
    cards = page.locator(".result-card")
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert second["y"] + second["height"] - first["y"] <= 844  # both fit on one screen
    page.locator(".results-order").evaluate(
        "e => window.scrollBy(0, e.getBoundingClientRect().top)"
    )
    screens = docs_folder / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=screens / "search-phone.jpg", type="jpeg", quality=70)
    context.close()


def test_desktops_show_the_filters_and_the_sidebar_phones_a_jump_menu(
    chromium, live_server, demo, docs_folder
):
    desktop = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = desktop.new_page()
    page.goto(f"{live_server}/programs?zip=60601")
    assert page.get_by_label("Career", exact=True).is_visible()
    assert not page.get_by_text("Filters (0)", exact=True).is_visible()
    page.goto(f"{live_server}/careers/medical-office-manager")
    assert page.locator(".guide-toc").is_visible() and not page.locator(".toc-jump").is_visible()
    page.goto(f"{live_server}/programs/{demo['program']}?zip=60601")
    screens = docs_folder / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=screens / "program-page.jpg", type="jpeg", quality=70)
    desktop.close()

    phone = chromium.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    page.goto(f"{live_server}/careers/medical-office-manager")
    assert not page.locator(".guide-toc").is_visible()
    page.get_by_text("Jump to a section").click()
    page.get_by_role("link", name="Job outlook").click()
    assert page.url.endswith("#job-outlook")
    top = page.locator("#job-outlook").bounding_box()["y"]
    assert 0 <= top < 100  # the section is at the top of the screen
    phone.close()


PHONE = {"width": 390, "height": 844}


def first_result(page) -> dict:
    """Where the first result card starts and where its title ends, on the screen as loaded."""
    assert page.evaluate("window.scrollY") == 0
    card = page.locator(".result-card").first
    return {
        "top": card.bounding_box()["y"],
        "title bottom": sum(
            card.locator(".result-title").bounding_box()[k] for k in ("y", "height")
        ),
    }


def search_from(page, box: str, zip_code: str) -> None:
    """Type a ZIP into the search form or box whose ZIP field is `box`, and send it."""
    page.fill(box, zip_code)
    with page.expect_navigation():
        page.locator(box).press("Enter")


def test_the_first_result_starts_on_the_first_phone_screen_from_every_entry_path(
    chromium, live_server, demo, docs_folder
):
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    guide = f"{live_server}/careers/medical-office-manager"
    found = {}

    def arrive(name: str) -> None:
        found[name] = first_result(page)

    # From the guide's box: the career is preset (the filters are set, and stay folded).
    page.goto(guide)
    search_from(page, "#zip-intro", "10001")
    assert "career=medical-office-manager" in page.url
    assert page.locator("summary", has_text="Filters (1)").is_visible()
    assert not page.get_by_label("Career", exact=True).is_visible()
    page.evaluate("window.scrollTo(0, 0)")
    arrive("guide, first box")
    screens = docs_folder / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=screens / "search-from-guide-phone.jpg", type="jpeg", quality=70)
    page.goto(guide)
    search_from(page, "#zip-find", "59701")  # nothing on campus: the notice comes first
    arrive("guide, second box, nothing on campus")
    page.goto(guide)
    page.locator("#zip-intro").fill("99501")
    page.get_by_text("More options").first.click()
    page.select_option("#radius-intro", "100")
    page.select_option("#level-intro", "associate")
    with page.expect_navigation():
        page.locator("#zip-intro").press("Enter")
    arrive("guide, box with more options")
    # From a career's landing page (no guide), its box preset to the career.
    page.goto(f"{live_server}/careers/phlebotomist")
    search_from(page, "#zip-career", "60601")
    assert "career=phlebotomist" in page.url
    arrive("career landing page")
    # From the search page's own form, after a mistake.
    page.goto(f"{live_server}/programs")
    search_from(page, "#zip", "1234")
    search_from(page, "#zip", "10001")
    arrive("search form, corrected ZIP")
    # Back from a listing's page and from the thank-you page's link.
    page.goto(f"{live_server}/programs/{demo['program']}?zip=60601&radius=25")
    with page.expect_navigation():
        page.get_by_role("link", name="Programs near 60601").click()
    arrive("back from a listing")
    for query in [
        "zip=10001",
        "zip=59701",
        "zip=99501",
        "zip=60601&career=medical-assistant&level=associate&modality=hybrid&radius=100",
        "zip=60601&sort=tuition&page=2",
        "zip=59001&modality=campus&radius=10",  # nothing at all: the state's online programs
    ]:
        page.goto(f"{live_server}/programs?{query}")
        arrive(query)
    context.close()
    late = {name: where for name, where in found.items() if where["title bottom"] > 844}
    assert late == {}
    assert all(where["top"] < 844 for where in found.values())


TOUCH_TARGETS = """() => [...document.querySelectorAll(
        'form input[type=checkbox], form input[type=radio], form a, form summary')]
    .filter(e => e.getClientRects().length && !e.closest('.honeypot'))
    .map(e => { const box = e.getBoundingClientRect();
        return {what: e.outerHTML.slice(0, 60), width: box.width, height: box.height}; })"""


def test_checkboxes_radios_and_links_in_forms_are_44_px_touch_targets(chromium, live_server, demo):
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    small, seen = [], 0
    for path in [
        "/careers/medical-office-manager",
        "/careers/emt",
        "/programs?zip=60601",
        f"/programs/{demo['program']}/request-info?zip=60601",
        "/contact",
        "/privacy/do-not-sell",
    ]:
        page.goto(live_server + path)
        page.evaluate("document.querySelectorAll('form details').forEach(d => d.open = true)")
        targets = page.evaluate(TOUCH_TARGETS)
        seen += len(targets)
        small += [(path, t) for t in targets if t["width"] < 44 or t["height"] < 44]
    page.goto(f"{live_server}/programs/{demo['program']}/request-info?zip=60601")
    consent = page.locator("#consent").bounding_box()
    context.close()
    assert small == [] and seen >= 6
    assert consent["width"] >= 44 and consent["height"] >= 44


SELECT_FITS = """() => [...document.querySelectorAll('.search-panel select')].flatMap(select => {
    const short = [];
    for (let i = 0; i < select.options.length; i++) {
        select.selectedIndex = i;
        // The width the select would take to show this choice whole.
        const probe = select.cloneNode(true);
        probe.selectedIndex = i;
        probe.style.cssText = 'field-sizing: content; width: auto; min-width: 0; max-width: none;'
            + ' position: absolute; visibility: hidden';
        select.parentElement.append(probe);
        if (probe.offsetWidth > select.offsetWidth)
            short.push(`${select.name}: ${select.options[i].text} needs ${probe.offsetWidth}`);
        probe.remove();
    }
    return short;
})"""


@pytest.mark.parametrize("width", WIDTHS)
def test_select_boxes_show_each_choice_whole(chromium, live_server, demo, width):
    viewport_width, viewport_height = WIDTHS[width]
    context = chromium.new_context(viewport={"width": viewport_width, "height": viewport_height})
    page = context.new_page()
    page.goto(f"{live_server}/programs?zip=60601&career=registered-health-information-technician")
    page.evaluate("document.querySelector('details.search-filters').open = true")
    short = page.evaluate(SELECT_FITS)
    context.close()
    assert short == []


def test_the_zip_error_has_its_own_full_width_line_under_the_field(chromium, live_server, demo):
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/programs?zip=1234&career=medical-office-manager")
    error = page.locator("#zip-error").bounding_box()
    field = page.locator("#zip").bounding_box()
    button = page.get_by_role("button", name="Search Programs").bounding_box()
    panel = page.locator("form.search-panel").bounding_box()
    context.close()
    assert error["y"] >= field["y"] + field["height"]  # under the field
    assert error["height"] < 60  # two lines at most, not six
    assert error["width"] > panel["width"] * 0.8  # the panel's width, not the field's
    assert abs(button["y"] - field["y"]) < 4  # the button stays beside the field

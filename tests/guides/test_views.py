"""The career pages: every section and figure of the guide, the salary views, sorting, SEO data."""

import json
import re
from datetime import date

import pytest

from portal.guides import presentation
from portal.services import careers
from tests.support.factories import make_program
from tests.support.htmlcheck import ParsedPage, squash

GUIDE_URL = "/careers/medical-office-manager"

# The seed's headings, in the seed's order (the growth figure is the computed one).
SEED_HEADINGS = [
    "How to Become a Medical Office Manager",
    "Search Programs",
    "Job Description: What Does a Medical Office Manager Do?",
    "Duties",
    "Medical Office Manager Salary: How Much Does It Pay?",
    "National Average Salary: $77,060 per year",
    "Average Annual Salary by State",
    "Annual Average Salary: Top 5 States",
    "Where the figures come from",
    "Where the original guide disagrees with itself",
    "How to Become A Medical Office Manager: The Basic Steps",
    "Step 1: Earn A Basic Education",
    "Step 2: Gain Relevant Experience and Skills",
    "Step 3: Earn Healthcare Management Credentials",
    "Step 4: Join Associations and Networking Organizations",
    "Find a Medical Office Manager program near you",
    "Search Programs",
    "Medical Office Manager programs we list",
    "Medical Office Manager Education Requirements",
    "Back Office Management",
    "Labor Management",
    "Financial Calculations and Controls",
    "Federal and State Compliance",
    "Payment Protocols",
    "Licensing & Certification of Medical Office Managers",
    "Certification",
    "Licensing of Medical Office Managers",
    "How Long Training Takes",
    "Job Outlook: HIGH",
    "Employment Growth Projection: +16.9%",
    "Should You Become A Medical Office Manager?",
    "Overall Satisfaction: Medium",
    "Average Salary: High",
    "Job Growth Outlook: High",
    "Education Duration: Months to years",
    "Credential Education",
    "Personal Skills Needed",
    "Frequently Asked Questions",
    "How long do you have to go to school to become a Medical Office Manager?",
    "How much money does a Medical Office Manager make a year?",
    "What skills do you need to be a Medical Office Manager?",
    "Are Medical Office Managers in high demand?",
    "What kind of education do you need to be a Medical Office Manager?",
    "More Medical Careers",
]

# Figures typed straight from the seed, to catch a content file that drifted from it.
SEED_FIGURES = [
    "$77,060",
    "$117,960",
    "$48,000",
    "$60,000",
    "$77,000",
    "$90,000",
    "$107,000",
    "California $90,890",
    "District of Columbia $88,820",
    "Puerto Rico $37,970",
    "Virgin Islands $56,580",
    "Wyoming $56,780",
    "Colorado No data",
    "850,000",
    "993,900",
    "Certified Medical Office Manager (CMOM) — 21 hours",
    "Certified Medical Administrative Assistant (CMAA) — 6 to 8 weeks (160 hours)",
    "Certified Electronic Health Records Specialist (CEHRS) — 12 to 24 weeks (134 hours)",
    "Certified Billing and Coding Specialist (CBCS) — 3 to 12 months",
    "Basic First Aid / CPR (BLS) — 8 hours per designation",
    "OSHA Safety — 2 hours per course",
    "May 2024",
    "Executive Secretaries and Executive Administrative Assistants",
    "43-6011",
    "AED/CPR",
    "OSHA 10/30",
]


def get_page(client, url: str) -> ParsedPage:
    """Fetch a page, check it answered 200, and parse it."""
    response = client.get(url)
    assert response.status_code == 200, url
    return ParsedPage(response.get_data(as_text=True))


def data_file() -> dict:
    """The guide's content file as written."""
    path = careers.CONTENT_DIR / "careers" / "medical-office-manager.json"
    return json.loads(path.read_text(encoding="utf-8"))


def content_items() -> list[str]:
    """Every list item, heading and fact the content file holds, as it should read on the page."""
    data = data_file()
    items = list(data["job_description"]["duties"])
    for group in data["education"]["topics"]:
        items += [group["heading"], *group["items"]]
    items += [f"{c['name']} ({c['abbr']})" for c in data["licensing"]["credentials"]]
    items += [
        f"{c['name']} — {c['duration']}"
        for c in data["should_you"]["credential_education"]["items"]
    ]
    items += data["should_you"]["personal_skills"]["items"]
    items += [f"{r['label']}: {r['value']}" for r in data["should_you"]["ratings"]]
    items += [q["question"] for q in data["faq"]["items"]]
    items += [data["licensing"]["extras_note"]]
    for row in data["states"]["rows"]:
        amount = f"${row['annual']:,}" if row["annual"] else "No data"
        items.append(f"{row['name']} {amount}")
    for point in data["salary"]["percentiles"]:
        items.append(f"${point['annual']:,}")
    for source in data["sources"]:
        items += [source[key] for key in ("date", "note")]
        items += [source[key] for key in ("occupation", "code") if source[key]]
        # As the sources list reads them: "It gives the national average ..."
        items += [source["survey"][0].upper() + source["survey"][1:]]
        items += ["It gives " + source["used_for"][0].lower() + source["used_for"][1:]]
    items += [f"{x['credential']} {x['length']}" for x in data["durations"]["items"]]
    return items


def test_guide_has_every_section_heading_in_the_seed_order(client):
    headings = [text for _, text in get_page(client, GUIDE_URL).headings]
    position = 0
    for expected in SEED_HEADINGS:
        assert expected in headings[position:], f"{expected!r} missing or out of order"
        position = headings.index(expected, position) + 1


def test_every_item_of_the_content_file_is_on_the_page(client):
    text = get_page(client, GUIDE_URL).text
    items = content_items()
    assert len(items) > 120
    assert [item for item in items if squash(item) not in text] == []


def test_the_seed_figures_are_on_the_page(client):
    text = get_page(client, GUIDE_URL).text
    assert [figure for figure in SEED_FIGURES if figure not in text] == []


def test_headline_stats_use_the_consistent_figures_and_say_what_they_are(client):
    text = get_page(client, GUIDE_URL).text
    assert "Avg. Salary $77,060" in text
    assert "Education Duration 0–6 months short course or certificate" in text
    assert "Job Outlook +16.9% 2023–2033" in text
    # The duration box says which credential it means, and what the others take.
    assert (
        "Education duration: how long a short course or certificate takes; longer certificate "
        "program: up to 1 year; associate degree: 2 years; bachelor's degree: 4 years"
    ) in text


def test_derived_figures_are_shown(client):
    text = get_page(client, GUIDE_URL).text
    assert "+143,900 jobs (+16.9%)" in text
    assert "about 14,390 a year" in text
    assert "$37.05 an hour" in text  # the average, hourly
    assert re.search(
        r"California - \$90,890 District of Columbia - \$88,820 New York - \$86,000 "
        r"Connecticut - \$85,970 New Jersey - \$85,330",
        text,
    )


@pytest.mark.parametrize(
    "wrong",
    [
        "cell tower",
        "86,609",
        "143,000",
        "23%",
        "62,000",
        "$52,000",
        "$46 to $58",
        "$42 per hour",
        "(CMO)",
        "Colorado $0",
        "0-6 Months",
    ],
)
def test_the_seed_contradictions_are_gone_but_where_the_page_says_so(client, wrong):
    html = client.get(GUIDE_URL).get_data(as_text=True)
    box = re.search(r'<section id="reconciling".*?</section>', html, re.S).group(0)
    assert wrong not in html.replace(box, "")


def test_what_cannot_be_reconciled_is_said_plainly(client):
    html = client.get(GUIDE_URL).get_data(as_text=True)
    box = ParsedPage(re.search(r'<section id="reconciling".*?</section>', html, re.S)[0]).text
    assert "as both $77,060 and $86,609. This page shows $77,060" in box
    assert "its “well past $117,960” for experienced managers is the May 2024 median" in box
    assert "It calls job growth 23%, adding 143,000 jobs, or 62,000 a year." in box
    assert "give +16.9%" not in box and "give 16.9%, 143,900 jobs and about 14,390 a year" in box
    assert "an entry-level salary of $52,000 ($25 an hour)" in box
    assert "Colorado as “No data”" in box
    assert "cell tower" not in box  # the slip itself is not repeated


def test_prose_is_not_pasted_from_the_seed(client):
    seed = (careers.CONTENT_DIR / "careers" / "medical-office-manager.json").read_text()
    text = get_page(client, GUIDE_URL).text + seed
    # Long sentences of the seed's prose (list items and headings are short and carry over).
    pasted = [
        "Credit the calm and organized Medical Office Managers who sit behind the glass.",
        "Medical Office Managers are expected to be efficient and highly detailed.",
        "A healthcare manager’s salary varies regionally.",
        "Healthcare office credentials are essential to a successful career as a medical "
        "office manager.",
        "Joining a professional medical office manager’s association demonstrates professionalism.",
        "There are no minimum hourly education requirements to work as a medical office manager.",
        "A state certificate is not needed to work as a general medical office manager.",
        "Medical office managers are well paid.",
        "No single degree is required to become a medical office manager.",
    ]
    for sentence in pasted:
        assert sentence not in text


@pytest.mark.parametrize(
    ("pay", "average", "tenth", "california", "column"),
    [
        ("annual", "$77,060", "$48,000", "$90,890", "Avg. Annual Salary"),
        ("monthly", "$6,422", "$4,000", "$7,574", "Avg. Monthly Salary"),
        ("hourly", "$37.05", "$23.08", "$43.70", "Avg. Hourly Wage"),
    ],
)
def test_salary_views_switch_without_javascript(client, pay, average, tenth, california, column):
    html = client.get(f"{GUIDE_URL}?pay={pay}").get_data(as_text=True)
    page = ParsedPage(html)
    assert f'id="national-average">{average}<' in html
    assert f"10th {tenth}" in page.text
    assert f"California {california}" in page.text
    assert column in page.text
    assert re.search(rf'pay={pay}[^"]*#salary"\s+aria-current="true"', html)
    assert html.count('aria-current="true"') == 1


def test_every_salary_view_is_linked(client):
    html = client.get(GUIDE_URL).get_data(as_text=True)
    for pay in presentation.PAY_VIEWS:
        assert f"pay={pay}" in html


def state_order(html: str) -> list[str]:
    """The state names in the order the table shows them."""
    return re.findall(r'<tr data-state="([^"]+)"', html)


@pytest.mark.parametrize(
    ("query", "first", "last"),
    [
        ("", "Alabama", "Wyoming"),
        ("?sort=state&order=desc", "Wyoming", "Alabama"),
        ("?sort=salary&order=desc", "California", "Colorado"),
        ("?sort=salary&order=asc", "Puerto Rico", "Colorado"),
        ("?sort=salary", "California", "Colorado"),
        ("?sort=bogus&order=bogus", "Alabama", "Wyoming"),
    ],
)
def test_state_table_sorts_on_the_server(client, query, first, last):
    order = state_order(client.get(GUIDE_URL + query).get_data(as_text=True))
    assert len(order) == 54
    assert (order[0], order[-1]) == (first, last)


def test_sort_links_flip_the_current_column_and_keep_the_salary_view(client):
    html = client.get(f"{GUIDE_URL}?pay=hourly&sort=salary&order=desc").get_data(as_text=True)
    assert 'aria-sort="descending" data-sort-key="salary"' in html
    assert "pay=hourly&amp;sort=salary&amp;order=asc#salary-by-state" in html
    assert "pay=hourly&amp;sort=state&amp;order=asc#salary-by-state" in html


def test_search_box_appears_twice_preset_to_the_career(client):
    html = client.get(GUIDE_URL).get_data(as_text=True)
    assert html.count('class="search-box"') == 2
    assert html.count('<option selected value="medical-office-manager">') == 1
    # The second searches the guide's career, with no more options (the first has them).
    assert '<input type="hidden" name="career" value="medical-office-manager">' in html
    intro, find = html.index('id="zip-intro"'), html.index('id="zip-find"')
    assert html.index("Job Description:") > intro
    assert html.index("The Basic Steps") < find < html.index("Education Requirements")
    assert "Sponsored search" in html
    # Two landmarks named alike confuse screen-reader users (axe: landmark-unique).
    names = re.findall(r'class="search-box" aria-labelledby="([^"]+)"', html)
    assert names == ["search-box-title-intro", "search-box-title-find find-title"]


def test_no_placeholder_sections(client):
    html = client.get(GUIDE_URL).get_data(as_text=True)
    assert "coming soon" not in html.lower() and 'id="video"' not in html
    assert "Popular Programs" not in html and "#video" not in html
    assert "<iframe" not in html and "youtube" not in html.lower()


def test_the_guide_says_when_it_was_reviewed(client):
    html = client.get(GUIDE_URL).get_data(as_text=True)
    reviewed = date.fromisoformat(data_file()["reviewed"])
    assert f'Reviewed <time datetime="{reviewed.isoformat()}">November 30, 2026</time>' in html


def test_the_salary_figures_name_their_bls_occupation_where_they_are_shown(client):
    html = client.get(GUIDE_URL).get_data(as_text=True)
    pay = "Executive Secretaries and Executive Administrative Assistants (43-6011), BLS OEWS"
    pay += ", May 2024"
    managers = "Medical and Health Services Managers (11-9111), BLS OEWS, May 2024"
    head = html[html.index('class="headline-figures"') : html.index('id="intro"')]
    salary = html[html.index('id="salary"') : html.index('id="salary-by-state"')]
    assert pay in head and "no occupation code given" in head
    assert salary.count(pay) >= 2 and managers in salary
    caption = re.search(r'<table class="state-table"[^>]*>\s*<caption>(.*?)</caption>', html, re.S)
    assert pay in caption[1]


def test_the_table_of_contents_is_a_jump_menu_too_and_every_entry_leads_somewhere(client):
    html = client.get(GUIDE_URL).get_data(as_text=True)
    menu = re.search(r'<nav class="toc-jump".*?</nav>', html, re.S).group(0)
    sidebar = re.search(r'<nav class="guide-toc".*?</nav>', html, re.S).group(0)
    assert "<details>" in menu and "<summary>Jump to a section</summary>" in menu
    targets = re.findall(r'href="#([^"]+)"', menu)
    assert targets == re.findall(r'href="#([^"]+)"', sidebar) and len(targets) == 16
    for target in targets:
        assert f'id="{target}"' in html, target


def test_no_inline_styles_scripts_or_external_hosts(client):
    for url in ("/", "/careers/", GUIDE_URL, "/careers/emt"):
        html = client.get(url).get_data(as_text=True)
        assert "style=" not in html and "<style" not in html
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        for attrs, body in scripts:
            assert "src=" in attrs or 'type="application/ld+json"' in attrs
            assert "src=" not in attrs or not body.strip()
        for link in re.findall(r'(?:src|href|action)="([^"]+)"', html):
            # Our own pages, and the sources the figures come from (links, never loaded).
            assert link.startswith(("/", "#", "http://localhost", "https://www.bls.gov/")), link


def test_percentile_chart_is_accessible_svg(client):
    html = client.get(GUIDE_URL).get_data(as_text=True)
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="pct-title pct-desc"' in svg
    assert "<title" in svg and "<desc" in svg
    assert "50th (median) percentile: $77,000" in svg
    assert svg.count("<rect") == 5


@pytest.mark.parametrize("career", careers.all_careers(), ids=lambda c: c.slug)
def test_every_career_has_a_page_with_its_summary_and_search_box(client, career):
    page = get_page(client, f"/careers/{career.slug}")
    html = client.get(f"/careers/{career.slug}").get_data(as_text=True)
    assert squash(career.summary) in page.text
    assert f'<option selected value="{career.slug}">' in html
    assert "More Medical Careers" in page.text
    others = [c for c in careers.all_careers() if c.slug != career.slug]
    for other in others:
        assert f'href="/careers/{other.slug}"' in html
    assert f'href="/careers/{career.slug}"' not in html
    assert page.meta["og:type"] == "article"


def test_unknown_career_is_404(client):
    response = client.get("/careers/astronaut")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_index_lists_every_career_by_group_in_alphabetical_order(client):
    html = client.get("/careers/").get_data(as_text=True)
    for career in careers.all_careers():
        assert html.count(f'href="/careers/{career.slug}"') == 1
    sections = re.findall(r'<section class="career-group" id="([^"]+)".*?</section>', html, re.S)
    assert sections == ["clinical", "dental-vision", "technical", "office", "animal"]
    groups = {}
    for key, body in re.findall(
        r'<section class="career-group" id="([^"]+)"(.*?)</section>', html, re.S
    ):
        names = re.findall(r'<a href="/careers/[^"]+">([^<]+)</a>', body)
        assert names == sorted(names, key=str.casefold), key
        groups[key] = names
    assert "Medical Office Manager" in groups["office"]
    assert "X-Ray Technician" in groups["technical"]
    assert groups["animal"] == [
        "Dog Groomer",
        "Vet Office Manager",
        "Veterinary Assistant",
        "Veterinary Technician",
    ]
    assert sum(len(names) for names in groups.values()) == len(careers.all_careers())


def test_a_career_without_a_full_guide_says_so_and_leads_with_the_search(client):
    html = client.get("/careers/emt").get_data(as_text=True)
    assert "We have not written a full guide to this career yet" in html
    assert html.index('class="search-box"') < html.index("We have not written a full guide")
    assert html.index("<h1>EMT</h1>") < html.index('class="search-box"')
    # It names the career that has a full guide, rather than an empty section.
    pending = re.search(r'<section class="guide-pending".*?</section>', html, re.S).group(0)
    assert f'<a href="{GUIDE_URL}">How to Become a Medical Office Manager</a>' in pending
    assert "$" not in pending and "%" not in pending  # no figures made up for it


def test_a_career_page_is_a_landing_page_built_from_our_listings(app, client):
    with app.app_context():
        chicago = make_program(
            career="phlebotomist",
            title="Phlebotomy Technician",
            duration="12 weeks",
            tuition_min_cents=125_000,
            tuition_max_cents=300_000,
            bid_cents=5000,
        ).id
        make_program(
            career="phlebotomist",
            title="Phlebotomy Online",
            credential_level="diploma",
            duration="9 months",
            modality="online",
            states=("IL",),
            tuition_min_cents=450_000,
        )
        make_program(career="phlebotomist", modality="hybrid", zip_code="99501", title="Alaska")
        make_program(career="phlebotomist", is_active=False, zip_code="10001", title="Switched off")
        make_program(career="emt", zip_code="94103", title="EMT Basic")
    html = client.get("/careers/phlebotomist").get_data(as_text=True)
    section = re.search(r'<section id="listings".*?</section>', html, re.S).group(0)
    text = ParsedPage(section).text
    assert "Schools list 3 sponsored programs for this career with us today" in text
    assert "with tuition from $1,250 to $4,500 (2 of 3 publish it)" in text
    assert "Certificate 2 12 weeks to 6 months" in text  # the factory's listings take 6 months
    assert "Diploma 1 9 months" in text
    assert "On campus 1 Online 1 Hybrid 1" in text
    assert "Campus programs in 2 states: AK, IL." in text
    assert f'href="/programs/{chicago}">Phlebotomy Technician</a>' in section
    assert "Switched off" not in html and "EMT Basic" not in html
    # The search box comes first, preset to the career.
    assert html.index('class="search-box"') < html.index('id="listings"')
    assert '<option selected value="phlebotomist">' in html


def test_a_career_nobody_lists_says_so(client):
    html = client.get("/careers/x-ray-technician").get_data(as_text=True)
    assert "No school lists a program for this career with us today." in html
    assert 'class="linked-listings"' not in html


def test_the_guide_shows_our_listings_for_its_career_too(app, client):
    with app.app_context():
        make_program(
            career="medical-office-manager", credential_level="associate", duration="2 years"
        )
    html = client.get(GUIDE_URL).get_data(as_text=True)
    assert 'id="listings"' in html and "Associate 1 2 years" in ParsedPage(html).text
    assert '<a href="#listings">Programs we list</a>' in html


def test_home_page_introduces_the_site_and_links_the_guides(client):
    html = client.get("/").get_data(as_text=True)
    assert "Start a career in healthcare" in html
    assert f'href="{GUIDE_URL}"' in html
    assert 'href="/careers/"' in html
    assert html.count('href="/careers/') >= len(careers.all_careers())


def json_ld(client, url) -> dict:
    """The JSON-LD blocks of a page, by @type."""
    blocks = [json.loads(block) for block in get_page(client, url).json_ld]
    return {block["@type"]: block for block in blocks}


def test_guide_json_ld_has_faq_and_occupation(client):
    blocks = json_ld(client, GUIDE_URL)
    assert set(blocks) == {"FAQPage", "Occupation"}
    faq = blocks["FAQPage"]
    assert faq["@context"] == "https://schema.org"
    assert len(faq["mainEntity"]) == 5
    questions = [q["name"] for q in faq["mainEntity"]]
    assert questions == [q["question"] for q in data_file()["faq"]["items"]]
    assert all(q["acceptedAnswer"]["text"] for q in faq["mainEntity"])
    assert "$77,060" in faq["mainEntity"][1]["acceptedAnswer"]["text"]
    job = blocks["Occupation"]
    assert job["name"] == "Medical Office Manager"
    assert job["occupationalCategory"] == "43-6011"
    assert job["description"]
    salary = job["estimatedSalary"][0]
    assert salary["@type"] == "MonetaryAmountDistribution"
    assert (salary["currency"], salary["duration"]) == ("USD", "P1Y")
    assert [salary[k] for k in ("percentile10", "percentile25", "median")] == [48000, 60000, 77000]
    assert [salary[k] for k in ("percentile75", "percentile90")] == [90000, 107000]


def test_summary_pages_have_an_occupation_without_made_up_salaries(client):
    blocks = json_ld(client, "/careers/registered-nurse")
    assert set(blocks) == {"Occupation"}
    assert "estimatedSalary" not in blocks["Occupation"]


def test_json_ld_cannot_break_out_of_its_script_tag(app):
    with app.app_context():
        rendered = app.jinja_env.from_string("{{ data | tojson }}").render(
            data={"name": "</script><script>alert(1)</script>"}
        )
    assert "</script>" not in rendered and "<script>" not in rendered
    assert json.loads(rendered)["name"] == "</script><script>alert(1)</script>"


def test_guide_page_is_rendered_once_per_table_view(app, client, monkeypatch):
    from portal.guides import views

    renders = []
    real_render = views.render_template
    monkeypatch.setattr(
        views, "render_template", lambda *a, **kw: renders.append(a) or real_render(*a, **kw)
    )
    first = client.get("/careers/medical-office-manager")
    again = client.get("/careers/medical-office-manager?pay=annual&sort=state&utm_source=x")
    monthly = client.get("/careers/medical-office-manager?pay=monthly")
    assert first.data == again.data and monthly.data != first.data
    assert [name for name, *_ in renders].count("guides/career.html") == 2
    assert client.get("/careers/no-such-career").status_code == 404
    assert first.headers["ETag"] == again.headers["ETag"]
    assert (
        client.get(
            "/careers/medical-office-manager", headers={"If-None-Match": first.headers["ETag"]}
        ).status_code
        == 304
    )

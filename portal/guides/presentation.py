"""How a career page presents its guide: the pay views, the sortable state table, the charts'
data, the structured data for search engines, and the list of public pages for the sitemap."""

import re

from flask import url_for

from portal.core.charts import column_chart
from portal.services.careers import (
    HOURS_PER_YEAR,
    Career,
    Guide,
    StateSalary,
    all_careers,
    find_career,
    format_count,
    known_careers,
    load_guide,
)

PAY_VIEWS = ("annual", "monthly", "hourly")
# The templates' indentation at the start of a line: a tenth of the guide's bytes.
INDENTATION = re.compile(r"\n[ \t]+")
PAY_LABELS = {"annual": "Annually", "monthly": "Monthly", "hourly": "Hourly"}
PAY_UNITS = {"annual": "per year", "monthly": "per month", "hourly": "per hour"}
STATE_COLUMN = {
    "annual": "Avg. Annual Salary",
    "monthly": "Avg. Monthly Salary",
    "hourly": "Avg. Hourly Wage",
}
SORT_KEYS = ("state", "salary")
FIRST_ORDER = {"state": "asc", "salary": "desc"}


def sort_states(states: tuple[StateSalary, ...], sort: str, order: str) -> tuple[StateSalary, ...]:
    """Order the state table by name or salary; states without data always come last."""
    if sort == "salary":
        known = sorted((s for s in states if s.pay), key=lambda s: (s.pay.annual, s.name))
        if order == "desc":
            known.reverse()
        return tuple(known) + tuple(s for s in states if s.pay is None)
    return tuple(sorted(states, key=lambda s: s.name, reverse=order == "desc"))


def without_indentation(html: str) -> str:
    """A career page's HTML without the templates' indentation, which a browser reads as the
    line break before it. Safe on these pages: they hold no <pre> or <textarea>, where spaces
    would show. (The guide is the site's heaviest page, rendered once per process.)"""
    return INDENTATION.sub("\n", html)


def parse_table_args(pay: str | None, sort: str | None, order: str | None) -> tuple[str, ...]:
    """Turn the page's query parameters into a valid (pay, sort, order); bad values fall back."""
    pay = pay if pay in PAY_VIEWS else "annual"
    sort = sort if sort in SORT_KEYS else "state"
    order = order if order in ("asc", "desc") else FIRST_ORDER[sort]
    return pay, sort, order


# The site's own pages (the footer's), in the sitemap after the guides.
SITE_PAGES = (
    "pages.about",
    "pages.advertising",
    "pages.contact",
    "pages.privacy",
    "pages.terms",
    "pages.do_not_sell",
)


def public_urls(program_ids: list[int] = ()) -> list[str]:
    """Every public page of the site, as absolute paths, for the sitemap: the guides, the
    search, the listings' pages (`program_ids`) and the site's own pages."""
    careers = [url_for("guides.career", slug=career.slug) for career in all_careers()]
    programs = [url_for("search.program", program_id=pid) for pid in program_ids]
    pages = [url_for(endpoint) for endpoint in SITE_PAGES]
    return [
        url_for("guides.home"),
        url_for("guides.index"),
        *careers,
        url_for("search.programs"),
        *programs,
        *pages,
    ]


def json_ld(career: Career, guide: Guide | None) -> list[dict]:
    """Structured data for a career page: an Occupation, plus a FAQPage when there is a FAQ."""
    occupation = {
        "@context": "https://schema.org",
        "@type": "Occupation",
        "name": career.name,
        "description": career.summary,
        "occupationLocation": [{"@type": "Country", "name": "United States"}],
    }
    if guide is None:
        return [occupation]
    by_rank = {p.rank: p.pay.annual for p in guide.percentiles}
    occupation["occupationalCategory"] = guide.sources[guide.text["salary"]["source"]].code
    occupation["estimatedSalary"] = [
        {
            "@type": "MonetaryAmountDistribution",
            "name": "base",
            "currency": "USD",
            "duration": "P1Y",
            "percentile10": by_rank[10],
            "percentile25": by_rank[25],
            "median": by_rank[50],
            "percentile75": by_rank[75],
            "percentile90": by_rank[90],
        }
    ]
    occupation["responsibilities"] = guide.text["job_description"]["duties"]
    occupation["skills"] = guide.text["should_you"]["personal_skills"]["items"]
    faq = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": item["question"],
                "acceptedAnswer": {"@type": "Answer", "text": " ".join(item["answer"])},
            }
            for item in guide.text["faq"]["items"]
        ],
    }
    return [occupation, faq]


def _table_columns(sort: str, order: str, pay: str) -> list[dict]:
    """The state table's sortable headers: label, the order a click asks for, aria-sort."""
    columns = []
    for key, label in (("state", "State"), ("salary", STATE_COLUMN[pay])):
        current = key == sort
        flipped = "desc" if order == "asc" else "asc"
        aria = ("ascending" if order == "asc" else "descending") if current else "none"
        columns.append(
            {
                "key": key,
                "label": label,
                "next_order": flipped if current else FIRST_ORDER[key],
                "aria_sort": aria,
            }
        )
    return columns


def career_page(
    slug: str, pay: str | None = None, sort: str | None = None, order: str | None = None
) -> dict | None:
    """Everything the career template needs for one career, or None for an unknown slug."""
    career = find_career(slug)
    if career is None:
        return None
    pay, sort, order = parse_table_args(pay, sort, order)
    page = {
        "career": career,
        "guide": load_guide(slug),
        "others": [c for c in known_careers() if c.slug != slug],
        "full_guides": [c for c in known_careers() if c.has_guide and c.slug != slug],
        "json_ld": json_ld(career, load_guide(slug)),
        "pay": pay,
        "sort": sort,
        "order": order,
    }
    guide = page["guide"]
    if guide is not None:
        page["pay_views"] = [
            {"key": view, "label": PAY_LABELS[view], "current": view == pay} for view in PAY_VIEWS
        ]
        page["pay_unit"] = PAY_UNITS[pay]
        page["hours_per_year"] = format_count(HOURS_PER_YEAR)
        page["states"] = sort_states(guide.states, sort, order)
        page["columns"] = _table_columns(sort, order, pay)
        ranks = [p.rank for p in guide.percentiles]
        page["chart"] = column_chart(
            [(p.label, p.pay.annual, p.pay.text(pay)) for p in guide.percentiles],
            width=400,
            highlight=ranks.index(50) if 50 in ranks else None,
        )
        jobs = guide.projection
        page["projection_chart"] = column_chart(
            [
                (str(jobs.start_year), jobs.start, format_count(jobs.start)),
                (str(jobs.end_year), jobs.end, format_count(jobs.end)),
            ],
            width=300,
            highlight=1,
        )
    return page

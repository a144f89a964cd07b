"""The career-guide pages, the home page, and the sitemap and robots.txt that index them."""

from flask import Blueprint, Response, abort, current_app, render_template, request
from markupsafe import Markup

from portal.core.page_cache import RenderedPage, cached_page, slot
from portal.guides import presentation
from portal.models import today_utc
from portal.services.career_listings import career_listings
from portal.services.careers import (
    FEATURED_SLUG,
    all_careers,
    career_groups,
    find_career,
    format_count,
    known_careers,
)
from portal.services.program_pages import listed_program_ids

bp = Blueprint("guides", __name__)
bp.add_app_template_filter(format_count, "thousands")


@bp.get("/")
def home():
    """The home page: what the site is, the featured guide and every career."""
    featured = find_career(FEATURED_SLUG)
    return render_template("guides/home.html", featured=featured, careers=known_careers())


@bp.get("/careers/")
def index():
    """Every career the site covers, by group, each group in alphabetical order."""
    return render_template("guides/index.html", careers=all_careers(), groups=career_groups())


@bp.get("/careers/<slug>")
def career(slug: str):
    """One career's page: the full guide where there is one, else a landing page built from
    its summary and our listings.

    The page is the same for every visitor, so each of its few table views (pay view, sort,
    order) is rendered once per process and kept (the "guides" page cache), with a slot for
    what our listings show: that part is kept only PAGE_CACHE_SECONDS, like search results.
    """
    args = request.args
    table = presentation.parse_table_args(args.get("pay"), args.get("sort"), args.get("order"))
    page = cached_page(
        "guides",
        (slug, *table),
        lambda: career_page(slug, *table),
        fill={"listings": lambda _: listings_section(slug)},
    )
    if page is None:
        abort(404)
    return page.html


def career_page(slug: str, pay: str, sort: str, order: str) -> RenderedPage | None:
    """A career's page, rendered, with a slot for its listings; None for no such career."""
    page = presentation.career_page(slug, pay, sort, order)
    if page is None:
        return None
    html = render_template("guides/career.html", listings_slot=slot("listings"), **page)
    return RenderedPage(presentation.without_indentation(html))


def listings_section(slug: str) -> Markup:
    """The career page's section on our listings for it (one query), kept PAGE_CACHE_SECONDS."""
    today = today_utc()

    def build() -> RenderedPage:
        listings = career_listings(slug, today)
        html = render_template(
            "guides/_listings.html", listings=listings, career=find_career(slug), today=today
        )
        return RenderedPage(presentation.without_indentation(html))

    return Markup(cached_page("pages", ("career-listings", slug, today), build).html)


@bp.get("/sitemap.xml")
def sitemap():
    """Every public page as absolute URLs, for search engines."""
    site = current_app.config["SITE_URL"]
    paths = presentation.public_urls(listed_program_ids(today_utc()))
    urls = [site + path for path in paths]
    return Response(render_template("guides/sitemap.xml", urls=urls), mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    """Crawling rules: everything but the admin area, and where the sitemap is."""
    body = render_template("guides/robots.txt", site_url=current_app.config["SITE_URL"])
    return Response(body, mimetype="text/plain")

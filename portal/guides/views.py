"""The career-guide pages, the home page, and the sitemap and robots.txt that index them."""

from flask import Blueprint, Response, abort, current_app, render_template, request

from portal.guides import content

bp = Blueprint("guides", __name__)
bp.add_app_template_filter(content.format_count, "thousands")


@bp.get("/")
def home():
    """The home page: what the site is, the featured guide and every career."""
    featured = content.find_career(content.FEATURED_SLUG)
    return render_template("guides/home.html", featured=featured, careers=content.all_careers())


@bp.get("/careers/")
def index():
    """Every career the site covers."""
    return render_template("guides/index.html", careers=content.all_careers())


@bp.get("/careers/<slug>")
def career(slug: str):
    """One career's page: the full guide where there is one, else its summary."""
    args = request.args
    table = content.parse_table_args(args.get("pay"), args.get("sort"), args.get("order"))
    body = rendered_career_page(slug, *table)
    if body is None:
        abort(404)
    return body


def rendered_career_page(slug: str, pay: str, sort: str, order: str) -> str | None:
    """The career page's HTML, rendered once per worker for each table view (None: no career).

    The page is the same for every visitor (content files read once, nothing per visitor), so
    it is kept in this process's memory, per app; its few variants (pay view, sort, order) are
    a fixed, small set. Not kept in debug mode, where templates reload on change.
    """
    pages = current_app.extensions.setdefault("career_pages", {})
    key = (slug, pay, sort, order)
    if key not in pages:
        page = content.career_page(slug, pay, sort, order)
        if page is None:
            return None
        body = render_template("guides/career.html", **page)
        if current_app.debug:
            return body
        pages[key] = body
    return pages[key]


@bp.get("/sitemap.xml")
def sitemap():
    """Every public page as absolute URLs, for search engines."""
    site = current_app.config["SITE_URL"]
    urls = [site + path for path in content.public_paths()]
    return Response(render_template("guides/sitemap.xml", urls=urls), mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    """Crawling rules: everything but the admin area, and where the sitemap is."""
    body = render_template("guides/robots.txt", site_url=current_app.config["SITE_URL"])
    return Response(body, mimetype="text/plain")

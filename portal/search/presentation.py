"""How listings read on the results and program pages: tuition, schedule and dates as words,
how results are ordered, and a program's structured data for search engines."""

import re
from dataclasses import dataclass
from datetime import date

from flask import current_app
from markupsafe import Markup

from portal.core.fragments import CompiledMacro, KeptRender
from portal.models import SCHEDULE_NAMES
from portal.search.forms import MODALITY_NAMES
from portal.search.links import listing_links
from portal.services.program_pages import ProgramPage
from portal.services.search import Listing

SORT_LABELS = {"sponsored": "Sponsored", "distance": "Nearest", "tuition": "Lowest tuition"}
# What each order means, said on the results page.
SORT_EXPLANATIONS = {
    "sponsored": "Ordered by sponsorship: schools that pay more for their listing are shown "
    "first, then nearer campuses, then online programs.",
    "distance": "Ordered by distance: the nearest campuses first, online programs last.",
    "tuition": "Ordered by tuition: the lowest first; programs that do not publish their "
    "tuition come last.",
}
CONTACT_FOR_TUITION = "Contact the school"
DURATION = re.compile(r"\s*(\d{1,3})\s*(hour|day|week|month|year)s?\s*", re.IGNORECASE)
DURATION_CODES = {"hour": "TH", "day": "D", "week": "W", "month": "M", "year": "Y"}


NO_SCHEDULE = "Ask the school"
NO_START_DATE = "Ask the school"
NO_ACCREDITOR = "Not stated by the school"


@dataclass(frozen=True, slots=True)
class ResultCard:
    """What a listing's card in a list of results says, each value as it is written
    (templates/search/_result.html). `nearby`: a campus with a distance, not an online listing;
    `city` and `state` are then the campus's, else `state` is the searcher's. `has_start`:
    the listing gives a start date still to come (`next_start`, `next_start_iso`)."""

    program_id: int
    title: str
    school: str
    level: str
    modality: str
    duration: str
    nearby: bool
    city: str | None
    state: str | None
    miles: str | None
    tuition: str
    schedule: str
    has_start: bool
    next_start: str
    next_start_iso: str
    accreditor: str
    details_url: str
    request_url: str


def result_card(listing: Listing, search_state: str | None, links) -> ResultCard:
    """The card of `listing` in the results of a search from `search_state`, its two links
    from `links` (listing_links: they carry the search's ZIP and radius)."""
    nearby = listing.distance_miles is not None
    details_url, request_url = links(listing.program_id)
    start = min(listing.next_start_dates, default=None)  # from the day of the search on
    return ResultCard(
        program_id=listing.program_id,
        title=listing.title,
        school=listing.school,
        level=listing.credential_level.capitalize(),
        modality=MODALITY_NAMES[listing.modality],
        duration=listing.duration,
        nearby=nearby,
        city=listing.campus_city if nearby else None,
        state=listing.campus_state if nearby else search_state,
        miles=f"{listing.distance_miles:.1f}" if nearby else None,
        tuition=tuition_text(listing.tuition_min_cents, listing.tuition_max_cents),
        schedule=schedule_text(listing.schedule) or NO_SCHEDULE,
        has_start=start is not None,
        next_start=long_date(start) if start else NO_START_DATE,
        next_start_iso=start.isoformat() if start else "",
        accreditor=listing.accreditation or NO_ACCREDITOR,
        details_url=details_url,
        request_url=request_url,
    )


RESULT_CARD = CompiledMacro(
    "search/_result.html", "result_card", ResultCard, flags=("nearby", "has_start")
)


def result_cards(
    listings, search_zip: str | None, search_state: str | None, radius_miles: int
) -> Markup:
    """The cards of `listings` for that search, in order, each on a line of a results list."""
    links = listing_links(search_zip, radius_miles)
    cards = [result_card(x, search_state, links) for x in listings]
    return RESULT_CARD.render(current_app.jinja_env, cards, before="\n    ")


SEARCH_FORMS = KeptRender()


def search_form(form) -> Markup:
    """The search form of /programs (templates/search/_form.html) holding `form`'s values.

    Searches mostly differ only in their ZIP: a valid form's HTML is kept per process for each
    choice of the other fields (a few thousand at most: each is one of a list's values), with
    a mark where the ZIP goes. A form with errors is rendered as it is.
    """
    template = current_app.jinja_env.get_template("search/_form.html")
    if form.errors:
        return Markup(template.render(form=form))
    key = tuple(field.data for field in (form.career, form.level, form.modality, form.radius))
    key += (form.sort.data,)

    def render(zip_text: str) -> str:
        entered, form.zip.data = form.zip.data, zip_text
        try:
            return template.render(form=form)
        finally:
            form.zip.data = entered

    return SEARCH_FORMS.get(current_app.jinja_env, key, render, form.zip.data or "")


def dollars(cents: int) -> str:
    """An amount as people write it: $12,400, or $12,400.50 when it has cents."""
    whole, rest = divmod(cents, 100)
    return f"${whole:,}" if rest == 0 else f"${whole:,}.{rest:02d}"


def tuition_text(min_cents: int | None, max_cents: int | None) -> str:
    """'$12,400', '$12,400–$16,200', or 'Contact the school' when the school gives none."""
    if min_cents is None:
        return CONTACT_FOR_TUITION
    if max_cents is None or max_cents == min_cents:
        return dollars(min_cents)
    return f"{dollars(min_cents)}–{dollars(max_cents)}"


def schedule_text(codes) -> str:
    """'Full-time, evenings': the schedule codes as words ('' for none)."""
    words = [SCHEDULE_NAMES[code] for code in codes if code in SCHEDULE_NAMES]
    return ", ".join(words[:1] + [word.lower() for word in words[1:]])


def long_date(day: date) -> str:
    """'January 11, 2027'."""
    return f"{day:%B} {day.day}, {day.year}"


def iso_duration(text: str) -> str | None:
    """A duration such as '9 months' or '12 weeks' in ISO 8601 ('P9M', 'P12W'); None for text
    that is not one number and one unit."""
    match = DURATION.fullmatch(text or "")
    if not match:
        return None
    code = DURATION_CODES[match[2].lower()]
    return f"P{code[0]}{match[1]}{code[1]}" if len(code) == 2 else f"P{match[1]}{code}"


def program_json_ld(page: ProgramPage, page_url: str) -> dict:
    """schema.org EducationalOccupationalProgram for a listing: provider, offers (tuition, when
    given), time to complete, start dates, format and credential."""
    program = page.program
    school = program.school
    provider = {"@type": "EducationalOrganization", "name": school.name}
    if school.website:
        provider["url"] = school.website
    campus = program.campus
    if campus is not None:
        provider["address"] = {
            "@type": "PostalAddress",
            "streetAddress": campus.address,
            "addressLocality": campus.city,
            "addressRegion": campus.state,
            "postalCode": campus.zip_code,
            "addressCountry": "US",
        }
    data = {
        "@context": "https://schema.org",
        "@type": "EducationalOccupationalProgram",
        "name": program.title,
        "url": page_url,
        "provider": provider,
        "educationalCredentialAwarded": program.credential_level.capitalize(),
        "educationalProgramMode": "online" if program.modality == "online" else "in person",
    }
    if program.modality == "hybrid":
        data["educationalProgramMode"] = "blended"
    if program.description:
        data["description"] = program.description
    duration = iso_duration(program.duration)
    if duration:
        data["timeToComplete"] = duration
    offer = {"@type": "Offer", "category": "Tuition", "priceCurrency": "USD"}
    if program.tuition_min_cents is None:
        offer["description"] = "Contact the school for tuition."
    else:
        low, high = program.tuition_min_cents, program.tuition_max_cents
        if high is None or high == low:
            offer["price"] = f"{low / 100:.2f}"
        else:
            offer["priceSpecification"] = {
                "@type": "PriceSpecification",
                "priceCurrency": "USD",
                "minPrice": f"{low / 100:.2f}",
                "maxPrice": f"{high / 100:.2f}",
            }
    data["offers"] = offer
    if program.schedule:
        data["timeOfDay"] = schedule_text(program.schedule)
    if page.upcoming_starts:
        data["startDate"] = page.upcoming_starts[0].isoformat()
    if program.financial_aid is not None:
        data["financialAidEligible"] = "Yes" if program.financial_aid else "No"
    if program.program_url:
        data["sameAs"] = program.program_url
    return data

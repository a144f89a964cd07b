"""The search form: the query parameters of /programs and /api/v1/programs, validated."""

from functools import cache

from wtforms import SelectField, StringField
from wtforms.validators import AnyOf, StopValidation, ValidationError

from portal.core.forms import SiteForm
from portal.core.widgets import QuickSelect, QuickTextInput, select_options
from portal.models import CREDENTIAL_LEVELS
from portal.services.careers import known_careers
from portal.services.geo import InvalidZip, normalise_zip
from portal.services.matching import (
    DEFAULT_RADIUS,
    DEFAULT_SORT,
    RADIUS_CHOICES,
    SORTS,
    Filters,
)

MAX_PAGE = 1000
LEVEL_CHOICES = [("", "Any level")] + [(level, level.capitalize()) for level in CREDENTIAL_LEVELS]
MODALITY_NAMES = {"campus": "On campus", "online": "Online", "hybrid": "Hybrid"}
MODALITY_CHOICES = [("", "Any format"), *MODALITY_NAMES.items()]
RADIUS_OPTIONS = [(str(miles), f"Within {miles} miles") for miles in RADIUS_CHOICES]


@cache
def career_choices() -> list[tuple[str, str]]:
    """The career select's options: any career, then every known career by name (the careers
    are the content files', fixed for the life of the process)."""
    return [("", "Any career")] + [(c.slug, c.name) for c in known_careers()]


@cache
def _career_select() -> tuple[list, AnyOf]:
    """The career select's options and its validator, built once per process."""
    careers = career_choices()
    return select_options(careers), _choice(careers, "Choose a career from the list.")


def _zip_code(form: "SearchForm", field: StringField) -> None:
    """Normalise the ZIP code; when it is missing, complain only if the form requires one."""
    if not field.raw_data:
        if form.zip_required:
            raise StopValidation("Enter a 5-digit ZIP code, like 60601.")
        return
    try:
        field.data = normalise_zip(field.data)
    except InvalidZip as error:
        raise StopValidation(str(error)) from error


def _page_number(form: "SearchForm", field: StringField) -> None:
    """Accept a whole page number from 1 to MAX_PAGE (blank means 1)."""
    text = (field.data or "").strip() or "1"
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_PAGE):
        raise ValidationError(f"The page must be a whole number from 1 to {MAX_PAGE}.")
    field.data = text


def _choice(choices: list[tuple[str, str]], message: str) -> AnyOf:
    """A validator accepting a missing or blank value, or one of the choices' values."""
    return AnyOf([None, "", *(value for value, _ in choices)], message=message)


class SearchForm(SiteForm):
    """The search parameters: ZIP, optional career, level, format, radius, and page.

    A GET form, so no CSRF token. Unknown parameters are ignored; a bad value of a known one
    is an error on that field, never quietly replaced by something else.
    """

    class Meta:
        csrf = False

    # The page shows the empty form when no ZIP is given; the API requires one.
    zip_required = False

    zip = StringField(
        "ZIP code",
        validators=[_zip_code],
        render_kw={"inputmode": "numeric", "autocomplete": "postal-code", "maxlength": 10},
        widget=QuickTextInput(),
    )
    career = SelectField("Career", validate_choice=False, widget=QuickSelect())
    level = SelectField(
        "Credential level",
        choices=select_options(LEVEL_CHOICES),
        validate_choice=False,
        widget=QuickSelect(),
        validators=[
            _choice(LEVEL_CHOICES, "Choose a credential level from the list, or any level.")
        ],
    )
    modality = SelectField(
        "Format",
        choices=select_options(MODALITY_CHOICES),
        validate_choice=False,
        widget=QuickSelect(),
        validators=[_choice(MODALITY_CHOICES, "Choose on campus, online or hybrid, or any.")],
    )
    radius = SelectField(
        "Distance",
        choices=select_options(RADIUS_OPTIONS),
        default=str(DEFAULT_RADIUS),
        validate_choice=False,
        widget=QuickSelect(),
        validators=[_choice(RADIUS_OPTIONS, "Choose a distance of 10, 25, 50 or 100 miles.")],
    )
    page = StringField("Page", default="1", validators=[_page_number])
    # Chosen with links above the results, carried by the form as a hidden field.
    sort = StringField(
        "Order",
        default=DEFAULT_SORT,
        validators=[AnyOf([None, "", *SORTS], message="Order by sponsored, distance or tuition.")],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        options, validator = _career_select()
        self.career.choices = options
        self.career.validators = [validator]

    @property
    def has_filters(self) -> bool:
        """Whether the search narrows by career, level or format."""
        return bool(self.career.data or self.level.data or self.modality.data)

    @property
    def filter_count(self) -> int:
        """How many of the filters under "Filters" are set: career, level, format, and a
        distance other than the default."""
        radius = self.radius.data not in (None, "", str(DEFAULT_RADIUS))
        return sum(map(bool, (self.career.data, self.level.data, self.modality.data))) + radius

    @property
    def has_zip(self) -> bool:
        """Whether a ZIP code was given (the page searches only then)."""
        return bool(self.zip.raw_data)

    def filters(self) -> Filters:
        """The validated filters."""
        return Filters(
            career=self.career.data or None,
            credential_level=self.level.data or None,
            modality=self.modality.data or None,
            radius_miles=self.radius_miles(),
            sort=self.sort.data or DEFAULT_SORT,
        )

    def radius_miles(self) -> int:
        """The validated radius in miles (the default when left blank)."""
        return int(self.radius.data or DEFAULT_RADIUS)

    def page_number(self) -> int:
        """The validated page number."""
        return int(self.page.data or 1)

    def query_args(self, **changes) -> dict:
        """The search's query parameters without blanks and defaults, with `changes` applied."""
        args = {
            "zip": self.zip.data,
            "career": self.career.data,
            "level": self.level.data,
            "modality": self.modality.data,
            "radius": self.radius_miles(),
            "sort": self.sort.data or DEFAULT_SORT,
            "page": self.page_number(),
        }
        args.update(changes)
        defaults = {"radius": DEFAULT_RADIUS, "page": 1, "sort": DEFAULT_SORT}
        return {k: v for k, v in args.items() if v not in (None, "") and defaults.get(k) != v}


class ApiSearchForm(SearchForm):
    """The API's parameters: the same as the page's, but a ZIP code is required."""

    zip_required = True


def search_box_form(box: str, career: str | None = None) -> SearchForm:
    """An empty SearchForm for a Search Programs box (career pre-set), its field ids suffixed
    with `box` so several boxes can share a page."""
    form = SearchForm(formdata=None, data={"career": career or ""})
    for field in form:
        field.id = field.label.field_id = f"{field.name}-{box}"
    return form

"""Form widgets that render what WTForms' own render, with plain string formatting.

WTForms builds every attribute and option through Markup formatting, which made rendering the
request-info and search forms the largest part of those pages' cost. These widgets write the
same elements and attributes (sorted, `class_` as `class`, `aria_*` with hyphens, True as a
bare attribute, False left out), escaping every value that is not already Markup.
"""

import functools
import re
from datetime import date
from html import escape

from markupsafe import Markup
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, EmailInput, HiddenInput, TelInput, TextInput

# HTML's "valid floating-point number" and "valid date string": browsers empty any other value
# of a number or date input (the value sanitization algorithm), and it is invalid HTML.
FLOAT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def keeps_value(input_type: str, text: str) -> bool:
    """Whether an <input> of this type may hold `text` as its value (number and date checked)."""
    if input_type in ("number", "range"):
        return FLOAT.fullmatch(text) is not None
    if input_type == "date":
        if DATE.fullmatch(text) is None:
            return False
        try:
            date.fromisoformat(text)  # a real day: no 2026-13-01, no 2025-02-29
        except ValueError:
            return False
    return True


def select_options(pairs, first: tuple[str, str] | None = None) -> list[SelectChoice]:
    """A select's options from (value, label) pairs (or a dict), after an optional `first`."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    head = [SelectChoice(*first)] if first else []
    return head + [SelectChoice(str(value), label) for value, label in items]


def attributes(**kwargs) -> str:
    """HTML attributes from keyword arguments, as wtforms.widgets.html_params writes them."""
    parts = []
    for key, value in sorted(kwargs.items()):
        key = key.rstrip("_")
        if key.startswith(("data_", "aria_")):
            key = key.replace("_", "-")
        if value is True:
            parts.append(key)
        elif isinstance(value, Markup):  # already safe, as WTForms' own widgets take it
            parts.append(f'{key}="{value}"')
        elif value is not False:
            parts.append(f'{key}="{escape(str(value))}"')
    return " ".join(parts)


class QuickTextInput(TextInput):
    """<input type="text">."""

    html_params = staticmethod(attributes)


class QuickEmailInput(EmailInput):
    """<input type="email">."""

    html_params = staticmethod(attributes)


class QuickTelInput(TelInput):
    """<input type="tel">."""

    html_params = staticmethod(attributes)


class QuickHiddenInput(HiddenInput):
    """<input type="hidden">."""

    html_params = staticmethod(attributes)


class QuickCheckboxInput(CheckboxInput):
    """<input type="checkbox">, checked when the field's data is true."""

    html_params = staticmethod(attributes)


@functools.lru_cache(maxsize=4096)
def _option(value, label, selected: bool) -> str:
    """One <option>, as WTForms writes it (kept: selects offer the same options on every page)."""
    return f"<option {attributes(selected=selected, value=value)}>{escape(str(label))}</option>"


class QuickSelect:
    """<select> with its options."""

    def __call__(self, field: SelectField, **kwargs) -> Markup:
        kwargs.setdefault("id", field.id)
        options = "".join(
            _option(choice.value, choice.label, bool(choice.selected))
            for choice in field.iter_choices()
        )
        return Markup(f"<select {attributes(name=field.name, **kwargs)}>{options}</select>")

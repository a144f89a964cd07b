"""Form widgets that render what WTForms' own render, with plain string formatting.

WTForms builds every attribute and option through Markup formatting, which made rendering the
request-info and search forms the largest part of those pages' cost. These widgets write the
same elements and attributes (sorted, `class_` as `class`, `aria_*` with hyphens, True as a
bare attribute, False left out), escaping every value.
"""

from html import escape

from markupsafe import Markup
from wtforms import SelectField
from wtforms.widgets import CheckboxInput, EmailInput, HiddenInput, TelInput, TextInput


def attributes(**kwargs) -> str:
    """HTML attributes from keyword arguments, as wtforms.widgets.html_params writes them."""
    parts = []
    for key, value in sorted(kwargs.items()):
        key = key.rstrip("_")
        if key.startswith(("data_", "aria_")):
            key = key.replace("_", "-")
        if value is True:
            parts.append(key)
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


class QuickSelect:
    """<select> with its options."""

    def __call__(self, field: SelectField, **kwargs) -> Markup:
        kwargs.setdefault("id", field.id)
        options = "".join(
            f"<option {attributes(selected=choice.selected, value=choice.value)}>"
            f"{escape(str(choice.label))}</option>"
            for choice in field.iter_choices()
        )
        return Markup(f"<select {attributes(name=field.name, **kwargs)}>{options}</select>")

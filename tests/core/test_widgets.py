"""The quick widgets write what WTForms' own widgets write."""

import html

import pytest
from wtforms import BooleanField, Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import html_params

from portal.core.widgets import (
    QuickCheckboxInput,
    QuickSelect,
    QuickTextInput,
    attributes,
    keeps_value,
)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "email", "id": "email", "value": "a&b <c> \"d\" 'e'"},
        {"class_": "field honeypot", "tabindex": "-1", "autocomplete": "off"},
        {"aria_describedby": "email-hint email-error", "aria_invalid": "true"},
        {"data_sort_key": "x", "required": True, "readonly": False, "maxlength": 100},
        {"for_": "consent", "value": 0},
    ],
)
def test_attributes_match_wtforms_html_params(kwargs):
    ours, theirs = attributes(**kwargs), str(html_params(**kwargs))
    assert html.unescape(ours) == html.unescape(theirs)
    assert "<" not in ours.replace("&lt;", "") and "'e'" not in ours


CHOICES = [SelectChoice("", "Choose one"), SelectChoice("a", "A & B"), SelectChoice("b", "<B>")]


class Plain(Form):
    name = StringField(render_kw={"maxlength": 100})
    level = SelectField(choices=CHOICES)
    agree = BooleanField()


class Quick(Form):
    name = StringField(render_kw={"maxlength": 100}, widget=QuickTextInput())
    level = SelectField(choices=CHOICES, widget=QuickSelect())
    agree = BooleanField(widget=QuickCheckboxInput())


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"name": 'Jane "J" O\'Neil <x>', "level": "b", "agree": True},
        {"name": "", "level": "a", "agree": False},
    ],
)
def test_fields_render_as_wtforms_renders_them(data):
    plain, quick = Plain(data=data), Quick(data=data)
    for name in ("name", "level", "agree"):
        extra = {"class_": "field", "aria_invalid": "true"}
        ours, theirs = quick[name](**extra), plain[name](**extra)
        assert html.unescape(str(ours)) == html.unescape(str(theirs))


@pytest.mark.parametrize(
    ("input_type", "text", "kept"),
    [
        ("number", "25", True),
        ("number", "-0.5", True),
        ("number", ".5", True),
        ("number", "1E5", True),
        ("number", "", False),
        ("number", "+1", False),
        ("number", " 1", False),
        ("number", "1.", False),
        ("number", "1_000", False),
        ("number", "sNaN", False),
        ("number", "Infinity", False),
        ("number", "x", False),
        ("date", "2026-12-01", True),
        ("date", "2024-02-29", True),
        ("date", "2025-02-29", False),
        ("date", "2026-13-01", False),
        ("date", "0000-01-01", False),
        ("date", "20261201", False),
        ("date", "2026-12-01T00:00", False),
        ("text", "anything <at> all", True),
        ("email", "not an email", True),
    ],
)
def test_keeps_value_follows_the_html_value_syntax_of_number_and_date_inputs(
    input_type, text, kept
):
    assert keeps_value(input_type, text) is kept

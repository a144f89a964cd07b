"""Macros compiled into pieces of text, and renders kept with a mark for one value: each must
write exactly what Jinja writes, escape what it is given, and refuse what it can't do."""

from dataclasses import dataclass

import pytest
from jinja2 import DictLoader, Environment, select_autoescape
from markupsafe import Markup

from portal.core.fragments import CompiledMacro, KeptRender, NotCompilable

CARD = """{% macro card(item) -%}
<p id="x-{{ item.number }}" data-braces="{x} }{">{{ item.name }}
{%- if item.loud %} <strong>{{ item.name }}!</strong>{% else %} ({{ item.note }}){% endif -%}
</p>
{%- endmacro %}"""
FILTERED = """{% macro card(item) %}<p>{{ item.name | upper }}</p>{% endmacro %}"""
UNKNOWN = """{% macro card(item) %}<p>{{ item.name }} {{ item.colour }}</p>{% endmacro %}"""
FORM = """<input name="q" value="{{ value }}"><p>{{ choice }}</p>"""
NO_VALUE = """<p>{{ choice }}</p>"""


@dataclass(frozen=True)
class Item:
    number: int
    name: str
    note: str | None
    loud: bool


def environment(auto_reload: bool = False) -> Environment:
    templates = {"card.html": CARD, "filtered.html": FILTERED, "unknown.html": UNKNOWN}
    templates |= {"form.html": FORM, "no_value.html": NO_VALUE}
    env = Environment(loader=DictLoader(templates), autoescape=select_autoescape(default=True))
    env.auto_reload = auto_reload
    return env


ITEMS = [
    Item(1, "Plain {0} {name}", "quiet }{", False),
    Item(2, "Loud", "ignored", True),
    Item(3, 'Tom & "Jerry" <script>', "a < b", False),
    Item(4, "<b>", None, False),
    Item(6, "<i>", "n", True),
    Item(5, Markup("<em>kept</em>"), Markup("<i>as is</i>"), False),
    Item(7, "O'Brien's > all", "&amp; is text here", False),
    Item(8, "Ünïcode – fine", "", False),
]


@pytest.mark.parametrize("auto_reload", [False, True], ids=["compiled", "reloading"])
def test_a_compiled_macro_writes_what_the_macro_writes(auto_reload):
    env = environment(auto_reload)
    macro = env.get_template("card.html").module.card
    compiled = CompiledMacro("card.html", "card", Item, flags=("loud",))
    expected = "".join("\n" + str(macro(item)) for item in ITEMS)
    html = compiled.render(env, ITEMS, before="\n")
    assert html == expected
    assert isinstance(html, Markup)
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "O&#39;Brien&#39;s &gt; all" in html and "&amp;amp; is text" in html
    assert "<em>kept</em>" in html and "None" in html  # Markup kept; None printed as Jinja does


def test_a_compiled_macro_is_compiled_once_per_environment():
    env, other = environment(), environment()
    compiled = CompiledMacro("card.html", "card", Item, flags=("loud",))
    compiled.render(env, ITEMS)
    shapes = compiled._compiled[env]
    compiled.render(env, ITEMS[:1])
    assert compiled._compiled[env] is shapes
    assert set(shapes) == {(False,), (True,)}
    compiled.render(other, ITEMS)
    assert compiled._compiled[other] is not shapes


@pytest.mark.parametrize("template", ["filtered.html", "unknown.html"])
def test_a_macro_that_does_more_than_print_its_fields_is_refused(template):
    compiled = CompiledMacro(template, "card", Item, flags=("loud",))
    with pytest.raises(NotCompilable):
        compiled.render(environment(), ITEMS)


def test_nothing_to_render_is_empty():
    compiled = CompiledMacro("card.html", "card", Item, flags=("loud",))
    assert compiled.render(environment(), []) == ""


def render_form(env):
    template = env.get_template("form.html")
    return lambda choice: lambda value: template.render(value=value, choice=choice)


def test_a_kept_render_puts_each_value_in_its_place_escaped():
    env, kept = environment(), KeptRender()
    form = render_form(env)
    first = kept.get(env, "a", form("a"), "60601")
    assert first == '<input name="q" value="60601"><p>a</p>'
    assert kept.get(env, "a", form("never called"), 'x"><b>') == (
        '<input name="q" value="x&#34;&gt;&lt;b&gt;"><p>a</p>'
    )
    assert kept.get(env, "b", form("b"), "") == '<input name="q" value=""><p>b</p>'
    assert set(kept._kept[env]) == {"a", "b"}


def test_a_kept_render_keeps_at_most_its_number_of_keys():
    env, kept = environment(), KeptRender(max_keys=2)
    form = render_form(env)
    for key in ("a", "b", "c"):
        assert kept.get(env, key, form(key), "1").endswith(f"<p>{key}</p>")
    assert set(kept._kept[env]) == {"c"}


def test_a_kept_render_of_a_template_that_drops_the_value_is_refused():
    env, kept = environment(), KeptRender()
    template = env.get_template("no_value.html")
    with pytest.raises(NotCompilable):
        kept.get(env, "a", lambda value: template.render(choice="a"), "60601")


def test_with_templates_reloading_nothing_is_kept():
    env, kept = environment(auto_reload=True), KeptRender()
    html = kept.get(env, "a", render_form(env)("a"), "<1>")
    assert html == '<input name="q" value="&lt;1&gt;"><p>a</p>'
    assert env not in kept._kept


def test_a_fixed_render_is_rendered_once():
    env, kept, calls = environment(), KeptRender(), []

    def render():
        calls.append(1)
        return "<p>fixed</p>"

    assert kept.get(env, "a", render) == kept.get(env, "a", render) == "<p>fixed</p>"
    assert len(calls) == 1

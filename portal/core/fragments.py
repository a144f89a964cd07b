"""Template macros compiled, once per process, into the text between their values.

Jinja spends most of a small macro's time on its own machinery: looking each value up, making
it Markup, calling the macro. A results page's ten cards cost about as much as the rest of the
page together. A macro whose only work is to print fields of one object, with `{% if %}` on a
few of its flags, writes the same text on every call but for those fields. CompiledMacro
renders such a macro once per combination of the flags, with a mark in place of each field,
keeps the pieces of text between the marks, and from then on writes each call's HTML by
joining those pieces with the call's fields, escaped as Jinja escapes them.

The template stays the one place the HTML is written. A macro that does more with a field than
print it (a filter, a test, a slice) can't be compiled: that is an error at the first call,
never a wrong page. With templates reloading (debug), every call runs the macro itself.
"""

import dataclasses
import itertools
import operator
import secrets
import weakref
from collections.abc import Callable, Hashable

from jinja2 import Environment
from markupsafe import Markup, escape

MARK = "\x00"


class NotCompilable(Exception):
    """The macro does something with a field other than print it, or asks for another."""


class _Probe:
    """Stands in for the object a macro is given: each field is a mark naming it, each flag
    the value of this combination."""

    def __init__(self, fields: frozenset[str], flags: dict[str, bool]):
        self._fields, self._flags = fields, flags

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._flags:
            return self._flags[name]
        if name in self._fields:
            return Markup(f"{MARK}{name}{MARK}")
        raise NotCompilable(f"the macro asks for {name!r}, which its object does not have")


def _tuple_getter(names: list[str]) -> Callable[[object], tuple]:
    """A function giving an object's attributes `names`, in order, always as a tuple."""
    if not names:
        return lambda item: ()
    get = operator.attrgetter(*names)
    return (lambda item: (get(item),)) if len(names) == 1 else get


# What Jinja's escaping (markupsafe.escape) writes for each character it replaces.
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


def _escaped(value) -> str:
    """`value` as Jinja prints it: text escaped as markupsafe.escape does (most card fields need
    nothing, and are found so much faster than escape() makes Markup of them)."""
    if type(value) is not str:
        return escape(value)
    if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
        return value.translate(_ENTITIES)
    return value


def _braced(text: str) -> str:
    """`text` as a literal part of a format string."""
    return text.replace("{", "{{").replace("}", "}}")


class CompiledMacro:
    """The macro `name` of `template`, taking one object of the dataclass `kind`, compiled
    for each combination of the `flags` (boolean fields the macro may test with `if`)."""

    def __init__(self, template: str, name: str, kind: type, flags: tuple[str, ...] = ()):
        self.template, self.name, self.flags = template, name, flags
        self.fields = frozenset(f.name for f in dataclasses.fields(kind)) - set(flags)
        self._flags_of = _tuple_getter(list(flags))
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def render(self, env: Environment, objects, before: str = "") -> Markup:
        """The macro's HTML for each of `objects`, one after another, each after `before`."""
        if env.auto_reload:
            macro = getattr(env.get_template(self.template).module, self.name)
            return Markup("".join(before + macro(item) for item in objects))
        shapes = self._compiled.get(env)
        if shapes is None:
            shapes = self._compiled[env] = self._compile(env)
        html = []
        for item in objects:
            text, values_of = shapes[tuple(map(bool, self._flags_of(item)))]
            html.append(before)
            html.append(text.format(*map(_escaped, values_of(item))))
        return Markup("".join(html))

    def _compile(self, env: Environment) -> dict[tuple[bool, ...], tuple]:
        """For every combination of the flags: the macro's HTML as a format string, a numbered
        place wherever a field goes, and a getter of those fields' values in that order."""
        macro = getattr(env.get_template(self.template).module, self.name)
        shapes = {}
        for values in itertools.product((False, True), repeat=len(self.flags)):
            text = str(macro(_Probe(self.fields, dict(zip(self.flags, values, strict=True)))))
            parts = text.split(MARK)
            literals, names = parts[::2], parts[1::2]
            if len(parts) % 2 == 0 or not set(names) <= self.fields:
                raise NotCompilable(
                    f"{self.template}:{self.name} changes a field before printing it"
                    " (only `{{ object.field }}` and `{% if object.flag %}` compile)"
                )
            places = (f"{{{i}}}{_braced(t)}" for i, t in enumerate(literals[1:]))
            shapes[values] = (_braced(literals[0]) + "".join(places), _tuple_getter(names))
        return shapes


class KeptRender:
    """What templates render for a key, kept per process: either fixed (the site's header and
    footer) or the same but for one free value (the search form but its ZIP), kept with a mark
    where the value goes, and each call's own value escaped into that place. A `render` given
    the mark must print it only where the value goes, escaped as any value. At most `max_keys`
    keys are kept (then all are dropped and kept anew)."""

    def __init__(self, max_keys: int = 4096):
        self.max_keys = max_keys
        self.mark = f"kept-{secrets.token_hex(8)}"  # a value no visitor can have sent
        self._kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def get(
        self,
        env: Environment,
        key: Hashable,
        render: Callable[..., str],
        value: str | None = None,
    ) -> Markup:
        """The HTML for `key`, `render()` (or `render(mark)` with `value` put in the mark's
        place); rendered anew each time while templates reload."""
        if env.auto_reload:
            return Markup(render() if value is None else render(value))
        kept = self._kept.setdefault(env, {})
        html = kept.get(key)
        if html is None:
            if len(kept) >= self.max_keys:
                kept.clear()
            html = str(render() if value is None else render(self.mark))
            if value is not None and self.mark not in html:
                raise NotCompilable("the template does not print the value it is kept for")
            kept[key] = html
        return Markup(html if value is None else html.replace(self.mark, escape(value)))

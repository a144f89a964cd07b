"""Test helpers that read HTML: a strict well-formedness check and simple extractors."""

import re
from html.parser import HTMLParser

VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
FIELDS = {"input", "select", "textarea"}
UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}


class ParsedPage(HTMLParser):
    """One HTML page: structural errors, headings, links, form fields, labels and text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.errors: list[str] = []
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self.links: list[str] = []
        self.fields: list[dict] = []
        self.label_for: set[str] = set()
        self.meta: dict[str, str] = {}
        self.json_ld: list[str] = []
        self.title = ""
        self._text: list[str] = []
        self._heading: list[str] | None = None
        self._skip_text = 0
        self._script_type: str | None = None
        self.has_doctype = False
        self.feed(html)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed at end: {self.stack}")

    def handle_decl(self, decl):
        self.has_doctype = self.has_doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        self._element(tag, dict(attrs))
        if tag not in VOID_ELEMENTS:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self._element(tag, dict(attrs))

    def handle_endtag(self, tag):
        if tag in VOID_ELEMENTS:
            self.errors.append(f"end tag for void element </{tag}>")
        elif not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'} at {self.getpos()}")
            if tag in self.stack:
                del self.stack[len(self.stack) - 1 - self.stack[::-1].index(tag) :]
        else:
            self.stack.pop()
        if tag in HEADINGS and self._heading is not None:
            self.headings.append((tag, " ".join("".join(self._heading).split())))
            self._heading = None
        if tag in ("script", "style", "title"):
            self._skip_text = max(0, self._skip_text - 1)
            self._script_type = None

    def handle_data(self, data):
        if self._script_type == "application/ld+json":
            self.json_ld.append(data)
        if self.stack and self.stack[-1] == "title" and "svg" not in self.stack:
            self.title += data
        if self._heading is not None:
            self._heading.append(data)
        if not self._skip_text:
            self._text.append(data)

    def _element(self, tag, attrs):
        if "id" in attrs:
            self.ids.append(attrs["id"])
        for name in ("href", "src", "action"):
            if attrs.get(name):
                self.links.append(attrs[name])
        if tag in HEADINGS:
            self._heading = []
        if tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        if tag in FIELDS:
            self.fields.append({"tag": tag, **attrs})
        if tag == "meta":
            key = attrs.get("name") or attrs.get("property")
            if key:
                self.meta[key] = attrs.get("content", "")
        if tag in ("script", "style") or (tag == "title" and "svg" not in self.stack):
            self._skip_text += 1
            self._script_type = attrs.get("type") if tag == "script" else None

    @property
    def text(self) -> str:
        """The page's visible text with whitespace collapsed."""
        return " ".join(" ".join(self._text).split())

    def unlabelled_fields(self) -> list[dict]:
        """Form fields a screen reader could not name: no <label for>, no aria-label(ledby)."""
        missing = []
        for field in self.fields:
            if field["tag"] == "input" and field.get("type") in UNLABELLED_INPUT_TYPES:
                continue
            named = field.get("aria-label") or field.get("aria-labelledby")
            if not named and field.get("id") not in self.label_for:
                missing.append(field)
        return missing

    def duplicate_ids(self) -> set[str]:
        """Ids used more than once on the page."""
        return {i for i in self.ids if self.ids.count(i) > 1}


def squash(text: str) -> str:
    """Collapse runs of whitespace, so text compares regardless of line breaks."""
    return re.sub(r"\s+", " ", text).strip()

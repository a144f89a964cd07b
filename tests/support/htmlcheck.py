"""Test helpers that read HTML: a strict well-formedness check, simple extractors, a crawl of
the site, and the Nu HTML Checker (vnu.jar) run over a batch of saved pages."""

import json
import os
import re
import shutil
import subprocess
from collections import deque
from collections.abc import Callable, Hashable, Iterable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

ROOT = Path(__file__).resolve().parents[2]
SITE_URL = "http://localhost"  # the SITE_URL conftest gives every test app
# Where `npm install --no-save --ignore-scripts --prefix . vnu-jar@VERSION` puts the checker.
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

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


def internal_path(link: str) -> str | None:
    """The path (and query) of an internal link, or None for external links and fragments."""
    link = urldefrag(link)[0]
    if link.startswith(SITE_URL):
        link = link[len(SITE_URL) :] or "/"
    if not link.startswith("/") or link.startswith("//"):
        return None
    return link


def crawl(
    client,
    start: Iterable[str] = ("/",),
    seen: dict | None = None,
    shape: Callable[[str], Hashable] | None = None,
    per_shape: int = 3,
) -> dict[str, tuple[int, str, str]]:
    """Follow every internal link (href, src, form action) from `start`, by GET:
    url -> (status, type, body), added to `seen` (pages already in it are not fetched again).

    With `shape`, at most `per_shape` URLs of each shape are fetched (say, three of the hundreds
    of pages that only differ in a listing's id), so a crawl of a full database stays small.
    """
    seen = {} if seen is None else seen
    counts: dict[Hashable, int] = {}
    queue = deque(start)
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        if shape is not None:
            key = shape(url)
            if counts.get(key, 0) >= per_shape:
                continue
            counts[key] = counts.get(key, 0) + 1
        response = client.get(url)
        body = response.get_data(as_text=True)
        response.close()  # static files are streamed from an open file
        seen[url] = (response.status_code, response.mimetype, body)
        if response.mimetype == "text/html":
            for link in ParsedPage(body).links:
                path = internal_path(link)
                if path and path not in seen:
                    queue.append(path)
    return seen


def vnu_jar() -> Path:
    """Where the Nu HTML Checker's jar should be: $VNU_JAR, else node_modules/ of the checkout."""
    return Path(os.environ.get("VNU_JAR") or VNU_JAR)


def vnu_missing() -> str | None:
    """Why the Nu HTML Checker cannot run here (no Java, no vnu.jar), or None when it can."""
    if not shutil.which("java"):
        return "java is missing (apt-get install -y default-jre-headless)"
    if not vnu_jar().is_file():
        return (
            f"{vnu_jar()} is missing: set VNU_JAR, or run `npm install --no-save "
            f"--ignore-scripts --prefix . vnu-jar@VERSION` (the version .ci/run pins)"
        )
    return None


def vnu_messages(files: list[Path], errors_only: bool = True) -> list[dict]:
    """Check the HTML files with vnu.jar in one run (one JVM start); its messages, as JSON dicts
    with "type", "url" (file:...), "lastLine", "message" and "extract"."""
    command = ["java", "-Xss2m", "-jar", str(vnu_jar()), "--format", "json", "--stdout"]
    command += ["--exit-zero-always", "--html"] + (["--errors-only"] if errors_only else [])
    result = subprocess.run(
        [*command, *map(str, files)], capture_output=True, text=True, timeout=600, check=False
    )
    try:
        return json.loads(result.stdout)["messages"]
    except (ValueError, KeyError) as error:
        raise RuntimeError(f"vnu.jar gave no report: {result.stderr[-2000:]}") from error

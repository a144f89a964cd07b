"""The import graph of portal/, by part, and the direction its imports must run.

    python tests/import_graph.py     print which part imports which; exit 1 on a wrong import

The parts, from the floor up (docs: README "Layout"):
- `extensions`, `models`: the database and its tables; they import nothing else of portal.
- `core`: what every part may use (HTTP headers, errors, forms' base, page cache...).
- `services`: the product's rules, on the database; never the web request, the delivery
  worker or an area. `services` may use `core` only for what sits below it.
- `delivery`: the worker and its transports (HTTP, mail); it uses services, never an area.
- the areas (`admin`, `school`, `api`, `guides`, `search`, `leads`, `pages`, `receipts`): the
  blueprints; they use everything below them and no other area.
- `cli` and the app factory (`portal/__init__.py`) put it all together.

Imports inside functions count as much as those at the top of a module.
"""

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "portal"

AREAS = {"admin", "school", "api", "guides", "search", "leads", "pages", "receipts"}
# What each part may import (besides itself and the standard and third-party libraries).
FLOOR = {"extensions", "models"}
ALLOWED = {
    "extensions": set(),
    "models": {"extensions"},
    "content": set(),
    "core": FLOOR,
    "services": FLOOR | {"core"},
    "delivery": FLOOR | {"core", "services"},
    **{area: FLOOR | {"core", "services", "delivery"} for area in AREAS},
    "cli": FLOOR | {"core", "services", "delivery", *AREAS},
    "__init__": FLOOR | {"core", "services", "delivery", "cli", "content", *AREAS},
}
# Known wrong imports, each to go (issue 23): the test fails on any other, and on one listed
# here that has gone, so the list only ever shrinks.
KNOWN = {
    # Sign-in reads the accounts' services from core; it is to move to an accounts package
    # that both signed-in areas import, and the school area is to stop importing the admin's.
    ("core.signin", "services.accounts"),
    ("core.signin", "services.school_accounts"),
    ("core.signin_limits", "services.accounts"),
    ("school.views", "admin.views"),
    ("school.views", "admin.forms"),
    ("school.forms", "admin.forms"),
    ("school.cli", "admin.cli"),
    ("school.presentation", "admin.presentation"),
    # The health check's query, used by core's /healthz view.
    ("core.views", "services.health"),
    # The search form and its links, shared by the search page, the API and the lead form.
    ("api.openapi", "search.forms"),
    ("api.views", "search.forms"),
    ("api.views", "search.links"),
    ("leads.views", "search.links"),
}


def part_of(module: str) -> str:
    """The part a portal module belongs to: its first name under portal."""
    return module.split(".", 1)[0]


def module_name(path: Path) -> str:
    """portal/services/leads.py -> services.leads; portal/__init__.py -> __init__."""
    relative = path.relative_to(PACKAGE).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """The portal modules a file imports (as `services.leads`), at any depth in the file."""
    found = set()
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else None
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the file's own package
                base = (package or module_name(path)).split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                names = [".".join([*base, node.module] if node.module else base)]
            else:
                names = [node.module or ""]
            if names[0] == "portal":
                names = [f"portal.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.startswith("portal."):
                found.add(name.removeprefix("portal."))
    return found


def graph() -> dict[str, set[str]]:
    """Each portal module and the portal modules it imports."""
    return {
        module_name(path): imports_of(path)
        for path in sorted(PACKAGE.rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def wrong_imports(edges: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Every (importer, imported) pair against the direction."""
    wrong = set()
    for module, targets in edges.items():
        part = part_of(module)
        allowed = ALLOWED.get(part, FLOOR | {"core"}) | {part}
        for target in targets:
            if part_of(target) not in allowed:
                wrong.add((module, target))
    # A service never reads the web request.
    for path in (PACKAGE / "services").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            reads_request = isinstance(node, ast.ImportFrom) and node.module == "flask"
            if reads_request and {a.name for a in node.names} & {"request", "session", "g"}:
                wrong.add((module_name(path), "flask.request"))
    return wrong


def part_graph(edges: dict[str, set[str]]) -> dict[str, dict[str, int]]:
    """How many module imports run from each part to each other part."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for module, targets in edges.items():
        for target in targets:
            if part_of(target) != part_of(module):
                counts[part_of(module)][part_of(target)] += 1
    return counts


def main() -> int:
    """Print the parts' graph and any wrong import; 1 if there is a new one or a listed one went."""
    edges = graph()
    for part, targets in sorted(part_graph(edges).items()):
        listed = ", ".join(f"{name} ({count})" for name, count in sorted(targets.items()))
        print(f"{part:<11} -> {listed}")
    wrong = wrong_imports(edges)
    new, gone = wrong - KNOWN, KNOWN - wrong
    for module, target in sorted(wrong & KNOWN):
        print(f"known, to go: {module} imports {target}")
    for module, target in sorted(new):
        print(f"WRONG: {module} imports {target}")
    for module, target in sorted(gone):
        print(f"gone (take it off KNOWN): {module} no longer imports {target}")
    return 1 if new or gone else 0


if __name__ == "__main__":
    sys.exit(main())

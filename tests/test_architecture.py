"""The package's layers: modules every domain shares, the domains in one order, and the app around them.

A module imports from its own layer and the layers below it, never from one above, whether the
import is at the top of the file or inside a function. Each domain is a layer of its own, so two
domains never import each other.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "backend" / "chores_tracker"

# Lowest first. Notifications sit right above identity, under the activity feed that writes them.
# The activity feed sits right above them: every other domain writes its rows
# in the same transaction as its change (families too: joins, removals, invite codes, children).
# The infrastructure sits with the app, above every domain: the migration tool (and readiness,
# which asks it) reads every domain's tables through db.models.
LAYERS = [
    {
        "__init__",
        "admission",
        "clock",
        "currencies",
        "db",
        "deps",
        "errors",
        "http",
        "money",
        "observability",
        "paths",
        "periods",
        "ratelimit",
        "settings",
        "timezones",
    },
    {"identity"},
    {"notifications"},
    {"activity"},
    {"families"},
    {"ledger"},
    {"rewards"},
    {"chores"},
    {"reports"},
    {"app", "bootstrap", "cli", "__main__", "demo", "web", "health", "migrations", "db.models", "worker"},
]


def layer_of(module: str) -> int:
    """The layer of a module named below chores_tracker ("identity.service"): its most specific entry."""
    parts = module.split(".")
    for length in range(len(parts), 0, -1):
        for rank, members in enumerate(LAYERS):
            if ".".join(parts[:length]) in members:
                return rank
    raise AssertionError(f"chores_tracker.{module} is in no layer: add it to LAYERS")


def imported_modules(source: str, module: str) -> Iterator[tuple[int, str]]:
    """Every module of the package that `source` (the module `module`) imports, anywhere in it, with the line."""
    package = module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(["chores_tracker", *package[: len(package) - node.level + 1], *filter(None, [base])])
            # `from chores_tracker import clock` imports a module; `... import __version__`, a name of __init__.
            names = [f"{base}.{alias.name}" for alias in node.names] if base == "chores_tracker" else [base]
        else:
            continue
        for name in names:
            if name.startswith("chores_tracker."):
                inner = name.removeprefix("chores_tracker.")
                top = inner.split(".")[0]
                yield (
                    node.lineno,
                    inner if (PACKAGE / top).is_dir() or (PACKAGE / f"{top}.py").is_file() else "__init__",
                )


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE).with_suffix("").parts)


def test_no_module_imports_from_a_layer_above_its_own():
    upward = [
        f"{path.relative_to(PACKAGE)}:{line} imports chores_tracker.{imported}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, imported in imported_modules(path.read_text(), module_name(path))
        if layer_of(imported) > layer_of(module_name(path))
    ]
    assert upward == []


def test_an_import_inside_a_function_counts_as_much_as_one_at_the_top():
    source = "from chores_tracker.identity.models import User\n\ndef stats():\n    from chores_tracker.chores.queries import family_chore_stats\n"
    assert list(imported_modules(source, "families.service")) == [(1, "identity.models"), (4, "chores.queries")]


def test_the_domains_follow_one_order_above_the_shared_modules_and_below_the_app():
    domains = ["identity", "notifications", "activity", "families", "ledger", "rewards", "chores", "reports"]
    assert [layer_of(domain) for domain in domains] == list(range(1, 9))
    assert layer_of("deps") < layer_of("identity") and layer_of("reports") < layer_of("web") == layer_of("migrations")

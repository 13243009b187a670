"""The package's shape: the app's database code and the migration tool apart, and no module named like a top-level one."""

from __future__ import annotations

from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "backend" / "chores_tracker"
TOP_LEVEL = {path.stem for path in PACKAGE.iterdir() if path.suffix == ".py" or (path / "__init__.py").is_file()} - {
    "__init__",
    "__main__",
}


@pytest.mark.parametrize("package", ["db", "migrations"])
def test_no_module_of_the_database_code_is_named_like_a_top_level_module(package):
    modules = list((PACKAGE / package).rglob("*.py"))
    assert modules, f"chores_tracker/{package} is missing"
    assert sorted(str(path.relative_to(PACKAGE)) for path in modules if path.stem in TOP_LEVEL) == []


def test_the_apps_database_code_does_not_depend_on_the_migration_tool():
    importing = [
        path.name for path in (PACKAGE / "db").rglob("*.py") if "chores_tracker.migrations" in path.read_text()
    ]
    assert importing == []

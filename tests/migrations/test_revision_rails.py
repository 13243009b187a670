"""Rails for revision authors: they hold for every revision, including the ones added later."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from tests.migrations.breaking_changes import findings, violations
from tests.migrations.helpers import BACKEND, Scripts, copy_scripts

FILE_NAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})_(?P<revision>[0-9A-Za-z]+)_(?P<slug>[0-9a-z_]+)\.py$")


def script_directory(ini: Path = BACKEND / "alembic.ini") -> ScriptDirectory:
    return ScriptDirectory.from_config(Config(str(ini)))


REVISIONS = list(script_directory().walk_revisions())
REVISION_IDS = [script.revision for script in REVISIONS]


def test_the_revision_graph_has_exactly_one_head():
    heads = script_directory().get_heads()
    assert len(heads) == 1, f"several heads {heads}: merge them (alembic merge heads) or rebase your revision"


def test_every_file_in_versions_is_a_revision():
    files = {path.name for path in (BACKEND / "alembic" / "versions").glob("*.py")}
    assert files == {Path(script.path).name for script in REVISIONS}


@pytest.mark.parametrize("script", REVISIONS, ids=REVISION_IDS)
def test_revision_files_are_date_prefixed_and_named_after_their_revision(script):
    match = FILE_NAME.match(Path(script.path).name)
    assert match, f"{Path(script.path).name}: name it YYYY-MM-DD_<revision>_<slug>.py (alembic revision does)"
    assert match["revision"] == script.revision


@pytest.mark.parametrize("script", REVISIONS, ids=REVISION_IDS)
def test_every_revision_says_whether_it_is_a_contract_step(script):
    contract = getattr(script.module, "CONTRACT", None)
    assert isinstance(contract, bool), (
        f"{script.revision}: set CONTRACT = False (or True for a contract step, saying why)"
    )
    if contract:
        reason = [
            line
            for line in (script.module.__doc__ or "").strip().splitlines()[1:]
            if line.strip() and not line.startswith(("Revision ID:", "Revises:", "Create Date:"))
        ]
        assert reason, f"{script.revision} is a contract step: its docstring must say which expand it completes and why"


@pytest.mark.parametrize("script", REVISIONS, ids=REVISION_IDS)
def test_no_revision_breaks_the_release_still_running_unless_it_is_a_contract_step(script):
    found = violations(script.revision, script.module)
    assert not found, (
        "this revision would break the release still serving during the rollout:\n  "
        + "\n  ".join(str(item) for item in found)
        + "\nSplit it: expand now (add, backfill, write both), contract in a later release with CONTRACT = True."
    )


# -- the rail itself can fail ---------------------------------------------------------------------

BASE_TABLE = """
    op.create_table(
        "gadgets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(40), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
    )
"""

BREAKING = {
    "drops a table": 'op.drop_table("gadgets")',
    "drops a column": 'op.drop_column("gadgets", "size")',
    "renames a table or column": 'op.alter_column("gadgets", "name", new_column_name="title", existing_type=sa.String(40))',
    "changes a column type": 'op.alter_column("gadgets", "size", type_=sa.BigInteger(), existing_type=sa.Integer())',
    "makes a column NOT NULL": 'op.alter_column("gadgets", "name", nullable=False, existing_type=sa.String(40))',
    "adds a NOT NULL column without a default": 'op.add_column("gadgets", sa.Column("colour", sa.String(20), nullable=False))',
    "renames a table": 'op.rename_table("gadgets", "widgets")',
    "drops a column in raw SQL": 'op.execute("ALTER TABLE gadgets DROP COLUMN size")',
    "drops a column in a batch": 'with op.batch_alter_table("gadgets") as batch:\n    batch.drop_column("size")',
}
SAFE = {
    "adds a nullable column": 'op.add_column("gadgets", sa.Column("colour", sa.String(20), nullable=True))',
    "adds a NOT NULL column with a default": (
        'op.add_column("gadgets", sa.Column("colour", sa.String(20), nullable=False, server_default="red"))'
    ),
    "adds an index": 'op.create_index("ix_gadgets_name", "gadgets", ["name"])',
    "creates a table": 'op.create_table("things", sa.Column("id", sa.Integer(), primary_key=True))',
    "relaxes NOT NULL": 'op.alter_column("gadgets", "name", nullable=True, existing_type=sa.String(40))',
    "backfills rows": 'op.execute(sa.text("UPDATE gadgets SET size = 0 WHERE size IS NULL"))',
}


@pytest.fixture(scope="module")
def sample_scripts(tmp_path_factory) -> ScriptDirectory:
    scripts: Scripts = copy_scripts(tmp_path_factory.mktemp("rails") / "scripts", with_real_versions=False)
    scripts.add_revision("base0", None, BASE_TABLE, 'op.drop_table("gadgets")', message="gadgets")
    for index, (name, code) in enumerate({**BREAKING, **SAFE}.items()):
        scripts.add_revision(f"s{index}", "base0", code, message=name)
        scripts.add_revision(f"c{index}", "base0", code, contract=True, message=name)
    return script_directory(scripts.ini)


def _sample(directory: ScriptDirectory, name: str, contract: bool = False):
    index = list({**BREAKING, **SAFE}).index(name)
    return directory.get_revision(f"{'c' if contract else 's'}{index}")


@pytest.mark.parametrize("name", BREAKING)
def test_the_rail_catches_a_breaking_change(sample_scripts, name):
    script = _sample(sample_scripts, name)
    found = violations(script.revision, script.module)
    assert found, f"{name} was not caught"
    expected_kind = name.split(" in ")[0]
    assert any(item.kind.startswith(expected_kind) or expected_kind.startswith(item.kind) for item in found), found


@pytest.mark.parametrize("name", BREAKING)
def test_a_contract_step_may_make_a_breaking_change(sample_scripts, name):
    script = _sample(sample_scripts, name, contract=True)
    assert findings(script.revision, script.module), "the change is still seen"
    assert violations(script.revision, script.module) == []


@pytest.mark.parametrize("name", SAFE)
def test_the_rail_lets_expand_steps_through(sample_scripts, name):
    script = _sample(sample_scripts, name)
    assert findings(script.revision, script.module) == []

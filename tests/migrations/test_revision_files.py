"""The code's revisions read from the files' text (what readiness and the Job use) are Alembic's own.

Start-up reads the revision graph without importing Alembic; these tests hold that reading to
ScriptDirectory's answer, on the real revisions and on the shapes a branch can take, and check
that whatever the plain reading cannot be sure of is handed to Alembic.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from chores_tracker.migrations import history
from chores_tracker.migrations.revisions import (
    CodeRevisions,
    alembic_ini_path,
    load_code_revisions,
    load_code_revisions_with_alembic,
    read_revision_files,
)
from chores_tracker.migrations.runner import upgrade
from tests.migrations.helpers import code_head


def alembic_answer(ini: str) -> CodeRevisions:
    return CodeRevisions.from_script_directory(ScriptDirectory.from_config(Config(ini)))


def assert_same(read: CodeRevisions | None, expected: CodeRevisions) -> None:
    assert read is not None, "the plain reading gave up on revisions it should read"
    assert read.heads == expected.heads
    assert dict(read.parents) == dict(expected.parents)
    assert dict(read.files) == dict(expected.files)
    assert dict(read.messages) == dict(expected.messages)


def test_the_real_revisions_read_from_their_text_are_alembics():
    ini = str(alembic_ini_path())
    read = read_revision_files(alembic_ini_path())
    assert_same(read, alembic_answer(ini))
    assert read is not None and len(read.parents) >= 12
    assert load_code_revisions() == read


def test_added_revisions_a_branch_and_its_merge_read_as_alembic_reads_them(scripts):
    head = code_head()
    scripts.add_revision("b1a", head, "pass", message="one side")
    scripts.add_revision("b1b", head, "pass", message="other side")
    two_heads = read_revision_files(scripts.ini)
    assert_same(two_heads, alembic_answer(str(scripts.ini)))
    assert two_heads is not None and two_heads.heads == ("b1a", "b1b")

    merge = scripts.add_revision("m3rg", None, "pass", message="merge both sides")
    merge.write_text(merge.read_text().replace("down_revision = None", "down_revision = ('b1a', 'b1b')"))
    merged = read_revision_files(scripts.ini)
    assert_same(merged, alembic_answer(str(scripts.ini)))
    assert merged is not None and merged.heads == ("m3rg",) and merged.parents["m3rg"] == ("b1a", "b1b")


@pytest.mark.parametrize(
    "unusual",
    [
        "depends_on = '0001'",
        "branch_labels = ('side',)",
        "down_revision = str('{head}')",  # not a literal: only running the file would tell
    ],
)
def test_what_the_plain_reading_cannot_be_sure_of_is_left_to_alembic(scripts, unusual):
    added = scripts.add_revision("z9", code_head(), "pass", message="unusual")
    name = unusual.split(" = ")[0]
    lines = [
        unusual.format(head=code_head()) if line.startswith(f"{name} = ") else line
        for line in added.read_text().splitlines()
    ]
    added.write_text("\n".join(lines) + "\n")

    assert read_revision_files(scripts.ini) is None
    from_alembic = load_code_revisions_with_alembic(str(scripts.ini))
    assert load_code_revisions(str(scripts.ini)) == from_alembic and from_alembic.heads == ("z9",)


def test_a_revision_whose_parent_is_missing_is_left_to_alembic(scripts):
    scripts.add_revision("0rphan", "n0sUchRev", "pass", message="orphan")
    assert read_revision_files(scripts.ini) is None


def test_the_version_table_reads_as_alembic_reads_it(fresh_database):
    database = fresh_database("sqlite")
    with database.engine.connect() as connection:
        assert (
            history.version_heads(connection) == () == tuple(MigrationContext.configure(connection).get_current_heads())
        )
    upgrade(database.url, "head")
    with database.engine.connect() as connection:
        expected = tuple(sorted(MigrationContext.configure(connection).get_current_heads()))
        assert history.version_heads(connection) == expected == (code_head(),)


def test_readiness_and_the_migration_job_at_head_do_not_import_alembic():
    """What start-up is spared: the app (readiness included) and the Job's code path load without it."""
    code = (
        "import sys\n"
        "import chores_tracker.app, chores_tracker.migrations.commands, chores_tracker.migrations.runner\n"
        "from chores_tracker.migrations.revisions import load_code_revisions\n"
        "load_code_revisions()\n"
        "loaded = sorted(name for name in sys.modules if name == 'alembic' or name.startswith('alembic.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "", f"imported at start-up: {result.stdout.strip()}"

"""The code's revision graph and where a database stands against it.

Used by the runner (status, upgrade, verify) and by readiness. A database is "ahead" when the
code's head is among its applied revisions even though its own revision is newer than this code
knows: the schema history recorded the newer revisions' parents, so the chain can still be walked.
That is the normal state for old pods during a rolling update and after rolling the app back.
"""

from __future__ import annotations

import ast
import configparser
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory


def _as_tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@dataclass(frozen=True)
class CodeRevisions:
    heads: tuple[str, ...]
    parents: Mapping[str, tuple[str, ...]]
    files: Mapping[str, Path] = field(default_factory=dict)
    messages: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_script_directory(cls, script: ScriptDirectory) -> CodeRevisions:
        parents: dict[str, tuple[str, ...]] = {}
        files: dict[str, Path] = {}
        messages: dict[str, str] = {}
        for item in script.walk_revisions():
            parents[item.revision] = _as_tuple(item.down_revision)
            files[item.revision] = Path(item.path)
            messages[item.revision] = (item.doc or "").strip()
        return cls(tuple(sorted(script.get_heads())), parents, files, messages)

    def ancestors(
        self, revisions: Iterable[str], extra_parents: Mapping[str, tuple[str, ...]] = {}
    ) -> tuple[set[str], set[str]]:
        """(revisions reachable from these, themselves included; revisions reached without known parents)."""
        seen: set[str] = set()
        unknown: set[str] = set()
        stack = list(revisions)
        while stack:
            revision = stack.pop()
            if revision in seen:
                continue
            seen.add(revision)
            if revision in self.parents:
                stack.extend(self.parents[revision])
            elif revision in extra_parents:
                stack.extend(extra_parents[revision])
            else:
                unknown.add(revision)
        return seen, unknown

    def in_order(self, revisions: set[str]) -> list[str]:
        """The given revisions, oldest first (parents before children)."""
        ordered: list[str] = []
        visited: set[str] = set()

        def visit(revision: str) -> None:
            if revision in visited or revision not in self.parents:
                return
            visited.add(revision)
            for parent in self.parents[revision]:
                visit(parent)
            if revision in revisions:
                ordered.append(revision)

        for head in self.heads:
            visit(head)
        return ordered

    def describe(self, revision: str) -> str:
        message = self.messages.get(revision, "").splitlines()
        return f"{revision} {message[0]}" if message else revision


@dataclass(frozen=True)
class SchemaState:
    kind: str  # at_head | ahead | behind | empty | unknown | several_heads
    current: tuple[str, ...]
    expected: tuple[str, ...]
    pending: tuple[str, ...] = ()

    @property
    def serves_this_code(self) -> bool:
        return self.kind in ("at_head", "ahead")

    @property
    def current_text(self) -> str | None:
        return ",".join(self.current) if self.current else None

    @property
    def expected_text(self) -> str:
        return ",".join(self.expected)


def classify(
    code: CodeRevisions, db_heads: Iterable[str], recorded_parents: Mapping[str, tuple[str, ...]] = {}
) -> SchemaState:
    current = tuple(sorted(db_heads))
    expected = code.heads
    if not current:
        return SchemaState("empty", current, expected, tuple(code.in_order(set(code.parents))))
    applied, unreachable = code.ancestors(current, recorded_parents)
    if set(expected) <= applied:
        return SchemaState("at_head" if set(current) == set(expected) else "ahead", current, expected)
    if not unreachable and all(head in code.parents for head in current):
        wanted, _ = code.ancestors(expected)
        if set(current) <= wanted:
            return SchemaState("behind", current, expected, tuple(code.in_order(wanted - applied)))
    if len(current) > 1:
        return SchemaState("several_heads", current, expected)
    return SchemaState("unknown", current, expected)


def alembic_ini_path() -> Path:
    import os

    override = os.environ.get("CHORES_TRACKER_ALEMBIC_INI")
    if override:
        return Path(override)
    # backend/chores_tracker/migrations/revisions.py -> backend/alembic.ini
    return Path(__file__).resolve().parents[2] / "alembic.ini"


@lru_cache(maxsize=8)
def load_code_revisions(ini_path: str | None = None) -> CodeRevisions:
    """The code's revisions, read once per process (they cannot change while it runs).

    Read from the revision files' text: importing Alembic's runtime and every revision module would
    cost the app and the migration Job a good part of their start-up. Anything the plain reading
    does not cover (several version locations, dependencies, branch labels, a value that is not a
    literal) is left to Alembic itself, so the answer is always Alembic's.
    """
    ini = ini_path or str(alembic_ini_path())
    parsed = read_revision_files(Path(ini))
    return parsed if parsed is not None else load_code_revisions_with_alembic(ini)


def load_code_revisions_with_alembic(ini_path: str) -> CodeRevisions:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    return CodeRevisions.from_script_directory(ScriptDirectory.from_config(Config(ini_path)))


# Alembic's own rule for which files in the versions directory are revisions.
_REVISION_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")
# Options that change where or how Alembic finds revisions: left to Alembic.
_UNUSUAL_OPTIONS = ("version_locations", "recursive_version_locations", "sourceless")


def read_revision_files(ini_path: Path) -> CodeRevisions | None:
    """The revisions as Alembic would see them, or None when this plain reading cannot be sure."""
    config = configparser.ConfigParser(defaults={"here": os.path.abspath(ini_path.parent)})
    if not config.read(ini_path) or not config.has_section("alembic"):
        return None
    section = config["alembic"]
    if any(section.get(option) for option in _UNUSUAL_OPTIONS) or not section.get("script_location"):
        return None
    script_location = section["script_location"]
    if ":" in script_location and not Path(script_location).is_absolute():
        return None  # a package resource ("package:dir"): Alembic resolves those
    versions = Path(script_location) / "versions"
    if not versions.is_dir():
        return None
    parents: dict[str, tuple[str, ...]] = {}
    files: dict[str, Path] = {}
    messages: dict[str, str] = {}
    for path in sorted(versions.iterdir()):
        if not path.is_file() or not _REVISION_FILE.match(path.name):
            continue
        script = _read_script(path)
        if script is None:
            return None
        revision, down_revision, doc = script
        if revision in parents:
            return None
        parents[revision] = down_revision
        files[revision] = path
        messages[revision] = doc
    known = set(parents)
    if any(parent not in known for down in parents.values() for parent in down):
        return None
    children = {parent for down in parents.values() for parent in down}
    heads = tuple(sorted(known - children))
    return CodeRevisions(heads, parents, files, messages)


def _read_script(path: Path) -> tuple[str, tuple[str, ...], str] | None:
    try:
        module = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    values: dict[str, object] = {}
    for node in module.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        if target.id in ("revision", "down_revision", "branch_labels", "depends_on"):
            if target.id in values:
                return None
            try:
                values[target.id] = ast.literal_eval(value)
            except ValueError:
                return None
    revision = values.get("revision")
    down_revision = values.get("down_revision")
    if not isinstance(revision, str) or values.get("branch_labels") or values.get("depends_on"):
        return None
    if down_revision is not None and not isinstance(down_revision, (str, tuple, list)):
        return None
    if isinstance(down_revision, (tuple, list)) and not all(isinstance(item, str) for item in down_revision):
        return None
    # Alembic's `doc`: the module docstring, stripped, up to its first blank line.
    docstring = (ast.get_docstring(module, clean=False) or "").strip()
    return revision, _as_tuple(down_revision), re.split("\n\n", docstring)[0].strip()

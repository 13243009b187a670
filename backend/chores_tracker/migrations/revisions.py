"""The code's revision graph and where a database stands against it.

Used by the runner (status, upgrade, verify) and by readiness. A database is "ahead" when the
code's head is among its applied revisions even though its own revision is newer than this code
knows: the schema history recorded the newer revisions' parents, so the chain can still be walked.
That is the normal state for old pods during a rolling update and after rolling the app back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from alembic.config import Config
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
    """The code's revisions, read once per process (they cannot change while it runs)."""
    config = Config(ini_path or str(alembic_ini_path()))
    return CodeRevisions.from_script_directory(ScriptDirectory.from_config(config))

"""Find the operations in a revision that would break the release still running during a rollout.

During a rolling update (and after rolling the app back) the previous release reads and writes the
new schema. So an expand step may add, never take away: a revision that drops or renames a table or
column, changes a column's type, makes a column NOT NULL, or adds a NOT NULL column without a
default breaks that release, unless it is the contract step of an earlier expand (CONTRACT = True).

The revision's upgrade() is rendered as SQL offline, for PostgreSQL and for MySQL, and the SQL is
inspected: that sees what a revision really does, whether it calls op.* directly, through a helper
or with raw SQL in op.execute. (It also keeps `chores-tracker db sql` working for every revision.)
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext


@dataclass(frozen=True)
class Finding:
    revision: str
    kind: str
    dialect: str
    statement: str

    def __str__(self) -> str:
        return f"{self.revision} {self.kind} ({self.dialect}): {self.statement}"


_NAME = r"(?:\"[^\"]+\"|`[^`]+`|\S+)"
_RULES: dict[str, tuple[tuple[str, str], ...]] = {
    "postgresql": (
        ("drops a table", r"^DROP TABLE\b"),
        ("drops a column", r"^ALTER TABLE .*\bDROP COLUMN\b"),
        ("renames a table or column", r"^ALTER TABLE .*\bRENAME\b"),
        ("changes a column type", rf"^ALTER TABLE .*\bALTER COLUMN {_NAME} (?:SET DATA )?TYPE\b"),
        ("makes a column NOT NULL", rf"^ALTER TABLE .*\bALTER COLUMN {_NAME} SET NOT NULL\b"),
    ),
    "mysql": (
        ("drops a table", r"^DROP TABLE\b"),
        ("drops a column", r"^ALTER TABLE .*\bDROP COLUMN\b"),
        ("renames a table or column", r"^(?:ALTER TABLE .*\b(?:RENAME|CHANGE)\b|RENAME TABLE\b)"),
        ("makes a column NOT NULL or changes its type", r"^ALTER TABLE .*\bMODIFY\b.*\bNOT NULL\b"),
    ),
}
_ADD_COLUMN = re.compile(r"\bADD(?: COLUMN)? (.*)$")


def render_upgrade(module: Any, dialect: str) -> str:
    """The SQL of one revision's upgrade(), rendered offline (no database)."""
    buffer = io.StringIO()
    context = MigrationContext.configure(
        dialect_name=dialect, opts={"as_sql": True, "output_buffer": buffer, "literal_binds": True}
    )
    with Operations.context(context):
        module.upgrade()
    return buffer.getvalue()


def statements(sql: str) -> list[str]:
    found = []
    for chunk in re.split(r";\s*\n", sql):
        lines = [line for line in chunk.splitlines() if not line.strip().startswith("--")]
        text = " ".join(" ".join(lines).split())
        if text:
            found.append(text)
    return found


def findings(revision: str, module: Any) -> list[Finding]:
    result = []
    for dialect, rules in _RULES.items():
        for statement in statements(render_upgrade(module, dialect)):
            upper = statement.upper()
            for kind, pattern in rules:
                if re.search(pattern, upper):
                    result.append(Finding(revision, kind, dialect, statement))
            added = _ADD_COLUMN.search(upper) if upper.startswith("ALTER TABLE") else None
            if added and "NOT NULL" in added.group(1) and " DEFAULT " not in f" {added.group(1)} ":
                result.append(Finding(revision, "adds a NOT NULL column without a default", dialect, statement))
    return result


def violations(revision: str, module: Any) -> list[Finding]:
    """Findings that count: none for a revision marked as a contract step."""
    if getattr(module, "CONTRACT", False) is True:
        return []
    return findings(revision, module)

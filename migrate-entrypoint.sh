#!/bin/sh
# The migration Job's entrypoint (docker compose's one-shot `migrate` service runs it too).
#
# `chores-tracker db migrate` does the work: it logs its start, waits for the database (a real
# login and SELECT 1, each failed attempt saying what failed), shows the current revision and the
# heads, upgrades to head under the migration lock, verifies, and logs one summary line
# (outcome, from, to, applied, seconds). This file only picks the interpreter and passes the exit code on.
#
# Exit codes (docs/operations/database-migrations.md); only 3 and 4 are worth retrying:
#   0 migrated, or already at (or ahead of) this code's head
#   1 unexpected error            5 a migration failed (the revision is named)
#   2 bad settings or arguments   6 a half-applied revision needs a person (recovery steps are logged)
#   3 database unreachable        7 verification failed (not at this code's head afterwards)
#   4 migration lock timeout
#
# Settings (environment): DATABASE_URL, DB_WAIT_TIMEOUT_SECONDS, MIGRATION_LOCK_TIMEOUT_SECONDS,
# MIGRATION_DDL_LOCK_TIMEOUT_SECONDS, LOG_FORMAT=json|text, PUSHGATEWAY_URL, MIGRATION_METRICS_TEXTFILE,
# JOB_NAME (recorded in the schema history). PYTHON picks the interpreter (default: python).
set -eu

exec "${PYTHON:-python}" -m chores_tracker db migrate "$@"

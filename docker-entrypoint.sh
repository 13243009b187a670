#!/bin/sh
# The application container's entrypoint. It migrates only when asked to, or when nothing else can:
#   1. raises the open-files limit towards OPEN_FILES_LIMIT (default 65536) where the hard limit allows;
#   2. RUN_MIGRATIONS=true (docker compose legacy mode), or RUN_MIGRATIONS unset and DATABASE_URL
#      unset (the embedded SQLite database in DATA_DIR, which only this container can reach, so no
#      Job can migrate it): runs `chores-tracker db migrate`, the same runner under the same lock
#      as the migration Job, and stops with its exit code if it fails;
#      otherwise waits for the database, at most DB_WAIT_TIMEOUT_SECONDS, and starts even if it
#      never answered: readiness (/api/v1/health/ready) keeps traffic away until it does, and the
#      container is not restarted into a crash-loop back-off that would delay recovery;
#   3. execs the command, by default the web server on 0.0.0.0:${PORT:-8000}.
# PYTHON picks the interpreter (default: python).
set -eu

PYTHON="${PYTHON:-python}"

log() {
    # Level names as the app's log lines spell them (INFO, WARNING, ERROR).
    level=$(printf '%s' "$1" | tr '[:lower:]' '[:upper:]')
    shift
    now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    case "${LOG_FORMAT:-auto}:${ENVIRONMENT:-development}" in
        json:* | auto:production)
            printf '{"time": "%s", "level": "%s", "logger": "docker-entrypoint", "message": "%s"}\n' "$now" "$level" "$*" >&2
            ;;
        *)
            printf '%s %-7s %s\n' "$now" "$level" "$*" >&2
            ;;
    esac
}

raise_open_files_limit() {
    # Best effort: POSIX sh only promises `ulimit -f`; dash, bash and busybox know `ulimit -n`.
    # shellcheck disable=SC3045
    soft=$(ulimit -n 2>/dev/null) || return 0
    want=${OPEN_FILES_LIMIT:-65536}
    # The hard limit, where Linux tells it (ulimit -H is not portable).
    hard=$(awk '/^Max open files/ { print $5 }' /proc/self/limits 2>/dev/null || true)
    if [ -n "$hard" ] && [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then
        want=$hard
    fi
    if [ "$soft" = unlimited ] || [ "$soft" -ge "$want" ]; then
        return 0
    fi
    # shellcheck disable=SC3045
    if ulimit -n "$want" 2>/dev/null; then
        log info "open files limit raised from $soft to $want"
    else
        log warning "could not raise the open files limit from $soft"
    fi
}

raise_open_files_limit

migrate_because=
if [ "${RUN_MIGRATIONS:-}" = true ]; then
    migrate_because="RUN_MIGRATIONS=true: migrating before start (docker compose legacy mode)"
elif [ -z "${RUN_MIGRATIONS:-}" ] && [ -z "${DATABASE_URL:-}" ]; then
    migrate_because="DATABASE_URL unset: migrating the SQLite database in ${DATA_DIR:-data} before start"
fi

if [ -n "$migrate_because" ]; then
    log info "$migrate_because"
    status=0
    "$PYTHON" -m chores_tracker db migrate || status=$?
    if [ "$status" -ne 0 ]; then
        log error "migration failed with exit code $status; not starting"
        exit "$status"
    fi
else
    status=0
    "$PYTHON" -m chores_tracker db wait || status=$?
    if [ "$status" -eq 3 ]; then
        log warning "starting without the database; readiness stays 503 until it answers"
    elif [ "$status" -ne 0 ]; then
        exit "$status"
    fi
fi

if [ "$#" -eq 0 ]; then
    set -- "$PYTHON" -m chores_tracker serve --host 0.0.0.0 --port "${PORT:-8000}"
fi
exec "$@"

# syntax=docker/dockerfile:1

# Chores Tracker: one image for the migration Job and the web Deployment; only the command differs.
#   docker build -t chores-tracker:<tag> .               the production image (the last stage, "runtime")
#   docker build --target dev -t chores-tracker:dev .     the same, but the app user owns the code,
#                                                         so that Tilt can sync changes into a running pod
# Layout under /app mirrors the repository: /app/backend/alembic.ini, /app/backend/alembic/,
# /app/backend/chores_tracker/, /app/docker-entrypoint.sh, /app/migrate-entrypoint.sh.
#
# The base images are build arguments, so that a machine without a registry can build on a base it
# made itself (scripts/ci-containers does, with debootstrap). Both must carry the same Python at the
# same path: the virtual environment made in the first is copied into the second.
ARG PYTHON_VERSION=3.11
ARG BUILD_IMAGE=python:${PYTHON_VERSION}-bookworm
ARG RUNTIME_IMAGE=python:${PYTHON_VERSION}-slim-bookworm

# ---- build: the full Debian image carries the compilers a dependency without a wheel would need.
# Nothing from this stage reaches the final image except the virtual environment in /opt/venv.
FROM ${BUILD_IMAGE} AS build
# A machine that reaches PyPI only through a mirror names it here (scripts/ci-containers passes the
# one pip is configured with); unset, pip asks PyPI. The lock's hashes hold either way.
ARG PIP_INDEX_URL
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
# python3, not python: Debian's own Python (a base made with debootstrap) has no `python` command.
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# The lock first, so that this layer is reused until requirements.lock changes. Every file is
# checked against the lock's hashes; --no-deps plus `pip check` makes an incomplete lock fail
# the build instead of drifting.
COPY requirements.lock ./
RUN pip install --no-cache-dir --no-deps --require-hashes --requirement requirements.lock \
 && pip check
# The project itself, installed in place: the `chores-tracker` command and the package metadata
# point at /app/backend, where the next stage puts the code. One copy of the code, importable
# as is, and `python -m alembic -c /app/backend/alembic.ini` finds it through alembic.ini too.
COPY pyproject.toml README.md ./
COPY backend/ backend/
RUN pip install --no-cache-dir --no-deps --editable .
# What only installing needs leaves: pip and setuptools, the byte-code pip compiled (see the next
# step), the debugging symbols the wheels' extension modules carry (most of uvloop's size), and the
# test suites, gettext sources (*.po, *.pot: the compiled *.mo are what runs) and type stubs some
# packages ship inside themselves (icalendar's tests, Apprise's translations); the libraries
# auditwheel bundled into *.libs are left alone, as patchelf rewrote them. Of Babel's locale data
# (35 MB: a file per locale) only the languages the pages are served in stay (en and es, the
# LANGUAGES of chores_tracker/currencies.py, with en_US, the default locale) and root, which every
# locale inherits from: 0.6 MB; pages negotiate their locale among the files left. Its
# message-catalogue tools (babel.messages: extracting and compiling catalogues) go too: the app
# only reads compiled catalogues (its own: backend/chores_tracker/web/locale/*/LC_MESSAGES/messages.mo,
# under /app, which the *.po find below does not touch).
# Code no process here imports goes as well: SQLAlchemy's and Alembic's test-suite support
# (sqlalchemy.testing, alembic.testing), dnspython (email-validator imports it only to check a
# domain's mail servers, which neither we nor pydantic ask for: check_deliverability=False), and
# the Redis modules' commands (RedisJSON, search, time series, Bloom filters, vector sets: imported
# only when called; the rate-limit store uses plain Redis). About 2.8 MB of the image's 200.
RUN pip uninstall --yes pip setuptools \
 && site=$(echo /opt/venv/lib/python*/site-packages) \
 && rm -rf "$site/sqlalchemy/testing" "$site/alembic/testing" "$site/dns" \
        "$site/redis/commands/json" "$site/redis/commands/search" "$site/redis/commands/timeseries" \
        "$site/redis/commands/bf" "$site/redis/commands/vectorset" \
 && find /opt/venv/lib/python*/site-packages/babel/locale-data -type f -name '*.dat' \
        ! -name root.dat ! -name en.dat ! -name en_US.dat ! -name es.dat -delete \
 && rm -rf /opt/venv/lib/python*/site-packages/babel/messages \
 && find /opt/venv/lib/python*/site-packages -mindepth 2 -maxdepth 2 -type d -name tests -exec rm -rf {} + \
 && find /opt/venv/lib/python*/site-packages \( -name '*.po' -o -name '*.pot' -o -name '*.pyi' \) -type f -delete \
 && find /opt/venv -depth -name __pycache__ -type d -exec rm -rf {} + \
 && find /opt/venv -name '*.so' -type f -not -path '*.libs/*' -exec strip --strip-unneeded {} +
# The byte-code of what the processes import as they start, and of nothing else. At run time the
# root filesystem is read-only, so a module without it is compiled again, in memory, by every
# process at every start (12 s and more of a loaded CPU before /health answers). Rather than a list
# of modules that would drift, the entrypoints run here with byte-code writing on: without
# DATABASE_URL the Job migrates an SQLite file in /tmp (the embedded default: no server) and the
# app serves up to /health and readiness (its answer once the app is built: until then readiness
# says `starting`); towards PostgreSQL and MySQL, where nothing listens, the
# Job gives up at once (exit 3: DB_WAIT_TIMEOUT_SECONDS=0) and the app serves without its database,
# which loads both drivers and dialects; REDIS_URL loads the shared rate-limit store. What the app
# imports at its first use rather than at start-up (passwords, tokens, the in-memory rate-limit
# store, encrypted channel URLs; MQTT in the worker) is imported once more by name, so that it too
# ships as byte-code, as it did when start-up imported it.
# Those modules then ship as byte-code in place of their source: beside it, the byte-code would
# take the image some 10 MB past its 200. In a traceback their frames keep file, line number and
# function, without the line's text (requirements.lock pins the version to read it in); the app's
# own code keeps its source. A library may import differently without its source (anyio's lazy
# imports read it, and import everything at once when it is gone), so all this runs twice.
COPY --chmod=0755 docker-entrypoint.sh migrate-entrypoint.sh ./
# hadolint ignore=DL3001 # kill stops the server this step started, and asks whether it still runs
RUN set -e; \
    warm_up() { \
        mkdir /tmp/warm-up; \
        for setting in DATA_DIR=/tmp/warm-up DATABASE_URL=postgresql://warm-up@127.0.0.1:9/warm_up \
                       DATABASE_URL=mysql://warm-up@127.0.0.1:9/warm_up; do \
            status=0; \
            env "$setting" ./migrate-entrypoint.sh || status=$?; \
            if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then exit "$status"; fi; \
            env "$setting" REDIS_URL=redis://127.0.0.1:9/0 ./docker-entrypoint.sh chores-tracker serve --port 8000 & \
            until python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)" 2>/dev/null; do \
                if ! kill -0 "$!"; then exit 1; fi; \
                sleep 0.1; \
            done; \
            until python -c "import http.client as h; c = h.HTTPConnection('127.0.0.1', 8000, timeout=10); c.request('GET', '/api/v1/health/ready'); raise SystemExit(b'starting' in c.getresponse().read())" 2>/dev/null; do \
                if ! kill -0 "$!"; then exit 1; fi; \
                sleep 0.1; \
            done; \
            kill -TERM "$!"; \
            wait "$!"; \
        done; \
        python -c "import argon2, jwt, jwt.algorithms, cryptography.fernet, limits.storage, limits.strategies, paho.mqtt.client"; \
        rm -rf /tmp/warm-up; \
        find /opt/venv -path '*/__pycache__/*.pyc' -exec sh -ec 'for pyc; do \
            name=${pyc##*/}; module=${pyc%/__pycache__/*}/${name%%.*}; mv "$pyc" "$module.pyc"; rm "$module.py"; \
        done' sh {} +; \
    }; \
    export DATA_DIR=/tmp/warm-up DB_WAIT_TIMEOUT_SECONDS=0; \
    warm_up; \
    warm_up; \
    find /opt/venv -depth -name __pycache__ -type d -empty -delete

# ---- app: a slim Python with the environment, the code and both entrypoints.
# No compilers, no netcat: the entrypoints wait for the database with a real connection.
FROM ${RUNTIME_IMAGE} AS app
ARG APP_UID=10001
RUN groupadd --system --gid "${APP_UID}" chores \
 && useradd --system --no-log-init --uid "${APP_UID}" --gid chores \
        --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin chores \
 && mkdir /data \
 && chown "${APP_UID}:${APP_UID}" /data
# DATA_DIR holds the SQLite database used when DATABASE_URL is unset: a volume the app user
# owns (a new named volume takes the directory's owner), because /app belongs to root.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATA_DIR=/data
VOLUME ["/data"]
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chmod=0755 docker-entrypoint.sh migrate-entrypoint.sh ./
COPY backend/alembic.ini backend/
COPY backend/alembic/ backend/alembic/
COPY backend/chores_tracker/ backend/chores_tracker/
# The app's byte-code is all compiled at build time, beside its source, because at run time the
# root filesystem is read-only (the dependencies' comes with the environment, from the build stage).
RUN python -m compileall -q backend
EXPOSE 8000
# Liveness only: the process answers. Whether the database can serve this code is readiness
# (/api/v1/health/ready), which an orchestrator asks separately.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
ENTRYPOINT ["/app/docker-entrypoint.sh"]
CMD ["chores-tracker", "serve", "--host", "0.0.0.0", "--port", "8000"]

# ---- dev: for Tilt's live update, which writes changed files into the running container.
FROM app AS dev
RUN chown -R chores:chores /app/backend
USER 10001:10001

# ---- runtime (the default target): the code belongs to root and is read-only to the app user.
FROM app AS runtime
USER 10001:10001

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
# What only installing needs leaves: pip and setuptools, the byte-code pip compiled (see the app
# stage), and the debugging symbols the wheels' extension modules carry (most of uvloop's size);
# the libraries auditwheel bundled into *.libs are left alone, as patchelf rewrote them.
RUN pip uninstall --yes pip setuptools \
 && find /opt/venv -depth -name __pycache__ -type d -exec rm -rf {} + \
 && find /opt/venv -name '*.so' -type f -not -path '*.libs/*' -exec strip --strip-unneeded {} +

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
# The app's byte-code is compiled at build time, because at run time the root filesystem is
# read-only. The dependencies' is not: it would add some 40 MB to the image.
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

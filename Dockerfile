# syntax=docker/dockerfile:1

# Chores Tracker: one image for the migration Job and the web Deployment; only the command differs.
#   docker build -t chores-tracker:<tag> .               the production image (the last stage, "runtime")
#   docker build --target dev -t chores-tracker:dev .     the same, but the app user owns the code,
#                                                         so that Tilt can sync changes into a running pod
# Layout under /app mirrors the repository: /app/backend/alembic.ini, /app/backend/alembic/,
# /app/backend/chores_tracker/, /app/docker-entrypoint.sh, /app/migrate-entrypoint.sh.

ARG PYTHON_VERSION=3.11

# ---- build: the full Debian image carries the compilers a dependency without a wheel would need.
# Nothing from this stage reaches the final image except the virtual environment in /opt/venv.
FROM python:${PYTHON_VERSION}-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# The exact pins first, so that this layer is reused until requirements.lock changes;
# --no-deps plus `pip check` makes an incomplete lock file fail the build instead of drifting.
COPY requirements.lock ./
RUN pip install --no-cache-dir --no-deps --requirement requirements.lock \
 && pip check
# The project itself, installed in place: the `chores-tracker` command and the package metadata
# point at /app/backend, where the next stage puts the code. One copy of the code, importable
# as is, and `python -m alembic -c /app/backend/alembic.ini` finds it through alembic.ini too.
COPY pyproject.toml README.md ./
COPY backend/ backend/
RUN pip install --no-cache-dir --no-deps --editable .

# ---- app: a slim Python with the environment, the code and both entrypoints.
# No compilers, no netcat: the entrypoints wait for the database with a real connection.
FROM python:${PYTHON_VERSION}-slim-bookworm AS app
ARG APP_UID=10001
RUN groupadd --system --gid "${APP_UID}" chores \
 && useradd --system --no-log-init --uid "${APP_UID}" --gid chores \
        --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin chores
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chmod=0755 docker-entrypoint.sh migrate-entrypoint.sh ./
COPY backend/alembic.ini backend/
COPY backend/alembic/ backend/alembic/
COPY backend/chores_tracker/ backend/chores_tracker/
# Byte-code is compiled at build time, because at run time the root filesystem is read-only.
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

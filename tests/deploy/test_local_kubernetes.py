"""k8s-dev.yaml and the Tiltfile: a local cluster with MySQL, the migration Job and the backend,
built from the local image and brought up in order."""

from __future__ import annotations

import ast

import kubernetes_validate
import pytest
from sqlalchemy.engine import make_url

from tests.deploy import artifacts as a


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    return a.load_documents(a.K8S_DEV)


def test_every_object_validates_strictly_and_lives_in_chores_dev(documents):
    for document in documents:
        kubernetes_validate.validate(document, "1.37", strict=True)
        if document["kind"] != "Namespace":
            assert document["metadata"]["namespace"] == a.DEV_NAMESPACE, document["metadata"]["name"]
    namespace = a.find(documents, "Namespace", a.DEV_NAMESPACE)
    assert documents.index(namespace) == 0, "the namespace comes first so that `kubectl apply -f` can create the rest"


def test_mysql_has_a_service_storage_and_a_readiness_check(documents):
    mysql = a.find(documents, "StatefulSet", "mysql")
    service = a.find(documents, "Service", "mysql")
    assert a.selector_matches(service["spec"]["selector"], a.pod_labels(mysql))
    assert a.only_container(mysql)["image"].startswith("mysql:8")
    claim = mysql["spec"]["volumeClaimTemplates"][0]
    assert {"name": claim["metadata"]["name"], "mountPath": "/var/lib/mysql"} in a.only_container(mysql)["volumeMounts"]
    assert "mysqladmin ping -h 127.0.0.1" in " ".join(a.only_container(mysql)["readinessProbe"]["exec"]["command"])


def test_the_database_url_reaches_the_mysql_service_with_its_credentials(documents):
    backend = a.only_container(a.find(documents, "Deployment", a.DEPLOYMENT_NAME))
    url = make_url(a.container_environment(backend, documents)["DATABASE_URL"])
    mysql_container = a.only_container(a.find(documents, "StatefulSet", "mysql"))
    mysql_environment = a.container_environment(mysql_container, documents)
    service = a.find(documents, "Service", "mysql")
    assert url.host == service["metadata"]["name"] and url.port == service["spec"]["ports"][0]["port"]
    assert url.username == mysql_environment["MYSQL_USER"]
    assert url.password == mysql_environment["MYSQL_PASSWORD"]
    assert url.database == mysql_environment["MYSQL_DATABASE"]


def test_the_job_and_the_backend_use_the_local_image_and_the_same_configuration(documents):
    job = a.only_container(a.find(documents, "Job", a.JOB_NAME))
    backend = a.only_container(a.find(documents, "Deployment", a.DEPLOYMENT_NAME))
    assert job["image"] == backend["image"]
    assert job["imagePullPolicy"] == backend["imagePullPolicy"] == "Never"
    assert a.environment_sources(job) == a.environment_sources(backend)
    assert job["command"] == ["/app/migrate-entrypoint.sh"]
    assert a.pod_labels(a.find(documents, "Job", a.JOB_NAME))["component"] == "migration"
    known = a.settings_variables() | a.ENTRYPOINT_VARIABLES
    assert not a.variables_set(backend, documents) - known


def test_the_backend_serves_with_reload_on_the_image_entrypoint(documents):
    deployment = a.find(documents, "Deployment", a.DEPLOYMENT_NAME)
    container = a.only_container(deployment)
    command = a.effective_command(
        container, a.image_setting(a.stage("dev"), "ENTRYPOINT"), a.image_setting(a.stage("dev"), "CMD")
    )
    assert command[0] == "/app/docker-entrypoint.sh"
    assert command[1:3] == ["chores-tracker", "serve"] and "--reload" in command
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["readinessProbe"]["httpGet"]["path"] == "/api/v1/health/ready"
    service = a.find(documents, "Service", a.DEPLOYMENT_NAME)
    assert a.selector_matches(service["spec"]["selector"], a.pod_labels(deployment))
    assert not a.selector_matches(service["spec"]["selector"], a.pod_labels(a.find(documents, "Job", a.JOB_NAME)))


# ---- the Tiltfile ------------------------------------------------------------------------------


def _value(node: ast.AST) -> object:
    """A Starlark literal, with calls kept as (name, args, kwargs)."""
    if isinstance(node, ast.Call):
        return (node.func.id, [_value(arg) for arg in node.args], {kw.arg: _value(kw.value) for kw in node.keywords})
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_value(item) for item in node.elts]
    if isinstance(node, ast.Dict):
        return {_value(key): _value(item) for key, item in zip(node.keys, node.values, strict=True)}
    return ast.literal_eval(node)


def tilt_calls(function: str) -> list[tuple[list, dict]]:
    """Every top-level call of FUNCTION in the Tiltfile (Starlark is syntactically Python)."""
    tree = ast.parse(a.TILTFILE.read_text())
    calls = []
    for statement in tree.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            name, args, kwargs = _value(statement.value)
            if name == function:
                calls.append((args, kwargs))
    return calls


def test_tilt_builds_the_dev_stage_under_the_name_the_manifests_use(documents):
    ((args, kwargs),) = tilt_calls("docker_build")
    image, context = args
    assert (a.REPO / context).resolve() == a.REPO
    assert kwargs["target"] == "dev" and kwargs["target"] in {s.name for s in a.dockerfile_stages()}
    for kind, name in (("Job", a.JOB_NAME), ("Deployment", a.DEPLOYMENT_NAME)):
        assert a.only_container(a.find(documents, kind, name))["image"].split(":")[0] == image


def test_tilt_live_updates_code_into_the_images_layout():
    ((_, kwargs),) = tilt_calls("docker_build")
    steps = kwargs["live_update"]
    synced = [args for name, args, _ in steps if name == "sync"]
    assert synced
    for local, remote in synced:
        assert (a.REPO / local).exists(), local
        assert a.image_path_to_repo(remote) == a.REPO / local
    (fallback,) = [args[0] for name, args, _ in steps if name == "fall_back_on"]
    assert {"requirements.lock", "Dockerfile", "docker-entrypoint.sh", "migrate-entrypoint.sh"} <= set(fallback)


def test_tilt_applies_k8s_dev_and_orders_database_then_job_then_backend_and_worker(documents):
    assert tilt_calls("k8s_yaml") == [(["k8s-dev.yaml"], {})]
    resources = {}
    for args, kwargs in tilt_calls("k8s_resource"):
        resources[kwargs.get("new_name") or args[0]] = kwargs
    workloads = {d["metadata"]["name"] for d in documents if d["kind"] in ("StatefulSet", "Job", "Deployment")}
    assert workloads <= set(resources)
    assert resources["mysql"]["resource_deps"] == ["chores-dev-config"]
    assert resources[a.JOB_NAME]["resource_deps"] == ["mysql"]
    assert resources[a.DEPLOYMENT_NAME]["resource_deps"] == [a.JOB_NAME]
    assert resources[a.DEPLOYMENT_NAME]["port_forwards"] == ["8000:8000"]
    assert resources["chores-tracker-worker"]["resource_deps"] == [a.JOB_NAME]
    worker = a.only_container(a.find(documents, "Deployment", "chores-tracker-worker"))
    assert worker["args"] == ["chores-tracker", "worker"]
    assert worker["image"] == a.only_container(a.find(documents, "Deployment", a.DEPLOYMENT_NAME))["image"]


def test_tilt_object_selectors_name_objects_that_exist(documents):
    (config,) = [kwargs for args, kwargs in tilt_calls("k8s_resource") if kwargs.get("new_name") == "chores-dev-config"]
    existing = {(d["metadata"]["name"], d["kind"].lower(), d["metadata"].get("namespace")) for d in documents}
    for selector in config["objects"]:
        name, kind, *namespace = selector.split(":")
        assert (name, kind, namespace[0] if namespace else None) in existing, selector
    not_workloads = {(n, k) for n, k, _ in existing if k in ("namespace", "secret", "configmap")}
    assert {tuple(s.split(":")[:2]) for s in config["objects"]} == not_workloads

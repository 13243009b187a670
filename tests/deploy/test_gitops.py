"""The GitOps templates Argo CD applies: valid Kubernetes, the guide's waves and hook, one image and
one configuration for the Job and the Deployment, probes the app answers, and a hardened pod."""

from __future__ import annotations

import copy

import kubernetes_validate
import pytest
from pydantic import ValidationError

from chores_tracker.settings import Settings
from tests.deploy import artifacts as a

# The oldest Kubernetes release still commonly run, and the newest the validator knows.
KUBERNETES_VERSIONS = ("1.33", "1.37")
KUBERNETES_KINDS = {"ConfigMap", "Secret", "Job", "CronJob", "Deployment", "Service", "PodDisruptionBudget"}
TIMESTEP_NAME = "chores-tracker-timestep"
WORKER_NAME = "chores-tracker-worker"


def rendered() -> list[dict]:
    return a.render_kustomization()


def job() -> dict:
    return a.find(rendered(), "Job", a.JOB_NAME)


def deployment() -> dict:
    return a.find(rendered(), "Deployment", a.DEPLOYMENT_NAME)


def timestep() -> dict:
    return a.find(rendered(), "CronJob", TIMESTEP_NAME)


def worker() -> dict:
    return a.find(rendered(), "Deployment", WORKER_NAME)


def with_secret(documents: list[dict]) -> list[dict]:
    """The rendered objects plus the Secret the cluster holds (created from the template)."""
    return documents + a.load_documents(a.SECRET_TEMPLATE)


# ---- schema ----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_template_and_the_rendered_kustomization_validate_strictly(version):
    documents = [(path.name, doc) for path in a.gitops_manifest_files() for doc in a.load_documents(path)]
    documents += [("kustomize build", doc) for doc in rendered()]
    checked = 0
    for source, document in documents:
        if document["kind"] not in KUBERNETES_KINDS:
            continue
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{source}: {document['kind']}/{document['metadata']['name']}: {exc.message}")
        checked += 1
    assert checked >= 13


def test_the_strict_schema_rejects_a_misspelled_field():
    broken = copy.deepcopy(deployment())
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[-1], strict=True)


def test_the_kustomization_lists_each_template_except_the_secret_and_the_application():
    kustomization = a.load_documents(a.GITOPS_DIR / "kustomization.yaml")[0]
    assert kustomization["kind"] == "Kustomization"
    listed = set(kustomization["resources"])
    on_disk = {p.name for p in a.gitops_manifest_files()} - {"kustomization.yaml"}
    assert listed == on_disk - {a.SECRET_TEMPLATE.name, a.ARGOCD_APPLICATION.name}
    assert kustomization["namespace"] == a.PRODUCTION_NAMESPACE
    for path in a.gitops_manifest_files():
        for document in a.load_documents(path):
            if document["kind"] in KUBERNETES_KINDS:
                assert document["metadata"]["namespace"] == a.PRODUCTION_NAMESPACE, path.name
    assert {doc["metadata"]["namespace"] for doc in rendered()} == {a.PRODUCTION_NAMESPACE}


# ---- waves and the hook ------------------------------------------------------------------------


def _annotations(document: dict) -> dict:
    return document["metadata"].get("annotations", {})


def test_configuration_is_wave_0_the_job_a_wave_1_presync_hook_the_deployment_wave_2():
    configmap = a.find(rendered(), "ConfigMap", a.CONFIGMAP_NAME)
    secret = a.load_documents(a.SECRET_TEMPLATE)[0]
    assert _annotations(configmap)["argocd.argoproj.io/sync-wave"] == "0"
    assert _annotations(secret)["argocd.argoproj.io/sync-wave"] == "0"
    assert _annotations(job()) == {
        "argocd.argoproj.io/sync-wave": "1",
        "argocd.argoproj.io/hook": "PreSync",
        "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
    }
    assert _annotations(deployment())["argocd.argoproj.io/sync-wave"] == "2"
    assert "argocd.argoproj.io/hook" not in _annotations(deployment())
    # The time step's CronJob: its own wave after the Deployment's, kept in sync (not a hook).
    assert _annotations(timestep()) == {"argocd.argoproj.io/sync-wave": "3"}
    # The notification worker: a wave of its own, once the new code serves.
    assert _annotations(worker()) == {"argocd.argoproj.io/sync-wave": "4"}


def test_the_time_step_runs_one_at_a_time_with_the_apps_image_and_configuration():
    cronjob = timestep()
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    container = a.only_container(cronjob)
    assert container["image"] == a.only_container(deployment())["image"]
    assert a.environment_sources(container) == a.environment_sources(a.only_container(deployment()))
    # Through the image's entrypoint (it waits for the database, never migrates here), the CLI's tick, once.
    assert "command" not in container and container["args"] == ["python", "-m", "chores_tracker", "tick"]
    assert a.pod_spec(cronjob)["restartPolicy"] == "OnFailure"
    job_spec = cronjob["spec"]["jobTemplate"]["spec"]
    assert job_spec["activeDeadlineSeconds"] <= 5 * 60  # a run ends before the next is due
    # The serving pods never step themselves: the CronJob does.
    environment = a.container_environment(a.only_container(deployment()), with_secret(rendered()))
    assert environment["TIME_STEP_INTERVAL_SECONDS"] == "0"


def test_the_job_retries_within_a_deadline_and_is_kept_a_day():
    spec = job()["spec"]
    assert spec["backoffLimit"] == 4
    assert spec["activeDeadlineSeconds"] == 300
    assert spec["ttlSecondsAfterFinished"] == 86400
    assert a.pod_spec(job())["restartPolicy"] == "OnFailure"
    assert a.only_container(job())["command"] == ["/app/migrate-entrypoint.sh"]
    assert "args" not in a.only_container(job())


def test_the_job_deadline_covers_the_database_wait_and_the_lock_wait():
    environment = a.container_environment(a.only_container(job()), with_secret(rendered()))
    waits = float(environment["DB_WAIT_TIMEOUT_SECONDS"]) + float(environment["MIGRATION_LOCK_TIMEOUT_SECONDS"])
    assert waits < job()["spec"]["activeDeadlineSeconds"], (
        "the Job would be killed while still waiting, with no clear error"
    )


def test_the_job_and_the_deployment_run_the_same_image_with_the_same_configuration():
    job_container, app_container = a.only_container(job()), a.only_container(deployment())
    assert job_container["image"] == app_container["image"]
    assert (
        a.environment_sources(job_container)
        == a.environment_sources(app_container)
        == [
            ("ConfigMap", a.CONFIGMAP_NAME),
            ("Secret", a.SECRET_NAME),
        ]
    )
    # Beyond the shared configuration the Job only learns its own name, for the schema history.
    assert job_container["env"] == [
        {
            "name": "JOB_NAME",
            "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['batch.kubernetes.io/job-name']"}},
        }
    ]
    assert "env" not in app_container


def test_the_image_is_pinned_by_the_kustomization_never_latest():
    kustomization = a.load_documents(a.GITOPS_DIR / "kustomization.yaml")[0]
    (entry,) = kustomization["images"]
    assert entry["newTag"] and entry["newTag"] != "latest"
    for workload in (job(), deployment()):
        image = a.only_container(workload)["image"]
        assert image == f"{entry['newName']}:{entry['newTag']}", image
        assert not image.endswith(":latest")
    for name in ("migration-job.yaml", "deployment.yaml"):
        raw_image = a.only_container(a.load_documents(a.GITOPS_DIR / name)[0])["image"]
        assert raw_image.split(":")[0] == entry["name"], f"{name}: kustomize would not pin {raw_image}"
        assert ":" in raw_image and not raw_image.endswith(":latest"), f"{name}: {raw_image} means :latest"


def test_the_worker_delivers_with_the_apps_image_and_configuration_and_its_metrics_keep_it_alive():
    from chores_tracker.settings import Settings

    container = a.only_container(worker())
    app_container = a.only_container(deployment())
    assert container["image"] == app_container["image"]
    assert a.environment_sources(container) == a.environment_sources(app_container)
    # Through the image's entrypoint (it waits for the database, never migrates here), the CLI's worker.
    assert "command" not in container and container["args"] == ["python", "-m", "chores_tracker", "worker"]
    environment = a.container_environment(container, with_secret(rendered()))
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports == {"metrics": int(environment["WORKER_METRICS_PORT"])}
    assert container["livenessProbe"]["httpGet"]["port"] == "metrics"
    assert worker()["spec"]["replicas"] >= 2, "several workers share the outbox (SKIP LOCKED)"
    # The serving pods never deliver themselves: the worker does.
    served = a.container_environment(app_container, with_secret(rendered()))
    assert served["NOTIFICATION_WORKER_INTERVAL_SECONDS"] == "0"
    values = {key.lower(): value for key, value in environment.items()} | {"secret_key": "x" * 48}
    assert Settings(_env_file=None, **values).worker_metrics_port == 9100


# ---- the deployment ----------------------------------------------------------------------------


def test_two_replicas_roll_one_at_a_time_without_losing_capacity():
    spec = deployment()["spec"]
    assert spec["replicas"] == 2
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}


def test_probes_ask_liveness_and_readiness_on_paths_and_a_port_the_app_serves(tmp_path):
    from fastapi.testclient import TestClient

    from chores_tracker.app import create_app
    from chores_tracker.db.urls import normalize_database_url
    from chores_tracker.migrations import runner
    from chores_tracker.settings import Settings

    container = a.only_container(deployment())
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    served_port = int(a.image_setting(a.final_stage(), "CMD")[-1])
    assert ports == {"http": served_port}
    liveness, readiness, startup = (
        container[k]["httpGet"] for k in ("livenessProbe", "readinessProbe", "startupProbe")
    )
    assert liveness["path"] == startup["path"] == "/health"
    assert readiness["path"] == "/api/v1/health/ready"
    assert {liveness["port"], readiness["port"], startup["port"]} == {"http"}
    assert container["livenessProbe"]["initialDelaySeconds"] <= 30
    assert container["readinessProbe"]["initialDelaySeconds"] <= 10

    url = f"sqlite:///{tmp_path / 'probes.db'}"
    runner.upgrade(normalize_database_url(url), "head")
    app = create_app(Settings(_env_file=None, database_url=url, readiness_cache_seconds=0))
    with TestClient(app) as client:
        for probe in (liveness, readiness):
            response = client.get(probe["path"])
            assert response.status_code == 200, f"{probe['path']}: {response.status_code} {response.text}"


def test_the_startup_probe_outlasts_the_entrypoints_database_wait():
    container = a.only_container(deployment())
    startup = container["startupProbe"]
    window = startup["periodSeconds"] * startup["failureThreshold"]
    wait = float(a.container_environment(container, with_secret(rendered()))["DB_WAIT_TIMEOUT_SECONDS"])
    assert window > wait, "liveness would start (and restart the pod) while the entrypoint still waits"


def test_the_pod_can_shut_down_gracefully_within_its_grace_period():
    container = a.only_container(deployment())
    pause = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    # `serve` gives requests in flight SHUTDOWN_GRACE_SECONDS (uvicorn's timeout_graceful_shutdown).
    environment = a.container_environment(container, with_secret(rendered()))
    default = Settings.model_fields["shutdown_grace_seconds"].default
    graceful_shutdown = int(environment.get("SHUTDOWN_GRACE_SECONDS", default))
    assert a.pod_spec(deployment())["terminationGracePeriodSeconds"] > pause + graceful_shutdown
    assert (
        "timeout_graceful_shutdown=settings.shutdown_grace_seconds"
        in (a.REPO / "backend/chores_tracker/cli.py").read_text()
    )


@pytest.mark.parametrize(
    "kind_name",
    [("Deployment", a.DEPLOYMENT_NAME), ("Job", a.JOB_NAME), ("CronJob", TIMESTEP_NAME), ("Deployment", WORKER_NAME)],
)
def test_pods_are_hardened(kind_name):
    workload = a.find(rendered(), *kind_name)
    pod = a.pod_spec(workload)
    container = a.only_container(workload)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    security = container["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"] == {"drop": ["ALL"]}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]]  # noqa: S108 (the container's mount under test)
    resources = container["resources"]
    assert {"cpu", "memory"} <= set(resources["requests"]) and "memory" in resources["limits"]


def test_the_service_and_the_pdb_select_the_backend_pods_and_never_the_migration_pods():
    service = a.find(rendered(), "Service", a.DEPLOYMENT_NAME)
    pdb = a.find(rendered(), "PodDisruptionBudget", a.DEPLOYMENT_NAME)
    for selector in (service["spec"]["selector"], pdb["spec"]["selector"], deployment()["spec"]["selector"]):
        assert a.selector_matches(selector, a.pod_labels(deployment()))
        assert not a.selector_matches(selector, a.pod_labels(timestep()))
        assert not a.selector_matches(selector, a.pod_labels(worker()))
        assert not a.selector_matches(selector, a.pod_labels(job()))
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert pdb["spec"]["minAvailable"] == 1 < deployment()["spec"]["replicas"]


# ---- the guide's kubectl commands ----------------------------------------------------------------


def test_the_guides_names_and_labels_find_the_right_objects():
    # kubectl ... -n chores-tracker-backend job/chores-tracker-migration, -l component=migration,
    # deployment/chores-tracker-backend, -l app=chores-tracker-backend
    assert job()["metadata"]["namespace"] == deployment()["metadata"]["namespace"] == a.PRODUCTION_NAMESPACE
    assert a.label_query_matches("component=migration", a.pod_labels(job()))
    assert not a.label_query_matches("component=migration", a.pod_labels(deployment()))
    assert a.label_query_matches("app=chores-tracker-backend", a.pod_labels(deployment()))
    assert not a.label_query_matches("app=chores-tracker-backend", a.pod_labels(job()))


def test_creating_the_job_by_hand_from_the_kustomization_picks_only_the_job():
    # kubectl create -k gitops-templates/base-apps/chores-tracker-backend -l component=migration
    picked = [d for d in rendered() if a.label_query_matches("component=migration", d["metadata"].get("labels", {}))]
    assert [(d["kind"], d["metadata"]["name"]) for d in picked] == [("Job", a.JOB_NAME)]


# ---- configuration -----------------------------------------------------------------------------


def test_every_variable_the_templates_set_is_a_setting_the_app_reads():
    known = a.settings_variables() | a.ENTRYPOINT_VARIABLES
    for workload in (job(), deployment(), worker()):
        unknown = a.variables_set(a.only_container(workload), with_secret(rendered())) - known
        assert not unknown, f"{workload['kind']}: set but never read: {sorted(unknown)}"


def test_production_gets_every_setting_it_requires():
    environment = a.container_environment(a.only_container(deployment()), with_secret(rendered()))
    assert environment["ENVIRONMENT"] == "production"
    assert {"DATABASE_URL", "SECRET_KEY"} <= set(environment)
    assert environment["LOG_FORMAT"] == "json"


def test_the_secret_template_holds_placeholders_that_production_refuses():
    from chores_tracker.settings import Settings

    template = a.config_values(a.load_documents(a.SECRET_TEMPLATE)[0])
    assert "REPLACE_WITH" in template["DATABASE_URL"]
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(
            _env_file=None,
            environment="production",
            secret_key=template["SECRET_KEY"],
            database_url=template["DATABASE_URL"],
        )


def test_the_configuration_values_parse_as_the_app_reads_them():
    from chores_tracker.migrations.config import MigrationSettings
    from chores_tracker.settings import Settings

    environment = a.container_environment(a.only_container(deployment()), with_secret(rendered()))
    environment["SECRET_KEY"] = "x" * 48
    values = {key.lower(): value for key, value in environment.items()}
    settings = Settings(_env_file=None, **values)
    assert settings.is_production and settings.json_logs
    migration = MigrationSettings(_env_file=None, **values)
    assert migration.is_production and migration.json_logs
    assert migration.db_wait_timeout_seconds == float(environment["DB_WAIT_TIMEOUT_SECONDS"])


def test_each_variable_read_outside_the_settings_is_really_read_there():
    readers = "".join((a.REPO / name).read_text() for name in ("docker-entrypoint.sh", "migrate-entrypoint.sh"))
    readers += "".join(path.read_text() for path in (a.REPO / "backend" / "chores_tracker").rglob("*.py"))
    for name in a.ENTRYPOINT_VARIABLES:
        read = (f"${{{name}", f'environ.get("{name}")', f'envvar="{name}"')  # shell, Python, a CLI option
        assert any(spelling in readers for spelling in read), f"nothing reads {name}"
    assert not a.ENTRYPOINT_VARIABLES & a.settings_variables()


# ---- the Argo CD Application ----------------------------------------------------------------------


def test_the_example_application_points_at_this_directory_and_namespace():
    application = a.load_documents(a.ARGOCD_APPLICATION)[0]
    assert application["apiVersion"] == "argoproj.io/v1alpha1" and application["kind"] == "Application"
    spec = application["spec"]
    assert (a.REPO / spec["source"]["path"]).resolve() == a.GITOPS_DIR.resolve()
    assert spec["destination"]["namespace"] == a.PRODUCTION_NAMESPACE
    assert spec["destination"]["server"] == "https://kubernetes.default.svc"
    assert spec["project"]
    automated = spec["syncPolicy"]["automated"]
    assert automated == {"prune": True, "selfHeal": True}
    assert set(application) == {"apiVersion", "kind", "metadata", "spec"}
    assert set(spec) <= {"project", "source", "destination", "syncPolicy", "ignoreDifferences", "info"}


def test_the_readme_settings_table_and_the_configmap_agree_on_names():
    """Every key the ConfigMap sets is documented for operators in the README's settings table."""
    readme = (a.REPO / "README.md").read_text()
    configmap = a.find(rendered(), "ConfigMap", a.CONFIGMAP_NAME)
    undocumented = [key for key in configmap["data"] if f"`{key}`" not in readme]
    assert not undocumented, f"not in README.md's settings table: {undocumented}"

"""docs/deployment.md: its commands name the objects, labels, services and files that exist."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.deploy import artifacts as a

DOCS = a.REPO / "docs" / "deployment.md"


def shell_commands(prefix: str) -> list[list[str]]:
    """Commands in the document's sh blocks that start with PREFIX (continuation lines joined)."""
    text = DOCS.read_text()
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            for part in re.split(r"\s(?:&&|\|\|)\s", line.split("  #")[0]):
                words = shlex.split(part, comments=True)
                while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):  # VAR=value command
                    words = words[1:]
                if words[: len(prefix.split())] == prefix.split():
                    commands.append(words)
    return commands


def _namespaces() -> dict[str, list[dict]]:
    return {
        a.PRODUCTION_NAMESPACE: a.render_kustomization() + a.load_documents(a.SECRET_TEMPLATE),
        a.DEV_NAMESPACE: [d for d in a.load_documents(a.K8S_DEV) if d["kind"] != "Namespace"],
    }


def _labels_in(documents: list[dict]) -> list[dict]:
    labels = [d["metadata"].get("labels", {}) for d in documents]
    labels += [
        d["spec"]["template"]["metadata"].get("labels", {}) for d in documents if "template" in d.get("spec", {})
    ]
    return labels


KINDS = {"job": "Job", "jobs": "Job", "deployment": "Deployment", "pod": "Pod", "pods": "Pod"}
OPTIONS_WITH_VALUES = {"-n", "-l", "-f", "-k", "-o", "--replicas", "--for", "--timeout", "--tail", "--from-literal"}


def test_every_kubectl_command_names_existing_namespaces_objects_labels_and_files():
    commands = shell_commands("kubectl")
    assert len(commands) > 20
    namespaces = _namespaces()
    for words in commands:
        where = " ".join(words)
        options = {}
        positional = []
        index = 2
        while index < len(words):
            word = words[index]
            if word in OPTIONS_WITH_VALUES and not (word == "-f" and words[1] == "logs"):  # logs -f: follow
                options[word] = words[index + 1]
                index += 2
                continue
            if not word.startswith("-"):
                positional.append(word)
            index += 1
        for flag in ("-f", "-k"):
            if flag in options and options[flag] != "-":
                assert (a.REPO / options[flag]).exists(), f"{where}: no {options[flag]}"
        namespace = options.get("-n")
        if words[1] in ("create", "apply") and "-k" in options:
            namespace = a.load_documents(a.REPO / options["-k"] / "kustomization.yaml")[0]["namespace"]
        if namespace is None or namespace == "argocd" or (words[1] == "create" and positional[:1] == ["namespace"]):
            continue
        assert namespace in namespaces, f"{where}: unknown namespace {namespace}"
        documents = namespaces[namespace]
        names = {(d["kind"], d["metadata"]["name"]) for d in documents}
        for word in positional:
            kind, _, name = word.partition("/")
            if kind in KINDS and name:
                assert (KINDS[kind], name) in names, f"{where}: no {word} in {namespace}"
        if positional and positional[0] in KINDS and len(positional) > 1 and KINDS[positional[0]] != "Pod":
            assert (KINDS[positional[0]], positional[1]) in names, f"{where}: no {positional[1]} in {namespace}"
        if "-l" in options:
            assert any(a.label_query_matches(options["-l"], labels) for labels in _labels_in(documents)), (
                f"{where}: nothing carries {options['-l']}"
            )


def test_every_docker_compose_command_names_existing_services():
    commands = shell_commands("docker compose")
    assert len(commands) >= 7
    services = set(a.load_compose()["services"])
    for words in commands:
        where = " ".join(words)
        rest = words[2:]
        while rest and rest[0].startswith("--"):
            rest = rest[2:] if rest[0] == "--profile" else rest[1:]
        subcommand, arguments = rest[0], rest[1:]
        named = []
        skip = False
        for word in arguments:
            if skip:
                skip = False
            elif word in ("--user", "-v", "--volume", "-e"):
                skip = True
            elif not word.startswith("-"):
                named.append(word)
        if subcommand in ("exec", "run"):
            named = named[:1]
        for service in named:
            assert service in services, f"{where}: no service {service}"


def test_tilt_trigger_names_a_tilt_resource():
    from tests.deploy.test_local_kubernetes import tilt_calls

    resources = {kwargs.get("new_name") or args[0] for args, kwargs in tilt_calls("k8s_resource")}
    for words in shell_commands("tilt trigger"):
        assert words[2] in resources


def _exit_codes_in_script() -> dict[int, str]:
    header = [
        line.lstrip("#").strip()
        for line in (a.REPO / "migrate-entrypoint.sh").read_text().splitlines()
        if line.startswith("#")
    ]
    codes = {}
    for line in header:
        for code, meaning in re.findall(r"(?:^|\s{2,})(\d) (.+?)(?=\s{2,}\d |$)", line):
            codes[int(code)] = meaning.strip()
    return codes


def test_the_job_failure_table_has_the_scripts_exit_codes():
    script = _exit_codes_in_script()
    assert set(script) == set(range(8)), script
    documented = {
        int(code): meaning.strip()
        for code, meaning in re.findall(r"^\| (\d) \| ([^|]+) \|", DOCS.read_text(), re.MULTILINE)
    }
    assert documented == {code: meaning for code, meaning in script.items() if code != 0}


@pytest.mark.parametrize("variable", ["DATABASE_URL", "SECRET_KEY", "ENVIRONMENT", "RUN_MIGRATIONS"])
def test_variables_the_docs_tell_operators_to_set_are_read(variable):
    assert f"`{variable}" in DOCS.read_text()
    assert variable in a.settings_variables() | a.ENTRYPOINT_VARIABLES


def test_the_readiness_reasons_the_docs_explain_are_the_ones_the_app_gives():
    row = next(line for line in DOCS.read_text().splitlines() if line.startswith("| readiness |"))
    reasons = set(re.findall(r"`((?:schema|database)_[a-z_]+)`", row))
    assert reasons
    readiness = (a.REPO / "backend" / "chores_tracker" / "health" / "service.py").read_text()
    given = set(re.findall(r'ReadinessReport\(False, "([a-z_]+)"', readiness))
    assert reasons == given

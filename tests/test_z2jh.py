"""deploy/z2jh: the Zero to JupyterHub configuration, checked without Kubernetes.

The chart's values schema (vendored, BSD 3-Clause) validates our values merged over the
chart's defaults, as `helm install` does; the rest checks that the Kubernetes files agree
with the single server's code (locks, exchange modes, mounts, Jupyter configuration).
"""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import ROOT

Z2JH = ROOT / "deploy" / "z2jh"
CHART_VERSION = "4.4.0"
CHART_APP_VERSION = "5.5.0"  # JupyterHub in the chart's hub image


def load(name: str):
    return yaml.safe_load((Z2JH / name).read_text(encoding="utf-8"))


def merged(defaults: dict, ours: dict) -> dict:
    """Helm's merge of user values over a chart's defaults: maps merge, everything else replaces."""
    result = copy.deepcopy(defaults)
    for key, value in ours.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


@pytest.fixture(scope="module")
def values():
    return load("values.yaml")


@pytest.fixture(scope="module")
def validator():
    schema = load("vendor/values.schema.yaml")
    return jsonschema.Draft7Validator(schema)


def test_values_pass_the_charts_own_schema(values, validator):
    errors = sorted(validator.iter_errors(merged(load("vendor/values.yaml"), values)), key=str)
    assert errors == [], "\n".join(f"{'.'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_the_schema_check_catches_a_wrong_value(values, validator):
    broken = merged(load("vendor/values.yaml"), values)
    broken["cull"]["timeout"] = "an hour"
    broken["singleuser"]["storage"]["extraVolumeMounts"][0]["mountPath"] = 42
    assert len(list(validator.iter_errors(broken))) >= 1


def test_vendored_files_name_the_chart_they_come_from():
    note = (Z2JH / "vendor" / "README.md").read_text(encoding="utf-8")
    assert f"**{CHART_VERSION}**" in note and CHART_APP_VERSION in note
    assert "BSD 3-Clause" in (Z2JH / "vendor" / "LICENSE").read_text(encoding="utf-8").splitlines()[0]


def test_the_hub_lock_pins_the_charts_major_jupyterhub():
    pins = dict(line.split("==") for line in (ROOT / "requirements-hub.lock").read_text().splitlines() if "==" in line)
    assert pins["jupyterhub"].split(".")[0] == CHART_APP_VERSION.split(".")[0]


def test_the_image_is_built_from_the_locks():
    dockerfile = (Z2JH / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"pip install [^\n]*-r requirements\.lock -r requirements-hub\.lock", dockerfile)
    assert "COPY deploy/z2jh/jupyter /etc/platform-intl/jupyter" in dockerfile
    assert re.search(r"^FROM python:3\.11", dockerfile, flags=re.M), "the locks are resolved on Python 3.11"
    # The lab's CJK font and the notebook save hook are server settings of the environment.
    assert "write_server_config(Path('/opt/platform-intl/venv'))" in dockerfile


def test_the_exchange_is_on_a_shared_volume_with_the_servers_modes(values):
    from platform_intl.instructor import hub_exchange

    documents = list(yaml.safe_load_all((Z2JH / "formgrader.yaml").read_text(encoding="utf-8")))
    claims = {d["metadata"]["name"]: d for d in documents if d["kind"] == "PersistentVolumeClaim"}
    assert claims["platform-intl-exchange"]["spec"]["accessModes"] == ["ReadWriteMany"]
    mounts = {m["name"]: m["mountPath"] for m in values["singleuser"]["storage"]["extraVolumeMounts"]}
    assert mounts["exchange"] == "/srv/platform-intl/exchange"
    (deployment,) = [d for d in documents if d["kind"] == "Deployment"]
    layout = deployment["spec"]["template"]["spec"]["initContainers"][0]["command"][-1]
    found = re.findall(r"-m (\d+) /srv/platform-intl/exchange/platform-intl/?(\w*)\n", layout)
    assert {name: int(mode, 8) for mode, name in found} == {
        "": hub_exchange.COURSE_MODE,
        "outbound": hub_exchange.OUTBOUND_MODE,
        "inbound": hub_exchange.INBOUND_MODE,
        "feedback": hub_exchange.FEEDBACK_MODE,
    }
    students_gid = re.search(r"-g (\d+) -m 2750 /srv/platform-intl/exchange/platform-intl\n", layout).group(1)
    assert f"supplemental_gids = [{students_gid}]" in values["hub"]["extraConfig"]["courseUids"]


def test_gradebook_culling_and_the_course_service(values):
    assert values["hub"]["db"]["type"] == "postgres"
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] > 0
    course_id = values["custom"]["course"]["id"]
    config = (ROOT / "assignments" / "nbgrader_config.py").read_text(encoding="utf-8")
    assert f'c.CourseDirectory.course_id = "{course_id}"' in config
    assert course_id in values["hub"]["services"]
    roles = values["hub"]["loadRoles"]
    assert roles[f"formgrader-{course_id}"]["scopes"] == [f"access:services!service={course_id}"]


def test_extra_config_is_python(values):
    for name, code in values["hub"]["extraConfig"].items():
        ast.parse(code, filename=f"hub.extraConfig.{name}")


def test_jupyter_configuration_is_what_the_server_code_writes(tmp_path):
    from platform_intl.instructor import hub

    for kind in ("student", "staff"):
        hub.write_jupyter_config(tmp_path / kind, kind, hub.Server(), membership="hub")
        written = {p.relative_to(tmp_path / kind): p.read_text() for p in (tmp_path / kind).rglob("*") if p.is_file()}
        committed = {
            p.relative_to(Z2JH / "jupyter" / kind): p.read_text()
            for p in (Z2JH / "jupyter" / kind).rglob("*")
            if p.is_file()
        }
        assert written == committed, (
            f"deploy/z2jh/jupyter/{kind} is out of date: regenerate it with write_jupyter_config"
        )


def test_paths_in_values_exist_in_the_image(values):
    image_paths = {"/etc/platform-intl/jupyter/student": Z2JH / "jupyter" / "student"}
    for path, source in image_paths.items():
        assert values["singleuser"]["extraEnv"]["JUPYTER_CONFIG_PATH"] == path
        assert Path(source).is_dir()

"""Repository hygiene: clean notebooks, consistent pins, nothing generated committed."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from conftest import ROOT

CONDA_TO_PIP = {"matplotlib-base": "matplotlib"}


def git_files(pattern: str) -> list[str]:
    out = subprocess.run(["git", "ls-files", pattern], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    return out.stdout.split()


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def environment_pins() -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(conda pins, pip pins, other pip lines) of environment.yml, parsed without PyYAML tricks."""
    conda, pip, other = {}, {}, []
    for raw in (ROOT / "environment.yml").read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        item = re.match(r"^\s*-\s+(\S.*)$", line)
        if not item:
            continue
        spec = item.group(1).strip()
        if "==" in spec:
            name, version = spec.split("==")
            pip[name.lower()] = version
        elif re.match(r"^[A-Za-z0-9_.-]+=[^=]+$", spec):
            name, version = spec.split("=")
            conda[CONDA_TO_PIP.get(name.lower(), name.lower())] = version
        elif spec not in ("pip", "pip:", "conda-forge"):
            other.append(spec)
    return conda, pip, other


def notebook_filter_installed(path: str) -> bool:
    """Whether git strips this notebook on its way in (.gitattributes and the clean filter set-up installs)."""
    attribute = subprocess.run(["git", "check-attr", "filter", "--", path], cwd=ROOT, capture_output=True, text=True)
    name = attribute.stdout.strip().rpartition(": ")[2]
    if name in ("", "unspecified", "unset"):
        return False
    config = subprocess.run(["git", "config", "--get", f"filter.{name}.clean"], cwd=ROOT, capture_output=True)
    return config.returncode == 0


@pytest.mark.parametrize("path", git_files("*.ipynb"))
def test_committed_notebook_has_no_outputs_or_execution_counts(path):
    # What a commit takes: the index's copy, and the file itself unless git's clean filter strips
    # it on the way in (a lecture a student ran and saved keeps its outputs on disk, not in git).
    staged = subprocess.run(["git", "show", f":{path}"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    texts = {"the index": staged}
    if not notebook_filter_installed(path):
        texts["the working tree"] = (ROOT / path).read_text(encoding="utf-8")
    for where, text in texts.items():
        nb = json.loads(text)
        dirty = [
            i
            for i, c in enumerate(nb["cells"])
            if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count") is not None)
        ]
        assert dirty == [], f"{path} in {where}: strip with `python tools/notebooks.py strip` (cells {dirty})"


def test_environment_yml_matches_lock():
    pins = lock_pins()
    conda, pip, other = environment_pins()
    for needed in ("jupyterlab", "nbgrader", "pandas", "seaborn", "ipywidgets"):
        assert needed in conda or needed in pip, f"environment.yml does not pin {needed}"
    mismatched = {
        name: (version, pins.get(name))
        for name, version in {**conda, **pip}.items()
        if name != "python" and pins.get(name) != version
    }
    assert mismatched == {}, "environment.yml disagrees with requirements.lock (yml, lock)"
    header = (ROOT / "requirements.lock").read_text().splitlines()[0]
    lock_python = re.search(r"Python (\d+\.\d+)", header).group(1)
    assert conda.get("python") == lock_python
    assert "-e ." in other, "environment.yml must install the helper package"


def test_lock_pins_every_package_with_exact_versions():
    lines = [l for l in (ROOT / "requirements.lock").read_text().splitlines() if l and not l.startswith("#")]
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-]+==[^=\s]+", l) for l in lines)
    pins = lock_pins()
    for top in (ROOT / "requirements.in").read_text().splitlines():
        name = re.split(r"[=<>\[ ]", top.split("#")[0].strip())[0].lower().replace("_", "-")
        if name:
            assert name in pins, f"{name} from requirements.in is not in the lock"


def test_installed_versions_match_the_lock():
    from importlib import metadata

    pins = lock_pins()
    for name in ("jupyterlab", "nbgrader", "pandas", "seaborn", "ipywidgets", "matplotlib", "jsonschema"):
        assert metadata.version(name) == pins[name], f"{name}: run `python3 tasks.py setup`"


def test_generated_nbgrader_folders_are_ignored():
    for folder in ("release", "submitted", "autograded", "feedback"):
        check = subprocess.run(["git", "check-ignore", "-q", f"assignments/{folder}/x/y.ipynb"], cwd=ROOT)
        assert check.returncode == 0, f"assignments/{folder}/ must be git-ignored"
    assert subprocess.run(["git", "check-ignore", "-q", "assignments/gradebook.db"], cwd=ROOT).returncode == 0
    tracked = git_files("*gradebook.db") + [
        p for p in git_files("assignments/*") if p.split("/")[1] in {"release", "submitted", "autograded", "feedback"}
    ]
    assert tracked == []


def test_readme_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", text, flags=re.S)[:2]
    assert [b.strip() for b in first_blocks] == ["python3 tasks.py lab", "python3 tasks.py test"]
    assert (ROOT / ".ci" / "run").read_text().count("tasks.py test") == 1


def test_nbgrader_config_sets_timeouts_and_restores_deleted_cells():
    text = (ROOT / "assignments" / "nbgrader_config.py").read_text()
    assert "c.OverwriteCells.add_missing_cells = True" in text
    assert re.search(r"c\.Execute\.timeout = \d+", text)

"""The class server's pieces that need neither root nor a running hub (the fast lane).

The real thing, accounts and all, is in test_hub_exchange.py and test_hub_class.py.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import types

import pytest
from conftest import ROOT
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from platform_intl.instructor import hub, hub_exchange, hub_system


def write_roster(tmp_path, rows: list[str]):
    path = tmp_path / "roster.csv"
    path.write_text("id,role,first_name,last_name,email,password\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_roster_rows_become_members_with_roles(tmp_path):
    members = hub.read_roster(write_roster(tmp_path, ["ana,student,Ana,S,,", "ines,instructor,Ines,B,i@x.org,pw"]))
    assert [(m.id, m.role, m.password) for m in members] == [("ana", "student", ""), ("ines", "instructor", "pw")]
    assert hub.groups_for("c1", "instructor") == ["formgrade-c1", "instructors-c1"]
    assert hub.groups_for("c1", "student") == ["nbgrader-c1"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Ana Silva,student,,,,", "not a valid Unix user name"),
        ("ana,teacher,,,,", "role 'teacher'"),
        ("grader-x,student,,,,", "grading accounts"),
    ],
)
def test_roster_refuses_what_the_server_cannot_use(tmp_path, row, message):
    with pytest.raises(hub.HubError, match=message):
        hub.read_roster(write_roster(tmp_path, [row]))


def test_the_courses_config_loads_and_names_classes_that_exist(tmp_path):
    server = hub.Server(tmp_path)
    config_text = (ROOT / "assignments" / "nbgrader_config.py").read_text(encoding="utf-8")
    (tmp_path / "nbgrader_config.py").write_text(
        config_text + hub.server_settings(server, "c1", "sqlite:///x.db"), encoding="utf-8"
    )
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    assert config.CourseDirectory.course_id == "c1" and config.CourseDirectory.db_url == "sqlite:///x.db"
    assert config.Exchange.root == str(tmp_path / "exchange") and config.Exchange.path_includes_course is True
    for kind, name in config.ExchangeFactory.items():
        module, _, cls = name.rpartition(".")
        assert hasattr(importlib.import_module(module), cls), f"ExchangeFactory.{kind} names {name}"
    module, _, cls = config.Authenticator.plugin_class.rpartition(".")
    assert hasattr(importlib.import_module(module), cls)


def test_students_servers_hide_the_formgrader(tmp_path):
    hub.write_jupyter_config(tmp_path, "student", hub.Server(tmp_path / "srv"))
    page = json.loads((tmp_path / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"]["@jupyter/nbgrader:formgrader"] is True
    server = json.loads((tmp_path / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is False


def test_membership_comes_from_the_unix_groups(monkeypatch):
    monkeypatch.setattr(hub_exchange, "course_groups", lambda user: ["formgrade-c2", "instructors-c2", "nbgrader-c1"])
    plugin = hub_exchange.UnixGroupsPlugin()
    assert plugin.get_student_courses("ana") == ["c1", "c2"]
    monkeypatch.setattr(hub_exchange, "course_groups", lambda user: [])
    assert plugin.get_student_courses("grader-c3") == ["c3"]


def test_owners_are_told_apart_through_the_uid_map_where_there_is_no_passwd(tmp_path, monkeypatch):
    (tmp_path / "uids.json").write_text(json.dumps({"ana": 4242001, "ben": 4242002}))
    monkeypatch.setenv("PLATFORM_INTL_UID_MAP", str(tmp_path / "uids.json"))
    fake = types.SimpleNamespace(st_uid=4242002)
    path = types.SimpleNamespace(lstat=lambda: fake)
    assert hub_exchange.owner_name(path) == "ben"
    fake.st_uid = 4242999
    assert hub_exchange.owner_name(path) == "uid 4242999"


def test_the_hub_configuration_for_two_courses(tmp_path, monkeypatch):
    server = hub.Server(tmp_path)
    server.state.mkdir(parents=True)
    server.save_courses(
        {
            cid: hub.HubCourse(id=cid, root=str(tmp_path / cid), grader=f"grader-{cid}", port=port, db_url="sqlite://")
            for cid, port in (("c1", 40001), ("c2", 40002))
        }
    )
    monkeypatch.setenv("PLATFORM_INTL_HUB_ROOT", str(tmp_path))
    monkeypatch.setenv("PLATFORM_INTL_HUB_BIND_URL", "http://127.0.0.1:9999")
    from platform_intl.instructor import hub_auth

    c = Config()
    hub_auth.configure(c, repo=ROOT, venv=ROOT / ".venv")
    assert c.JupyterHub.bind_url == "http://127.0.0.1:9999"
    assert [s["name"] for s in c.JupyterHub.services] == ["c1", "c2", "idle-culler"]
    assert {s["user"] for s in c.JupyterHub.services[:2]} == {"grader-c1", "grader-c2"}
    assert "--timeout=3600" in c.JupyterHub.services[2]["command"]
    assert "delete:servers" in {r["name"]: r for r in c.JupyterHub.load_roles}["idle-culler"]["scopes"]
    assert c.JupyterHub.services[0]["url"] == "http://127.0.0.1:40001"
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles["formgrader-c1"]["groups"] == ["formgrade-c1"]
    assert roles["formgrader-c1"]["scopes"] == ["access:services!service=c1"]
    assert c.Authenticator.allowed_groups >= {"nbgrader-c1", "formgrade-c2", "instructors-c2"}
    assert c.ConfigurableHTTPProxy.command == [str(ROOT / "hub" / "node_modules" / ".bin" / "configurable-http-proxy")]


def test_node_missing_is_named_as_the_one_prerequisite(monkeypatch):
    monkeypatch.setattr(hub_system.shutil, "which", lambda name: None)
    with pytest.raises(hub_system.MissingPrerequisite, match=r"Node\.js 20\+ with npm is the one extra prerequisite"):
        hub_system.require_node()


def load_tasks():
    spec = importlib.util.spec_from_file_location("tasks_for_hub", ROOT / "tasks.py")
    assert spec and spec.loader
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    return tasks


def test_tasks_hub_refuses_without_root_and_says_why(monkeypatch, capsys):
    tasks = load_tasks()
    monkeypatch.setattr(tasks.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(tasks, "ensure_env", lambda **kwargs: pytest.fail("must not install anything"))
    assert tasks.hub([]) == 2
    assert "as root on a Linux server" in capsys.readouterr().out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the class server is for Linux")
def test_tasks_hub_stops_before_installing_when_node_is_missing(monkeypatch, capsys):
    tasks = load_tasks()
    monkeypatch.setattr(tasks.os, "geteuid", lambda: 0)
    monkeypatch.setattr(tasks.shutil, "which", lambda name: None)
    monkeypatch.setattr(tasks, "ensure_env", lambda **kwargs: pytest.fail("must not install anything"))
    assert tasks.hub([]) == 2
    assert "Node.js 20 or newer, with npm" in capsys.readouterr().out

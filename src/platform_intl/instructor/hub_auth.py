"""JupyterHub's side of the class server: log-in with PAM, the course groups, the configuration.

``hub/jupyterhub_config.py`` calls :func:`configure`; everything the hub does for the
course is decided here, from the server's ``hub/courses.json`` (written by
``course-admin hub course``):

- **Log-in**: :class:`CoursePAMAuthenticator`, JupyterHub's PAM authenticator (the Unix
  accounts ``course-admin hub users`` made), which also hands the user's course groups
  (``nbgrader-*``, ``formgrade-*``, ``instructors-*``) to the hub at every log-in, so the
  Unix groups stay the one place where membership is kept.
- **Students' and staff's servers**: ``jupyterhub-singleuser`` from the course environment,
  under the user's own uid, JupyterLab in their home folder, with the students' or the
  staff's Jupyter configuration (``jupyter/student`` or ``jupyter/staff``) on
  ``JUPYTER_CONFIG_PATH``.
- **One Formgrader per course**: a hub service named after the course, running
  ``jupyterhub-singleuser`` as ``grader-<course>`` in the course root, reachable only by
  the ``formgrade-<course>`` group.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from jupyterhub.auth import PAMAuthenticator
from traitlets import default

from .hub import DEFAULT_ROOT, Server, instructors_group, staff_group, students_group
from .hub_exchange import course_groups


class CoursePAMAuthenticator(PAMAuthenticator):
    """PAM log-in for the roster's Unix accounts; their course groups become hub groups."""

    @default("manage_groups")
    def _manage_groups_default(self) -> bool:
        return True

    async def authenticate(self, handler, data):
        user = await super().authenticate(handler, data)
        if not user:
            return None
        name = user["name"] if isinstance(user, dict) else user
        return {"name": name, "groups": course_groups(name)}

    async def refresh_user(self, user, handler=None):
        # Membership changed by `course-admin hub users` reaches a logged-in user at the next spawn.
        return {"name": user.name, "groups": course_groups(user.name)}


def singleuser_environment(server: Server, venv: Path, kind: str, datasets: Path) -> dict[str, str]:
    bin_dir = venv / "bin"
    return {
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "VIRTUAL_ENV": str(venv),
        "JUPYTER_CONFIG_PATH": str(server.config_dir(kind)),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYTHONNOUSERSITE": "1",
        "PLATFORM_INTL_DATASETS": str(datasets),
    }


def configure(c, *, repo: Path, venv: Path) -> None:
    """Fill in JupyterHub's configuration ``c`` for the courses laid out on this server.

    Read from the environment (``python3 tasks.py hub`` sets them): PLATFORM_INTL_HUB_ROOT
    (the server's folders), PLATFORM_INTL_HUB_BIND_URL (where users reach the hub),
    PLATFORM_INTL_HUB_API_PORT and PLATFORM_INTL_PROXY_API_PORT (internal, on 127.0.0.1).
    """
    server = Server(Path(os.environ.get("PLATFORM_INTL_HUB_ROOT", str(DEFAULT_ROOT))))
    courses = server.courses()
    state = server.state

    c.JupyterHub.bind_url = os.environ.get("PLATFORM_INTL_HUB_BIND_URL", "http://127.0.0.1:8000")
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = int(os.environ.get("PLATFORM_INTL_HUB_API_PORT", "8081"))
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server
    c.JupyterHub.cleanup_proxy = True
    c.ConfigurableHTTPProxy.command = [str(repo / "hub" / "node_modules" / ".bin" / "configurable-http-proxy")]
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('PLATFORM_INTL_PROXY_API_PORT', '8001')}"
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")

    c.JupyterHub.authenticator_class = CoursePAMAuthenticator
    c.Authenticator.allowed_groups = {
        group(course_id) for course_id in courses for group in (students_group, staff_group, instructors_group)
    }
    c.Authenticator.refresh_pre_spawn = True

    datasets = repo / "datasets"
    c.Spawner.cmd = [str(venv / "bin" / "jupyterhub-singleuser")]
    c.Spawner.default_url = "/lab"
    c.Spawner.notebook_dir = "~"
    c.Spawner.http_timeout = 120
    c.Spawner.start_timeout = 120
    # A Jupyter server without a terminal ignores SIGINT: go on to SIGTERM after a second
    # instead of ten, so that stopping the hub (and with it every server) takes seconds.
    c.LocalProcessSpawner.interrupt_timeout = 1

    def choose_configuration(spawner) -> None:
        staff = any(g.name.startswith(("formgrade-", "instructors-")) for g in spawner.user.groups)
        spawner.environment = singleuser_environment(server, venv, "staff" if staff else "student", datasets)

    c.Spawner.pre_spawn_hook = choose_configuration

    roles = [
        # nbgrader's Course List asks the hub, with the server's own token, which
        # services (Formgraders) exist and which of them its user may reach.
        {"name": "server", "scopes": ["inherit"]},
    ]
    services = []
    for course in courses.values():
        environment = singleuser_environment(server, venv, "staff", datasets)
        del environment["JUPYTER_CONFIG_PATH"]  # the grader's nbgrader_config.py is the course's own
        home = pwd.getpwnam(course.grader).pw_dir if _has_account(course.grader) else course.root
        environment.update(HOME=home, MPLCONFIGDIR=f"{home}/.config/matplotlib")
        services.append(
            {
                "name": course.id,
                "url": course.service_url,
                "command": [
                    str(venv / "bin" / "jupyterhub-singleuser"),
                    f"--ServerApp.root_dir={course.root}",
                    "--ServerApp.default_url=/formgrader",
                ],
                "cwd": course.root,
                "user": course.grader,
                "environment": environment,
                "oauth_no_confirm": True,
                "display": False,
            }
        )
        roles += [
            {
                "name": f"formgrader-{course.id}",
                "description": f"Reach the Formgrader of {course.id}",
                "groups": [staff_group(course.id)],
                "scopes": [f"access:services!service={course.id}"],
            },
            {
                "name": f"teach-{course.id}",
                "description": f"See and stop the servers of {course.id}'s students",
                "groups": [instructors_group(course.id)],
                "scopes": [
                    f"list:users!group={students_group(course.id)}",
                    f"read:users!group={students_group(course.id)}",
                    f"servers!group={students_group(course.id)}",
                ],
            },
        ]
    # Idle culling: a server nobody used for an hour (PLATFORM_INTL_CULL_TIMEOUT seconds) is
    # stopped, its kernels with it; the account and its files stay, and the next log-in
    # starts a new server. The Formgraders are services, never culled.
    cull_timeout = int(os.environ.get("PLATFORM_INTL_CULL_TIMEOUT", "3600"))
    services.append(
        {
            "name": "idle-culler",
            "command": [
                str(venv / "bin" / "python"),
                "-m",
                "jupyterhub_idle_culler",
                f"--timeout={cull_timeout}",
                f"--cull-every={max(60, cull_timeout // 12)}",
            ],
        }
    )
    roles.append(
        {
            "name": "idle-culler",
            "description": "Stop idle users' servers",
            "services": ["idle-culler"],
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        }
    )
    c.JupyterHub.services = services
    c.JupyterHub.load_roles = roles


def _has_account(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True

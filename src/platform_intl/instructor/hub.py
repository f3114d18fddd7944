"""A class server: Unix accounts and groups from the roster, courses laid out for JupyterHub.

Everything here runs as root on the server (``course-admin hub ...``, or ``python3 tasks.py
hub``, which calls it). Unix accounts are the security boundary: each student's server
runs under their own uid (JupyterHub's LocalProcessSpawner), PAM checks their password,
and the exchange's file modes (``hub_exchange``) decide who reads what. The Unix groups
are also the hub's groups (``hub_auth.CoursePAMAuthenticator`` copies them at each log-in):

- ``nbgrader-<course>``: the course's students (nbgrader's JupyterHub convention: the
  Assignment List shows a course to its members);
- ``formgrade-<course>``: instructors and graders, who reach the course's Formgrader,
  a hub service named after the course that runs as the account ``grader-<course>``;
- ``instructors-<course>``: instructors, who may also see and stop their students' servers.

The layout under the server's root (``/srv/platform-intl`` unless ``--root``)::

    exchange/<course>/...    the exchange (modes in hub_exchange)
    courses/<course>/        the course root, owned by grader-<course>, mode 0700
    jupyter/student/         Jupyter configuration for students' servers
    jupyter/staff/           ... for instructors' and graders' own servers
    hub/                     the hub's database, cookie secret, courses.json, passwords (root, 0700)
"""

from __future__ import annotations

import csv
import functools
import grp
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from . import hub_exchange

DEFAULT_ROOT = Path("/srv/platform-intl")
ROLES = ("student", "grader", "instructor")
#: Marks the accounts this module created, so that removing a roster never touches others.
ACCOUNT_MARK = "platform-intl"
USER_NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
COURSE_ID = re.compile(r"[a-z][a-z0-9-]{0,19}")


class HubError(ValueError):
    """A roster, course or server state that the hub cannot work with."""


# ------------------------------------------------------------------ names and paths


def students_group(course_id: str) -> str:
    return f"nbgrader-{course_id}"


def staff_group(course_id: str) -> str:
    return f"formgrade-{course_id}"


def instructors_group(course_id: str) -> str:
    return f"instructors-{course_id}"


def grader_account(course_id: str) -> str:
    return f"grader-{course_id}"


def groups_for(course_id: str, role: str) -> list[str]:
    return {
        "student": [students_group(course_id)],
        "grader": [staff_group(course_id)],
        "instructor": [staff_group(course_id), instructors_group(course_id)],
    }[role]


@dataclass
class HubCourse:
    """One course on the server, as the hub's configuration reads it from courses.json."""

    id: str
    root: str
    grader: str
    port: int
    db_url: str

    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Server:
    """The server's folders under ``root``."""

    root: Path = DEFAULT_ROOT

    @property
    def exchange(self) -> Path:
        return self.root / "exchange"

    @property
    def state(self) -> Path:
        return self.root / "hub"

    def course_root(self, course_id: str) -> Path:
        return self.root / "courses" / course_id

    def config_dir(self, kind: str) -> Path:
        return self.root / "jupyter" / kind

    @property
    def courses_file(self) -> Path:
        return self.state / "courses.json"

    @property
    def passwords_file(self) -> Path:
        return self.state / "initial-passwords.csv"

    def courses(self) -> dict[str, HubCourse]:
        if not self.courses_file.exists():
            return {}
        data = json.loads(self.courses_file.read_text(encoding="utf-8"))
        return {c["id"]: HubCourse(**c) for c in data["courses"]}

    def save_courses(self, courses: dict[str, HubCourse]) -> None:
        payload = {"courses": [asdict(c) for c in sorted(courses.values(), key=lambda c: c.id)]}
        self.courses_file.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


# ------------------------------------------------------------------ system accounts


def require_root() -> None:
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        raise HubError("the class server is set up as root on Linux (it creates Unix accounts)")


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise HubError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def ensure_group(name: str) -> None:
    if not group_exists(name):
        _run(["groupadd", name])


def ensure_account(name: str, *, groups: list[str], comment: str, login: bool = True) -> bool:
    """A Unix account with a private home (0700) in ``groups``; True when it was created.

    An existing account is only added to the groups, and refused if it is not one of
    ours: a roster must never take over a login that someone else owns.
    """
    for group in groups:
        ensure_group(group)
    created = False
    if user_exists(name):
        if not pwd.getpwnam(name).pw_gecos.startswith(ACCOUNT_MARK):
            raise HubError(f"the account {name} exists and was not created by course-admin; rename the roster entry")
        if groups:
            _run(["usermod", "--append", "--groups", ",".join(groups), name])
    else:
        shell = "/bin/bash" if login else "/usr/sbin/nologin"
        args = ["useradd", "--create-home", "--user-group", "--shell", shell, "--comment", comment]
        _run([*args, *(["--groups", ",".join(groups)] if groups else []), name])
        created = True
    os.chmod(pwd.getpwnam(name).pw_dir, 0o700)
    return created


def set_password(name: str, password: str) -> None:
    _run(["chpasswd"], input=f"{name}:{password}\n")


def remove_account(name: str) -> bool:
    """Delete one of our accounts with its home and processes; False if there was none."""
    if not user_exists(name):
        return False
    if not pwd.getpwnam(name).pw_gecos.startswith(ACCOUNT_MARK):
        raise HubError(f"refusing to remove {name}: it was not created by course-admin")
    # Its processes first (a server the hub failed to stop, a kernel): userdel refuses
    # while they run, and they must not outlive the account.
    for _ in range(50):
        if subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True).returncode != 0:
            break  # nothing left to kill
        time.sleep(0.1)
    _run(["userdel", "--force", "--remove", name])
    return True


def as_user(name: str, args: list[str], *, cwd: Path, env: dict[str, str] | None = None):
    """Run ``args`` as the Unix user ``name`` (its groups, its home), as root may."""
    entry = pwd.getpwnam(name)
    groups = [g.gr_gid for g in grp.getgrall() if name in g.gr_mem]
    environment = dict(env or os.environ, HOME=entry.pw_dir, USER=name, LOGNAME=name)
    return subprocess.run(
        args,
        cwd=cwd,
        env=environment,
        user=entry.pw_uid,
        group=entry.pw_gid,
        extra_groups=groups,
        capture_output=True,
        text=True,
    )


def chown(path: Path, user: str | int, group: str | int, mode: int) -> None:
    os.chown(path, pwd.getpwnam(user).pw_uid if isinstance(user, str) else user, _gid(group))
    os.chmod(path, mode)


def _gid(group: str | int) -> int:
    return grp.getgrnam(group).gr_gid if isinstance(group, str) else group


# ------------------------------------------------------------------ a course on the server


def remove_group(name: str) -> None:
    if group_exists(name):
        _run(["groupdel", name])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lay_out_course(
    server: Server, source_course: Path, course_id: str, *, gradebook: str = "sqlite", port: int | None = None
) -> HubCourse:
    """Create (or bring up to date) a course on the server; idempotent.

    The grader account, the course's Unix groups, the course root (a copy of
    ``source_course``'s ``source/`` and ``nbgrader_config.py`` with the server's settings
    appended), the exchange folders with their modes, and the gradebook (SQLite in the
    course root, or a PostgreSQL database owned by the grader account).
    """
    require_root()
    if not COURSE_ID.fullmatch(course_id):
        raise HubError(f"course id {course_id!r}: lower-case letters, digits and '-', at most 20, a letter first")
    if not (source_course / "nbgrader_config.py").is_file() or not (source_course / "source").is_dir():
        raise HubError(f"{source_course} is not an nbgrader course (nbgrader_config.py and source/)")
    if gradebook not in ("sqlite", "postgresql"):
        raise HubError(f"gradebook {gradebook!r}: sqlite or postgresql")
    prepare_server(server)
    grader = grader_account(course_id)
    for group in (students_group(course_id), staff_group(course_id), instructors_group(course_id)):
        ensure_group(group)
    ensure_account(grader, groups=[], comment=f"{ACCOUNT_MARK} {course_id} grading service")

    root = server.course_root(course_id)
    root.mkdir(parents=True, exist_ok=True)
    chown(root, grader, grader, 0o700)
    shutil.rmtree(root / "source", ignore_errors=True)
    shutil.copytree(source_course / "source", root / "source")
    db_url = f"sqlite:///{root / 'gradebook.db'}"
    if gradebook == "postgresql":
        from . import hub_system

        db_url = hub_system.ensure_database(grader, f"nbgrader_{course_id.replace('-', '_')}")
    config = (source_course / "nbgrader_config.py").read_text(encoding="utf-8")
    (root / "nbgrader_config.py").write_text(config + server_settings(server, course_id, db_url), encoding="utf-8")
    for path in [root, *root.rglob("*")]:
        os.chown(path, pwd.getpwnam(grader).pw_uid, pwd.getpwnam(grader).pw_gid)

    exchange = server.exchange / course_id
    exchange.mkdir(exist_ok=True)
    chown(exchange, grader, students_group(course_id), hub_exchange.COURSE_MODE)
    for name, group, mode in (
        ("outbound", students_group(course_id), hub_exchange.OUTBOUND_MODE),
        ("inbound", grader, hub_exchange.INBOUND_MODE),
        ("feedback", students_group(course_id), hub_exchange.FEEDBACK_MODE),
    ):
        (exchange / name).mkdir(exist_ok=True)
        chown(exchange / name, grader, group, mode)

    courses = server.courses()
    known = courses.get(course_id)
    course = HubCourse(
        id=course_id, root=str(root), grader=grader, port=port or (known.port if known else free_port()), db_url=db_url
    )
    courses[course_id] = course
    server.save_courses(courses)
    return course


def server_settings(server: Server, course_id: str, db_url: str) -> str:
    """What the server adds to a course's nbgrader_config.py (the grader service reads it)."""
    lines = [
        "",
        "# ---- written by `course-admin hub course`: this course on the class server ----",
        f"c.CourseDirectory.course_id = {course_id!r}",
        f"c.CourseDirectory.db_url = {db_url!r}",
        *exchange_settings(server),
    ]
    return "\n".join(lines) + "\n"


#: Who is in which course: the Unix groups on one server; the hub's groups on Kubernetes,
#: where users have no accounts in /etc/group (deploy/z2jh).
MEMBERSHIP_PLUGINS = {
    "unix": f"{hub_exchange.__name__}.UnixGroupsPlugin",
    "hub": "nbgrader.auth.JupyterHubAuthPlugin",
}


def exchange_settings(server: Server, membership: str = "unix") -> list[str]:
    """The exchange every server on the hub uses: the private classes, course membership."""
    lines = [
        f"c.Exchange.root = {str(server.exchange)!r}",
        "c.Exchange.path_includes_course = True",
        f"c.Authenticator.plugin_class = {MEMBERSHIP_PLUGINS[membership]!r}",
    ]
    module = hub_exchange.__name__
    lines += [f"c.ExchangeFactory.{kind} = '{module}.{cls}'" for kind, cls in hub_exchange.FACTORY_SETTINGS.items()]
    return lines


#: nbgrader's JupyterLab plugins that a kind of server does not show.
HIDDEN_PLUGINS = {
    "student": ["formgrader", "create-assignment", "course-list"],
    "staff": ["formgrader", "create-assignment"],
}
#: nbgrader's server extensions that a kind of server does not load.
DISABLED_EXTENSIONS = {
    "student": ["formgrader", "course_list"],
    "staff": ["formgrader"],
}


def prepare_server(server: Server) -> None:
    """The folders every course shares, and the Jupyter configuration of users' servers."""
    for folder, mode in ((server.root, 0o755), (server.exchange, 0o755), (server.state, 0o700)):
        folder.mkdir(parents=True, exist_ok=True)
        chown(folder, 0, 0, mode)
    (server.root / "courses").mkdir(exist_ok=True)
    chown(server.root / "courses", 0, 0, 0o755)
    for kind in ("student", "staff"):
        folder = server.config_dir(kind)
        write_jupyter_config(folder, kind, server)
        for path in [folder, *folder.rglob("*")]:
            chown(path, 0, 0, 0o755 if path.is_dir() else 0o644)
    chown(server.root / "jupyter", 0, 0, 0o755)


def write_jupyter_config(folder: Path, kind: str, server: Server, membership: str = "unix") -> None:
    """The Jupyter configuration of a student's or a staff member's server, into ``folder``."""
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    disabled = {f"@jupyter/nbgrader:{name}": True for name in HIDDEN_PLUGINS[kind]}
    disabled["@jupyterlab/apputils-extension:announcements"] = True
    (folder / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": disabled}, indent=2) + "\n"
    )
    header = f"# Written by `course-admin hub`: {kind} servers on the class server.\nc = get_config()\n"
    settings = exchange_settings(server, membership)
    (folder / "nbgrader_config.py").write_text(header + "\n".join(settings) + "\n")
    extensions = {f"nbgrader.server_extensions.{name}": False for name in DISABLED_EXTENSIONS[kind]}
    (folder / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": extensions}}, indent=2) + "\n"
    )


# ------------------------------------------------------------------ the roster


@dataclass
class Member:
    id: str
    role: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_user_id: str = ""
    password: str = ""


def read_roster(csv_path: Path) -> list[Member]:
    """Members from a CSV: id, role (student, grader, instructor; default student), the
    gradebook's columns (first_name, last_name, email, lms_user_id) and an optional
    password (otherwise one is made up)."""
    members = []
    with open(csv_path, newline="", encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            member = Member(
                id=(row.get("id") or "").strip(),
                role=(row.get("role") or "student").strip().lower(),
                **{k: (row.get(k) or "").strip() for k in ("first_name", "last_name", "email", "lms_user_id")},
                password=(row.get("password") or "").strip(),
            )
            if not USER_NAME.fullmatch(member.id):
                raise HubError(f"{csv_path}:{line}: id {member.id!r} is not a valid Unix user name (a-z, 0-9, _ and -)")
            if member.id.startswith("grader-"):
                raise HubError(f"{csv_path}:{line}: ids starting with grader- are the courses' grading accounts")
            if member.role not in ROLES:
                raise HubError(f"{csv_path}:{line}: role {member.role!r}; allowed: {', '.join(ROLES)}")
            members.append(member)
    return members


def add_members(server: Server, course_id: str, csv_path: Path) -> dict[str, list[str]]:
    """Accounts for every member of the roster, in the course's groups; students into the gradebook.

    Returns the user names per role. New accounts get the roster's password or a made-up
    one, written to ``hub/initial-passwords.csv`` (root only) for the instructor to hand out.
    """
    require_root()
    course = server.courses().get(course_id)
    if course is None:
        raise HubError(f"course {course_id} is not on this server: run `course-admin hub course` first")
    members = read_roster(csv_path)
    made_up: list[tuple[str, str]] = []
    for member in members:
        comment = f"{ACCOUNT_MARK} {course_id} {member.role}"
        created = ensure_account(member.id, groups=groups_for(course_id, member.role), comment=comment)
        if created or member.password:
            password = member.password or secrets.token_urlsafe(12)
            set_password(member.id, password)
            if not member.password:
                made_up.append((member.id, password))
    if made_up:
        new_file = not server.passwords_file.exists()
        with open(server.passwords_file, "a", newline="", encoding="utf-8") as fh:
            os.chmod(server.passwords_file, 0o600)
            writer = csv.writer(fh)
            if new_file:
                writer.writerow(["id", "password"])
            writer.writerows(made_up)
    students = [m for m in members if m.role == "student"]
    if students:
        import_students(course, students)
    return {role: [m.id for m in members if m.role == role] for role in ROLES}


def import_students(course: HubCourse, students: list[Member]) -> None:
    """``nbgrader db student import``, run as the grader account in the course root."""
    from .harness import nbgrader_env

    root = Path(course.root)
    staged = root / ".roster-import.csv"
    with open(staged, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "first_name", "last_name", "email", "lms_user_id"])
        writer.writerows([[s.id, s.first_name, s.last_name, s.email, s.lms_user_id] for s in students])
    chown(staged, course.grader, course.grader, 0o600)
    try:
        result = grader_nbgrader(course, "db", "student", "import", str(staged), env=nbgrader_env())
    finally:
        staged.unlink(missing_ok=True)
    if result.returncode != 0:
        raise HubError(f"importing the students into {course.id}'s gradebook failed:\n{result.stdout}{result.stderr}")


def grader_nbgrader(course: HubCourse, *args: str, env: dict[str, str] | None = None):
    """An nbgrader command as the course's grader account, in its course root."""
    from .harness import nbgrader_env

    environment = dict(env or nbgrader_env())
    # The grader's own Jupyter state, not the course environment's (root-owned) folders.
    home = pwd.getpwnam(course.grader).pw_dir
    for key in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        environment[key] = str(Path(home) / ".course-state" / key.lower())
    environment.pop("NBGRADER_EXCHANGE", None)
    return as_user(course.grader, [sys.executable, "-m", "nbgrader", *args], cwd=Path(course.root), env=environment)


def remove_members(csv_path: Path) -> list[str]:
    """Delete the roster's accounts (only ours), with their homes; returns those removed."""
    require_root()
    removed, failed = [], []
    for member in read_roster(csv_path):
        try:
            if remove_account(member.id):
                removed.append(member.id)
        except HubError as error:
            failed.append(str(error))
    if failed:
        raise HubError("; ".join(failed))
    return removed


def remove_course(server: Server, course_id: str) -> None:
    """Take a course off the server: its folders, grader account, groups and database."""
    require_root()
    courses = server.courses()
    course = courses.pop(course_id, None)
    shutil.rmtree(server.exchange / course_id, ignore_errors=True)
    shutil.rmtree(server.course_root(course_id), ignore_errors=True)
    if server.courses_file.exists():
        server.save_courses(courses)
    steps: list[Callable[[], object]] = []
    if course and course.db_url.startswith("postgresql"):
        from . import hub_system

        steps.append(lambda: hub_system.drop_database(course.grader, course.db_url))
    steps.append(lambda: remove_account(grader_account(course_id)))
    for group in (students_group(course_id), staff_group(course_id), instructors_group(course_id)):
        steps.append(functools.partial(remove_group, group))
    failed = []
    for step in steps:  # every step is tried: one failure must not leave the rest behind
        try:
            step()
        except Exception as error:
            failed.append(str(error))
    if failed:
        raise HubError("; ".join(failed))

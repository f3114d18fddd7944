"""``course-admin hub ...``: the class server's commands (run as root on the server)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import hub, hub_system

REPO = hub_system.REPO


def add_parser(sub) -> None:
    parser = sub.add_parser("hub", help="the class server: courses, accounts and JupyterHub (as root)")
    actions = parser.add_subparsers(dest="hub_command", required=True, metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=hub.DEFAULT_ROOT, help="the server's folders (%(default)s)")

    p = actions.add_parser(
        "course", parents=[common], help="lay out a course (grader account, exchange, gradebook); idempotent"
    )
    p.add_argument("course", type=Path, help="an nbgrader course folder (nbgrader_config.py and source/)")
    p.add_argument("--gradebook", choices=("sqlite", "postgresql"), default="sqlite")
    p = actions.add_parser(
        "users", parents=[common], help="accounts from a roster CSV (id, role, names, email, password)"
    )
    p.add_argument("csv", type=Path)
    p.add_argument("--course", required=True, help="course id")
    p = actions.add_parser("remove-users", parents=[common], help="delete the roster's accounts and their homes")
    p.add_argument("csv", type=Path)
    p = actions.add_parser(
        "remove-course", parents=[common], help="take a course off the server (folders, grader, groups, database)"
    )
    p.add_argument("course_id")
    p = actions.add_parser(
        "serve", parents=[common], help="install what the hub needs, lay out the courses, start JupyterHub"
    )
    p.add_argument(
        "--course",
        type=Path,
        action="append",
        dest="courses",
        help="an nbgrader course folder (repeatable; default: the repository's assignments/)",
    )
    p.add_argument("--gradebook", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--roster", action="append", default=[], metavar="COURSE_ID=CSV", help="add a roster (repeatable)")
    p.add_argument("--bind-url", default="http://127.0.0.1:8000", help="where users reach the hub (%(default)s)")
    p.add_argument("--hub-api-port", type=int, default=8081)
    p.add_argument("--proxy-api-port", type=int, default=8001)
    p.add_argument("--no-start", action="store_true", help="install and lay out, do not start JupyterHub")
    p.add_argument("--install-only", action="store_true", help="only install what the hub needs (CI's set-up)")


def course_id_of(course_dir: Path) -> str:
    from .course import Course

    course_id = Course(root=course_dir).course_id
    if course_id == "default_course":
        raise hub.HubError(f"{course_dir}/nbgrader_config.py sets no CourseDirectory.course_id")
    return course_id


def untraversable_folders(path: Path) -> list[Path]:
    """Folders on the way to ``path`` that other users cannot enter (no o+x)."""
    return [folder for folder in [path, *path.parents] if folder.exists() and not folder.stat().st_mode & 0o001]


def require_reachable_environment() -> None:
    """Every user's server runs this environment's Python and the repository's code as that
    user: the way to them must be open to everyone."""
    blocked = untraversable_folders(Path(sys.prefix)) + untraversable_folders(REPO)
    if blocked:
        folders = ", ".join(sorted({str(f) for f in blocked}))
        raise hub.HubError(
            f"users' servers run {sys.prefix}/bin/python and the code in {REPO} as themselves, but "
            f"other users cannot enter {folders}: clone the repository where everyone can reach it "
            "(e.g. /opt/platform-intl) or `chmod o+x` those folders"
        )


def protect_answers(course_dirs: list[Path]) -> None:
    """Students log in to this machine: the repository's solutions and golden submissions
    must not be readable by them (git does not track folder modes, so this changes nothing
    in the repository itself)."""
    for folder in [*course_dirs, REPO / "tests"]:
        if folder.is_dir():
            os.chmod(folder, folder.stat().st_mode & ~0o007)


def run(args: argparse.Namespace) -> int:
    server = hub.Server(args.root.resolve())
    try:
        hub.require_root()
        if args.hub_command == "course":
            if args.gradebook == "postgresql":
                hub_system.ensure_postgres_running()
            folder = args.course.resolve()
            course = hub.lay_out_course(server, folder, course_id_of(folder), gradebook=args.gradebook)
            print(
                f"course {course.id}: root {course.root}, gradebook {course.db_url}, Formgrader on {course.service_url}"
            )
        elif args.hub_command == "users":
            made = hub.add_members(server, args.course, args.csv)
            print(", ".join(f"{len(ids)} {role}(s)" for role, ids in made.items()) + f" in {args.course}")
            if server.passwords_file.exists():
                print(f"initial passwords of new accounts: {server.passwords_file} (root only)")
        elif args.hub_command == "remove-users":
            print(f"removed {len(hub.remove_members(args.csv))} account(s)")
        elif args.hub_command == "remove-course":
            hub.remove_course(server, args.course_id)
            print(f"removed course {args.course_id}")
        elif args.hub_command == "serve":
            return serve(server, args)
    except (hub.HubError, hub_system.MissingPrerequisite) as error:
        print(f"course-admin hub: {error}", file=sys.stderr)
        return 2
    return 0


def serve(server: hub.Server, args: argparse.Namespace) -> int:
    postgresql = args.gradebook == "postgresql"
    if not args.install_only:
        require_reachable_environment()
    hub_system.ensure_system_packages(postgresql=postgresql)
    hub_system.ensure_proxy()
    if postgresql:
        hub_system.ensure_postgres_running()
    if args.install_only:
        return 0
    course_dirs = [c.resolve() for c in (args.courses or [REPO / "assignments"])]
    protect_answers(course_dirs)
    for course_dir in course_dirs:
        course = hub.lay_out_course(server, course_dir, course_id_of(course_dir), gradebook=args.gradebook)
        hub_system.say(f"course {course.id}: gradebook {course.db_url}")
    for spec in args.roster:
        course_id, _, csv_path = spec.partition("=")
        hub.add_members(server, course_id, Path(csv_path))
    if args.no_start:
        return 0
    env = dict(
        os.environ,
        PLATFORM_INTL_HUB_ROOT=str(server.root),
        PLATFORM_INTL_HUB_BIND_URL=args.bind_url,
        PLATFORM_INTL_HUB_API_PORT=str(args.hub_api_port),
        PLATFORM_INTL_PROXY_API_PORT=str(args.proxy_api_port),
        VIRTUAL_ENV=sys.prefix,
    )
    jupyterhub = Path(sys.prefix) / "bin" / "jupyterhub"
    hub_system.say(f"starting JupyterHub at {args.bind_url} (Ctrl+C stops it and every user's server)")
    os.chdir(server.state)
    os.execve(jupyterhub, [str(jupyterhub), "-f", str(REPO / "hub" / "jupyterhub_config.py")], env)
    return 0  # not reached

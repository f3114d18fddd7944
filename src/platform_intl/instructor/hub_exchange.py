"""An nbgrader exchange for a shared server that students cannot abuse.

nbgrader's default exchange trusts everyone who can log in: its root must be writable by
all (jupyter/nbgrader#1174), a submission is left world-readable and its folder mode 0777
("hidden by the timestamp"), and collect only *warns* when a submission is owned by
someone other than the student its name claims. On a class server the Unix accounts are
the security boundary, so these classes make the file modes carry the rules instead:

======================================  ======================  ===========================
path (``<root>/<course>/...``)          owner:group, mode       who can do what
======================================  ======================  ===========================
``<root>``                              root:root 0755          nobody but root creates courses
``<course>/``                           grader:students 2750    only the course's students
                                                                (and its grader) get in
``outbound/<assignment>/``              grader 0755 / 0644      students read releases only
``inbound/``                            grader:grader 3733      anyone in the course may add
                                                                a submission; nobody lists
                                                                it; sticky: nobody removes
                                                                or renames another's entry
``inbound/<student>+<a>+<time>+<r>/``   student:grader 0750     the student and the grader
                                        files 0640              read it, no other student
``feedback/``                           grader:students 0711    nobody lists it
``feedback/<hash>.html``                grader 0600 + ACL       only its student reads it
                                        ``user:<student>:r``    (the name is also keyed by
                                                                the submission's secret)
======================================  ======================  ===========================

``course-admin hub course`` lays these folders out as root; the classes below only check
them (and fail with a clear message when they are wrong) instead of widening them, and
are named in the students' and the grader's ``nbgrader_config.py`` through
``ExchangeFactory``. The Assignment List, ``nbgrader fetch_assignment`` and the
Formgrader all go through them.
"""

from __future__ import annotations

import glob
import grp
import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path

from nbgrader.auth.base import BaseAuthPlugin
from nbgrader.exchange.default import (
    ExchangeCollect,
    ExchangeFetchAssignment,
    ExchangeFetchFeedback,
    ExchangeList,
    ExchangeReleaseAssignment,
    ExchangeReleaseFeedback,
    ExchangeSubmit,
)
from nbgrader.utils import ignore_patterns

#: Modes of the course's folders in the exchange (see the module docstring).
COURSE_MODE = 0o2750
OUTBOUND_MODE = 0o755
INBOUND_MODE = 0o3733
FEEDBACK_MODE = 0o711
SUBMISSION_DIR_MODE = 0o750
SUBMISSION_FILE_MODE = 0o640
FEEDBACK_FILE_MODE = 0o600

#: The ExchangeFactory settings that select these classes (written into nbgrader_config.py).
FACTORY_SETTINGS = {
    "fetch_assignment": "PrivateFetchAssignment",
    "fetch_feedback": "PrivateFetchFeedback",
    "list": "PrivateList",
    "submit": "PrivateSubmit",
    "collect": "PrivateCollect",
    "release_assignment": "PrivateReleaseAssignment",
    "release_feedback": "PrivateReleaseFeedback",
}


GROUP_PREFIXES = ("nbgrader-", "formgrade-", "instructors-")


def course_groups(username: str) -> list[str]:
    """The course groups (``nbgrader-*``, ``formgrade-*``, ``instructors-*``) of a Unix account."""
    try:
        primary = pwd.getpwnam(username).pw_gid
    except KeyError:
        return []
    return sorted(
        g.gr_name
        for g in grp.getgrall()
        if g.gr_name.startswith(GROUP_PREFIXES) and (username in g.gr_mem or g.gr_gid == primary)
    )


class UnixGroupsPlugin(BaseAuthPlugin):
    """nbgrader's course membership from the Unix groups that ``course-admin hub users`` keeps.

    nbgrader's JupyterHub plugin asks the hub for groups, which fails outside a hub
    server (the grader's command line), and adds students to hub groups itself; on this
    server the roster's Unix groups are the one record of membership (the file modes of
    the exchange rely on them), and the hub copies them at log-in. So membership is read
    here and never changed by nbgrader: students join through ``course-admin hub users``.
    """

    def get_student_courses(self, student_id: str) -> list[str] | None:
        if student_id == "*":  # nbgrader's "whoever runs this": the account itself
            student_id = pwd.getpwuid(os.getuid()).pw_name
        courses = {g.split("-", 1)[1] for g in course_groups(student_id) if not g.startswith("instructors-")}
        if student_id.startswith("grader-"):  # a course's grading account (rosters cannot use the prefix)
            courses.add(student_id.removeprefix("grader-"))
        return sorted(courses)

    def add_student_to_course(self, student_id: str, course_id: str) -> None:
        if f"nbgrader-{course_id}" not in course_groups(student_id):
            self.log.warning("%s is not in nbgrader-%s: add them with `course-admin hub users`", student_id, course_id)

    def remove_student_from_course(self, student_id: str, course_id: str) -> None:
        self.log.warning("remove %s from nbgrader-%s with `course-admin hub remove-users`", student_id, course_id)


class TraversableRoot:
    """The exchange root need only be traversable: nobody but root may create a course in it.

    nbgrader's own check asks for a root writable by the user (and its release makes the
    root 0777 when it is not); here a root that is missing or not traversable fails instead.
    """

    def ensure_root(self) -> None:
        root = self.root  # type: ignore[attr-defined]
        if not os.path.isdir(root) or not os.access(root, os.R_OK | os.X_OK):
            self.fail(f"The exchange {root} is missing or not readable; ask the course's administrator.")  # type: ignore[attr-defined]


class PrivateFetchAssignment(TraversableRoot, ExchangeFetchAssignment):
    pass


class PrivateFetchFeedback(TraversableRoot, ExchangeFetchFeedback):
    pass


class PrivateList(TraversableRoot, ExchangeList):
    pass


class PrivateReleaseAssignment(TraversableRoot, ExchangeReleaseAssignment):
    """Releases into folders laid out by root; never creates or widens the course's folders."""

    def init_dest(self) -> None:
        course = Path(self.root) / self.coursedir.course_id
        for folder in (course, course / "outbound", course / "inbound"):
            if not folder.is_dir():
                self.fail(f"{folder} is missing: run `course-admin hub course` as root to lay out the course")
        super().init_dest()


class PrivateSubmit(TraversableRoot, ExchangeSubmit):
    """A submission readable by its student and the course's grader, by no other student.

    The inbound folder is set-group-ID, so whatever is created inside it belongs to the
    grader's group. A student cannot change a file's group to a group they are not in, so
    the copy is made in an order that keeps that inheritance: the folder first, the
    timestamp and secret in it, then the notebooks, and the modes narrowed last.
    """

    def do_copy(self, src, dest, log=None) -> None:
        if not str(dest).startswith(str(self.inbound_path)):
            # nbgrader also copies into the student's own cache: that needs no care.
            super().do_copy(src, dest, log)
            return
        size = self.get_size(src)
        if size > 1000 * self.coursedir.max_dir_size:
            raise RuntimeError(
                f"Directory size is too big. Size is {size}, maximum size is {self.coursedir.max_dir_size}k"
            )
        os.mkdir(dest, SUBMISSION_DIR_MODE)
        if os.stat(dest).st_gid != os.stat(self.inbound_path).st_gid:
            shutil.rmtree(dest, ignore_errors=True)
            self.fail(f"{self.inbound_path} is not set-group-ID; ask the course's administrator")
        skip = ignore_patterns(
            exclude=self.coursedir.ignore,
            include=self.coursedir.include,
            max_file_size=self.coursedir.max_file_size,
            log=self.log,
        )
        # The top folder's mode is left alone (no copystat) so that it keeps the inherited
        # set-group-ID bit until nbgrader has written timestamp.txt and submission_secret.txt
        # into it; copyfile, not copy2, so that no mode of the student's folder comes along.
        names = os.listdir(src)
        for name in sorted(set(names) - set(skip(src, names))):
            source, target = os.path.join(src, name), os.path.join(dest, name)
            if os.path.isdir(source) and not os.path.islink(source):
                shutil.copytree(source, target, ignore=skip, copy_function=shutil.copyfile)
            elif os.path.isfile(source):
                shutil.copyfile(source, target)

    def copy_files(self) -> None:
        # nbgrader writes timestamp.txt and submission_secret.txt after the copy and then
        # opens the folder to everyone (0777); let it, then close everything down.
        super().copy_files()
        close_down(Path(self.inbound_path) / self.assignment_filename, SUBMISSION_DIR_MODE, SUBMISSION_FILE_MODE)


def close_down(top: Path, dir_mode: int, file_mode: int) -> None:
    """Set ``dir_mode`` on every folder under ``top`` (itself included) and ``file_mode`` on every file."""
    for folder, _, files in os.walk(top, topdown=False):
        for name in files:
            os.chmod(os.path.join(folder, name), file_mode)
        os.chmod(folder, dir_mode)


class PrivateCollect(TraversableRoot, ExchangeCollect):
    """Collects only submissions owned by the student their name claims.

    Anyone in the course can create ``inbound/<someone else>+ps1+<time>+x``; nbgrader's
    collect would take the newest such folder as that student's work and only log a
    warning. Here a folder whose owner is not the named student is left out (and
    reported) before nbgrader picks each student's newest submission.
    """

    def init_src(self) -> None:
        super().init_src()  # checks the folders, reads the due date
        pattern = f"{self.coursedir.student_id or '*'}+{self.coursedir.assignment_id}+*"
        by_student: dict[str, list[dict]] = {}
        for path in sorted(Path(self.inbound_path).glob(pattern)):
            record = self._path_to_record(str(path))
            owner = owner_name(path)
            if owner != record["username"]:
                self.log.error(
                    "Skipping %s: it claims to be by %s but belongs to %s", path.name, record["username"], owner
                )
                continue
            by_student.setdefault(record["username"], []).append(record)
        self.src_records = []
        for records in by_student.values():
            # nbgrader's rule: with before_duedate, the newest submission on time if there is one.
            if self.duedate is not None and self.before_duedate:
                records = [r for r in records if r["timestamp"] <= self.duedate] or records
            self.src_records.append(max(records, key=lambda r: r["timestamp"]))


def uid_map() -> dict[str, int]:
    """User name -> uid where users have no account in /etc/passwd (Kubernetes pods, see
    deploy/z2jh): a JSON file named by $PLATFORM_INTL_UID_MAP, else nothing."""
    path = os.environ.get("PLATFORM_INTL_UID_MAP")
    if not path or not os.path.isfile(path):
        return {}
    import json

    with open(path, encoding="utf-8") as fh:
        return {str(name): int(uid) for name, uid in json.load(fh).items()}


def owner_name(path: Path) -> str:
    uid = path.lstat().st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        names = [name for name, known in uid_map().items() if known == uid]
        return names[0] if len(names) == 1 else f"uid {uid}"


class PrivateReleaseFeedback(TraversableRoot, ExchangeReleaseFeedback):
    """Feedback files readable by their own student alone (a POSIX ACL), not by the course.

    The owner of a file may grant another user read access with an ACL entry without any
    privilege, so the grader gives each feedback file to its student: mode 0600 for
    everyone else, ``user:<student>:r`` for its student.
    """

    def init_dest(self) -> None:
        feedback = Path(self.root) / self.coursedir.course_id / "feedback"
        if not feedback.is_dir():
            self.fail(f"{feedback} is missing: run `course-admin hub course` as root to lay out the course")
        super().init_dest()

    def copy_files(self) -> None:
        super().copy_files()
        for name, student in self.feedback_owners().items():
            path = Path(self.dest_path) / name
            if path.is_file():
                give_to(path, student)

    def feedback_owners(self) -> dict[str, str]:
        """The file name each student's feedback is released under, as nbgrader names it."""
        from nbgrader.utils import notebook_hash

        pattern = self.coursedir.format_path(
            self.coursedir.feedback_directory, self.coursedir.student_id or "*", self.coursedir.assignment_id
        )
        owners = {}
        for folder in map(Path, sorted(glob.glob(pattern))):
            secret_file = folder / "submission_secret.txt"
            if secret_file.is_file():
                secret = secret_file.read_text()
                for html in folder.glob("*.html"):
                    owners[f"{notebook_hash(secret=secret, notebook_id=html.stem)}.html"] = folder.parent.name
        return owners


def give_to(path: Path, student: str) -> None:
    """Make ``path`` readable by ``student`` and its owner alone."""
    os.chmod(path, FEEDBACK_FILE_MODE)
    setfacl = shutil.which("setfacl")
    if setfacl is None:
        raise RuntimeError("setfacl is missing (Debian package acl): `python3 tasks.py hub` installs it")
    try:
        who = str(pwd.getpwnam(student).pw_uid)
    except KeyError:
        who = str(uid_map()[student])  # no account here: the uid the hub gave the student
    subprocess.run([setfacl, "-m", f"u:{who}:r", str(path)], check=True, capture_output=True, text=True)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode) | (path.stat().st_mode & (stat.S_ISGID | stat.S_ISVTX))

"""The class server's exchange, checked as its users: real Unix accounts, not file modes.

One server (tests/hub_support.py) with the main course and the demo course, laid out by
`course-admin hub course` and populated by `course-admin hub users`. The grader account
releases ps0 and the demo assignment; alice and bob fetch and submit with nbgrader's own
commands, *running as their accounts* (setpriv); then every check below is an attempt,
made as a student, to do what a student must not do (or must be able to do), judged by
what the operating system answered.
"""

from __future__ import annotations

import re
import subprocess

import hub_support
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.hub]

PS0 = "ps0_orientation"
DEMO = "demo_greetings"
DENIED = "PermissionError"


def attempt(server, user: str, code: str) -> str:
    """Run ``code`` as ``user``; "ok" if it raised nothing, else the exception's class name."""
    wrapped = "import os, shutil\ntry:\n" + "".join(f"    {line}\n" for line in code.splitlines())
    wrapped += "    print('ok')\nexcept Exception as error:\n    print(type(error).__name__)\n"
    result = server.python_as(user, wrapped)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def mark_notebook(server, user: str, path, marker: str) -> None:
    """The student writes ``marker`` into their copy (as themselves), so that copies can be told apart."""
    code = (
        "import json, sys\np = sys.argv[1]\nnb = json.load(open(p))\n"
        f"nb['cells'].append({{'cell_type': 'markdown', 'metadata': {{}}, 'source': {marker!r}}})\n"
        "json.dump(nb, open(p, 'w'))\n"
    )
    result = server.run_as(user, [str(hub_support.VENV_BIN / "python"), "-c", code, str(path)])
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def server():
    hub_support.skip_unless_root_on_linux()
    server = hub_support.ClassServer()
    try:
        server.lay_out()
        server.alice, server.bob = server.add_roster(server.main, [("alice", "student"), ("bob", "student")])
        server.add_roster(server.demo, [("alice", "student"), ("dan", "student")])
        (server.ines,) = server.add_roster(server.main, [("ines", "instructor")])
        server.dan = server.name("dan")
        server.grader(server.main, "generate_assignment", PS0, "--force")
        server.grader(server.main, "release_assignment", PS0, "--force")
        server.grader(server.demo, "generate_assignment", DEMO, "--force")
        server.grader(server.demo, "release_assignment", DEMO, "--force")
        for student in (server.alice, server.bob):
            fetched = server.nbgrader_as(student, "fetch_assignment", PS0, f"--course={server.main}")
            assert fetched.returncode == 0, fetched.stderr
            notebook = server.home(student) / server.main / PS0 / f"{PS0}.ipynb"
            mark_notebook(server, student, notebook, f"GENUINE-WORK-OF-{student}")
            submitted = server.nbgrader_as(student, "submit", PS0, f"--course={server.main}")
            assert submitted.returncode == 0, submitted.stderr
        inbound = server.exchange(server.main) / "inbound"
        server.submissions = {p.name.split("+")[0]: p for p in inbound.iterdir()}  # as root
        yield server
    finally:
        server.remove()


def submission_of(server, student: str):
    return server.submissions[student]


# ------------------------------------------------------------------ releases


def test_students_read_releases_and_cannot_change_them(server):
    release = server.exchange(server.main) / "outbound" / PS0
    notebook = release / f"{PS0}.ipynb"
    assert attempt(server, server.bob, f"open({str(notebook)!r}).read()") == "ok"
    assert attempt(server, server.bob, f"open({str(notebook)!r}, 'a').write('x')") == DENIED
    assert attempt(server, server.bob, f"os.unlink({str(notebook)!r})") == DENIED
    assert attempt(server, server.bob, f"open({str(release / 'extra.ipynb')!r}, 'w')") == DENIED
    assert attempt(server, server.bob, f"os.rename({str(release)!r}, {str(release) + '-old'!r})") == DENIED


def test_nobody_but_root_creates_a_course_in_the_exchange(server):
    # jupyter/nbgrader#1174: nbgrader's own exchange root is world-writable.
    root = server.root / "exchange"
    assert attempt(server, server.bob, f"os.mkdir({str(root / 'fake-course')!r})") == DENIED


# ------------------------------------------------------------------ submissions


def test_a_student_cannot_list_the_inbound_folder(server):
    inbound = server.exchange(server.main) / "inbound"
    assert attempt(server, server.bob, f"os.listdir({str(inbound)!r})") == DENIED


def test_a_student_cannot_read_or_change_another_students_submission(server):
    theirs = submission_of(server, server.alice)
    notebook = theirs / f"{PS0}.ipynb"
    for code in (
        f"open({str(notebook)!r}).read()",
        f"open({str(theirs / 'submission_secret.txt')!r}).read()",
        f"os.listdir({str(theirs)!r})",
        f"open({str(notebook)!r}, 'w')",
        f"open({str(theirs / 'extra.txt')!r}, 'w')",
        f"os.unlink({str(notebook)!r})",
        f"shutil.rmtree({str(theirs)!r})",
        f"os.rename({str(theirs)!r}, {str(theirs.parent / (server.bob + '+' + PS0 + '+stolen'))!r})",
    ):
        assert attempt(server, server.bob, code) == DENIED, code
    # ... while the student reads their own submission
    assert attempt(server, server.alice, f"open({str(notebook)!r}).read()") == "ok"


def test_a_submission_is_read_by_the_grader_and_its_student_only(server):
    notebook = submission_of(server, server.alice) / f"{PS0}.ipynb"
    grader = f"grader-{server.main}"
    assert attempt(server, grader, f"open({str(notebook)!r}).read()") == "ok"
    assert attempt(server, server.dan, f"open({str(notebook)!r}).read()") == DENIED


def test_a_submission_forged_under_another_students_name_is_not_collected(server):
    inbound = server.exchange(server.main) / "inbound"
    forged = inbound / f"{server.alice}+{PS0}+2999-01-01 00:00:00.000000 UTC+forged"
    work = server.home(server.bob) / server.main / PS0
    stamp = forged / "timestamp.txt"
    code = f"shutil.copytree({str(work)!r}, {str(forged)!r})\nopen({str(stamp)!r}, 'w').write('2999-01-01 00:00 UTC')"
    assert attempt(server, server.bob, code) == "ok", "a student may write into inbound (to submit)"
    collected = server.grader(server.main, "collect", PS0, "--update")
    assert "Skipping" in collected.stderr and "forged" in collected.stderr
    copy = server.course_root(server.main) / "submitted" / server.alice / PS0 / f"{PS0}.ipynb"
    text = copy.read_text()
    assert f"GENUINE-WORK-OF-{server.alice}" in text and f"GENUINE-WORK-OF-{server.bob}" not in text


# ------------------------------------------------------------------ feedback


@pytest.fixture(scope="module")
def feedback(server):
    """Collected, autograded, feedback generated and released by the grader; both students fetch it."""
    server.grader(server.main, "collect", PS0, "--update")
    server.grader(server.main, "autograde", PS0, "--force")
    server.grader(server.main, "generate_feedback", PS0, "--force")
    server.grader(server.main, "release_feedback", PS0)
    fetched = {}
    for student in (server.alice, server.bob):
        result = server.nbgrader_as(student, "fetch_feedback", PS0, f"--course={server.main}")
        assert result.returncode == 0, result.stderr
        fetched[student] = sorted((server.home(student) / server.main / PS0 / "feedback").rglob("*.html"))
    return fetched


def released_feedback_of(server, student: str):
    """The released file that holds ``student``'s work, found as root by its content."""
    for path in (server.exchange(server.main) / "feedback").glob("*.html"):
        if f"GENUINE-WORK-OF-{student}" in path.read_text(encoding="utf-8"):
            return path
    raise AssertionError(f"no released feedback holds {student}'s work")


def test_each_student_fetches_their_own_feedback_only(server, feedback):
    for student, other in ((server.alice, server.bob), (server.bob, server.alice)):
        assert len(feedback[student]) == 1, feedback[student]
        text = feedback[student][0].read_text(encoding="utf-8")
        assert f"GENUINE-WORK-OF-{student}" in text and f"GENUINE-WORK-OF-{other}" not in text


def test_a_student_cannot_list_or_read_anothers_feedback_even_knowing_its_name(server, feedback):
    folder = server.exchange(server.main) / "feedback"
    assert attempt(server, server.bob, f"os.listdir({str(folder)!r})") == DENIED
    theirs = released_feedback_of(server, server.alice)
    assert attempt(server, server.bob, f"open({str(theirs)!r}).read()") == DENIED
    assert attempt(server, server.dan, f"open({str(theirs)!r}).read()") == DENIED
    assert attempt(server, server.alice, f"open({str(theirs)!r}).read()") == "ok"


# ------------------------------------------------------------------ two courses, private course files


def test_a_student_sees_only_the_courses_they_are_in(server):
    def listed(student: str) -> set[tuple[str, str]]:
        result = server.nbgrader_as(student, "list")  # logs "<course> <assignment>" per release
        assert result.returncode == 0, result.stderr
        return set(re.findall(r"^\[ListApp \| INFO\] (\S+) (\S*[^:\s])$", result.stderr, flags=re.M))

    assert listed(server.alice) >= {(server.main, PS0), (server.demo, DEMO)}
    assert {course for course, _ in listed(server.dan)} == {server.demo}
    refused = server.nbgrader_as(server.dan, "fetch_assignment", PS0, f"--course={server.main}")
    assert refused.returncode != 0 and not (server.home(server.dan) / server.main).exists()
    outbound = server.exchange(server.main) / "outbound" / PS0 / f"{PS0}.ipynb"
    assert attempt(server, server.dan, f"open({str(outbound)!r}).read()") == DENIED


def test_students_cannot_read_the_course_its_solutions_or_gradebook(server):
    course = server.course_root(server.main)
    for target in (course / "source" / PS0 / f"{PS0}.ipynb", course / "gradebook.db", course / "nbgrader_config.py"):
        assert attempt(server, server.bob, f"open({str(target)!r}, 'rb').read()") == DENIED, target


def test_students_cannot_read_each_others_homes(server):
    assert attempt(server, server.bob, f"os.listdir({str(server.home(server.alice))!r})") == DENIED
    assert attempt(server, server.alice, f"os.listdir({str(server.home(server.alice))!r})") == "ok"


def test_grading_runs_as_an_account_that_reaches_neither_the_instructor_nor_another_course(server):
    # Autograding runs students' code as grader-<course> (the Formgrader's account): it holds
    # its own course, and nothing of the instructor's account or of the other course.
    grader = f"grader-{server.main}"
    demo = server.course_root(server.demo)
    assert attempt(server, grader, f"os.listdir({str(server.home(server.ines))!r})") == DENIED
    assert attempt(server, grader, f"open({str(demo / 'nbgrader_config.py')!r}).read()") == DENIED
    assert attempt(server, grader, f"os.listdir({str(server.exchange(server.demo))!r})") == DENIED
    source = server.course_root(server.main) / "source" / PS0 / f"{PS0}.ipynb"
    assert attempt(server, grader, f"open({str(source)!r}).read()") == "ok", "(its own course it does read)"


def test_removing_the_roster_removes_the_accounts():
    hub_support.skip_unless_root_on_linux()
    server = hub_support.ClassServer()
    try:
        server.lay_out()
        (user,) = server.add_roster(server.main, [("erin", "student")])
        assert subprocess.run(["id", user], capture_output=True).returncode == 0
    finally:
        server.remove()
    assert subprocess.run(["id", user], capture_output=True).returncode != 0
    assert not re.search(rf"^grader-{server.main}:", open("/etc/passwd").read(), flags=re.M)
    assert not server.root.exists()

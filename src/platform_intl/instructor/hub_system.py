"""What a class server needs from the system: Debian packages, the proxy from npm, PostgreSQL.

Standard library only, and every step idempotent: ``python3 tasks.py hub`` (and ``.ci/run``)
calls these on each start, and a step with nothing to do costs a few milliseconds.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
HUB_DIR = REPO / "hub"
PROXY = HUB_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
MIN_NODE = (20, 0)
#: Debian packages: setfacl gives each feedback file to its own student (hub_exchange).
APT_PACKAGES = ["acl"]
APT_POSTGRESQL = ["postgresql"]
PG_SOCKET_DIR = "/var/run/postgresql"


class MissingPrerequisite(RuntimeError):
    """Something the server lacks that the command cannot install by itself."""


def say(message: str) -> None:
    print(f"[hub] {message}", flush=True)


def node_version() -> tuple[int, int] | None:
    node = shutil.which("node")
    if node is None:
        return None
    out = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    match = re.match(r"v(\d+)\.(\d+)", out)
    return (int(match.group(1)), int(match.group(2))) if match else None


def require_node() -> None:
    version = node_version()
    if version is None or version < MIN_NODE or shutil.which("npm") is None:
        found = "not found" if version is None else "v{}.{}".format(*version)
        raise MissingPrerequisite(
            f"Node.js {MIN_NODE[0]}+ with npm is the one extra prerequisite of the class server "
            f"(for configurable-http-proxy); node is {found}. On Debian or Ubuntu: "
            "`apt-get install nodejs npm` (Debian 12 ships Node 18: use NodeSource's or nvm's Node 20+)."
        )


def ensure_proxy() -> Path:
    """configurable-http-proxy from hub/package-lock.json (`npm ci`), once per lock change."""
    require_node()
    lock = HUB_DIR / "package-lock.json"
    stamp = HUB_DIR / "node_modules" / ".platform-intl-lock"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if PROXY.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        return PROXY
    say("installing configurable-http-proxy from hub/package-lock.json (npm ci)")
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--omit=dev"], cwd=HUB_DIR, check=True, stdout=subprocess.DEVNULL
    )
    stamp.write_text(digest + "\n")
    return PROXY


def apt_install(packages: list[str], *, probe: dict[str, str]) -> None:
    """Install Debian packages whose probe command is missing (``probe``: package -> command)."""
    missing = [p for p in packages if shutil.which(probe.get(p, p)) is None]
    if not missing:
        return
    if shutil.which("apt-get") is None:
        raise MissingPrerequisite(f"install {', '.join(missing)} with the system's package manager (no apt-get here)")
    say(f"installing Debian packages: {' '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env, stdout=subprocess.DEVNULL)


def ensure_system_packages(*, postgresql: bool) -> None:
    apt_install(APT_PACKAGES, probe={"acl": "setfacl"})
    if postgresql:
        apt_install(APT_POSTGRESQL, probe={"postgresql": "pg_ctlcluster"})


# ------------------------------------------------------------------ PostgreSQL


def postgres_cluster() -> tuple[str, str]:
    """(version, name) of Debian's PostgreSQL cluster (the newest if there are several)."""
    out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout
    clusters = [line.split() for line in out.splitlines() if line.strip()]
    if not clusters:
        raise MissingPrerequisite("PostgreSQL is installed but has no cluster: `pg_createcluster --start 15 main`")
    version, name = max(clusters, key=lambda c: float(c[0]))[:2]
    return version, name


def ensure_postgres_running() -> None:
    """Start Debian's PostgreSQL cluster if it is down (no systemd needed: pg_ctlcluster)."""
    ensure_system_packages(postgresql=True)
    version, name = postgres_cluster()
    status = subprocess.run(["pg_ctlcluster", version, name, "status"], capture_output=True)
    if status.returncode != 0:
        say(f"starting PostgreSQL {version}/{name}")
        subprocess.run(["pg_ctlcluster", version, name, "start"], check=True)


def psql(sql: str) -> str:
    result = subprocess.run(
        ["runuser", "-u", "postgres", "--", "psql", "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True,
        text=True,
        cwd="/",
    )
    if result.returncode != 0:
        raise MissingPrerequisite(f"psql failed: {result.stderr.strip()}")
    return result.stdout.strip()


def _ident(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_-]*", name):
        raise ValueError(f"unexpected PostgreSQL name {name!r}")
    return f'"{name}"'


def ensure_database(owner: str, database: str) -> str:
    """A database owned by the role ``owner`` (same name as the Unix account, so that
    Debian's default peer authentication lets that account in over the socket, with no
    password anywhere); returns the gradebook's SQLAlchemy URL."""
    ensure_postgres_running()
    if psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{owner}'") != "1":
        psql(f"CREATE ROLE {_ident(owner)} LOGIN")
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'") != "1":
        psql(f"CREATE DATABASE {_ident(database)} OWNER {_ident(owner)}")
    return f"postgresql+psycopg://{owner}@/{database}?host={PG_SOCKET_DIR}"


def drop_database(owner: str, db_url: str) -> None:
    from urllib.parse import urlsplit

    database = urlsplit(db_url).path.lstrip("/")
    ensure_postgres_running()
    psql(f"DROP DATABASE IF EXISTS {_ident(database)} WITH (FORCE)")
    psql(f"DROP ROLE IF EXISTS {_ident(owner)}")

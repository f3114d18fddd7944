"""JupyterHub's configuration for the course's class server, started by `python3 tasks.py hub`.

Everything is decided in platform_intl/instructor/hub_auth.py (`configure`), from the
courses that `course-admin hub course` laid out on this server; this file only says
where the repository and its environment are. Local additions (TLS, a public URL, an LTI
log-in, see docs/instructor-guide.md, section 15) go at the end of this file or in
jupyterhub_config.local.py beside it, which is read last when it exists.
"""

import os
from pathlib import Path

from platform_intl.instructor.hub_auth import configure

c = get_config()  # noqa: F821 (provided by JupyterHub)

REPO = Path(__file__).resolve().parents[1]
configure(c, repo=REPO, venv=Path(os.environ.get("VIRTUAL_ENV", REPO / ".venv")))

_local = Path(__file__).with_name("jupyterhub_config.local.py")
if _local.exists():
    load_subconfig(str(_local))  # noqa: F821 (provided by traitlets)

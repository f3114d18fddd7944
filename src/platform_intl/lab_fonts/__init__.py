"""A Jupyter server extension that lets JupyterLab show Chinese, Japanese and Korean text
on any machine, with the CJK font the course's figures already use.

Lectures print 万 and 亿, 小红书 and 微博; on a machine without a CJK font the browser
draws them as empty boxes. This extension serves, to the browser and offline:

- ``custom/custom.css`` (this package's ``custom.css``): an ``@font-face`` for Noto Sans
  CJK SC restricted to the CJK blocks (``unicode-range``), appended as the last fallback
  to JupyterLab's UI, content and code font stacks, so Latin text keeps its fonts;
- ``platform-intl/fonts/NotoSansCJKsc-Regular.otf``: the font file itself, from the
  ``mplfonts`` package (SIL Open Font License) that :mod:`platform_intl.plots` uses.

JupyterLab links ``custom/custom.css`` into its page when ``LabApp.custom_css`` is true and
looks the file up on the server's ``static_custom_path``; this extension adds its folder
to that path, after the user's own ``custom/`` folder (a student's custom.css wins).
:func:`platform_intl.environment.write_server_config` enables both, for every server
that runs from the course environment (``python3 tasks.py lab``, the class server's).
"""

from __future__ import annotations

import importlib.util
import os
from importlib import resources
from pathlib import Path
from typing import Any

#: The family name the stylesheet gives the font (what ``document.fonts.check`` asks for).
FONT_FAMILY = "Platform Intl CJK"
#: The URL path of the font file, below the server's base URL.
FONT_URL_PATH = "platform-intl/fonts"
CSS_FILE = "custom.css"
#: The font file in mplfonts' ``fonts/`` folder (``platform_intl.plots.CJK_FONT_FILE``).
FONT_FILE = "NotoSansCJKsc-Regular.otf"


def static_folder() -> Path:
    """The folder holding this package's custom.css."""
    return Path(str(resources.files(__name__)))


def font_file() -> Path:
    """Noto Sans CJK SC, as the mplfonts package ships it (the file plots.py registers).

    Found without importing mplfonts, which imports matplotlib: the server need not.
    """
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the mplfonts package (requirements.lock) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "fonts" / FONT_FILE


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    from jupyter_server.utils import url_path_join

    web_app = serverapp.web_app
    settings = web_app.settings
    # In place: JupyterLab's /custom/ handler holds this very list and reads it per request.
    custom_path: list[str] = settings["static_custom_path"]
    ours = str(static_folder())
    if ours not in custom_path:
        user_folder = os.path.join(serverapp.config_dir, "custom")
        position = custom_path.index(user_folder) + 1 if user_folder in custom_path else 0
        custom_path.insert(position, ours)
    font = font_file()
    pattern = url_path_join(settings["base_url"], FONT_URL_PATH, f"({font.name.replace('.', '[.]')})")
    web_app.add_handlers(
        ".*$", [(pattern, settings["static_handler_class"], {"path": [str(font.parent)], "no_cache_paths": []})]
    )
    serverapp.log.info("platform_intl.lab_fonts: serving %s for CJK text in JupyterLab", font.name)


# The name under which older Jupyter servers look for the loader.
load_jupyter_server_extension = _load_jupyter_server_extension

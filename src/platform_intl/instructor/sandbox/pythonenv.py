"""The Python environment a sandboxed kernel needs, found narrowly: prefixes, site folders, editable sources."""

from __future__ import annotations

import ast
import json
import os
import re
import site
import sys
import sysconfig
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from importlib.machinery import all_suffixes
from pathlib import Path

from .limits import _PREFIX_MASKS


def _within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _unique(paths: Iterable[Path]) -> tuple[Path, ...]:
    seen: dict[str, Path] = {}
    for p in paths:
        seen.setdefault(str(p), p)
    return tuple(seen.values())


@dataclass(frozen=True)
class PythonEnv:
    """What of a Python installation the sandbox must show, read-only, at the same paths.

    ``read_only`` paths are bound; ``symlinks`` are ``(target, link)`` pairs recreated as
    symlinks; ``listable`` are folders that are sys.path entries of editable installs (made
    in the sandbox with only the bound packages in them, and readable so imports can list
    them); ``masked`` folders inside bound paths are hidden under an empty tmpfs;
    ``editable_projects`` are project roots named by ``direct_url.json``: reported, never
    bound (for the course that is the repository root).
    """

    executable: Path
    prefix: Path
    base_prefix: Path
    read_only: tuple[Path, ...]
    symlinks: tuple[tuple[str, Path], ...] = ()
    listable: tuple[Path, ...] = ()
    masked: tuple[Path, ...] = ()
    editable_projects: tuple[Path, ...] = ()

    @classmethod
    def discover(cls) -> PythonEnv:
        """Describe the running interpreter (the grader's, which is also the kernel's)."""
        executable = Path(sys.executable)
        prefix = Path(sys.prefix)
        bases = _unique(Path(p) for p in (sys.base_prefix, sys.base_exec_prefix))
        read_only: list[Path] = []
        symlinks: list[tuple[str, Path]] = []
        masked: list[Path] = []
        in_venv = prefix != Path(sys.base_prefix)
        if in_venv:
            # Only what the interpreter reads: not the venv's etc/, share/, or anything else a
            # course keeps there (Jupyter config and runtime folders, the nbgrader exchange).
            for name in ("bin", "lib", "lib64", "pyvenv.cfg"):
                entry = prefix / name
                if entry.is_symlink():
                    symlinks.append((os.readlink(entry), entry))
                elif entry.exists():
                    read_only.append(entry)
            roots = list(bases)
        else:
            roots = [prefix, *bases]
        for root in roots:
            if str(root) in ("/usr", "/"):  # a system Python: /usr is bound anyway
                continue
            read_only.append(root)
            masked.extend(root / m for m in _PREFIX_MASKS if (root / m).is_dir())
        if not any(_within(executable, r) for r in [*read_only, Path("/usr")]):
            read_only.append(executable)
        covered = [*read_only, Path("/usr")]
        extra, listable, projects = _editable_sources(_site_dirs(prefix), covered)
        return cls(
            executable=executable,
            prefix=prefix,
            base_prefix=Path(sys.base_prefix),
            read_only=_unique([*read_only, *extra]),
            symlinks=tuple(symlinks),
            listable=_unique(listable),
            masked=_unique(masked),
            editable_projects=_unique(projects),
        )

    @property
    def bin_dir(self) -> Path:
        return self.executable.parent


def _site_dirs(prefix: Path) -> list[Path]:
    candidates = [Path(p) for p in site.getsitepackages()]
    paths = sysconfig.get_paths()
    candidates += [Path(paths[k]) for k in ("purelib", "platlib") if k in paths]
    return [p for p in _unique(candidates) if p.is_dir()]


def _top_level_names(dist: metadata.Distribution) -> list[str]:
    text = dist.read_text("top_level.txt") or ""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _finder_mapping(module: Path) -> list[Path]:
    """Package folders in a setuptools ``__editable___*_finder.py`` (its MAPPING/NAMESPACES)."""
    try:
        tree = ast.parse(module.read_text())
    except (OSError, SyntaxError, ValueError):
        return []
    found: list[Path] = []
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else ([node.target] if isinstance(node, ast.AnnAssign) else [])
        )
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        if not names & {"MAPPING", "NAMESPACES"} or node.value is None:
            continue
        try:
            value = ast.literal_eval(node.value)
        except ValueError:
            continue
        for item in value.values() if isinstance(value, dict) else []:
            for p in [item] if isinstance(item, str) else list(item):
                found.append(Path(p))
    return found


def _importable_children(entry: Path, names: Sequence[str] | None) -> list[Path]:
    suffixes = tuple(all_suffixes())
    out: list[Path] = []
    try:
        children = sorted(entry.iterdir())
    except OSError:
        return out
    for child in children:
        if names is not None:
            stem = child.name.split(".", 1)[0]
            if child.name in names or (stem in names and child.name.endswith(suffixes)):
                out.append(child)
        elif (child.is_dir() and (child / "__init__.py").exists() and not child.name.startswith(".")) or (
            child.is_file() and child.name.endswith(suffixes)
        ):
            out.append(child)
    return out


def _editable_sources(site_dirs: Sequence[Path], covered: Sequence[Path]):
    """Paths that editable installs add to sys.path, narrowed to the packages they provide."""
    extra: list[Path] = []
    listable: list[Path] = []
    projects: list[Path] = []
    owners: dict[Path, metadata.Distribution] = {}
    for sd in site_dirs:
        for dist in metadata.distributions(path=[str(sd)]):
            for f in dist.files or ():
                if str(f).endswith(".pth"):
                    owners[Path(os.path.normpath(sd / f))] = dist
            try:
                info = json.loads(dist.read_text("direct_url.json") or "null")
            except ValueError:
                info = None
            if isinstance(info, dict) and (info.get("dir_info") or {}).get("editable"):
                url = info.get("url", "")
                if url.startswith("file://"):
                    projects.append(Path(url[len("file://") :]))
    for sd in site_dirs:
        for pth in sorted(sd.glob("*.pth")):
            dist = owners.get(Path(os.path.normpath(pth)))
            names = _top_level_names(dist) if dist is not None else []
            try:
                lines = pth.read_text(errors="replace").splitlines()
            except OSError:
                continue
            for line in lines:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                if line.startswith(("import ", "import\t")):
                    for module in re.findall(r"\b(__editable__\w*finder)\b", line):
                        extra.extend(p for p in _finder_mapping(sd / f"{module}.py") if p.exists())
                    continue
                entry = Path(line) if os.path.isabs(line) else sd / line
                entry = Path(os.path.normpath(entry))
                if not entry.is_dir() or any(_within(entry, c) for c in covered):
                    continue
                listable.append(entry)
                extra.extend(_importable_children(entry, names or None))
    return extra, listable, projects

"""Small target trees for the plugin tests, each written to a folder and returned by path.

They are plain trees, not repositories: give them to ``make_release_repo`` for git history,
or use them as they are to test a target that is not a git work tree.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.plugin.repos import EXAMPLE, LEFTOVERS, VERSION

# The bundled example's names and their replacements, longest first, so that a dist name
# or a dotted import name is renamed before the bare namespace inside it.
RENAMES = (
    ("aetherflow-core", "acme-base"),
    ("aetherflow-scheduler", "acme-jobs"),
    ("aetherflow.core", "acme.base"),
    ("aetherflow/core", "acme/base"),
    ("aetherflow.scheduler", "acme.jobs"),
    ("aetherflow/scheduler", "acme/jobs"),
    ("aetherflow", "acme"),
    ("Aetherflow", "Acme"),
)
RENAMED_TAG_FORMAT = "{name}-v{version}"


def copy_example(destination: Path) -> Path:
    """A copy of ``examples/aetherflow`` at ``destination/aetherflow``, without git."""
    root = destination / EXAMPLE.name
    shutil.copytree(EXAMPLE, root, ignore=LEFTOVERS)
    return root


def _renamed(text: str) -> str:
    for old, new in RENAMES:
        text = text.replace(old, new)
    return text


def renamed_example(destination: Path) -> Path:
    """The example as the ``acme`` monorepo: dists acme-base, acme-jobs and acme, import
    packages acme.base, acme.jobs and acme.cli, and ``tag = "{name}-v{version}"``."""
    source = copy_example(destination / "source")
    root = destination / "acme"
    for path in sorted(source.rglob("*")):
        if path.is_file():
            target = root / _renamed(path.relative_to(source).as_posix())
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_renamed(path.read_text(encoding="utf-8")), encoding="utf-8")
    shutil.rmtree(source.parent)
    config = root / "pyproject.toml"
    text = config.read_text(encoding="utf-8")
    tagged = re.sub(r'(?m)^tag = ".*"$', f'tag = "{RENAMED_TAG_FORMAT}"', text)
    assert tagged != text, f"no tag format to replace in {config}"
    config.write_text(tagged, encoding="utf-8")
    leftovers = [
        str(path.relative_to(root))
        for path in root.rglob("*")
        if "aetherflow" in path.relative_to(root).as_posix().lower()
        or (path.is_file() and "aetherflow" in path.read_text(encoding="utf-8").lower())
    ]
    assert not leftovers, f"the rename left 'aetherflow' in {leftovers}"
    return root


def single_package(destination: Path, name: str = "tidy-notes") -> Path:
    """A one-package repo: a root pyproject.toml with [project] (hatchling), a src/ package,
    no packages/ folder and no [tool.pytest-release] table, so every setting is a default."""
    module = name.replace("-", "_")
    root = destination / name
    files = {
        "pyproject.toml": f"""\
[build-system]
requires = ["hatchling>=1.24"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "{VERSION}"
description = "Keeps notes tidy."
readme = "README.md"
requires-python = ">=3.10"
license = "MIT"
dependencies = []

[tool.hatch.build.targets.wheel]
packages = ["src/{module}"]
""",
        "README.md": f"# {name}\n\nKeeps notes tidy.\n",
        "CHANGELOG.md": f"# Changelog\n\n## [Unreleased]\n\n## [{VERSION}] - 2026-11-20\n\n"
        "### Added\n- `tidy()`.\n",
        ".gitignore": "__pycache__/\n*.egg-info/\nbuild/\ndist/\n.pytest_cache/\n",
        f"src/{module}/__init__.py": f'"""Keeps notes tidy."""\n\n__version__ = "{VERSION}"\n\n\n'
        "def tidy(text: str) -> str:\n"
        '    return "\\n".join(line.rstrip() for line in text.splitlines())\n',
        f"tests/test_{module}.py": f"from {module} import tidy\n\n\n"
        "def test_tidy() -> None:\n"
        '    assert tidy("a  \\nb") == "a\\nb"\n',
    }
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root

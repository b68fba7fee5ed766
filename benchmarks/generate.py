"""A realistic generated monorepo to release: a core library, mid-layer libraries that
depend on it (and on each other), leaf apps with console scripts, and a meta package that
depends on all of them, built by a mix of backends (hatchling, setuptools, flit_core,
pdm-backend, uv_build).

Like the bundled example it is released in lockstep: every package at 0.2.0 with
``__version__``, internal ranges ``>=0.2,<0.3``, a CHANGELOG with the release's section,
the previous release 0.1.0 committed and tagged ``v0.1.0`` (each library's API grew one
function since), a small ``tests/`` folder run in the current environment, the release
suite's thin modules in ``release_tests/``, and a bare ``origin`` holding it all.

    python benchmarks/generate.py DEST [--packages 12] [--prefix gen]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pytest_release.commands.init import SUITE_FOLDER, gate_modules

PREVIOUS_VERSION, VERSION = "0.1.0", "0.2.0"
RELEASE_DATE = "2026-11-20"
# Build and cache leftovers of a developer's runs, never copied into a target.
LEFTOVERS = shutil.ignore_patterns("__pycache__", "*.egg-info", ".pytest_cache", "build", "dist")
# requires and build-backend of each backend, all of which build on this machine.
BACKENDS = {
    "hatchling": ('"hatchling>=1.24"', "hatchling.build"),
    "setuptools": ('"setuptools>=77"', "setuptools.build_meta"),
    "flit_core": ('"flit_core>=3.12,<4"', "flit_core.buildapi"),
    "pdm-backend": ('"pdm-backend>=2.4"', "pdm.backend"),
    "uv_build": ('"uv_build>=0.8,<0.10"', "uv_build"),
}


@dataclass
class Member:
    """One package of the generated monorepo."""

    name: str  # the dist name
    kind: str  # core, library, app or meta
    backend: str
    needs: list[str] = field(default_factory=list)  # dist names of internal dependencies

    @property
    def module(self) -> str:
        return self.name.replace("-", "_")


def members(prefix: str, count: int) -> list[Member]:
    """``count`` packages (at least 3): the core, libraries, apps (a third of the middle),
    the meta package; backends in turn, so that each one builds several packages."""
    if count < 3:
        raise ValueError("a monorepo of a core, an app and a meta package needs 3 packages")
    middle = count - 2
    apps = max(1, middle // 3)
    libraries = middle - apps
    backends = list(BACKENDS)
    core = Member(f"{prefix}-core", "core", "setuptools")
    made = [core]
    for number in range(1, libraries + 1):
        needs = [core.name]
        if number > 2:  # a layered graph: each library after the second builds on an earlier one
            needs.append(made[number // 2].name)
        made.append(Member(f"{prefix}-lib-{number:02}", "library", backends[number % 5], needs))
    library_names = [member.name for member in made[1:]]
    for number in range(1, apps + 1):
        picked = library_names[number % len(library_names) :][:2] if library_names else []
        made.append(
            Member(
                f"{prefix}-app-{number:02}", "app", backends[(number + 2) % 5], [core.name, *picked]
            )
        )
    made.append(Member(prefix, "meta", "hatchling", [member.name for member in made]))
    return made


def minor_range(version: str) -> str:
    """The lockstep range of a 0.y.z release: ``>=0.2,<0.3`` for 0.2.0."""
    major, minor, _ = version.split(".")
    return f">={major}.{minor},<{major}.{int(minor) + 1}"


def _pyproject(member: Member, version: str) -> str:
    requires, backend = BACKENDS[member.backend]
    needs = "".join(f'    "{name}{minor_range(version)}",\n' for name in member.needs)
    text = (
        f'[build-system]\nrequires = [{requires}]\nbuild-backend = "{backend}"\n\n'
        f'[project]\nname = "{member.name}"\nversion = "{version}"\n'
        f'description = "The {member.kind} {member.name} of a generated monorepo."\n'
        'readme = "README.md"\nrequires-python = ">=3.10"\nlicense = "MIT"\n'
        'authors = [{ name = "Generated developers" }]\n'
        'classifiers = ["Programming Language :: Python :: 3", "Typing :: Typed"]\n'
        f"dependencies = [\n{needs}]\n"
    )
    if member.kind == "app":
        text += f'\n[project.scripts]\n{member.name} = "{member.module}.cli:main"\n'
    return text


def _api(member: Member, released: bool) -> str:
    """A library's public API: what 0.1.0 had, and at 0.2.0 one more function."""
    imports = "".join(f"import {Member(name, '', '').module}.api\n" for name in member.needs)
    text = (
        f'"""The public API of {member.name}."""\n\n{imports}\n\n'
        "class Record:\n"
        '    """A named value."""\n\n'
        "    def __init__(self, name: str, value: int) -> None:\n"
        "        self.name = name\n        self.value = value\n\n"
        "    def doubled(self) -> int:\n        return self.value * 2\n\n\n"
        "def greet(name: str, *, loud: bool = False) -> str:\n"
        f'    """A greeting from {member.name}."""\n'
        f'    text = f"{member.name} greets {{name}}"\n'
        "    return text.upper() if loud else text\n\n\n"
        "def depth() -> int:\n"
        '    """How many layers of libraries lie under this one."""\n'
    )
    below = [f"{Member(name, '', '').module}.api.depth()" for name in member.needs]
    text += f"    return 1 + max([{', '.join(below)}], default=0)\n"
    if released:
        text += (
            "\n\ndef summary(records: list[Record]) -> int:\n"
            '    """The sum of the records\' values (new in 0.2.0)."""\n'
            "    return sum(record.value for record in records)\n"
        )
    return text


def _cli(member: Member) -> str:
    libraries = [Member(name, "", "").module for name in member.needs]
    imports = "".join(f"import {module}.api\n" for module in libraries)
    return (
        f'"""The {member.name} command."""\n\nimport argparse\nimport sys\n'
        f"from collections.abc import Sequence\n\n{imports}\n"
        f"from {member.module} import __version__\n\n\n"
        "def main(argv: Sequence[str] | None = None) -> int:\n"
        f'    parser = argparse.ArgumentParser(prog="{member.name}")\n'
        '    parser.add_argument("--version", action="version",'
        ' version=f"%(prog)s {__version__}")\n'
        '    parser.add_argument("name", nargs="?", default="world")\n'
        "    arguments = parser.parse_args(argv)\n"
        f"    print({libraries[-1]}.api.greet(arguments.name))\n"
        f"    print('depth', max({', '.join(f'{m}.api.depth()' for m in libraries)}))\n"
        "    return 0\n\n\n"
        'if __name__ == "__main__":\n    sys.exit(main())\n'
    )


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _write_package(root: Path, member: Member, version: str) -> None:
    folder = root / "packages" / member.name
    source = folder / "src" / member.module
    _write(folder / "pyproject.toml", _pyproject(member, version))
    _write(folder / "README.md", f"# {member.name}\n\nThe {member.kind} of a generated monorepo.\n")
    _write(source / "__init__.py", f'"""{member.name}."""\n\n__version__ = "{version}"\n')
    _write(source / "py.typed", "")
    if member.kind in ("core", "library"):
        _write(source / "api.py", _api(member, released=version == VERSION))
    if member.kind == "app":
        _write(source / "cli.py", _cli(member))
        _write(
            source / "__main__.py",
            f"import sys\n\nfrom {member.module}.cli import main\n\nsys.exit(main())\n",
        )


def _root_pyproject(prefix: str, made: list[Member]) -> str:
    boundary = [f'"{m.module}.api"' for m in made if m.kind in ("core", "library")]
    apps = [m for m in made if m.kind == "app"]
    smoke = [f'"{app.name} --version"' for app in apps] + [f'"{apps[0].name} release"']
    core = made[0].module
    return (
        "# A generated monorepo: no [project] table, the packages live in packages/*.\n\n"
        "[tool.pytest-release]\n"
        'packages = ["packages/*"]\nbranch = "main"\nchangelog = "CHANGELOG.md"\n'
        'tag = "v{version}"\nversioning = "lockstep"\n'
        f"public-api = [{', '.join(boundary)}]\n"
        'test-command = "pytest -q tests"\ntest-env = "current"\n'
        f"smoke = [{', '.join(smoke)}]\n"
        f'python-smoke = ["import {core}.api as api; assert api.depth() == 1"]\n\n'
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'
    )


def _tests(made: list[Member]) -> dict[str, str]:
    sources = ", ".join(f'"{m.name}"' for m in made)
    libraries = [m.module for m in made if m.kind in ("core", "library")]
    apps = [m.module for m in made if m.kind == "app"]
    return {
        "conftest.py": (
            '"""Run the tests from a checkout: every src folder goes on sys.path."""\n\n'
            "import sys\nfrom pathlib import Path\n\n"
            "ROOT = Path(__file__).resolve().parents[1]\n"
            f'sys.path[:0] = [str(ROOT / "packages" / name / "src") for name in ({sources},)]\n'
        ),
        "test_libraries.py": (
            "import importlib\n\nimport pytest\n\n\n"
            f"@pytest.mark.parametrize('module', {libraries!r})\n"
            "def test_greet_and_summary(module: str) -> None:\n"
            "    api = importlib.import_module(f'{module}.api')\n"
            "    assert api.greet('x', loud=True).endswith('GREETS X')\n"
            "    assert api.summary([api.Record('a', 1), api.Record('b', 2)]) == 3\n"
            "    assert api.depth() >= 1\n"
        ),
        "test_apps.py": (
            "import importlib\n\nimport pytest\n\n\n"
            f"@pytest.mark.parametrize('module', {apps!r})\n"
            "def test_app_greets(module: str, capsys: pytest.CaptureFixture[str]) -> None:\n"
            "    cli = importlib.import_module(f'{module}.cli')\n"
            "    assert cli.main(['tester']) == 0\n"
            "    assert 'greets tester' in capsys.readouterr().out\n"
        ),
    }


def _changelog(made: list[Member], released: bool) -> str:
    libraries = [m for m in made if m.kind in ("core", "library")]
    text = (
        "# Changelog\n\nAll notable changes to this generated monorepo. Its packages are "
        "released together and share one version.\n\n"
        "The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/).\n\n"
        "## [Unreleased]\n\n"
    )
    if released:
        added = "".join(f"- `{m.module}.api.summary(records)`.\n" for m in libraries)
        text += f"## [{VERSION}] - {RELEASE_DATE}\n\n### Added\n{added}\n"
    names = ", ".join(f"`{m.name}`" for m in made)
    text += f"## [{PREVIOUS_VERSION}] - 2026-10-01\n\n### Added\n- First release of {names}.\n"
    return text


def _git(cwd: Path, *arguments: str | Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid",
         *map(str, arguments)],
        cwd=cwd, check=True, capture_output=True,
    )  # fmt: skip


def commit_release(root: Path, remote: Path, write_version: Callable[[str], None]) -> None:
    """``root`` as a git repository on main: the previous release committed and tagged,
    then the release committed, both pushed with the tag to the bare ``remote``."""
    _git(root.parent, "init", "-q", "--bare", "-b", "main", remote)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "remote", "add", "origin", remote)
    for version in (PREVIOUS_VERSION, VERSION):
        write_version(version)
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", f"Release {version}")
        if version == PREVIOUS_VERSION:
            _git(root, "tag", f"v{version}")
    _git(root, "push", "-q", "--set-upstream", "origin", "main", "--tags")


def generate(destination: Path, packages: int, prefix: str = "gen") -> Path:
    """The monorepo at ``destination/{prefix}-{packages}`` (with its bare remote beside it),
    committed on main as 0.2.0 after the tagged 0.1.0; its root is returned."""
    made = members(prefix, packages)
    root = destination / f"{prefix}-{packages}"
    _write(root / "pyproject.toml", _root_pyproject(prefix, made))
    for name, text in _tests(made).items():
        _write(root / "tests" / name, text)
    for name, text in gate_modules().items():
        _write(root / SUITE_FOLDER / name, text)
    _write(root / ".gitignore", "__pycache__/\n*.egg-info/\nbuild/\ndist/\n")

    def write_version(version: str) -> None:
        for member in made:
            _write_package(root, member, version)
        _write(root / "CHANGELOG.md", _changelog(made, released=version == VERSION))

    commit_release(root, destination / f"{root.name}-remote.git", write_version)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("destination", type=Path)
    parser.add_argument("--packages", type=int, default=12)
    parser.add_argument("--prefix", default="gen")
    arguments = parser.parse_args()
    arguments.destination.mkdir(parents=True, exist_ok=True)
    print(generate(arguments.destination.resolve(), arguments.packages, arguments.prefix))


if __name__ == "__main__":
    main()

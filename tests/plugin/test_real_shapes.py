"""The shapes real Python monorepos come in, generated in tmp_path (real git with a bare
remote, real builds, a real local index) and run through the whole dry run, from the
preflight to the rehearsal, as a user's release suite runs it:

- a uv workspace: a virtual root, globbed and nested members, an ``exclude``, a folder of
  JavaScript, an extra whose requirement runs back to the package (a cycle pip installs),
  and a ``uv.lock`` that ``pytest-release bump`` keeps in step;
- a PEP 440 repo whose stable ``1.x`` line and ``0.x`` beta line release together
  (``1.44.0`` beside ``0.65b0``), one package tagged in a form of its own;
- packages versioned from git tags (hatch-vcs, setuptools-scm) released from an untagged
  commit, one whose pin on another is written by a metadata hook;
- a suite whose test requirements live in the root's PEP 735 ``test`` group.

No network but loopback and the package index the builds take their build backend from.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest
from uv import find_uv_bin

from pytest_release.cli import main
from tests.plugin.gate_runs import GateRun, GateRunner, junit_properties
from tests.plugin.repos import ReleaseRepo, git

pytestmark = [pytest.mark.slow]

DRY_RUN = ("-m", "not publish")  # every gate but the opt-in publish ones
BUILD_BACKEND = (
    '[build-system]\nrequires = ["hatchling>=1.24"]\nbuild-backend = "hatchling.build"\n'
)
UNVERIFIED_OFF_GITHUB = "test_ci_is_green_for_head"


def _package(
    name: str,
    version: str,
    dependencies: tuple[str, ...] = (),
    *,
    tables: str = "",
) -> dict[str, str]:
    """A hatchling package at ``version``: pyproject.toml, a src/ module with the version."""
    module = name.replace("-", "_")
    listed = ", ".join(f'"{dependency}"' for dependency in dependencies)
    pyproject = (
        f"{BUILD_BACKEND}\n[project]\n"
        f'name = "{name}"\nversion = "{version}"\ndescription = "{name} of the shapes."\n'
        f'readme = "README.md"\nrequires-python = ">=3.10"\nlicense = "MIT"\n'
        f"dependencies = [{listed}]\n{tables}\n"
        f'[tool.hatch.build.targets.wheel]\npackages = ["src/{module}"]\n'
    )
    return {
        "pyproject.toml": pyproject,
        "README.md": f"# {name}\n",
        f"src/{module}/__init__.py": f'"""{name}."""\n\n__version__ = "{version}"\n',
    }


def _changelog(release: str, previous: str) -> str:
    return (
        "# Changelog\n\n## [Unreleased]\n\n"
        f"## [{release}] - 2026-11-20\n\n### Added\n- The {release} things.\n\n"
        f"## [{previous}] - 2026-10-01\n\n### Added\n- First release.\n"
    )


def _tree(packages: Mapping[str, dict[str, str]], root: Mapping[str, str]) -> dict[str, str]:
    """Every file of the repo: each package's under its folder, and the root's own."""
    files = {
        f"{folder}/{relative}": text
        for folder, package in packages.items()
        for relative, text in package.items()
    }
    gitignore = "__pycache__/\n*.egg-info/\nbuild/\ndist/\n.pytest_cache/\n.venv/\n"
    return files | {".gitignore": gitignore} | dict(root)


def _write(root: Path, files: Mapping[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _released_repo(
    destination: Path,
    previous: Mapping[str, str],
    release: Mapping[str, str],
    tags: tuple[str, ...],
) -> ReleaseRepo:
    """``previous`` committed and tagged with ``tags`` (annotated), then ``release``
    committed on top; both pushed to a bare remote."""
    root, remote = destination / "repo", destination / "repo-remote.git"
    root.mkdir()
    git(destination, "init", "-q", "--bare", "-b", "main", str(remote))
    git(root, "init", "-q", "-b", "main")
    git(root, "remote", "add", "origin", str(remote))
    repo = ReleaseRepo(root, remote)
    _write(root, previous)
    repo.commit_all("The previous release")
    for tag in tags:
        repo.git("tag", "-a", "-m", f"Release {tag}", tag)
    _write(root, release)
    _lock(root)
    repo.commit_all("The release")
    repo.git("push", "-q", "--set-upstream", "origin", "main", "--tags")
    return repo


def _lock(root: Path) -> None:
    """``uv lock``, as the developer of a uv workspace runs it: the lock is committed."""
    if "[tool.uv.workspace]" in (root / "pyproject.toml").read_text(encoding="utf-8"):
        locking = [find_uv_bin(), "lock", "--offline"]  # no third-party requirement to fetch
        completed = subprocess.run(locking, cwd=root, capture_output=True, text=True, check=False)
        assert completed.returncode == 0, completed.stderr


def assert_dry_run_passes(run: GateRun, packages: tuple[str, ...]) -> None:
    """Every case of the dry run passed (but those a dry run off GitHub skips), one case per
    package where a gate works per package, and the rehearsal installed each package."""
    outcomes = run.outcomes()
    failed = {case: run.message(case) for case, outcome in outcomes.items() if outcome == "failed"}
    assert not failed, "\n\n".join(f"{case}:\n{message}" for case, message in failed.items())
    # Skipped: what cannot be verified off GitHub, and what the shape does not configure
    # (the public API, smoke commands).
    skipped = {case for case, outcome in outcomes.items() if outcome == "skipped"}
    unconfigured = {case for case in skipped if "nothing to check" in run.message(case)}
    assert skipped - unconfigured == {UNVERIFIED_OFF_GITHUB}
    parametrized = (
        "test_version_is_strict_semver",
        "test_editable_install",
        "test_build_succeeds",
        "test_installed_dist_is_the_uploaded_wheel",
    )
    for case in parametrized:
        found = sorted(re.findall(rf"^{case}\[(.+)\]$", "\n".join(outcomes), re.MULTILINE))
        assert found == sorted(packages), (case, found)
    assert run.result.ret == pytest.ExitCode.OK


# -- a uv workspace ---------------------------------------------------------------------------

WORKSPACE_ROOT = """\
# The workspace root: a virtual project (never built) that gathers the members.
[project]
name = "acme-workspace"
version = "0.0.0"
requires-python = ">=3.10"
dependencies = ["acme-core", "acme-openai"]

[tool.uv]
package = false

[tool.uv.workspace]
members = ["libs/*", "libs/partners/*"]
exclude = ["libs/partners", "libs/sdk-js", "libs/partners/legacy"]

[tool.uv.sources]
acme-core = { workspace = true }
acme-openai = { workspace = true }

[tool.pytest-release]
test-command = "pytest -q tests"
test-env = "fresh"
"""
WORKSPACE_TEST = """\
import acme_core
import acme_openai


def test_versions() -> None:
    assert acme_core.__version__ == acme_openai.__version__
"""


def _workspace(version: str, core_range: str) -> dict[str, str]:
    core_extra = f'[project.optional-dependencies]\nopenai = ["acme-openai{core_range}"]\n'
    sources = "[tool.uv.sources]\nacme-core = { workspace = true }\n"
    return _tree(
        {
            "libs/core": _package("acme-core", version, tables=core_extra),
            "libs/partners/openai": _package(
                "acme-openai", version, (f"acme-core{core_range}",), tables=sources
            ),
            # Excluded: its version would be below the last release, were it read.
            "libs/partners/legacy": _package("acme-legacy", "0.0.1"),
        },
        {
            "pyproject.toml": WORKSPACE_ROOT,
            "libs/sdk-js/package.json": '{ "name": "@acme/sdk", "version": "0.2.0" }\n',
            "tests/test_workspace.py": WORKSPACE_TEST,
            "CHANGELOG.md": _changelog(version, "0.1.0"),
        },
    )


@pytest.fixture
def uv_workspace(tmp_path: Path) -> ReleaseRepo:
    """The workspace released as 0.1.0 (tag v0.1.0) and bumped to 0.2.0, with its uv.lock."""
    previous = _workspace("0.1.0", ">=0.1,<0.2")
    return _released_repo(tmp_path, previous, _workspace("0.2.0", ">=0.2,<0.3"), ("v0.1.0",))


def test_a_uv_workspace_dry_runs_to_the_rehearsal(
    uv_workspace: ReleaseRepo, run_gates: GateRunner
) -> None:
    """Zero `packages`: the members are read from [tool.uv.workspace]; the virtual root, the
    excluded legacy package and libs/sdk-js are no packages; acme-core[openai] needing
    acme-openai, which needs acme-core, is no cycle."""
    run = run_gates(uv_workspace.root, *DRY_RUN)
    assert_dry_run_passes(run, ("acme-core", "acme-openai"))
    properties = junit_properties(run)["test_publish_order"]
    assert ("publish_order", "acme-core, acme-openai") in properties


def test_bump_keeps_the_uv_lock_in_step(
    uv_workspace: ReleaseRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = uv_workspace.root / "uv.lock"
    assert main(["bump", "minor", "--monorepo", str(uv_workspace.root)]) == 0
    said = capsys.readouterr().out
    assert "uv.lock: `uv lock` runs once the edits are written" in said
    assert re.search(r'name = "acme-core"\nversion = "0\.3\.0"', lock.read_text(encoding="utf-8"))
    # The ranges admitting 0.3.0 only after the upper bound moved; the lower stays.
    openai = uv_workspace.root / "libs/partners/openai/pyproject.toml"
    assert 'dependencies = ["acme-core>=0.2,<0.4"]' in openai.read_text(encoding="utf-8")
    changelog = (uv_workspace.root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.index("## [0.3.0]") < changelog.index("## [0.2.0]")
    assert uv_workspace.git("diff", "--name-only").splitlines() == [
        "CHANGELOG.md",
        "libs/core/pyproject.toml",
        "libs/core/src/acme_core/__init__.py",
        "libs/partners/openai/pyproject.toml",
        "libs/partners/openai/src/acme_openai/__init__.py",
        "uv.lock",
    ]
    assert uv_workspace.git("ls-files", "--others", "--exclude-standard") == ""


def test_bump_says_when_the_uv_lock_cannot_be_refreshed(
    uv_workspace: ReleaseRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    config = uv_workspace.root / "pyproject.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("package = false\n", "package = false\nrequired-version = '>=999'\n")
    )
    uv_workspace.commit_all("Ask for a uv that does not exist")
    assert main(["bump", "patch", "--monorepo", str(uv_workspace.root)]) == 2
    said = capsys.readouterr().err
    assert f"{uv_workspace.root / 'uv.lock'}: the bump is written, but uv.lock is stale:" in said
    assert "lock` exited 2" in said
    assert "999" in said  # uv's own words
    assert f"run `uv lock` in {uv_workspace.root}, and commit uv.lock with the bump" in said
    assert "Traceback" not in said


# -- a PEP 440 repo with a stable line and a beta line ---------------------------------------

PEP440_ROOT = """\
[tool.pytest-release]
versioning = "independent"
version-scheme = "pep440"
tags = { acme-semconv = "semconv-v{version}" }
test-command = "pytest -q tests"
test-env = "fresh"
"""
PEP440_TEST = """\
import acme_api
import acme_sdk
import acme_semconv


def test_two_lines() -> None:
    assert acme_api.__version__.startswith("1.")
    assert acme_semconv.__version__.startswith("0.")
    assert acme_sdk.__version__ == acme_api.__version__
"""


def _two_lines(stable: str, beta: str) -> dict[str, str]:
    return _tree(
        {
            "packages/api": _package("acme-api", stable),
            "packages/semconv": _package("acme-semconv", beta, (f"acme-api == {stable}",)),
            "packages/sdk": _package(
                "acme-sdk", stable, (f"acme-api == {stable}", f"acme-semconv == {beta}")
            ),
        },
        {
            "pyproject.toml": PEP440_ROOT,
            "tests/test_lines.py": PEP440_TEST,
            "CHANGELOG.md": _changelog(stable, "1.43.0"),
        },
    )


def test_a_stable_line_and_a_beta_line_dry_run_to_the_rehearsal(
    tmp_path: Path, run_gates: GateRunner
) -> None:
    """1.44.0 and 0.65b0 released together: the 1.x line is the repository's release
    (v1.44.0), acme-semconv carries tags of its own form (semconv-v0.65b0)."""
    repo = _released_repo(
        tmp_path,
        _two_lines("1.43.0", "0.64b0"),
        _two_lines("1.44.0", "0.65b0"),
        ("v1.43.0", "semconv-v0.64b0"),
    )
    # The two lines meet every gate but the tests gate (the other shapes run that one).
    run = run_gates(repo.root, "-m", "not publish and not tests", "--release-version", "1.44.0")
    assert_dry_run_passes(run, ("acme-api", "acme-sdk", "acme-semconv"))


# -- versions computed from git tags ---------------------------------------------------------

VCS_ROOT = """\
[tool.pytest-release]
test-command = "pytest -q tests"
test-env = "fresh"
"""
VCS_TEST = """\
import acme_cli
import acme_core


def test_one_version() -> None:
    assert acme_cli.__version__ == acme_core.__version__
"""
VERSION_FROM_METADATA = (
    '"""{name}."""\n\nfrom importlib.metadata import version\n\n__version__ = version("{name}")\n'
)


def _computed(name: str, build_system: str, dependencies: tuple[str, ...] = ()) -> dict[str, str]:
    """A package whose version its build computes from the repository's git tags."""
    module = name.replace("-", "_")
    listed = ", ".join(f'"{dependency}"' for dependency in dependencies)
    pyproject = (
        f'{build_system}\n[project]\nname = "{name}"\ndynamic = ["version"]\n'
        f'description = "{name}, versioned by its tags."\nreadme = "README.md"\n'
        f'requires-python = ">=3.10"\nlicense = "MIT"\ndependencies = [{listed}]\n'
    )
    return {
        "pyproject.toml": pyproject,
        "README.md": f"# {name}\n",
        f"src/{module}/__init__.py": VERSION_FROM_METADATA.format(name=name),
    }


HATCH_VCS = """\
[build-system]
requires = ["hatchling>=1.24", "hatch-vcs>=0.4"]
build-backend = "hatchling.build"

[tool.hatch.version]
source = "vcs"
raw-options = { root = "../.." }

[tool.hatch.build.targets.wheel]
packages = ["src/acme_core"]
"""
SETUPTOOLS_SCM = """\
[build-system]
requires = ["setuptools>=77", "setuptools-scm>=8"]
build-backend = "setuptools.build_meta"

[tool.setuptools_scm]
root = "../.."
"""


# acme-app's pin on acme-core is written at build time by a hatchling metadata hook: only
# its backend can say it (the publish order must not fall back to the alphabet's app first).
PINNING_HOOK = """\
from hatchling.metadata.plugin.interface import MetadataHookInterface


class CustomMetadataHook(MetadataHookInterface):
    def update(self, metadata: dict) -> None:
        metadata["dependencies"] = [f"acme-core=={metadata['version']}"]
"""


def _pinned_by_a_hook() -> dict[str, str]:
    app = _computed("acme-app", HATCH_VCS.replace("acme_core", "acme_app"))
    app["pyproject.toml"] = (
        app["pyproject.toml"]
        .replace('dynamic = ["version"]', 'dynamic = ["version", "dependencies"]')
        .replace("dependencies = []\n", "")
        + "\n[tool.hatch.metadata.hooks.custom]\n"
    )
    return app | {"hatch_build.py": PINNING_HOOK}


def _vcs_repo(previous: str, release: str) -> dict[str, str]:
    return _tree(
        {
            "packages/core": _computed("acme-core", HATCH_VCS),
            "packages/cli": _computed("acme-cli", SETUPTOOLS_SCM, ("acme-core>=1.2,<2",)),
            "packages/app": _pinned_by_a_hook(),
        },
        {
            "pyproject.toml": VCS_ROOT,
            "tests/test_versions.py": VCS_TEST,
            "CHANGELOG.md": _changelog(release, previous),
        },
    )


def test_versions_from_git_tags_dry_run_to_the_rehearsal(
    tmp_path: Path, run_gates: GateRunner
) -> None:
    """hatch-vcs and setuptools-scm packages released from an untagged commit: the
    release version is every package's, the builds and the editable installs are told it,
    and the built metadata says it (not 1.2.1.dev1+g…). acme-app's pin, written by a
    metadata hook, is read from its backend and orders the release."""
    repo = _released_repo(tmp_path, _vcs_repo("1.1.0", "1.2.0"), _vcs_repo("1.1.0", "1.3.0"), ())
    repo.git("tag", "-a", "-m", "Release v1.2.0", "v1.2.0", "HEAD~1")
    repo.git("push", "-q", "origin", "v1.2.0")

    # Every gate but the tests gate, whose fresh venv is the editable gate's install again.
    run = run_gates(repo.root, "-m", "not publish and not tests", "--release-version", "1.3.0")

    assert "in publish order: acme-core 1.3.0, acme-app 1.3.0, acme-cli 1.3.0" in run.output
    assert_dry_run_passes(run, ("acme-app", "acme-cli", "acme-core"))
    installed = junit_properties(run)["test_installed_dist_is_the_uploaded_wheel[acme-core]"]
    assert ("rehearsal_version", "1.3.0") in installed


def test_versions_from_git_tags_need_the_release_version(
    tmp_path: Path, run_gates: GateRunner
) -> None:
    """The release's tag does not exist yet, so the version is the one the user gives."""
    repo = _released_repo(tmp_path, _vcs_repo("1.1.0", "1.2.0"), _vcs_repo("1.1.0", "1.3.0"), ())

    run = run_gates(repo.root, "-m", "versions")

    for case, outcome in run.outcomes().items():  # the packages cannot be read: each says why
        assert outcome in {"failed", "error"}, (case, outcome)
    said = run.message("test_publish_order")
    assert (
        "acme-app's dependencies are computed by its build backend, which needs its version" in said
    )
    assert "acme-app's version is computed by hatch-vcs at build time, so it is the release" in said
    assert "pytest release_tests --release-version X.Y.Z" in said
    assert "None" not in said


# -- test requirements in dependency groups --------------------------------------------------

GROUP_TEST = """\
import acme_lib
import acme_testkit


def test_the_kit_came_from_the_group() -> None:
    assert acme_testkit.KIT == "from the test group"
    assert acme_lib.__version__ == "1.1.0"
"""


def test_the_fresh_test_venv_has_the_dependency_groups(
    tmp_path: Path, run_gates: GateRunner
) -> None:
    """The suite needs acme-testkit, which only the root's PEP 735 `test` group names: the
    default fresh venv installs it beside the packages, editable."""
    kit = _package("acme-testkit", "0.1.0")
    kit["src/acme_testkit/__init__.py"] = 'KIT = "from the test group"\n'
    _write(tmp_path / "testkit", kit)
    root = (
        "[dependency-groups]\n"
        f'test = ["acme-testkit @ {(tmp_path / "testkit").as_uri()}"]\n'
        '\n[tool.pytest-release]\ntest-command = "pytest -q tests"\n'
    )

    def tree(version: str) -> dict[str, str]:
        return _tree(
            {"packages/lib": _package("acme-lib", version)},
            {"pyproject.toml": root, "tests/test_kit.py": GROUP_TEST},
        )

    repo = _released_repo(tmp_path, tree("1.0.0"), tree("1.1.0"), ("v1.0.0",))

    run = run_gates(repo.root, "-m", "tests")

    assert run.outcomes() == {"test_target_test_suite_is_green": "passed"}, run.output

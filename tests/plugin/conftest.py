"""Real target repositories for the plugin tests: a copy of the bundled example (or any
tree) committed to git, with a bare remote and a tagged previous release, all in tmp_path."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[2]
EXAMPLE = CHECKOUT / "examples" / "aetherflow"
SUITE = CHECKOUT / "release_tests"
PREVIOUS_VERSION, VERSION = "0.1.0", "0.2.0"
# The gates that read files and git only. Runs select them unless a test passes its own -m:
# the gates that make venvs and builds are exercised by their own tests.
QUICK_GATES = ("preflight", "versions", "changelog")

# Variables from the developer's or CI's environment that would change what the gates see.
ISOLATED_VARIABLES = (
    "TWINE_USERNAME",
    "TWINE_PASSWORD",
    "TWINE_REPOSITORY",
    "TWINE_REPOSITORY_URL",
    "GITHUB_TOKEN",
    "GITHUB_ACTIONS",
    "GITHUB_API_URL",
    "GITHUB_SERVER_URL",
    "GITHUB_RUN_ID",
    "GITHUB_STEP_SUMMARY",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "RELEASE_VERSION",
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
)


def git(cwd: Path, *args: str) -> str:
    completed = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, f"git {' '.join(args)} failed:\n{completed.stderr}"
    return completed.stdout.strip()


@dataclass
class ReleaseRepo:
    """A target work tree on branch main, pushed to a bare remote."""

    root: Path
    remote: Path

    def git(self, *args: str) -> str:
        return git(self.root, *args)

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def commit_all(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def push(self) -> None:
        self.git("push", "-q", "origin", "HEAD")


def _replace_versions(root: Path, old: str, new: str) -> None:
    """Rewrite a lockstep version in every pyproject.toml and __init__.py of the tree."""
    old_minor, new_minor = old.rsplit(".", 1)[0], new.rsplit(".", 1)[0]
    old_next = f"{old_minor.split('.')[0]}.{int(old_minor.split('.')[1]) + 1}"
    new_next = f"{new_minor.split('.')[0]}.{int(new_minor.split('.')[1]) + 1}"
    for path in [*root.rglob("pyproject.toml"), *root.rglob("__init__.py")]:
        text = path.read_text(encoding="utf-8")
        text = text.replace(f'"{old}"', f'"{new}"')
        text = text.replace(f">={old_minor},<{old_next}", f">={new_minor},<{new_next}")
        path.write_text(text, encoding="utf-8")


def make_release_repo(tree: Path, destination: Path) -> ReleaseRepo:
    """Commit ``tree`` as released PREVIOUS_VERSION (tag v…), then as VERSION, and push both."""
    root = destination / tree.name
    shutil.copytree(
        tree,
        root,
        ignore=shutil.ignore_patterns(
            "__pycache__", "*.egg-info", ".pytest_cache", "build", "dist"
        ),
    )
    remote = destination / f"{tree.name}-remote.git"
    git(destination, "init", "-q", "--bare", "-b", "main", str(remote))
    git(root, "init", "-q", "-b", "main")
    git(root, "remote", "add", "origin", str(remote))
    repo = ReleaseRepo(root, remote)
    _replace_versions(root, VERSION, PREVIOUS_VERSION)
    repo.commit_all(f"Release {PREVIOUS_VERSION}")
    repo.git("tag", f"v{PREVIOUS_VERSION}")
    _replace_versions(root, PREVIOUS_VERSION, VERSION)
    repo.commit_all(f"Release {VERSION}")
    repo.git("push", "-q", "--set-upstream", "origin", "main", "--tags")
    return repo


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A HOME, git identity and environment of the test's own, with no credentials in it."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for variable in ISOLATED_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Release Tester")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "tester@example.invalid")
    # Keep the machine's keyring out of it; tests that need one configure their own.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


@pytest.fixture
def release_repo(tmp_path: Path) -> ReleaseRepo:
    """The bundled example at VERSION, previous release tagged, pushed to a bare remote."""
    return make_release_repo(EXAMPLE, tmp_path / "work")


@dataclass
class GateRun:
    result: pytest.RunResult
    junit: Path

    @property
    def output(self) -> str:
        return self.result.stdout.str() + self.result.stderr.str()

    def outcomes(self) -> dict[str, str]:
        """Test case name (with parameters) -> passed / failed / skipped, from the JUnit file."""
        cases = ElementTree.parse(self.junit).getroot().iter("testcase")
        found: dict[str, str] = {}
        for case in cases:
            outcome = "passed"
            for child in case:
                if child.tag in {"failure", "error"}:
                    outcome = "failed"
                elif child.tag == "skipped":
                    outcome = "skipped"
            found[case.attrib["name"]] = outcome
        return found

    def message(self, case: str) -> str:
        """The failure or skip message JUnit holds for a test case."""
        for element in ElementTree.parse(self.junit).getroot().iter("testcase"):
            if element.attrib["name"] == case:
                for child in element:
                    if child.tag in {"failure", "error", "skipped"}:
                        return child.attrib.get("message", "") + "\n" + (child.text or "")
        raise AssertionError(f"no failure or skip recorded for {case}")


class GateRunner:
    """Runs the release suite, as a user's repo holds it, in a pytest subprocess."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        shutil.copytree(SUITE, pytester.path / "release_tests")
        # The user's side: a pytest config beside the suite, as strict as ours.
        pytester.makeini(
            "[pytest]\naddopts = --strict-markers --strict-config\nfilterwarnings = error\n"
        )

    def __call__(
        self, root: Path, *args: str, indexes: tuple[str, str] = ("local", "local")
    ) -> GateRun:
        junit = self.pytester.path / "release.xml"
        junit.unlink(missing_ok=True)
        selection = () if "-m" in args else ("-m", " or ".join(QUICK_GATES))
        result = self.pytester.runpytest_subprocess(
            "release_tests",
            *selection,
            f"--monorepo={root}",
            f"--junitxml={junit}",
            f"--testpypi={indexes[0]}",
            f"--pypi={indexes[1]}",
            "-rA",
            *args,
            timeout=300,
        )
        return GateRun(result, junit)


@pytest.fixture
def run_gates(pytester: pytest.Pytester) -> GateRunner:
    return GateRunner(pytester)

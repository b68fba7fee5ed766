"""Real target repositories for the plugin tests: a tree (the bundled example, or one of
``trees``) committed to git as a released previous version and a bumped release, with a
bare remote, all in tmp_path.

Making one costs a dozen git commands, so a session makes the example's once
(``make_release_repo``) and each test takes a copy of both repositories
(``copy_release_repo``): the same commits, its own files.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
EXAMPLE = CHECKOUT / "examples" / "aetherflow"
PREVIOUS_VERSION, VERSION = "0.1.0", "0.2.0"

# Build and cache artefacts a developer's run may have left in a tree that is copied.
LEFTOVERS = shutil.ignore_patterns("__pycache__", "*.egg-info", ".pytest_cache", "build", "dist")


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
    shutil.copytree(tree, root, ignore=LEFTOVERS)
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


def fresh_clone(repo: ReleaseRepo, folder: Path) -> ReleaseRepo:
    """A clone of ``repo``'s remote in ``folder``, as a CI job checks the commit out."""
    folder.mkdir(parents=True)
    git(folder, "clone", "-q", str(repo.remote), repo.root.name)
    return ReleaseRepo(folder / repo.root.name, repo.remote)


def copy_release_repo(template: ReleaseRepo, destination: Path) -> ReleaseRepo:
    """A copy of ``template``'s work tree and bare remote in ``destination``, under the same
    names, its origin pointed at the copied remote. The template is only read."""
    root = destination / template.root.name
    remote = destination / template.remote.name
    shutil.copytree(template.root, root, symlinks=True)
    shutil.copytree(template.remote, remote, symlinks=True)
    repo = ReleaseRepo(root, remote)
    repo.git("remote", "set-url", "origin", str(remote))
    return repo

"""The build cache: what its key holds, entries written whole and checked when reused, and
real builds reused by a second ``start_builds`` (a tiny in-tree backend, no index needed)."""

from __future__ import annotations

import dataclasses
import json
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from pytest_release.dists.build import cache_key, start_builds
from pytest_release.dists.build_cache import RECORD, BuildCache
from pytest_release.dists.files import file_sha256
from pytest_release.target.monorepo import read_monorepo
from pytest_release.target.vcs_version import ComputedVersion, VcsTool
from tests.unit.test_dists import git, package, write_files


def built_files(folder: Path) -> list[Path]:
    """An sdist and a wheel, as a build leaves them."""
    folder.mkdir(parents=True, exist_ok=True)
    sdist, wheel = folder / "a-1.0.tar.gz", folder / "a-1.0-py3-none-any.whl"
    sdist.write_bytes(b"sdist bytes")
    wheel.write_bytes(b"wheel bytes")
    return [sdist, wheel]


def leftovers(cache: BuildCache) -> list[str]:
    """Temporary or removed entries left in the cache folder."""
    return sorted(path.name for path in cache.folder.iterdir() if path.name.startswith("."))


# --- the key ----------------------------------------------------------------------------------


def test_the_key_changes_with_each_thing_a_build_depends_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "copy"
    write_files(copy, {"packages/core/pyproject.toml": "[project]\n", "LICENSE": "MIT\n"})
    core = package()
    epoch = {"SOURCE_DATE_EPOCH": "1700000000"}
    key = cache_key(copy, core, epoch)
    assert cache_key(copy, core, {**epoch, "UNRELATED": "x"}) == key  # the same inputs
    changed = {
        "epoch": cache_key(copy, core, {"SOURCE_DATE_EPOCH": "1700000001"}),
        "version": cache_key(copy, dataclasses.replace(core, version_text="1.2.1"), epoch),
        "backend": cache_key(copy, dataclasses.replace(core, build_backend="hatchling"), epoch),
    }
    (copy / "LICENSE").write_text("Apache-2.0\n", encoding="utf-8")  # a file of the copy
    changed["file"] = cache_key(copy, core, epoch)
    (copy / "LICENSE").write_text("MIT\n", encoding="utf-8")
    (copy / "packages/core/NEW").write_text("", encoding="utf-8")  # a file more
    changed["new file"] = cache_key(copy, core, epoch)
    (copy / "packages/core/NEW").unlink()
    assert cache_key(copy, core, epoch) == key
    monkeypatch.setattr(sys, "version", "3.99.0 (another Python)")
    changed["python"] = cache_key(copy, core, epoch)
    assert key not in changed.values()
    assert len(set(changed.values())) == len(changed)


def test_the_key_holds_the_variables_that_tell_the_version(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\n", encoding="utf-8")
    told = [
        dataclasses.replace(package(), computed_version=ComputedVersion(VcsTool.HATCH_ENV, name))
        for name in ("CORE_VERSION", "RELEASE_VERSION")
    ]
    assert told[0].version_override == {"CORE_VERSION": "1.2.0"}
    assert cache_key(tmp_path, told[0], {}) != cache_key(tmp_path, told[1], {})
    assert cache_key(tmp_path, told[0], {}) != cache_key(tmp_path, package(), {})


# --- entries ----------------------------------------------------------------------------------


def test_a_hit_copies_the_files_out_and_a_miss_says_so(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "cache")
    files = built_files(tmp_path / "built")
    cache.keep("k1", files)
    dest = tmp_path / "dest"
    dest.mkdir()
    assert cache.restore("other", dest) is None
    restored = cache.restore("k1", dest)
    assert restored is not None
    assert [path.name for path in restored] == sorted(path.name for path in files)
    assert [path.read_bytes() for path in restored] == [b"wheel bytes", b"sdist bytes"]
    record = json.loads((cache.folder / "k1" / RECORD).read_text(encoding="utf-8"))
    assert record == {"files": {path.name: file_sha256(path) for path in files}}
    assert leftovers(cache) == []


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda entry: (entry / "a-1.0.tar.gz").write_bytes(b"other"), id="bytes"),
        pytest.param(lambda entry: (entry / "a-1.0.tar.gz").unlink(), id="file-missing"),
        pytest.param(lambda entry: (entry / RECORD).write_text("{", encoding="utf-8"), id="record"),
        pytest.param(
            lambda entry: (entry / RECORD).write_text('{"files": {"../x": "0"}}', encoding="utf-8"),
            id="name-outside",
        ),
    ],
)
def test_a_damaged_entry_is_removed_and_nothing_of_it_is_left_in_the_destination(
    tmp_path: Path, damage: object
) -> None:
    cache = BuildCache(tmp_path / "cache")
    cache.keep("k1", built_files(tmp_path / "built"))
    assert callable(damage)
    damage(cache.folder / "k1")
    dest = tmp_path / "dest"
    dest.mkdir()
    assert cache.restore("k1", dest) is None
    assert list(dest.iterdir()) == []
    assert not (cache.folder / "k1").exists()
    assert leftovers(cache) == []
    cache.keep("k1", built_files(tmp_path / "built"))  # the next build keeps its files anew
    assert cache.restore("k1", dest) is not None


def test_an_entry_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "cache")
    files = built_files(tmp_path / "built")
    cache.keep("k1", [*files, tmp_path / "built" / "vanished.whl"])  # fails half-way
    assert list(cache.folder.iterdir()) == []
    cache.keep("k1", files)
    first = {path.name: path.stat().st_ino for path in (cache.folder / "k1").iterdir()}
    cache.keep("k1", files)  # another session kept the same key first: its entry stays
    assert {path.name: path.stat().st_ino for path in (cache.folder / "k1").iterdir()} == first
    assert leftovers(cache) == []


def test_sessions_keeping_one_key_at_once_leave_one_complete_entry(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "cache")
    files = built_files(tmp_path / "built")
    start = threading.Barrier(8)

    def keep() -> None:
        start.wait()
        cache.keep("k1", files)

    threads = [threading.Thread(target=keep) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [path.name for path in cache.folder.iterdir()] == ["k1"]
    dest = tmp_path / "dest"
    dest.mkdir()
    assert cache.restore("k1", dest) is not None


# --- real builds ------------------------------------------------------------------------------

BACKEND = """
    import pathlib, tarfile, zipfile
    def _count():
        with open("BUILDS", "a") as builds:
            builds.write("built\\n")
    def build_sdist(sdist_directory, config_settings=None):
        _count()
        name = "tiny-1.0.tar.gz"
        with tarfile.open(pathlib.Path(sdist_directory) / name, "w:gz") as archive:
            for path in ("pyproject.toml", "backend.py", "PKG-INFO", "tiny.py"):
                archive.add(path, arcname=f"tiny-1.0/{path}")
        return name
    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        name = "tiny-1.0-py3-none-any.whl"
        with zipfile.ZipFile(pathlib.Path(wheel_directory) / name, "w") as archive:
            archive.write("tiny.py")
            archive.writestr("tiny-1.0.dist-info/METADATA", pathlib.Path("PKG-INFO").read_text())
        return name
    """


def tiny_repo(tmp_path: Path) -> Path:
    """A project built by ``BACKEND``, which counts its builds in the copy it builds."""
    root = tmp_path / "repo"
    write_files(
        root,
        {
            "pyproject.toml": "[build-system]\nrequires = []\nbuild-backend = 'backend'\n"
            "backend-path = ['.']\n[project]\nname = 'tiny'\nversion = '1.0'\n",
            "backend.py": textwrap.dedent(BACKEND),
            "PKG-INFO": "Metadata-Version: 2.1\nName: tiny\nVersion: 1.0\n",
            "tiny.py": "",
        },
    )
    return root


@pytest.mark.slow
def test_a_second_build_of_the_same_sources_is_reused_and_a_changed_one_is_not(
    tmp_path: Path,
) -> None:
    root = tiny_repo(tmp_path)
    cache = BuildCache(tmp_path / "cache")
    monorepo = read_monorepo(root)

    (first,) = start_builds(monorepo, tmp_path / "out1", cache=cache).result().values()
    (again,) = start_builds(monorepo, tmp_path / "out2", cache=cache).result().values()
    (root / "tiny.py").write_text("VALUE = 1\n", encoding="utf-8")
    (changed,) = start_builds(monorepo, tmp_path / "out3", cache=cache).result().values()
    (uncached,) = start_builds(monorepo, tmp_path / "out4").result().values()

    assert (first.error, again.error, changed.error, uncached.error) == (None,) * 4
    assert (first.reused, again.reused, changed.reused, uncached.reused) == (
        False,
        True,
        False,
        False,
    )
    assert [path.name for path in again.files] == [path.name for path in first.files]
    assert [file_sha256(path) for path in again.files] == [file_sha256(p) for p in first.files]
    assert all(path.parent == tmp_path / "out2" / "tiny" / "dist" for path in again.files)
    assert again.source == tmp_path / "out2" / "tiny" / "source"
    # The backend ran for the first, the changed and the uncached build only.
    builds = [tmp_path / out / "tiny" / "source" / "BUILDS" for out in ("out1", "out2", "out3")]
    assert [path.is_file() for path in builds] == [True, False, True]


@pytest.mark.slow
def test_a_commit_that_leaves_the_package_alone_keeps_its_cached_build(tmp_path: Path) -> None:
    """The copy holds the root files the package names (its readme) and the licence, not
    the changelog; SOURCE_DATE_EPOCH is the last commit that changed the copy's paths."""
    root = tmp_path / "repo"
    tiny = tiny_repo(tmp_path / "member")
    pyproject = (tiny / "pyproject.toml").read_text(encoding="utf-8")
    files = {path.name: path.read_text(encoding="utf-8") for path in tiny.iterdir()}
    files["pyproject.toml"] = pyproject.replace(
        "version = '1.0'", "version = '1.0'\nreadme = '../../README.md'"
    )
    write_files(
        root,
        {
            **{f"packages/tiny/{name}": text for name, text in files.items()},
            "README.md": "# tiny\n",
            "CHANGELOG.md": "## 1.0\n",
            "LICENSE": "MIT\n",
        },
    )

    def commit(path: str, text: str) -> None:
        (root / path).write_text(text, encoding="utf-8")
        git(root, "add", "-A")
        git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", path)

    git(root, "init", "-q", "-b", "main")
    commit("CHANGELOG.md", "## 1.0\n")
    cache = BuildCache(tmp_path / "cache")
    monorepo = read_monorepo(root)
    (first,) = start_builds(monorepo, tmp_path / "out1", cache=cache).result().values()
    commit("CHANGELOG.md", "## 1.0\n\nFixed a line.\n")
    (after_changelog,) = start_builds(monorepo, tmp_path / "out2", cache=cache).result().values()
    commit("README.md", "# tiny, read me\n")
    (after_readme,) = start_builds(monorepo, tmp_path / "out3", cache=cache).result().values()

    assert (first.error, after_changelog.error, after_readme.error) == (None,) * 3
    assert (first.reused, after_changelog.reused, after_readme.reused) == (False, True, False)
    copy = tmp_path / "out1" / "tiny" / "source"
    assert sorted(path.name for path in copy.iterdir()) == ["LICENSE", "README.md", "packages"]


@pytest.mark.slow
def test_a_damaged_cached_file_is_built_again(tmp_path: Path) -> None:
    root = tiny_repo(tmp_path)
    cache = BuildCache(tmp_path / "cache")
    monorepo = read_monorepo(root)
    (first,) = start_builds(monorepo, tmp_path / "out1", cache=cache).result().values()
    (entry,) = cache.folder.iterdir()
    (entry / "tiny-1.0-py3-none-any.whl").write_bytes(b"not the wheel that was built")

    (rebuilt,) = start_builds(monorepo, tmp_path / "out2", cache=cache).result().values()
    (reused,) = start_builds(monorepo, tmp_path / "out3", cache=cache).result().values()

    assert (rebuilt.error, rebuilt.reused, reused.reused) == (None, False, True)
    assert first.error is None
    assert rebuilt.wheel is not None
    assert rebuilt.wheel.read_bytes() != b"not the wheel that was built"
    assert [file_sha256(path) for path in reused.files] == [
        file_sha256(path) for path in rebuilt.files
    ]

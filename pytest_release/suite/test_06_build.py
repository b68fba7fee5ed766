"""Gate 6, build: an sdist of every package and the wheel built from it, with pypa/build,
named for the release, carrying the pyproject's metadata, accepted by twine, holding the
right files; the wheel has every module of the tree's import packages, so the sdist it is
built from carries their sources."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from pytest_release.checklist import CHECKLIST_DETAIL
from pytest_release.dists import contents, files, metadata
from pytest_release.dists.build import BuiltPackage, twine_check
from pytest_release.dists.files import DistFile
from pytest_release.gate import fail_with, skip_blocked
from pytest_release.problems import Problem
from pytest_release.process import quoted
from pytest_release.target.monorepo import Monorepo, Package
from pytest_release.target.pyproject import relative

pytestmark = [pytest.mark.build]

NOT_BUILT = "not checked: the build produced no {} (see test_build_succeeds)"


@pytest.fixture
def built(release_package: Package, built_dists: Mapping[str, BuiltPackage]) -> BuiltPackage:
    """What the session's build made of this package."""
    return built_dists[release_package.name]


def read(path: Path | None, kind: str) -> DistFile:
    """The built file ``path`` read; skipped when the build made none, failed when unreadable."""
    if path is None:
        skip_blocked(NOT_BUILT.format(kind))
    found = files.read_dist(path)
    if isinstance(found, Problem):
        pytest.fail(found.render(), pytrace=False)
    return found


def test_build_succeeds(
    release_package: Package,
    built: BuiltPackage,
    built_dists: Mapping[str, BuiltPackage],
    monorepo: Monorepo,
    request: pytest.FixtureRequest,
) -> None:
    """``python -m build`` makes an sdist from the tree and the wheel from the sdist (or the
    build cache holds the files of an earlier build of the same sources: the checklist
    names the packages whose files were reused)."""
    if built.reused:
        reused = [
            f"{package.name} {package.version_text or ''}".rstrip()
            for package in monorepo.packages
            if built_dists[package.name].reused
        ]
        detail = f"reused from the build cache (sha256 checked): {', '.join(reused)}"
        request.node.user_properties.append((CHECKLIST_DETAIL, detail))
    if built.error is None:
        return
    folder = release_package.relative_folder(monorepo.root)
    fail_with(
        [
            Problem(
                what=f"the build failed: {built.error}",
                where=f"{release_package.name}, "
                f"{relative(release_package.pyproject, monorepo.root)}",
                fix=f"make `python -m build {folder}` succeed from a clean checkout: the "
                "backend's output above says what stopped it",
            )
        ]
    )


def test_one_sdist_and_one_wheel_named_for_the_release(
    release_package: Package, built: BuiltPackage
) -> None:
    if built.error is not None and (built.sdist is None or built.wheel is None):
        skip_blocked(NOT_BUILT.format("sdist and wheel"))
    fail_with(files.filename_problems(release_package, built.files))


def test_metadata_matches_pyproject(release_package: Package, built: BuiltPackage) -> None:
    """Name, version and requirements (extras included) of the wheel's METADATA and the
    sdist's PKG-INFO are those of pyproject.toml."""
    paths = [path for path in (built.wheel, built.sdist) if path is not None]
    if not paths:
        skip_blocked(NOT_BUILT.format("sdist or wheel"))
    dynamic = files.project_table(release_package).get("dynamic", [])
    fail_with(
        problem
        for path in paths
        for problem in metadata.metadata_problems(release_package, read(path, "file"), dynamic)
    )


def test_twine_check_passes(release_package: Package, built: BuiltPackage) -> None:
    paths = [path for path in (built.sdist, built.wheel) if path is not None]
    if not paths:
        skip_blocked(NOT_BUILT.format("sdist or wheel"))
    output = built.twine_output if built.twine_checked else twine_check(paths)
    if output is None:
        return
    fail_with(
        [
            Problem(
                what=f"`twine check --strict` rejects the files; it says:\n{quoted(output)}",
                where=f"{release_package.name}, {', '.join(path.name for path in paths)}",
                fix="fix what twine names; most often the README: it must render on PyPI "
                "(valid reStructuredText, or Markdown declared as such: readme = "
                '"README.md" in [project] sets the content type), and the metadata must '
                "carry no unknown or malformed field",
            )
        ]
    )


def test_wheel_holds_the_import_packages(release_package: Package, built: BuiltPackage) -> None:
    wheel = read(built.wheel, "wheel")
    fail_with(contents.import_package_problems(release_package, wheel))


def test_wheel_ships_no_stray_files(
    release_package: Package, built: BuiltPackage, monorepo: Monorepo
) -> None:
    """No tests, bytecode, VCS files, nor modules of another package of the repo."""
    wheel = read(built.wheel, "wheel")
    others = [package for package in monorepo.packages if package != release_package]
    fail_with(contents.stray_file_problems(release_package, others, wheel))


def test_sdist_holds_pyproject_and_license_files(
    release_package: Package, built: BuiltPackage
) -> None:
    sdist = read(built.sdist, "sdist")
    project = files.project_table(release_package)
    licenses, problems = contents.expected_license_files(release_package, project)
    fail_with([*problems, *contents.sdist_problems(release_package, sdist, licenses)])


def test_wheel_has_every_module_of_the_tree(
    release_package: Package, built: BuiltPackage, monorepo: Monorepo
) -> None:
    """The wheel, built from the sdist, has every module of the import packages the tree
    has, unless the sdist has its source (the wheel's settings left it out): a source the
    sdist lacks is a module no install has."""
    wheel, sdist = read(built.wheel, "wheel"), read(built.sdist, "sdist")
    if built.source is None:
        skip_blocked("not checked: the sources the files were built from are not at hand")
    modules = contents.tree_modules(monorepo, release_package, built.source)
    fail_with(contents.unbuilt_module_problems(release_package, modules, wheel, sdist))

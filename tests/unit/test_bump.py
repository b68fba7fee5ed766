"""bump.plan_bump on copies of the example: every edit, and every refusal, before writing."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from packaging.version import Version

from pytest_release.commands.bump import BumpError, BumpPlan, plan_bump
from pytest_release.settings import resolve_settings
from pytest_release.target.monorepo import read_monorepo
from tests.plugin.trees import copy_example

TODAY = date.today()


def _plan(
    root: Path, given: str, *, package: str | None = None, tags: tuple[str, ...] = ()
) -> BumpPlan:
    settings = resolve_settings(root, {}, {})
    monorepo = read_monorepo(root, settings.packages)
    return plan_bump(settings, monorepo, given, package=package, today=TODAY, tags=tags)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path)


def _edits(plan: BumpPlan) -> dict[str, tuple[str, str]]:
    return {e.path.relative_to(plan.root).as_posix(): (e.before, e.after) for e in plan.edits}


def test_minor_bump_of_the_example_changes_only_the_values(example: Path) -> None:
    plan = _plan(example, "minor", tags=("v0.1.0",))
    assert {name: str(new) for name, (_, new) in plan.versions.items()} == dict.fromkeys(
        ["aetherflow-core", "aetherflow-scheduler", "aetherflow"], "0.3.0"
    )
    edits = _edits(plan)
    assert sorted(edits) == [
        "CHANGELOG.md",
        "packages/aetherflow-core/pyproject.toml",
        "packages/aetherflow-core/src/aetherflow/core/__init__.py",
        "packages/aetherflow-scheduler/pyproject.toml",
        "packages/aetherflow-scheduler/src/aetherflow/scheduler/__init__.py",
        "packages/aetherflow/pyproject.toml",
        "packages/aetherflow/src/aetherflow/cli/__init__.py",
    ]
    for rel, (before, after) in edits.items():
        assert before == (example / rel).read_text(encoding="utf-8")  # nothing written yet
        if rel.endswith((".toml", ".py")):
            # Byte for byte the same file, but for the changed values.
            restored = after.replace('"0.3.0"', '"0.2.0"').replace(">=0.2,<0.4", ">=0.2,<0.3")
            assert restored == before, rel
    # Only the upper bound excluded 0.3.0: the lower one stays as written.
    scheduler = edits["packages/aetherflow-scheduler/pyproject.toml"][1]
    assert 'dependencies = ["aetherflow-core>=0.2,<0.4"]' in scheduler
    assert not plan.relock  # no uv.lock in the example


def test_write_then_read_gives_the_new_model(example: Path) -> None:
    _plan(example, "1.0.0rc1").write()
    monorepo = read_monorepo(example, ["packages/*"])
    assert {p.version_text for p in monorepo.packages} == {"1.0.0rc1"}
    requirements = {str(r) for p in monorepo.packages for r in monorepo.internal_requirements(p)}
    assert requirements == {"aetherflow-core<2.0,>=1.0.0rc1", "aetherflow-scheduler<2.0,>=1.0.0rc1"}
    changelog = (example / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [Unreleased]\n\n## [1.0.0rc1] - {TODAY.isoformat()}\n" in changelog


@pytest.mark.parametrize(
    ("given", "expected"), [("rc", "0.2.1rc1"), ("patch", "0.2.1"), ("0.2.0rc3", None)]
)
def test_rc_and_refusals_against_the_current_version(
    example: Path, given: str, expected: str | None
) -> None:
    if expected is None:
        with pytest.raises(BumpError, match=r"0\.2\.0rc3 is below the current version 0\.2\.0"):
            _plan(example, given)
        return
    plan = _plan(example, given)
    assert {str(new) for _, new in plan.versions.values()} == {expected}


def test_rc_on_an_rc(example: Path) -> None:
    _plan(example, "0.3.0rc1").write()
    plan = _plan(example, "rc")
    assert {str(new) for _, new in plan.versions.values()} == {"0.3.0rc2"}
    # The range the first candidate wrote admits the second: it is left as it is.
    assert "packages/aetherflow/pyproject.toml" in _edits(plan)
    meta = _edits(plan)["packages/aetherflow/pyproject.toml"][1]
    assert '"aetherflow-core>=0.3.0rc1,<0.4",' in meta


def test_a_version_at_or_below_the_last_tag_is_refused(example: Path) -> None:
    with pytest.raises(
        BumpError, match=r"0\.2\.1 is below the last release 0\.3\.0 \(tag v0\.3\.0\)"
    ):
        _plan(example, "patch", tags=("v0.3.0",))


def _set_core_version(example: Path, replacement: str) -> Path:
    pyproject = example / "packages" / "aetherflow-core" / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace('version = "0.2.0"\n', replacement), encoding="utf-8")
    return pyproject


def test_a_version_from_git_tags_is_not_bumped_the_tag_is_the_bump(example: Path) -> None:
    pyproject = _set_core_version(example, 'dynamic = ["version"]\n')
    text = pyproject.read_text(encoding="utf-8").replace(
        'requires = ["setuptools>=77"]', 'requires = ["setuptools>=77", "setuptools-scm>=8"]'
    )
    pyproject.write_text(text + "\n[tool.setuptools_scm]\n", encoding="utf-8")
    with pytest.raises(BumpError) as refused:
        _plan(example, "minor")
    said = str(refused.value)
    assert "aetherflow-core's version is computed by setuptools-scm from git tags" in said
    assert "the release's tag, which the tag gate makes, is the bump" in said
    assert "--release-version X.Y.Z" in said


def test_a_dynamic_version_from_a_file_is_rewritten_there(example: Path) -> None:
    pyproject = _set_core_version(example, 'dynamic = ["version"]\n')
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8")
        + '\n[tool.setuptools.dynamic]\nversion = {attr = "aetherflow.core.__version__"}\n',
        encoding="utf-8",
    )
    edits = _edits(_plan(example, "minor"))
    assert "packages/aetherflow-core/pyproject.toml" not in edits
    init = edits["packages/aetherflow-core/src/aetherflow/core/__init__.py"][1]
    assert '__version__ = "0.3.0"' in init


def test_package_alone_needs_independent_versioning(example: Path) -> None:
    with pytest.raises(BumpError, match="lockstep versioning releases every package"):
        _plan(example, "minor", package="aetherflow-core")


def test_one_package_of_an_independent_repo(example: Path) -> None:
    config = example / "pyproject.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('"lockstep"', '"independent"'), encoding="utf-8")
    plan = _plan(example, "minor", package="Aetherflow_Core")
    assert {name: str(new) for name, (_, new) in plan.versions.items()} == {
        "aetherflow-core": "0.3.0"
    }
    edits = _edits(plan)
    # Dependents not released keep their lower bound; only the excluding upper bound moves.
    assert '"aetherflow-core>=0.2,<0.4"' in edits["packages/aetherflow/pyproject.toml"][1]
    assert "CHANGELOG.md" not in edits  # the repository's release (its top package) is unchanged
    assert any("changelog is left" in note for note in plan.notes)


def test_a_range_that_cannot_admit_the_release_is_reported(example: Path) -> None:
    pyproject = example / "packages" / "aetherflow" / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(
        text.replace('"aetherflow-core>=0.2,<0.3"', '"aetherflow-core>=0.2,!=0.3.0"'),
        encoding="utf-8",
    )
    with pytest.raises(BumpError) as refused:
        _plan(example, "minor")
    message = str(refused.value)
    assert re.search(
        r"aetherflow requires aetherflow-core>=0\.2,!=0\.3\.0: .*cannot be widened", message
    )
    assert pyproject.read_text(encoding="utf-8") == text.replace(
        '"aetherflow-core>=0.2,<0.3"', '"aetherflow-core>=0.2,!=0.3.0"'
    )


def test_a_repo_with_a_uv_lock_is_relocked_after_the_edits(example: Path) -> None:
    (example / "uv.lock").write_text("version = 1\n", encoding="utf-8")
    plan = _plan(example, "patch")
    assert plan.relock
    assert "uv.lock: `uv lock` runs once the edits are written, to keep it in step" in plan.notes


def test_the_changelog_links_follow_the_meta_packages_own_tags(example: Path) -> None:
    config = example / "pyproject.toml"
    text = config.read_text(encoding="utf-8").replace(
        'tag = "v{version}"', 'tag = "{name}-v{version}"\ntags = { aetherflow = "{version}" }'
    )
    config.write_text(text, encoding="utf-8")
    changelog = example / "CHANGELOG.md"
    link = "https://github.com/example/aetherflow/compare/"
    changelog.write_text(
        changelog.read_text(encoding="utf-8").replace(
            f"{link}v0.2.0...HEAD", f"{link}0.2.0...HEAD"
        ),
        encoding="utf-8",
    )
    edited = _edits(_plan(example, "minor"))["CHANGELOG.md"][1]
    assert f"[Unreleased]: {link}0.3.0...HEAD\n[0.3.0]: {link}0.2.0...0.3.0\n" in edited


def test_diff_is_a_unified_diff_with_repo_paths(example: Path) -> None:
    diff = _plan(example, "patch").diff()
    assert (
        "--- a/packages/aetherflow-core/pyproject.toml\n"
        "+++ b/packages/aetherflow-core/pyproject.toml\n" in diff
    )
    assert '-version = "0.2.0"\n+version = "0.2.1"\n' in diff
    assert Version("0.2.1") in {new for _, new in _plan(example, "patch").versions.values()}

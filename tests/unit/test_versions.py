"""versions, version_scheme and internal_ranges: the schemes, tags and the last release, the
release version, ranges and extras."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from pytest_release.checks import internal_ranges, versions
from pytest_release.checks.version_scheme import release_triple, semver_problem, version_problem
from pytest_release.settings import TagFormat, VersionScheme, resolve_settings
from pytest_release.target.monorepo import Monorepo, Package


@pytest.mark.parametrize("text", ["0.0.0", "1.2.3", "10.20.30", "1.2.3a1", "1.2.3b2", "1.2.3rc1"])
def test_strict_semver_in_pep440_spelling_is_accepted(text: str) -> None:
    assert semver_problem(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1.2", "has 2 release parts"),
        ("1", "has 1 release parts"),
        ("1.2.3.4", "has 4 release parts"),
        ("v1.2.3", "starts with 'v'"),
        ("V1.2.3", "starts with 'v'"),
        ("1.2.3.post1", "post-release"),
        ("1.2.3.dev0", "development release"),
        ("1.2.3rc1.dev0", "development release"),
        ("1!1.2.3", "epoch"),
        ("1.2.3+local", "local part"),
        ("banana", "not a PEP 440 version"),
        ("1.2.3-rc1", "normal form: write 1.2.3rc1"),
        ("1.2.3RC1", "normal form: write 1.2.3rc1"),
        ("1.2.3c1", "normal form: write 1.2.3rc1"),
        ("01.2.3", "normal form: write 1.2.3"),
        ("1.2.3alpha1", "normal form: write 1.2.3a1"),
    ],
)
def test_other_forms_are_rejected_with_the_reason(text: str, reason: str) -> None:
    problem = semver_problem(text)
    assert problem is not None
    assert reason in problem


@pytest.mark.parametrize(
    ("text", "scheme", "reason"),
    [
        ("1.2.3", "semver", None),
        ("0.65b0", "semver", "has 2 release parts"),
        ("0.65b0", "pep440", None),
        ("1.45.0.dev0", "semver", "development release"),
        ("1.45.0.dev0", "pep440", None),
        ("2026.1", "semver", "has 2 release parts"),
        ("2026.1", "pep440", None),
        ("26.1.0", "pep440", None),
        ("1.2.3.4", "pep440", None),
        ("1.2.3.post1", "pep440", None),
        ("1!2.0", "pep440", None),
        ("1.2.3+local", "pep440", "local part ('+...'), which PyPI refuses"),
        ("banana", "pep440", "is not a PEP 440 version"),
    ],
)
def test_each_scheme_takes_its_own_versions(
    text: str, scheme: VersionScheme, reason: str | None
) -> None:
    problem = version_problem(text, scheme)
    assert (problem is None) == (reason is None), problem
    assert reason is None or reason in str(problem)


@pytest.mark.parametrize(
    ("text", "triple"),
    [("1.2.3", (1, 2, 3)), ("2026.1", (2026, 1, 0)), ("1.45.0.dev0", (1, 45, 0)),
     ("0.65b0", (0, 65, 0)), ("1.2.3.4", (1, 2, 3)), ("7", (7, 0, 0))],
)  # fmt: skip
def test_the_bump_size_rules_read_the_first_three_release_parts(
    text: str, triple: tuple[int, int, int]
) -> None:
    assert release_triple(Version(text)) == triple


@pytest.mark.parametrize(
    ("tags", "tag_format", "name", "expected"),
    [
        ([], "v{version}", "core", None),
        (["v0.1.0", "v0.2.0", "v0.10.0", "v0.9.0"], "v{version}", "core", ("0.10.0", "v0.10.0")),
        (["v1.0.0rc1", "v0.9.0"], "v{version}", "core", ("1.0.0rc1", "v1.0.0rc1")),
        (["release-1", "vnext", "v0.3.0"], "v{version}", "core", ("0.3.0", "v0.3.0")),
        (
            ["core-v1.2.0", "jobs-v3.0.0", "core-v1.10.0"],
            "{name}-v{version}",
            "core",
            ("1.10.0", "core-v1.10.0"),
        ),
        (["aetherflow-core-v0.2.0"], "{name}-v{version}", "aetherflow", None),
        (
            ["aetherflow_core-v0.2.0"],
            "{name}-v{version}",
            "aetherflow-core",
            ("0.2.0", "aetherflow_core-v0.2.0"),
        ),
        (["core/1.0.0", "1.1.0"], "{name}/{version}", "core", ("1.0.0", "core/1.0.0")),
    ],
    ids=[
        "no-tags",
        "highest-by-version-not-text",
        "pre-release-tag",
        "other-tags-ignored",
        "per-package",
        "no-prefix-confusion",
        "canonical-name-spelling",
        "slash-format",
    ],
)
def test_last_release_is_the_highest_matching_tag(
    tags: list[str], tag_format: str, name: str, expected: tuple[str, str] | None
) -> None:
    found = versions.last_release(tags, TagFormat(tag_format), name)
    assert found == (None if expected is None else (Version(expected[0]), expected[1]))


# langgraph's spelling: the main package's tags are bare versions, the others' name a part.
OWN_TAGS = TagFormat(
    "{name}=={version}",
    (("langgraph", "{version}"), ("langgraph-checkpoint", "checkpoint=={version}")),
)
LANGGRAPH_TAGS = ["0.6.7", "0.6.10", "checkpoint==4.2.0", "checkpoint==4.10.0", "cli==0.4.0",
                  "langgraph-cli==0.4.1"]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("langgraph", ("0.6.10", "0.6.10")),
        ("langgraph-checkpoint", ("4.10.0", "checkpoint==4.10.0")),
        ("Langgraph_Checkpoint", ("4.10.0", "checkpoint==4.10.0")),
        ("langgraph-cli", ("0.4.1", "langgraph-cli==0.4.1")),  # the global format
        ("langgraph-sdk", None),
    ],
)
def test_a_package_with_a_format_of_its_own_reads_its_own_tags(
    name: str, expected: tuple[str, str] | None
) -> None:
    found = versions.last_release(LANGGRAPH_TAGS, OWN_TAGS, name)
    assert found == (None if expected is None else (Version(expected[0]), expected[1]))


def _package(tmp_path: Path, name: str, version: str | None, *requirements: str) -> Package:
    folder = tmp_path / "packages" / name
    folder.mkdir(parents=True, exist_ok=True)
    pyproject = folder / "pyproject.toml"
    listed = "".join(f'    "{requirement}",\n' for requirement in requirements)
    pyproject.write_text(
        f'[project]\nname = "{name}"\nversion = "{version}"\ndependencies = [\n{listed}]\n',
        encoding="utf-8",
    )
    return Package(
        name=name,
        key=name,
        folder=folder,
        pyproject=pyproject,
        version_text=version,
        version_source=f"packages/{name}/pyproject.toml [project] version",
        dependencies=tuple(Requirement(r) for r in requirements),
    )


def _monorepo(tmp_path: Path, *packages: Package) -> Monorepo:
    return Monorepo(root=tmp_path, packages=packages)


@pytest.mark.parametrize(
    ("tag_format", "expected"),
    [
        ("v{version}", ["v1.4.0"]),
        ("release-{version}", ["release-1.4.0"]),
        ("{name}-v{version}", ["core-v1.4.0", "app-v0.9.0"]),
        ("{name}/{version}", ["core/1.4.0", "app/0.9.0"]),
    ],
)
def test_a_release_creates_one_tag_or_one_per_package_in_publish_order(
    tmp_path: Path, tag_format: str, expected: list[str]
) -> None:
    core = _package(tmp_path, "core", "1.4.0")
    app = _package(tmp_path, "app", "0.9.0", "core>=1.4")
    model = _monorepo(tmp_path, core, app)  # publish order
    assert (
        versions.release_tag_names(TagFormat(tag_format), model.packages, Version("1.4.0"))
        == expected
    )


@pytest.mark.parametrize(
    ("tag_format", "expected"),
    [
        (TagFormat("v{version}", (("core", "core=={version}"),)), ["core==1.4.0", "v0.9.0"]),
        (TagFormat("v{version}", (("app", "{version}"),)), ["v0.9.0", "0.9.0"]),
        (TagFormat("{name}-v{version}", (("app", "{version}"),)), ["core-v1.4.0", "0.9.0"]),
    ],
    ids=["own-and-repository", "repository-and-own", "named-and-own"],
)
def test_a_package_with_a_format_of_its_own_gets_its_own_tag(
    tmp_path: Path, tag_format: TagFormat, expected: list[str]
) -> None:
    core = _package(tmp_path, "core", "1.4.0")
    app = _package(tmp_path, "app", "0.9.0", "core>=1.4")
    model = _monorepo(tmp_path, core, app)
    assert versions.release_tag_names(tag_format, model.packages, Version("0.9.0")) == expected


def test_a_tags_entry_that_names_no_package_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest-release]\ntags = { core = "core=={version}", Cor_E2 = "{version}" }\n',
        encoding="utf-8",
    )
    settings = resolve_settings(tmp_path, {}, {})
    repo = _monorepo(tmp_path, _package(tmp_path, "core", "1.0.0"))
    (problem,) = versions.release_version(settings, repo).problems
    assert problem.what.startswith("tags gives 'cor-e2' the format '{version}', but 'cor-e2' is")
    assert "(core)" in problem.what
    assert problem.where == f"setting `tags` (from {tmp_path / 'pyproject.toml'})"


@pytest.mark.parametrize(
    ("requirement", "core_version", "excluded"),
    [
        ("core>=0.2,<0.3", "0.2.0", False),
        ("core>=0.1,<0.2", "0.2.0", True),
        ("core<0.3,>=0.2", "0.3.0", True),
        ("core==0.2.0", "0.2.0", False),
        ("core==0.2.0", "0.2.1", True),
        ("core==0.2.*", "0.2.7", False),
        ("core~=0.2.0", "0.2.5", False),
        ("core~=0.2.0", "0.3.0", True),
        ("core", "5.0.0", False),
        ("core>=0.2; python_version >= '3.8'", "0.2.0", False),
        ("core>=0.9", "1.0.0rc1", True),
        ("core", "1.0.0rc1", True),
        ("core>=1.0.0rc1,<2", "1.0.0rc1", False),
        ("core>=0.2,<0.3", "0.3.0rc1", True),
    ],
)
def test_an_internal_range_must_admit_the_new_version_as_pip_would(
    tmp_path: Path, requirement: str, core_version: str, excluded: bool
) -> None:
    core = _package(tmp_path, "core", core_version)
    app = _package(tmp_path, "app", "1.0.0", requirement)
    problems = internal_ranges.range_problems(_monorepo(tmp_path, core, app), app)
    assert bool(problems) == excluded
    if excluded:
        (problem,) = problems
        assert problem.what.startswith(f"app requires {requirement}, which excludes {core_version}")
        assert problem.where == "packages/app/pyproject.toml, line 5"
        assert f"admit {core_version}" in problem.fix


def test_a_pre_release_excluded_only_for_being_one_says_so(tmp_path: Path) -> None:
    core = _package(tmp_path, "core", "1.0.0rc1")
    app = _package(tmp_path, "app", "1.0.0", "core>=0.9")
    (problem,) = internal_ranges.range_problems(_monorepo(tmp_path, core, app), app)
    assert "a pre-release is chosen only where the range names a pre-release" in problem.what
    assert '"core>=1.0.0rc1,<2"' in problem.fix


def test_the_range_fix_suggests_a_range_around_the_new_version(tmp_path: Path) -> None:
    core = _package(tmp_path, "core", "2.1.0")
    app = _package(tmp_path, "app", "1.0.0", "core>=1.0,<2")
    (problem,) = internal_ranges.range_problems(_monorepo(tmp_path, core, app), app)
    assert '"core>=2.1,<3"' in problem.fix


def test_a_direct_reference_to_an_internal_package_is_refused(tmp_path: Path) -> None:
    core = _package(tmp_path, "core", "0.2.0")
    app = _package(tmp_path, "app", "0.2.0", "core @ file:///src/core")
    (problem,) = internal_ranges.range_problems(_monorepo(tmp_path, core, app), app)
    assert "direct reference, which PyPI refuses" in problem.what
    assert '"core>=0.2,<0.3"' in problem.fix


def test_lockstep_release_version_is_the_common_version(tmp_path: Path) -> None:
    repo = _monorepo(
        tmp_path, _package(tmp_path, "core", "0.2.0"), _package(tmp_path, "app", "0.2.0")
    )
    settings = resolve_settings(tmp_path, {}, {})
    assert versions.release_version(settings, repo) == versions.ReleaseVersion(Version("0.2.0"), ())


def test_lockstep_packages_at_different_versions_need_the_release_version(tmp_path: Path) -> None:
    repo = _monorepo(
        tmp_path, _package(tmp_path, "core", "0.2.0"), _package(tmp_path, "app", "0.1.0")
    )
    found = versions.release_version(resolve_settings(tmp_path, {}, {}), repo)
    assert found.version is None
    (problem,) = found.problems
    assert "not at one version: core 0.2.0, app 0.1.0" in problem.what
    assert "--release-version" in problem.fix


def test_lockstep_names_each_package_off_the_given_release_version(tmp_path: Path) -> None:
    repo = _monorepo(
        tmp_path, _package(tmp_path, "core", "0.2.0"), _package(tmp_path, "app", "0.1.0")
    )
    settings = resolve_settings(tmp_path, {"release-version": "0.2.0"}, {})
    found = versions.release_version(settings, repo)
    assert found.version == Version("0.2.0")
    (problem,) = found.problems
    assert problem.what == "app is at 0.1.0, but the release is 0.2.0 (lockstep versioning)"
    assert problem.where == "packages/app/pyproject.toml [project] version"


def test_a_release_version_that_is_not_strict_semver_is_a_problem(tmp_path: Path) -> None:
    repo = _monorepo(tmp_path, _package(tmp_path, "core", "1.2.0"))
    settings = resolve_settings(tmp_path, {"release-version": "v1.2.0"}, {})
    found = versions.release_version(settings, repo)
    assert found.version is None
    (problem,) = found.problems
    assert "the release version 'v1.2.0' starts with 'v'" in problem.what
    assert problem.where == "--release-version"


def test_independent_release_version_is_the_top_packages(tmp_path: Path) -> None:
    core = _package(tmp_path, "core", "1.4.0")
    app = _package(tmp_path, "app", "0.3.0", "core>=1.4")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest-release]\nversioning = "independent"\n', encoding="utf-8"
    )
    repo = _monorepo(tmp_path, core, app)
    agreeing = resolve_settings(tmp_path, {"release-version": "0.3.0"}, {})
    assert versions.release_version(agreeing, repo).problems == ()
    other = resolve_settings(tmp_path, {"release-version": "1.4.0"}, {})
    (problem,) = versions.release_version(other, repo).problems
    assert problem.what == "app is at 0.3.0, but the release is 1.4.0 (independent versioning)"
    not_given = versions.release_version(resolve_settings(tmp_path, {}, {}), repo)
    assert not_given == versions.ReleaseVersion(Version("0.3.0"), ())


@pytest.mark.parametrize(
    ("version", "tags", "tag_format", "expected"),
    [
        ("0.2.0", [], "v{version}", None),
        ("0.2.0", ["v0.1.0"], "v{version}", None),
        (
            "0.2.0",
            ["v0.2.0"],
            "v{version}",
            "core 0.2.0 is equal to the last release 0.2.0 (tag v0.2.0)",
        ),
        (
            "0.2.0",
            ["v0.3.0"],
            "v{version}",
            "core 0.2.0 is below the last release 0.3.0 (tag v0.3.0)",
        ),
        ("1.0.0", ["v1.0.0rc1"], "v{version}", None),
        ("1.0.0rc2", ["v1.0.0rc1"], "v{version}", None),
        (
            "0.2.0",
            ["core-v0.2.0", "v9.0.0"],
            "{name}-v{version}",
            "equal to the last release 0.2.0",
        ),
        ("0.2.0", ["other-v0.5.0"], "{name}-v{version}", None),
    ],
)
def test_a_version_must_be_above_the_last_release(
    tmp_path: Path, version: str, tags: list[str], tag_format: str, expected: str | None
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.pytest-release]\ntag = "{tag_format}"\n', encoding="utf-8"
    )
    settings = resolve_settings(tmp_path, {}, {})
    problems = versions.bump_problems(_package(tmp_path, "core", version), tags, settings)
    if expected is None:
        assert problems == []
    else:
        (problem,) = problems
        assert expected in problem.what
        assert "bump the version above" in problem.fix


def test_an_unreadable_version_is_one_problem_with_its_reason(tmp_path: Path) -> None:
    package = _package(tmp_path, "core", None)
    unreadable = Package(
        **{**package.__dict__, "version_text": None, "version_error": "setuptools-scm reads git"}
    )
    settings = resolve_settings(tmp_path, {}, {})
    (problem,) = versions.version_scheme_problems(unreadable, settings)
    assert "cannot be read: setuptools-scm reads git" in problem.what
    assert "static version" in problem.fix


@pytest.mark.parametrize(
    ("scheme", "version", "fix"),
    [
        ("semver", "0.65b0", "use strict SemVer in PEP 440's spelling: MAJOR.MINOR.PATCH"),
        ("semver", "0.65b0", 'set version-scheme = "pep440"'),
        ("pep440", "0.65b0", None),
        ("pep440", "1.45.0.dev0", None),
        ("pep440", "1.0+local", "use a public PEP 440 version: a final, pre-, post- or"),
    ],
)
def test_a_package_version_follows_the_version_scheme(
    tmp_path: Path, scheme: str, version: str, fix: str | None
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.pytest-release]\nversion-scheme = "{scheme}"\n', encoding="utf-8"
    )
    settings = resolve_settings(tmp_path, {}, {})
    problems = versions.version_scheme_problems(_package(tmp_path, "core", version), settings)
    if fix is None:
        assert problems == []
    else:
        (problem,) = problems
        assert fix in problem.fix


@pytest.mark.parametrize(
    ("scheme", "given", "reason"),
    [("semver", "0.65b0", "has 2 release parts"), ("pep440", "0.65b0", None),
     ("pep440", "2026.1", None), ("pep440", "1.0+local", "has a local part")],
)  # fmt: skip
def test_a_given_release_version_follows_the_version_scheme(
    tmp_path: Path, scheme: str, given: str, reason: str | None
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.pytest-release]\nversion-scheme = "{scheme}"\nversioning = "independent"\n',
        encoding="utf-8",
    )
    settings = resolve_settings(tmp_path, {"release-version": given}, {})
    repo = _monorepo(tmp_path, _package(tmp_path, "core", given))
    found = versions.release_version(settings, repo)
    if reason is None:
        assert found == versions.ReleaseVersion(Version(given), ())
    else:
        (problem,) = found.problems
        assert f"the release version '{given}' {reason}" in problem.what


def test_an_extra_that_cannot_be_satisfied_is_named(tmp_path: Path) -> None:
    core = _package(tmp_path, "core", "1.0.0")
    core = Package(**{**core.__dict__, "optional_dependencies": {"fast": (Requirement("app>=2"),)}})
    app = _package(tmp_path, "app", "1.0.0", "core[fast,slow]>=1")
    repo = _monorepo(tmp_path, core, app)
    (missing,) = internal_ranges.range_problems(repo, app)
    assert missing.what.startswith("app requires core[fast,slow]>=1, but core has no extra 'slow'")
    assert "(its extras: fast)" in missing.what
    (excluding,) = internal_ranges.range_problems(repo, core)
    assert excluding.what.startswith("core[fast] requires app>=2, which excludes 1.0.0")


def test_a_satisfiable_extra_is_not_named(tmp_path: Path) -> None:
    core = _package(tmp_path, "core", "1.0.0")
    core = Package(**{**core.__dict__, "optional_dependencies": {"app": (Requirement("app"),)}})
    app = _package(tmp_path, "app", "1.0.0", "core[app]>=1")
    repo = _monorepo(tmp_path, core, app)
    assert internal_ranges.range_problems(repo, core) == []
    assert internal_ranges.range_problems(repo, app) == []

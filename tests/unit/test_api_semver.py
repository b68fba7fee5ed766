"""The SemVer rule of the api gate: which release a breaking or additive change needs."""

from __future__ import annotations

import pytest
from packaging.version import Version

from pytest_release.api.difference import ApiChange, ApiDifference, Level
from pytest_release.api.semver import Bump, bump_needed, bump_of, semver_problems

REMOVED = ApiChange(
    "breaking", "run", "removed", "src/pkg/api.py, line 3 at v1.4.0", "run() -> None", None
)
ADDED = ApiChange(
    "additive", "pause", "new public name", "src/pkg/api.py, line 9", None, "pause() -> None"
)


@pytest.mark.parametrize(
    ("previous", "release", "bump"),
    [
        ("1.4.2", "2.0.0", "major"),
        ("1.4.2", "2.0.0rc1", "major"),
        ("1.4.2", "1.5.0", "minor"),
        ("1.4.2", "1.5.0b1", "minor"),
        ("1.4.2", "1.4.3", "patch"),
        ("0.1.0", "0.2.0", "minor"),
        ("0.1.0", "0.1.1", "patch"),
        ("0.9.3", "1.0.0", "major"),
        ("2.0.0rc1", "2.0.0", "major"),  # the major release that rc led to
        ("2.0.0rc1", "2.0.0rc2", "major"),
        ("1.5.0rc1", "1.5.0", "minor"),
        ("1.4.2", "1.4.3rc1", "patch"),
        # pep440 versions: the first three release parts, zeros filling in
        ("1.44.0", "1.45.0.dev0", "minor"),
        ("0.64b0", "0.65b0", "minor"),
        ("0.65b0", "0.65b1", "minor"),  # leads to the same minor release as 0.65b0
        ("2026.1", "2026.2", "minor"),
        ("2026.1", "2027.1", "major"),
        ("1.2.3", "1.2.3.1", "patch"),
        ("1.2.3", "1.2.3.post1", "patch"),
        ("1.2.3.4", "1.3", "minor"),
    ],
)
def test_bump_of(previous: str, release: str, bump: Bump) -> None:
    assert bump_of(Version(previous), Version(release)) == bump


@pytest.mark.parametrize(
    ("level", "previous", "strict_zero", "needed"),
    [
        ("breaking", "1.4.2", False, "major"),
        ("breaking", "1.4.2", True, "major"),
        ("breaking", "0.4.2", False, "minor"),
        ("breaking", "0.4.2", True, "major"),
        ("additive", "1.4.2", False, "minor"),
        ("additive", "0.4.2", True, "minor"),
        ("none", "1.4.2", False, "patch"),
        ("breaking", "0.65b0", False, "minor"),  # a 0.x line, whatever its scheme
        ("breaking", "2026.1", False, "major"),
    ],
)
def test_bump_needed(level: Level, previous: str, strict_zero: bool, needed: Bump) -> None:
    assert bump_needed(level, Version(previous), strict_zero=strict_zero) == needed


@pytest.mark.parametrize(
    ("changes", "previous", "release", "strict_zero", "says"),
    [
        pytest.param(
            (REMOVED,),
            "1.4.0",
            "1.5.0",
            False,
            "1.5.0 is a minor release after 1.4.0, and a breaking change needs a major one; "
            "release it as 2.0.0 (at least a major bump)",
            id="break-on-minor",
        ),
        pytest.param((REMOVED,), "1.4.0", "2.0.0", False, None, id="break-on-major"),
        pytest.param(
            (REMOVED,),
            "0.4.0",
            "0.4.1",
            False,
            "(on 0.y.z); release it as 0.5.0 (at least a minor bump)",
            id="break-on-zero-patch",
        ),
        pytest.param((REMOVED,), "0.4.0", "0.5.0", False, None, id="break-on-zero-minor"),
        pytest.param(
            (REMOVED,),
            "0.4.0",
            "0.5.0",
            True,
            "(strict-zero is set); release it as 1.0.0 (at least a major bump)",
            id="break-on-zero-minor-strict",
        ),
        pytest.param((REMOVED,), "0.4.0", "1.0.0", True, None, id="break-on-first-major-strict"),
        pytest.param(
            (ADDED,),
            "1.4.0",
            "1.4.1",
            False,
            "1.4.1 is a patch release after 1.4.0, and an additive change needs a minor one; "
            "release it as 1.5.0",
            id="addition-on-patch",
        ),
        pytest.param((ADDED,), "1.4.0", "1.5.0", False, None, id="addition-on-minor"),
        pytest.param(
            (ADDED,), "0.4.0", "0.4.1", True, "release it as 0.5.0", id="addition-on-zero-patch"
        ),
        pytest.param((), "1.4.0", "1.4.1", False, None, id="nothing-on-patch"),
        pytest.param((REMOVED,), "2.0.0rc1", "2.0.0", False, None, id="break-on-the-rc-major"),
    ],
)
def test_semver_problems(
    changes: tuple[ApiChange, ...],
    previous: str,
    release: str,
    strict_zero: bool,
    says: str | None,
) -> None:
    difference = ApiDifference("pkg.api", f"v{previous}", changes)

    problems = semver_problems(
        difference, Version(release), Version(previous), strict_zero=strict_zero
    )

    if says is None:
        assert problems == []
    else:
        (problem,) = problems
        assert says in f"{problem.what.splitlines()[-1].strip()}; {problem.fix}"


def test_a_problem_names_the_change_where_it_is_and_its_signatures() -> None:
    difference = ApiDifference("pkg.api", "v1.4.0", (REMOVED, ADDED))

    (problem,) = semver_problems(difference, Version("1.4.1"), Version("1.4.0"), strict_zero=False)

    assert problem.where == "src/pkg/api.py, line 3 at v1.4.0"
    assert problem.what.splitlines()[:2] == ["pkg.api.run: removed", "  before: run() -> None"]
    assert "or keep run compatible" in problem.fix

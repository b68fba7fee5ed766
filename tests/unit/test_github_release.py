"""The GitHub release step: which releases a release makes, their notes from the changelog,
the pre-release flag, what a resumed run changes, and the requests against a real HTTP
server on the loopback interface that keeps releases as GitHub does."""

from __future__ import annotations

import gc
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from pytest_release.checks.changelog import Markup
from pytest_release.checks.github_api import GitHubRepository
from pytest_release.publish.github_release import (
    GitHubReleases,
    NoGitHubRelease,
    ReleaseDone,
    ReleasePlan,
    WantedRelease,
    plan_release,
    publish_releases,
    releases_of,
    uploads_take_the_token,
)
from pytest_release.publish.github_release_notes import (
    GitHubReleaseError,
    NotesSource,
    PlannedRelease,
    planned_releases,
    release_notes,
    section_text,
)
from pytest_release.settings import Settings, resolve_settings
from tests.plugin.fake_github import REPOSITORY, FakeGitHub, serve_fake_github
from tests.plugin.repos import git
from tests.unit.test_report import package

TOKEN = "ghp_releaseStepToken0doNotPrint0987654"
SERVER = "https://github.com"
RELEASE = Version("0.2.0")
CHANGELOG = """\
# Changelog

## [Unreleased]

## [0.2.0] - 2026-11-20

### Added
- Steps can depend on earlier steps with `needs:`.

```text
## 9.9.9 in a fence is no heading
```

### Fixed
- `aetherflow run` exits with status 1 when a step fails.

## [0.1.0] - 2026-10-01

### Added
- First release.

[0.2.0]: https://github.com/acme/aetherflow/compare/v0.1.0...v0.2.0
[0.1.0]: https://github.com/acme/aetherflow/releases/tag/v0.1.0
"""
NOTES_0_2_0 = """\
### Added
- Steps can depend on earlier steps with `needs:`.

```text
## 9.9.9 in a fence is no heading
```

### Fixed
- `aetherflow run` exits with status 1 when a step fails."""
RST_CHANGELOG = """\
=========
Changelog
=========

0.2.0 (2026-11-20)
==================

Added
-----
- Connectors.

=====
0.1.0
=====

- First release.
"""


def _settings(root: Path, table: str = "") -> Settings:
    (root / "pyproject.toml").write_text(f"[tool.pytest-release]\n{table}\n", encoding="utf-8")
    return resolve_settings(root, {}, {})


# --- which releases, and their notes -------------------------------------------------------


def test_one_tag_for_the_repository_is_one_release_of_everypackage(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    packages = [package(tmp_path, name, "0.2.0") for name in ("core", "app")]

    assert planned_releases(settings, packages, RELEASE, tmp_path) == [
        PlannedRelease("v0.2.0", RELEASE, ("core", "app"), (NotesSource("CHANGELOG.md", RELEASE),))
    ]


def test_per_package_tags_are_one_release_each_with_its_own_changelog_and_version(
    tmp_path: Path,
) -> None:
    settings = _settings(
        tmp_path,
        'versioning = "independent"\ntag = "{name}-v{version}"\nchangelog = "{folder}/CHANGES.md"',
    )
    core, app = package(tmp_path, "core", "1.4.0rc1"), package(tmp_path, "app", "0.9.0")

    planned = planned_releases(settings, [core, app], Version("1.4.0rc1"), tmp_path)

    assert planned == [
        PlannedRelease(
            "core-v1.4.0rc1",
            Version("1.4.0rc1"),
            ("core",),
            (NotesSource("packages/core/CHANGES.md", Version("1.4.0rc1"), "core"),),
        ),
        PlannedRelease(
            "app-v0.9.0",
            Version("0.9.0"),
            ("app",),
            (NotesSource("packages/app/CHANGES.md", Version("0.9.0"), "app"),),
        ),
    ]
    assert [release.prerelease for release in planned] == [True, False]


def test_a_shared_tag_with_a_changelog_per_package_gathers_their_sections(tmp_path: Path) -> None:
    settings = _settings(tmp_path, 'changelog = "{folder}/CHANGELOG.md"')
    packages = [package(tmp_path, name, "0.2.0") for name in ("core", "app")]
    for name, entry in (("core", "- Connectors."), ("app", "- A `plan` command.")):
        folder = tmp_path / "packages" / name
        folder.mkdir(parents=True)
        (folder / "CHANGELOG.md").write_text(f"## 0.2.0 - 2026-11-20\n\n### Added\n{entry}\n")

    (planned,) = planned_releases(settings, packages, RELEASE, tmp_path)

    assert release_notes(tmp_path, planned) == (
        "## core\n\n### Added\n- Connectors.\n\n## app\n\n### Added\n- A `plan` command."
    )


def test_without_a_changelog_github_writes_the_notes(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "changelog = false")
    (planned,) = planned_releases(settings, [package(tmp_path, "app", "0.2.0")], RELEASE, tmp_path)

    assert planned.notes_from == ()
    assert release_notes(tmp_path, planned) is None
    assert WantedRelease(planned.tag, None, False).to_create() == {
        "tag_name": "v0.2.0",
        "name": "v0.2.0",
        "generate_release_notes": True,
        "prerelease": False,
    }


@pytest.mark.parametrize(
    ("version", "prerelease"),
    [
        ("1.4.0", False),
        ("1.4.0a1", True),
        ("1.4.0b2", True),
        ("1.4.0rc1", True),
        ("1.4.0.dev3", True),
        ("1.4.0.post1", False),
        ("2026.1", False),
    ],
)
def test_pre_releases_are_marked(version: str, prerelease: bool) -> None:
    assert PlannedRelease(f"v{version}", Version(version), ("app",), ()).prerelease is prerelease


def test_the_notes_are_the_section_as_written() -> None:
    assert section_text(CHANGELOG, Markup.MARKDOWN, RELEASE) == NOTES_0_2_0


def test_the_last_section_keeps_the_link_references_github_renders_as_links() -> None:
    assert section_text(CHANGELOG, Markup.MARKDOWN, Version("0.1.0")) == (
        "### Added\n- First release.\n\n"
        "[0.2.0]: https://github.com/acme/aetherflow/compare/v0.1.0...v0.2.0\n"
        "[0.1.0]: https://github.com/acme/aetherflow/releases/tag/v0.1.0"
    )


def test_an_rst_section_leaves_out_the_title_adornments() -> None:
    assert section_text(RST_CHANGELOG, Markup.RST, RELEASE) == "Added\n-----\n- Connectors."
    assert section_text(RST_CHANGELOG, Markup.RST, Version("0.1.0")) == "- First release."


def test_a_missing_section_is_none_and_fails_the_notes(tmp_path: Path) -> None:
    (tmp_path / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    planned = PlannedRelease(
        "v0.3.0", Version("0.3.0"), ("app",), (NotesSource("CHANGELOG.md", Version("0.3.0")),)
    )

    assert section_text(CHANGELOG, Markup.MARKDOWN, Version("0.3.0")) is None
    with pytest.raises(GitHubReleaseError) as raised:
        release_notes(tmp_path, planned)
    assert raised.value.what == "CHANGELOG.md has no section for 0.3.0, the notes of v0.3.0"


# --- what a resumed run changes -------------------------------------------------------------


def _files(tmp_path: Path, *names: str) -> tuple[Path, ...]:
    paths = []
    for name in names:
        path = tmp_path / name
        path.write_bytes(name.encode())
        paths.append(path)
    return tuple(paths)


def _existing(sizes: dict[str, int], body: str = "notes") -> dict[str, Any]:
    """GitHub's release of the tag, holding files of these names and sizes."""
    assets = [{"name": name, "size": size} for name, size in sizes.items()]
    return {"id": 7, "body": body, "prerelease": False, "assets": assets, "html_url": "u"}


def test_no_release_yet_is_made_with_every_file(tmp_path: Path) -> None:
    files = _files(tmp_path, "a.whl", "a.tar.gz")
    wanted = WantedRelease("v1.0.0", "notes", False, files)

    assert plan_release(wanted, None, {}) == ReleasePlan(True, uploads=files)


def test_a_release_as_wanted_is_left_alone(tmp_path: Path) -> None:
    whl, sdist = _files(tmp_path, "a.whl", "a.tar.gz")
    wanted = WantedRelease("v1.0.0", "notes\n", False, (whl, sdist))
    sizes = {whl: 5, sdist: 8}
    existing = _existing({"a.whl": 5, "a.tar.gz": 8}, "notes\r\n")

    assert plan_release(wanted, existing, sizes) == ReleasePlan(
        False, {}, (), ("a.whl", "a.tar.gz")
    )


def test_other_notes_a_flag_and_a_missing_file_are_brought_up_to_date(tmp_path: Path) -> None:
    whl, sdist = _files(tmp_path, "a.whl", "a.tar.gz")
    wanted = WantedRelease("v1.0.0rc1", "new notes", True, (whl, sdist))

    plan = plan_release(wanted, _existing({"a.whl": 5}, "old notes"), {whl: 5, sdist: 8})

    assert plan == ReleasePlan(
        False, {"body": "new notes", "prerelease": True}, (sdist,), ("a.whl",)
    )


def test_generated_notes_of_a_release_are_left_alone(tmp_path: Path) -> None:
    wanted = WantedRelease("v1.0.0", None, False)

    assert plan_release(wanted, _existing({}, "what GitHub wrote"), {}) == ReleasePlan(False, {})


def test_a_file_of_the_name_with_another_size_is_refused(tmp_path: Path) -> None:
    (whl,) = _files(tmp_path, "a.whl")
    wanted = WantedRelease("v1.0.0", "notes", False, (whl,))

    with pytest.raises(GitHubReleaseError) as raised:
        plan_release(wanted, _existing({"a.whl": 99}), {whl: 5})

    assert "a.whl of 99 bytes (this release's: 5)" in raised.value.what
    assert "delete those files from the release" in raised.value.fix


# --- against the loopback GitHub -------------------------------------------------------------


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    for variable in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(variable, raising=False)  # the loopback server is asked directly
    with serve_fake_github() as fake:
        yield fake
    gc.collect()  # a response left open surfaces here, in the test that leaked it


def _client(url: str) -> GitHubReleases:
    owner, name = REPOSITORY.split("/")
    return GitHubReleases(url, GitHubRepository(owner, name), TOKEN)


def _release_of(tmp_path: Path, version: str = "0.2.0") -> PlannedRelease:
    (tmp_path / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    return PlannedRelease(
        f"v{version}", Version(version), ("app",), (NotesSource("CHANGELOG.md", RELEASE),)
    )


def test_a_release_is_made_then_found_as_it_is(github: FakeGitHub, tmp_path: Path) -> None:
    planned = [_release_of(tmp_path, "0.2.0rc1")]
    files = {"app": _files(tmp_path, "app-0.2.0rc1-py3-none-any.whl", "app-0.2.0rc1.tar.gz")}

    made = publish_releases(_client(github.url), planned, tmp_path, files, SERVER)
    again = publish_releases(_client(github.url), planned, tmp_path, files, SERVER)

    release = github.releases["v0.2.0rc1"]
    assert (release["body"], release["prerelease"], release["name"]) == (
        NOTES_0_2_0,
        True,
        "v0.2.0rc1",
    )
    assert github.attached == {f"v0.2.0rc1/{path.name}": path.read_bytes() for path in files["app"]}
    names = tuple(path.name for path in files["app"])
    url = release["html_url"]
    assert made == [ReleaseDone("v0.2.0rc1", url, "created", True, uploaded=names)]
    assert again == [ReleaseDone("v0.2.0rc1", url, "unchanged", True, kept=names)]
    releases = f"/repos/{REPOSITORY}/releases"
    assert github.release_requests == [
        f"GET {releases}/tags/v0.2.0rc1",
        f"POST {releases}",
        f"POST /uploads{releases}/1/assets",
        f"POST /uploads{releases}/1/assets",
        f"GET {releases}/tags/v0.2.0rc1",
    ]
    assert github.authorizations == {f"Bearer {TOKEN}"}


def test_a_release_with_other_notes_is_updated(github: FakeGitHub, tmp_path: Path) -> None:
    github.add_release("v0.2.0", body="Draft notes", prerelease=True)

    done = publish_releases(_client(github.url), [_release_of(tmp_path)], tmp_path, {}, SERVER)

    assert [each.action for each in done] == ["updated"]
    assert (github.releases["v0.2.0"]["body"], github.releases["v0.2.0"]["prerelease"]) == (
        NOTES_0_2_0,
        False,
    )
    assert github.release_requests[-1] == f"PATCH /repos/{REPOSITORY}/releases/1"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (401, "GitHub rejected the token (expired, revoked or mistyped)"),
        (403, f"the token may not write the releases of {REPOSITORY}"),
        (422, "GitHub refused what was sent"),
    ],
)
def test_a_refusal_says_what_github_said_and_how_to_finish(
    github: FakeGitHub, tmp_path: Path, code: int, words: str
) -> None:
    github.release_error_status = code

    with pytest.raises(GitHubReleaseError) as raised:
        publish_releases(_client(github.url), [_release_of(tmp_path)], tmp_path, {}, SERVER)

    error = raised.value
    assert words in error.what
    assert f"HTTP {code}" in error.what
    assert error.where == f"{REPOSITORY}, release v0.2.0"
    assert f"{SERVER}/{REPOSITORY}/releases/new?tag=v0.2.0" in error.fix
    assert TOKEN not in f"{error.what} {error.fix}"


def test_a_failure_names_the_releases_made_before_it(github: FakeGitHub, tmp_path: Path) -> None:
    """A draft holding the second tag: GitHub refuses to make its release (422)."""
    github.add_release("v0.1.0", draft=True)
    first = _release_of(tmp_path)
    second = PlannedRelease("v0.1.0", Version("0.1.0"), ("core",), ())

    with pytest.raises(GitHubReleaseError) as raised:
        publish_releases(_client(github.url), [first, second], tmp_path, {}, SERVER)

    what = raised.value.what
    assert what.startswith("the GitHub release of v0.1.0 was not made: GitHub refused")
    assert "HTTP 422 Unprocessable Entity: Validation Failed (already_exists: tag_name)" in what
    assert "(done before it: release v0.2.0 created: https://github.com/" in what


def test_an_unreachable_api_is_said_so(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on once the socket is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(GitHubReleaseError) as raised:
        publish_releases(
            _client(f"http://127.0.0.1:{port}"), [_release_of(tmp_path)], tmp_path, {}, SERVER
        )

    assert "GitHub's API could not be reached" in raised.value.what
    assert f"check GITHUB_API_URL (http://127.0.0.1:{port})" in raised.value.fix


def test_files_go_only_to_githubs_own_upload_host(github: FakeGitHub, tmp_path: Path) -> None:
    github.add_release("v0.2.0", body=NOTES_0_2_0, upload_url="https://elsewhere.example/up{?name}")
    (wheel,) = _files(tmp_path, "app-0.2.0-py3-none-any.whl")

    with pytest.raises(GitHubReleaseError) as raised:
        publish_releases(
            _client(github.url), [_release_of(tmp_path)], tmp_path, {"app": [wheel]}, SERVER
        )

    assert "not its own upload host: the token was not sent there" in raised.value.what
    assert [r.path for r in github.received] == [f"/repos/{REPOSITORY}/releases/tags/v0.2.0"]


@pytest.mark.parametrize(
    ("upload_url", "api_url", "allowed"),
    [
        ("https://uploads.github.com/repos/o/r/releases/1/assets", "https://api.github.com", True),
        (
            "https://ghe.example/api/uploads/repos/o/r/releases/1/assets",
            "https://ghe.example/api/v3",
            True,
        ),
        ("http://127.0.0.1:8000/uploads/1/assets", "http://127.0.0.1:8000", True),
        ("http://uploads.github.com/repos/o/r/releases/1/assets", "https://api.github.com", False),
        ("https://uploads.github.com.evil.example/1/assets", "https://api.github.com", False),
        ("https://elsewhere.example/up", "https://api.github.com", False),
        ("", "https://api.github.com", False),
    ],
)
def test_the_token_goes_to_githubs_upload_host_only(
    upload_url: str, api_url: str, allowed: bool
) -> None:
    assert uploads_take_the_token(upload_url, api_url) is allowed


def test_a_file_gone_before_it_is_attached_is_said_so(github: FakeGitHub, tmp_path: Path) -> None:
    wheel = tmp_path / "app-0.2.0-py3-none-any.whl"  # never written

    with pytest.raises(GitHubReleaseError) as raised:
        publish_releases(
            _client(github.url), [_release_of(tmp_path)], tmp_path, {"app": [wheel]}, SERVER
        )

    assert raised.value.what.startswith("the GitHub release of v0.2.0 lacks a file that could")
    assert raised.value.where == str(wheel)


# --- which repository, and why none ----------------------------------------------------


def _clone_with_origin(root: Path, url: str | None) -> Path:
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    if url is not None:
        git(root, "remote", "add", "origin", url)
    return root


@pytest.mark.parametrize(
    ("url", "environ", "reason"),
    [
        (None, {"GITHUB_TOKEN": "t"}, "there is no remote 'origin': no GitHub release"),
        (
            "https://gitlab.com/acme/widgets.git",
            {"GITHUB_TOKEN": "t"},
            "remote 'origin' (https://gitlab.com/acme/widgets.git) is not on GitHub "
            "(https://github.com): no GitHub release",
        ),
        (
            "https://github.com/acme/widgets.git",
            {},
            "GITHUB_TOKEN (or GH_TOKEN) is not set: no GitHub release of acme/widgets",
        ),
    ],
    ids=["no-remote", "off-github", "no-token"],
)
def test_no_github_release_without_a_github_remote_and_a_token(
    tmp_path: Path, url: str | None, environ: dict[str, str], reason: str
) -> None:
    root = _clone_with_origin(tmp_path / "repo", url)

    assert releases_of(root, "main", environ) == NoGitHubRelease(reason)


def test_the_releases_of_the_remote_on_github_with_the_token_from_gh_token(
    tmp_path: Path,
) -> None:
    root = _clone_with_origin(tmp_path / "repo", "git@github.com:acme/widgets.git")

    releases = releases_of(root, "main", {"GH_TOKEN": TOKEN, "GITHUB_API_URL": "http://x/api"})

    assert isinstance(releases, GitHubReleases)
    assert (releases.api_url, releases.repository, releases.server_url) == (
        "http://x/api",
        GitHubRepository("acme", "widgets"),
        "https://github.com",
    )

"""Settings: command line > [tool.pytest-release] > defaults, and every bad key or value."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pytest_release.settings import (
    CHANGELOG_SECTIONS,
    KEYS,
    Settings,
    SettingsError,
    TagFormat,
    read_table,
    resolve_settings,
)

TABLE = "[tool.pytest-release]"

# (key, Settings attribute, default): the design's configuration reference, in its order.
REFERENCE: list[tuple[str, str, object]] = [
    ("packages", "packages", None),
    ("branch", "branch", "main"),
    ("changelog", "changelog", "CHANGELOG.md"),
    ("changelog-sections", "changelog_sections", CHANGELOG_SECTIONS["keep-a-changelog"]),
    ("tag", "tag", TagFormat("v{version}")),
    ("tags", "tags", {}),
    ("versioning", "versioning", "lockstep"),
    ("unbumped-changes", "unbumped_changes", "fail"),
    ("version-scheme", "version_scheme", "semver"),
    ("public-api", "public_api", ()),
    ("strict-zero", "strict_zero", False),
    ("test-command", "test_command", ("pytest", "-q")),
    ("test-env", "test_env", "fresh"),
    ("test-groups", "test_groups", ("test", "tests", "dev")),
    ("smoke", "smoke", ()),
    ("smoke-timeout", "smoke_timeout", 120.0),
    ("python-smoke", "python_smoke", ()),
    ("rehearsal-together", "rehearsal_together", False),
    ("testpypi", "testpypi", "testpypi"),
    ("pypi", "pypi", "pypi"),
    ("github-release-files", "github_release_files", False),
    ("build-cache", "build_cache", True),
]


def write_pyproject(root: Path, table: str | None, *, project: str = "aetherflow") -> Path:
    """A root pyproject.toml with a [project] and, when given, a [tool.pytest-release] body."""
    text = f'[project]\nname = "{project}"\nversion = "0.2.0"\n'
    if table is not None:
        text += f"\n{TABLE}\n{table}\n"
    path = root / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return path


def resolve(
    root: Path,
    command_line: dict[str, object] | None = None,
    environ: dict[str, str] | None = None,
    allow_unverified: tuple[str, ...] = (),
) -> Settings:
    return resolve_settings(root, command_line or {}, environ or {}, allow_unverified)


def attribute(key: str) -> str:
    return key.replace("-", "_")


# --- defaults ------------------------------------------------------------------------------


def test_keys_follow_the_configuration_reference() -> None:
    assert list(KEYS) == [key for key, _, _ in REFERENCE]


@pytest.mark.parametrize(
    ("key", "name", "default"), REFERENCE, ids=[key for key, _, _ in REFERENCE]
)
def test_default_when_neither_file_nor_command_line_sets_it(
    tmp_path: Path, key: str, name: str, default: object
) -> None:
    write_pyproject(tmp_path, None)

    settings = resolve(tmp_path)

    assert getattr(settings, name) == default
    assert settings.sources[key] == "default"


def test_no_pyproject_at_all_reads_as_defaults(tmp_path: Path) -> None:
    settings = resolve(tmp_path)

    assert settings.root == tmp_path
    assert settings.config_file == tmp_path / "pyproject.toml"
    assert settings.release_version is None
    assert settings.allow_unverified == frozenset()
    assert [getattr(settings, name) for _, name, _ in REFERENCE] == [
        default for _, _, default in REFERENCE
    ]
    assert settings.bundle is None
    assert dict(settings.sources) == dict.fromkeys([*KEYS, "release-version", "bundle"], "default")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b'[project\nname = "x"\n', id="unclosed-table-header"),
        pytest.param(b'[tool.pytest-release]\nbranch = "main\n', id="unclosed-string"),
        pytest.param(b"[tool.pytest-release]\nbranch = main\n", id="bare-word-value"),
        pytest.param(b'[tool.pytest-release]\nbranch = "a"\nbranch = "b"\n', id="duplicate-key"),
        pytest.param(b'[tool.pytest-release]\nbranch = "caf\xe9"\n', id="not-utf-8"),
    ],
)
def test_unreadable_root_pyproject_reads_as_defaults(tmp_path: Path, content: bytes) -> None:
    """The gates that read the target report a broken pyproject.toml with file and line."""
    (tmp_path / "pyproject.toml").write_bytes(content)

    settings = resolve(tmp_path)

    assert read_table(tmp_path / "pyproject.toml") == {}
    assert settings.branch == "main"
    assert set(settings.sources.values()) == {"default"}


# --- valid values from the file ------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "toml", "expected"),
    [
        pytest.param(
            "packages",
            '["packages/core", "packages/cli"]',
            ("packages/core", "packages/cli"),
            id="packages-list",
        ),
        pytest.param("packages", '["libs/*"]', ("libs/*",), id="packages-glob"),
        pytest.param("branch", '"release"', "release", id="branch"),
        pytest.param("changelog", '"docs/CHANGES.md"', "docs/CHANGES.md", id="changelog"),
        pytest.param(
            "changelog",
            '"{folder}/CHANGELOG.md"',
            "{folder}/CHANGELOG.md",
            id="changelog-per-package",
        ),
        pytest.param("changelog", "false", None, id="changelog-false"),
        pytest.param(
            "changelog-sections",
            '"towncrier"',
            CHANGELOG_SECTIONS["towncrier"],
            id="changelog-sections-towncrier",
        ),
        pytest.param(
            "changelog-sections",
            '{ "Backwards-incompatible Changes" = "breaking", Changes = "changed" }',
            (("Backwards-incompatible Changes", "breaking"), ("Changes", "changed")),
            id="changelog-sections-table",
        ),
        pytest.param("tag", '"v{version}"', TagFormat("v{version}"), id="tag-v-version"),
        pytest.param(
            "tag", '"{name}-v{version}"', TagFormat("{name}-v{version}"), id="tag-name-v-version"
        ),
        pytest.param("tag", '"{version}"', TagFormat("{version}"), id="tag-bare-version"),
        pytest.param(
            "tag",
            '"release/{name}/{version}"',
            TagFormat("release/{name}/{version}"),
            id="tag-path",
        ),
        pytest.param(
            "tags",
            '{ "langgraph-checkpoint" = "checkpoint=={version}", LangGraph = "{version}" }',
            {"langgraph": "{version}", "langgraph-checkpoint": "checkpoint=={version}"},
            id="tags-by-normalized-name",
        ),
        pytest.param("tags", "{}", {}, id="tags-empty"),
        pytest.param("versioning", '"lockstep"', "lockstep", id="versioning-lockstep"),
        pytest.param("versioning", '"independent"', "independent", id="versioning-independent"),
        pytest.param("version-scheme", '"semver"', "semver", id="version-scheme-semver"),
        pytest.param("version-scheme", '"pep440"', "pep440", id="version-scheme-pep440"),
        pytest.param(
            "public-api",
            '["aetherflow.core", "aetherflow.cli"]',
            ("aetherflow.core", "aetherflow.cli"),
            id="public-api",
        ),
        pytest.param("strict-zero", "true", True, id="strict-zero-true"),
        pytest.param("strict-zero", "false", False, id="strict-zero-false"),
        pytest.param("rehearsal-together", "true", True, id="rehearsal-together-true"),
        pytest.param(
            "test-command",
            "\"pytest -q -m 'not slow'\"",
            ("pytest", "-q", "-m", "not slow"),
            id="test-command-string-split-like-a-shell",
        ),
        pytest.param(
            "test-command",
            '["python", "-m", "pytest", "-k", "not network"]',
            ("python", "-m", "pytest", "-k", "not network"),
            id="test-command-list-kept-word-for-word",
        ),
        pytest.param("test-env", '"current"', "current", id="test-env-current"),
        pytest.param("test-env", '"fresh"', "fresh", id="test-env-fresh"),
        pytest.param(
            "smoke",
            '["aetherflow --help", "aetherflow run --dry"]',
            ("aetherflow --help", "aetherflow run --dry"),
            id="smoke",
        ),
        pytest.param("smoke-timeout", "30", 30.0, id="smoke-timeout-int"),
        pytest.param("smoke-timeout", "0.5", 0.5, id="smoke-timeout-float"),
        pytest.param(
            "python-smoke",
            '["import aetherflow", "aetherflow.main()"]',
            ("import aetherflow", "aetherflow.main()"),
            id="python-smoke",
        ),
        pytest.param("testpypi", '"local"', "local", id="testpypi-local"),
        pytest.param(
            "testpypi",
            '"https://test.pypi.org/legacy/"',
            "https://test.pypi.org/legacy/",
            id="testpypi-url",
        ),
        pytest.param("pypi", '"private"', "private", id="pypi-pypirc-name"),
    ],
)
def test_valid_value_from_the_file(tmp_path: Path, key: str, toml: str, expected: object) -> None:
    config_file = write_pyproject(tmp_path, f"{key} = {toml}")

    settings = resolve(tmp_path)

    assert getattr(settings, attribute(key)) == expected
    assert settings.sources[key] == str(config_file)
    others = {k: s for k, s in settings.sources.items() if k != key}
    assert set(others.values()) == {"default"}


def test_every_key_at_once(tmp_path: Path) -> None:
    write_pyproject(
        tmp_path,
        "\n".join(
            [
                'packages = ["packages/*"]',
                'branch = "trunk"',
                'changelog = "CHANGES.md"',
                'changelog-sections = "towncrier"',
                'tag = "{name}-v{version}"',
                'tags = { meta = "{version}" }',
                'versioning = "independent"',
                'unbumped-changes = "leave-out"',
                'version-scheme = "pep440"',
                'public-api = ["aetherflow"]',
                "strict-zero = true",
                'test-command = ["tox", "-e", "py311"]',
                'test-env = "fresh"',
                'test-groups = ["check"]',
                'smoke = ["aetherflow --help"]',
                "smoke-timeout = 30",
                'python-smoke = ["import aetherflow"]',
                "rehearsal-together = true",
                'testpypi = "local"',
                'pypi = "local"',
                "github-release-files = true",
                "build-cache = false",
            ]
        ),
    )

    settings = resolve(tmp_path)

    assert (settings.packages, settings.branch, settings.changelog) == (
        ("packages/*",),
        "trunk",
        "CHANGES.md",
    )
    assert (settings.tag, settings.versioning, settings.strict_zero) == (
        TagFormat("{name}-v{version}", (("meta", "{version}"),)),
        "independent",
        True,
    )
    assert settings.version_scheme == "pep440"
    assert settings.unbumped_changes == "leave-out"
    assert settings.changelog_sections == CHANGELOG_SECTIONS["towncrier"]
    assert settings.test_command == ("tox", "-e", "py311")
    assert settings.test_groups == ("check",)
    assert (settings.smoke, settings.smoke_timeout) == (("aetherflow --help",), 30.0)
    assert settings.rehearsal_together is True
    assert (settings.test_env, settings.testpypi, settings.pypi) == ("fresh", "local", "local")
    assert settings.build_cache is False
    assert settings.github_release_files is True
    assert {key for key, source in settings.sources.items() if source == "default"} == {
        "release-version",
        "bundle",
    }


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = resolve(tmp_path)

    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.branch = "other"  # type: ignore[misc]


# --- invalid values from the file ----------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "toml", "reason"),
    [
        pytest.param(
            "packages", '"packages/*"', "must be a list of non-empty strings", id="packages-string"
        ),
        pytest.param(
            "packages",
            '["packages/core", ""]',
            "must be a list of non-empty strings",
            id="packages-empty-item",
        ),
        pytest.param(
            "packages", "[1, 2]", "must be a list of non-empty strings", id="packages-numbers"
        ),
        pytest.param("packages", "[]", "must not be empty", id="packages-empty-list"),
        pytest.param("branch", '""', "must be a non-empty string", id="branch-empty"),
        pytest.param("branch", '"   "', "must be a non-empty string", id="branch-blank"),
        pytest.param("branch", '["main"]', "must be a non-empty string", id="branch-list"),
        pytest.param("changelog", "true", "must be a path", id="changelog-true"),
        pytest.param("changelog", '""', "or false", id="changelog-empty"),
        pytest.param(
            "changelog",
            '"{package}/CHANGES.md"',
            "may use only {folder} and {name}, not ['package']",
            id="changelog-unknown-field",
        ),
        pytest.param(
            "changelog-sections",
            '"unknown"',
            "must be one of 'keep-a-changelog', 'towncrier'",
            id="changelog-sections-unknown-preset",
        ),
        pytest.param(
            "changelog-sections",
            "{}",
            "or a table of subsection title = kind",
            id="changelog-sections-empty",
        ),
        pytest.param(
            "changelog-sections",
            '{ Features = "feature" }',
            "gives 'Features' the kind 'feature', which is not one of breaking, added",
            id="changelog-sections-unknown-kind",
        ),
        pytest.param(
            "changelog-sections",
            '{ Fixes = "fixed", fixes = "fixed" }',
            "names 'fixes' twice (titles compare in any case)",
            id="changelog-sections-title-twice",
        ),
        pytest.param("tag", '""', "must be a non-empty string", id="tag-empty"),
        pytest.param("tag", '"release"', "must contain {version}", id="tag-missing-version"),
        pytest.param("tag", '"{name}-latest"', "must contain {version}", id="tag-only-name"),
        pytest.param("tag", '"v{{version}}"', "must contain {version}", id="tag-escaped-braces"),
        pytest.param("tag", '"v{version"', "is not a valid format", id="tag-unclosed-brace"),
        pytest.param("tag", '"v}{version}"', "is not a valid format", id="tag-stray-closing-brace"),
        pytest.param(
            "tag",
            '"{name}-{date}-{version}"',
            "may use only {version} and {name}, not ['date']",
            id="tag-unknown-field",
        ),
        pytest.param(
            "tag",
            '"{0}-{version}"',
            "may use only {version} and {name}, not ['0']",
            id="tag-positional-field",
        ),
        pytest.param("tag", "1", "must be a non-empty string", id="tag-number"),
        pytest.param("tags", '"{version}"', "must be a table of package name", id="tags-string"),
        pytest.param(
            "tags",
            '{ core = "core" }',
            "gives 'core' the format 'core', which must contain {version}",
            id="tags-missing-version",
        ),
        pytest.param(
            "tags",
            "{ core = 1 }",
            "gives 'core' the format 1, which must be a non-empty string",
            id="tags-number",
        ),
        pytest.param(
            "tags",
            '{ my_core = "{version}", "My.Core" = "c{version}" }',
            "names 'my-core' twice (names compare normalized)",
            id="tags-same-package-twice",
        ),
        pytest.param(
            "version-scheme",
            '"romver"',
            "must be one of 'semver', 'pep440', 'calver'",
            id="version-scheme-unknown",
        ),
        pytest.param(
            "versioning",
            '"both"',
            "must be one of 'lockstep', 'independent'",
            id="versioning-unknown",
        ),
        pytest.param(
            "versioning",
            '"Lockstep"',
            "must be one of 'lockstep', 'independent'",
            id="versioning-case",
        ),
        pytest.param(
            "public-api",
            '"aetherflow"',
            "must be a list of non-empty strings",
            id="public-api-string",
        ),
        pytest.param("strict-zero", '"yes"', "must be true or false", id="strict-zero-string"),
        pytest.param("strict-zero", "1", "must be true or false", id="strict-zero-number"),
        pytest.param(
            "test-command",
            '"pytest -k \'unclosed"',
            "cannot be split into words",
            id="test-command-unclosed-quote",
        ),
        pytest.param(
            "test-command",
            '["pytest", ""]',
            "must be a list of non-empty strings",
            id="test-command-empty-word",
        ),
        pytest.param(
            "test-command", "5", "must be a list of non-empty strings", id="test-command-number"
        ),
        pytest.param("test-command", "[]", "must not be empty", id="test-command-empty-list"),
        pytest.param("test-command", '"   "', "", id="test-command-blank-string"),
        pytest.param(
            "test-env", '"docker"', "must be one of 'current', 'fresh'", id="test-env-unknown"
        ),
        pytest.param(
            "smoke", '"aetherflow --help"', "must be a list of non-empty strings", id="smoke-string"
        ),
        pytest.param("smoke-timeout", "0", "must be a positive number", id="smoke-timeout-zero"),
        pytest.param("smoke-timeout", '"60"', "must be a positive number", id="smoke-timeout-text"),
        pytest.param("smoke-timeout", "true", "must be a positive number", id="smoke-timeout-bool"),
        pytest.param(
            "python-smoke",
            '[""]',
            "must be a list of non-empty strings",
            id="python-smoke-empty-item",
        ),
        pytest.param("testpypi", '""', "must be a non-empty string", id="testpypi-empty"),
        pytest.param("pypi", '{ url = "x" }', "must be a non-empty string", id="pypi-table"),
    ],
)
def test_invalid_value_in_the_file_names_the_key_and_the_file(
    tmp_path: Path, key: str, toml: str, reason: str
) -> None:
    config_file = write_pyproject(tmp_path, f"{key} = {toml}")

    with pytest.raises(SettingsError) as raised:
        resolve(tmp_path)

    message = str(raised.value)
    assert f"{TABLE} {key} in {config_file}" in message
    assert reason in message


def test_invalid_value_message_quotes_the_value(tmp_path: Path) -> None:
    config_file = write_pyproject(tmp_path, 'versioning = "both"')

    with pytest.raises(SettingsError) as raised:
        resolve(tmp_path)

    assert str(raised.value) == (
        f"{TABLE} versioning in {config_file} = 'both' must be one of 'lockstep', 'independent'."
    )


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        pytest.param("testpypi", "", "must be a non-empty string", id="testpypi-empty"),
        pytest.param("pypi", "  ", "must be a non-empty string", id="pypi-blank"),
    ],
)
def test_invalid_value_on_the_command_line_names_the_option(
    tmp_path: Path, key: str, value: str, reason: str
) -> None:
    write_pyproject(tmp_path, None)

    with pytest.raises(SettingsError) as raised:
        resolve(tmp_path, {key: value})

    assert str(raised.value) == f"--{key} = {value!r} {reason}."


def test_table_that_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool]\npytest-release = "branch=main"\n', encoding="utf-8")

    with pytest.raises(SettingsError) as raised:
        resolve(tmp_path)

    assert str(raised.value) == f"{TABLE} in {path} must be a table"


# --- unknown keys --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [
        pytest.param("brnach", "branch", id="typo"),
        pytest.param("test_command", "test-command", id="underscore-for-dash"),
        pytest.param("strict_zero", "strict-zero", id="strict-zero-underscore"),
        pytest.param("publicapi", "public-api", id="missing-dash"),
        pytest.param("change-log", "changelog", id="extra-dash"),
        pytest.param("test-pypi", "testpypi", id="test-pypi"),
    ],
)
def test_unknown_key_suggests_the_close_match(tmp_path: Path, key: str, suggestion: str) -> None:
    config_file = write_pyproject(tmp_path, f'{key} = "x"')

    with pytest.raises(SettingsError) as raised:
        resolve(tmp_path)

    message = str(raised.value)
    assert f"unknown key '{key}' in {TABLE} of {config_file}." in message
    assert f"Did you mean '{suggestion}'?" in message
    assert "Known keys: " + ", ".join(KEYS) + "." in message


def test_unknown_key_without_a_close_match_lists_the_known_keys(tmp_path: Path) -> None:
    config_file = write_pyproject(tmp_path, 'colour = "blue"')

    with pytest.raises(SettingsError) as raised:
        resolve(tmp_path)

    message = str(raised.value)
    assert f"unknown key 'colour' in {TABLE} of {config_file}." in message
    assert "Did you mean" not in message
    assert message.endswith("Known keys: " + ", ".join(KEYS) + ".")


def test_unknown_key_is_reported_even_next_to_valid_ones(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'branch = "main"\nbrnach = "trunk"')

    with pytest.raises(SettingsError, match="unknown key 'brnach'"):
        resolve(tmp_path)


# --- precedence: command line > file > default ---------------------------------------------


@pytest.mark.parametrize("key", ["testpypi", "pypi"])
@pytest.mark.parametrize(
    ("command_line", "in_file", "expected", "source"),
    [
        pytest.param(None, None, None, "default", id="default"),
        pytest.param(None, "private", "private", "file", id="file-over-default"),
        pytest.param("local", None, "local", "command line", id="command-line-over-default"),
        pytest.param("local", "private", "local", "command line", id="command-line-over-file"),
        pytest.param(
            "https://pypi.example.org/legacy/",
            "private",
            "https://pypi.example.org/legacy/",
            "command line",
            id="command-line-url-over-file",
        ),
    ],
)
def test_command_line_wins_over_file_wins_over_default(
    tmp_path: Path,
    key: str,
    command_line: str | None,
    in_file: str | None,
    expected: str | None,
    source: str,
) -> None:
    """``expected`` None: the default, which is the index's own name."""
    config_file = write_pyproject(tmp_path, f'{key} = "{in_file}"' if in_file else None)

    settings = resolve(tmp_path, {key: command_line})

    assert getattr(settings, key) == (expected or key)
    assert settings.sources[key] == (str(config_file) if source == "file" else source)


def test_sources_name_where_each_setting_came_from(tmp_path: Path) -> None:
    config_file = write_pyproject(tmp_path, 'branch = "trunk"\ntestpypi = "private"')

    settings = resolve(tmp_path, {"testpypi": "local", "pypi": None}, {"RELEASE_VERSION": "2.0.0"})

    assert dict(settings.sources) == {
        "packages": "default",
        "branch": str(config_file),
        "changelog": "default",
        "changelog-sections": "default",
        "tag": "default",
        "tags": "default",
        "versioning": "default",
        "unbumped-changes": "default",
        "version-scheme": "default",
        "public-api": "default",
        "strict-zero": "default",
        "test-command": "default",
        "test-env": "default",
        "test-groups": "default",
        "smoke": "default",
        "smoke-timeout": "default",
        "python-smoke": "default",
        "rehearsal-together": "default",
        "testpypi": "command line",
        "pypi": "default",
        "github-release-files": "default",
        "build-cache": "default",
        "release-version": "RELEASE_VERSION",
        "bundle": "default",
    }


def test_the_bundle_comes_from_the_option_else_the_variable(tmp_path: Path) -> None:
    from_variable = resolve(tmp_path, {}, {"RELEASE_BUNDLE": str(tmp_path / "env-bundle")})
    from_option = resolve(
        tmp_path, {"bundle": str(tmp_path / "bundle")}, {"RELEASE_BUNDLE": "elsewhere"}
    )

    assert (from_variable.bundle, from_variable.sources["bundle"]) == (
        tmp_path / "env-bundle",
        "RELEASE_BUNDLE",
    )
    assert (from_option.bundle, from_option.sources["bundle"]) == (
        tmp_path / "bundle",
        "command line",
    )


def test_no_build_cache_on_the_command_line_wins_over_the_file(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "build-cache = true")

    settings = resolve(tmp_path, {"build-cache": False})

    assert (settings.build_cache, settings.sources["build-cache"]) == (False, "command line")


# --- the release version -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command_line", "environ", "expected", "source"),
    [
        pytest.param(None, {}, None, "default", id="neither"),
        pytest.param(None, {"RELEASE_VERSION": ""}, None, "default", id="empty-variable-ignored"),
        pytest.param("1.4.0", {}, "1.4.0", "command line", id="option"),
        pytest.param(None, {"RELEASE_VERSION": "1.4.0"}, "1.4.0", "RELEASE_VERSION", id="variable"),
        pytest.param(
            "1.5.0",
            {"RELEASE_VERSION": "1.4.0"},
            "1.5.0",
            "command line",
            id="option-over-variable",
        ),
        pytest.param(
            "1.5.0",
            {"RELEASE_VERSION": "not a version"},
            "1.5.0",
            "command line",
            id="option-hides-a-bad-variable",
        ),
        pytest.param("2.0.0rc1", {}, "2.0.0rc1", "command line", id="pre-release"),
        pytest.param(
            None, {"RELEASE_VERSION": "0.10.3"}, "0.10.3", "RELEASE_VERSION", id="zero-major"
        ),
    ],
)
def test_release_version_precedence(
    tmp_path: Path,
    command_line: str | None,
    environ: dict[str, str],
    expected: str | None,
    source: str,
) -> None:
    settings = resolve(tmp_path, {"release-version": command_line}, environ)

    assert settings.release_version == expected
    assert settings.sources["release-version"] == source


@pytest.mark.parametrize(
    ("command_line", "environ", "where", "text"),
    [
        pytest.param("one.two", {}, "--release-version", "one.two", id="option-words"),
        pytest.param("", {}, "--release-version", "", id="option-empty"),
        pytest.param("1.4.0.dev-x", {}, "--release-version", "1.4.0.dev-x", id="option-garbage"),
        pytest.param(
            None, {"RELEASE_VERSION": "latest"}, "RELEASE_VERSION", "latest", id="variable"
        ),
        pytest.param(
            "next",
            {"RELEASE_VERSION": "1.4.0"},
            "--release-version",
            "next",
            id="bad-option-over-good-variable",
        ),
    ],
)
def test_invalid_release_version(
    tmp_path: Path, command_line: str | None, environ: dict[str, str], where: str, text: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        resolve(tmp_path, {"release-version": command_line}, environ)

    message = str(raised.value)
    assert message.startswith(f"{where} {text!r} is not a version.")
    assert "X.Y.Z" in message


# --- --allow-unverified --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        pytest.param((), frozenset(), id="none"),
        pytest.param(("ci",), frozenset({"ci"}), id="ci"),
        pytest.param(("upstream", "ci"), frozenset({"upstream", "ci"}), id="both"),
        pytest.param(("ci", "ci"), frozenset({"ci"}), id="repeated"),
    ],
)
def test_allow_unverified(tmp_path: Path, names: tuple[str, ...], expected: frozenset[str]) -> None:
    assert resolve(tmp_path, allow_unverified=names).allow_unverified == expected


@pytest.mark.parametrize(
    ("names", "named"),
    [
        pytest.param(("cii",), "cii", id="typo"),
        pytest.param(("ci", "network"), "network", id="one-bad-among-good"),
        pytest.param(("CI",), "CI", id="wrong-case"),
        pytest.param(("",), "", id="empty"),
    ],
)
def test_allow_unverified_unknown_check(tmp_path: Path, names: tuple[str, ...], named: str) -> None:
    with pytest.raises(SettingsError) as raised:
        resolve(tmp_path, allow_unverified=names)

    assert str(raised.value) == (
        f"--allow-unverified {named}: no such check. Checks that can be waived: upstream, ci."
    )


# --- read_table ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(None, {}, id="no-file"),
        pytest.param('[project]\nname = "x"\n', {}, id="no-tool-table"),
        pytest.param("[tool.ruff]\nline-length = 100\n", {}, id="other-tool-only"),
        pytest.param(
            '[tool.pytest-release]\nbranch = "trunk"\nsmoke = ["x --help"]\n',
            {"branch": "trunk", "smoke": ["x --help"]},
            id="table",
        ),
        pytest.param("[tool.pytest-release]\n", {}, id="empty-table"),
    ],
)
def test_read_table(tmp_path: Path, content: str | None, expected: dict[str, object]) -> None:
    path = tmp_path / "pyproject.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")

    assert read_table(path) == expected


ATTRS_TOWNCRIER = """
[tool.towncrier]
directory = "changelog.d"

[[tool.towncrier.type]]
directory = "breaking"
name = "Backwards-incompatible Changes"
showcontent = true

[[tool.towncrier.type]]
directory = "deprecation"
name = "Deprecations"
showcontent = true

[[tool.towncrier.type]]
directory = "change"
name = "Changes"
showcontent = true
"""


@pytest.mark.parametrize(
    ("towncrier", "table", "expected"),
    [
        pytest.param(
            ATTRS_TOWNCRIER,
            None,
            (
                ("Backwards-incompatible Changes", "breaking"),
                ("Deprecations", "deprecated"),
                ("Changes", "changed"),
                ("Migration Notes", "migration"),
            ),
            id="its-own-types",
        ),
        pytest.param(
            '\n[tool.towncrier]\ndirectory = "news"\n',
            None,
            CHANGELOG_SECTIONS["towncrier"],
            id="towncriers-defaults",
        ),
        pytest.param(
            ATTRS_TOWNCRIER,
            'changelog-sections = "keep-a-changelog"',
            CHANGELOG_SECTIONS["keep-a-changelog"],
            id="the-setting-wins",
        ),
    ],
)
def test_a_towncrier_project_gets_its_own_subsection_titles(
    tmp_path: Path, towncrier: str, table: str | None, expected: object
) -> None:
    path = write_pyproject(tmp_path, table)
    path.write_text(path.read_text(encoding="utf-8") + towncrier, encoding="utf-8")

    settings = resolve(tmp_path)

    assert settings.changelog_sections == expected
    if table is None:
        assert settings.sources["changelog-sections"] == f"{path} [tool.towncrier]"

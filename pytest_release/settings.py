"""Settings: command line > ``[tool.pytest-release]`` in the target's pyproject.toml > defaults."""

from __future__ import annotations

import difflib
import shlex
import string
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pytest_release.checklist import UNVERIFIABLE_CHECKS
from pytest_release.redact import scrub_secrets

TABLE = "[tool.pytest-release]"
COMMAND_LINE = "command line"
DEFAULT = "default"
RELEASE_VERSION_VARIABLE = "RELEASE_VERSION"
BUNDLE_VARIABLE = "RELEASE_BUNDLE"


VersionScheme = Literal["semver", "pep440", "calver"]
VERSION_SCHEMES: tuple[VersionScheme, ...] = ("semver", "pep440", "calver")

# What a changelog subsection holds, whatever the project calls it (`changelog-sections`).
ChangelogKind = Literal[
    "breaking", "added", "changed", "fixed", "deprecated", "removed", "security", "migration"
]
CHANGELOG_KINDS: tuple[ChangelogKind, ...] = (
    "breaking", "added", "changed", "fixed", "deprecated", "removed", "security", "migration"
)  # fmt: skip
# The subsection titles a changelog may use, each with its kind, by the name that
# `changelog-sections` may give instead of a table of its own.
ChangelogSections = tuple[tuple[str, ChangelogKind], ...]
CHANGELOG_SECTIONS: Mapping[str, ChangelogSections] = MappingProxyType(
    {
        "keep-a-changelog": (
            ("Breaking Changes", "breaking"),
            ("Added", "added"),
            ("Changed", "changed"),
            ("Fixed", "fixed"),
            ("Deprecated", "deprecated"),
            ("Removed", "removed"),
            ("Security", "security"),
            ("Migration Notes", "migration"),
        ),
        # towncrier's default types, and the spellings of a breaking type projects add
        "towncrier": (
            ("Backward incompatible changes", "breaking"),
            ("Backwards-incompatible Changes", "breaking"),
            ("Features", "added"),
            ("Bugfixes", "fixed"),
            ("Improved Documentation", "changed"),
            ("Deprecations and Removals", "deprecated"),
            ("Misc", "changed"),
            ("Migration Notes", "migration"),
        ),
    }
)


class SettingsError(Exception):
    """A bad option, key or value: the plugin turns it into a usage error."""


@dataclass(frozen=True, repr=False)
class TagFormat:
    """How release tags are spelled: ``tag`` for every package, unless ``tags`` gives a
    package a format of its own (``own``: normalized package name -> format). Shown as the
    ``tag`` setting is written (``'v{version}'``); ``Settings.tags`` shows the others."""

    default: str
    own: tuple[tuple[str, str], ...] = ()

    def of(self, name: str) -> str:
        """The format of the package ``name`` (any spelling)."""
        return dict(self.own).get(canonicalize_name(name), self.default)

    def format(self, *, name: str, version: object) -> str:
        """The tag of the package ``name`` at ``version``."""
        return self.of(name).format(name=name, version=version)

    def names_package(self, name: str) -> bool:
        """Whether ``name`` has tags of its own; else it shares the repository's tag."""
        return canonicalize_name(name) in dict(self.own) or "{name}" in self.default

    def describe(self) -> str:
        """``v{version}``, then each package's own format: ``; mypkg-core: core=={version}``."""
        return "; ".join([self.default, *(f"{name}: {form}" for name, form in self.own)])

    def __repr__(self) -> str:
        return repr(self.default)


@dataclass(frozen=True)
class Settings:
    root: Path
    config_file: Path
    release_version: str | None
    packages: tuple[str, ...] | None
    branch: str
    changelog: str | None  # None: `changelog = false`, the release notes are kept elsewhere
    changelog_sections: ChangelogSections
    tag: TagFormat
    versioning: Literal["lockstep", "independent"]
    unbumped_changes: Literal["fail", "leave-out"]
    version_scheme: VersionScheme
    public_api: tuple[str, ...]
    strict_zero: bool
    test_command: tuple[str, ...]
    test_env: Literal["current", "fresh", "per-package"]
    test_groups: tuple[str, ...]
    smoke: tuple[str, ...]
    smoke_timeout: float
    python_smoke: tuple[str, ...]
    rehearsal_together: bool
    testpypi: str
    pypi: str
    allow_unverified: frozenset[str]
    build_cache: bool = True
    github_release_files: bool = False
    # the release bundle's folder (--bundle / RELEASE_BUNDLE), None without one
    bundle: Path | None = None
    # Where each setting came from, by its config-key spelling: "command line",
    # "RELEASE_VERSION", the pyproject.toml path, or "default".
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def changelog_per_package(self) -> bool:
        """Whether ``changelog`` names one file per package (``{folder}/CHANGELOG.md``)."""
        return self.changelog is not None and bool(_fields(self.changelog))

    @property
    def tags(self) -> dict[str, str]:
        """The ``tags`` setting: each package's own tag format (a copy; ``tag`` holds it)."""
        return dict(self.tag.own)

    def origin(self, key: str) -> str:
        """``setting `branch` (default)`` or ``setting `branch` (from /repo/pyproject.toml)``."""
        source = self.sources.get(key, DEFAULT)
        return f"setting `{key}` ({source if source == DEFAULT else 'from ' + source})"


def _text(key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value


def _texts(key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError("must be a list of non-empty strings")
    return tuple(cast(list[str], value))


def _nonempty_texts(key: str, value: object) -> tuple[str, ...]:
    texts = _texts(key, value)
    if not texts:
        raise ValueError("must not be empty")
    return texts


def _seconds(key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError("must be a positive number of seconds")
    return float(value)


def _flag(key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _choice(*choices: str) -> Callable[[str, object], str]:
    def check(key: str, value: object) -> str:
        if value not in choices:
            raise ValueError("must be one of " + ", ".join(repr(c) for c in choices))
        return value

    return check


def _command(key: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) and value.strip():
        try:
            return tuple(shlex.split(value))
        except ValueError as error:
            raise ValueError(f"cannot be split into words: {error}") from None
    return _nonempty_texts(key, value)


def _fields(text: str) -> set[str]:
    """The replacement fields of a format: ``{version}`` and ``{name}`` in ``v{version}``."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as error:
        raise ValueError(f"is not a valid format: {error}") from None


def _tag_format(key: str, value: object) -> str:
    text = _text(key, value)
    fields = _fields(text)
    if "version" not in fields:
        raise ValueError("must contain {version}, as in 'v{version}' or '{name}-v{version}'")
    if unknown := fields - {"version", "name"}:
        raise ValueError(f"may use only {{version}} and {{name}}, not {sorted(unknown)}")
    return text


def _tag_formats(key: str, value: object) -> Mapping[str, str]:
    if not isinstance(value, dict):
        raise ValueError('must be a table of package name = format, e.g. { mypkg = "{version}" }')
    formats: dict[str, str] = {}
    for name, written in value.items():
        normalized = canonicalize_name(name)
        if normalized in formats:
            raise ValueError(f"names {normalized!r} twice (names compare normalized)")
        try:
            formats[normalized] = _tag_format(key, written)
        except ValueError as error:
            raise ValueError(f"gives {name!r} the format {written!r}, which {error}") from None
    return MappingProxyType(formats)


def _changelog(key: str, value: object) -> str | None:
    if value is False:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(
            'must be a path ("CHANGELOG.md"), one per package ("{folder}/CHANGELOG.md"), or false'
        )
    if unknown := _fields(value) - {"folder", "name"}:
        raise ValueError(f"may use only {{folder}} and {{name}}, not {sorted(unknown)}")
    return value


def _changelog_sections(key: str, value: object) -> ChangelogSections:
    if isinstance(value, str) and value in CHANGELOG_SECTIONS:
        return CHANGELOG_SECTIONS[value]
    if not isinstance(value, dict) or not value:
        presets = ", ".join(repr(name) for name in CHANGELOG_SECTIONS)
        raise ValueError(
            f"must be one of {presets}, or a table of subsection title = kind, e.g. "
            '{ "Bug Fixes" = "fixed" }'
        )
    sections: dict[str, tuple[str, ChangelogKind]] = {}
    for title, kind in value.items():
        if not title.strip():
            raise ValueError("names an empty title")
        if title.casefold() in sections:
            raise ValueError(f"names {title!r} twice (titles compare in any case)")
        if kind not in CHANGELOG_KINDS:
            kinds = ", ".join(CHANGELOG_KINDS)
            raise ValueError(f"gives {title!r} the kind {kind!r}, which is not one of {kinds}")
        sections[title.casefold()] = (title, kind)
    return tuple(sections.values())


# key -> (validator, default); the order is the configuration reference's order.
KEYS: dict[str, tuple[Callable[[str, object], Any], object]] = {
    "packages": (_nonempty_texts, None),
    "branch": (_text, "main"),
    "changelog": (_changelog, "CHANGELOG.md"),
    "changelog-sections": (_changelog_sections, CHANGELOG_SECTIONS["keep-a-changelog"]),
    "tag": (_tag_format, "v{version}"),
    "tags": (_tag_formats, MappingProxyType({})),
    "versioning": (_choice("lockstep", "independent"), "lockstep"),
    # independent: a package changed since its last tag but not bumped fails the versions
    # gate, or (leave-out) waits for a later release, as in repos that release one at a time
    "unbumped-changes": (_choice("fail", "leave-out"), "fail"),
    "version-scheme": (_choice(*VERSION_SCHEMES), "semver"),
    "public-api": (_texts, ()),
    "strict-zero": (_flag, False),
    "test-command": (_command, ("pytest", "-q")),
    # fresh by default: the gates often run where the target's test requirements are not
    # installed (a tool venv, a CI job), and a fresh venv tests what ships. per-package: a
    # fresh venv for each package with tests, as projects whose packages pin their test
    # requirements apart (a tox env each) run them.
    "test-env": (_choice("current", "fresh", "per-package"), "fresh"),
    "test-groups": (_texts, ("test", "tests", "dev")),
    "smoke": (_texts, ()),
    "smoke-timeout": (_seconds, 120.0),
    "python-smoke": (_texts, ()),
    "rehearsal-together": (_flag, False),
    "testpypi": (_text, "testpypi"),
    "pypi": (_text, "pypi"),
    # attach the release's files (those on the production index) to its GitHub release
    "github-release-files": (_flag, False),
    # reuse built files kept in the user's cache folder when nothing they depend on changed
    "build-cache": (_flag, True),
}


def as_written(key: str, value: object) -> object:
    """``value`` of setting ``key`` as a user writes it: a preset by its name."""
    if key == "changelog-sections":
        for name, sections in CHANGELOG_SECTIONS.items():
            if value == sections:
                return name
    if key == "test-command" and isinstance(value, tuple) and all(" " not in p for p in value):
        return " ".join(value)  # a command as it is typed
    return value


def read_table(config_file: Path) -> dict[str, object]:
    """The ``[tool.pytest-release]`` table, or {} when the file is absent or unreadable.

    An unreadable pyproject.toml is reported by the gates that read the target
    (with file and line), so that the session still collects.
    """
    try:
        document = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    tools = document.get("tool", {})
    table = tools.get("pytest-release", {}) if isinstance(tools, dict) else {}
    if not isinstance(table, dict):
        raise SettingsError(f"{TABLE} in {config_file} must be a table")
    return table


# towncrier's fragment types by their directory, as the changelog gate reads them.
_TOWNCRIER_KINDS: dict[str, ChangelogKind] = {
    "breaking": "breaking",
    "removal": "removed",
    "deprecation": "deprecated",
    "feature": "added",
    "bugfix": "fixed",
    "security": "security",
    "migration": "migration",
}


def towncrier_sections(config_file: Path) -> ChangelogSections | None:
    """The subsection titles a project's towncrier writes (``[tool.towncrier]``: its
    ``[[tool.towncrier.type]]`` entries, else towncrier's defaults), each with its kind by
    the fragment directory; None without towncrier."""
    try:
        document = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    towncrier = document.get("tool", {}).get("towncrier")
    if not isinstance(towncrier, dict):
        return None
    types = towncrier.get("type")
    if not isinstance(types, list) or not types:
        return CHANGELOG_SECTIONS["towncrier"]
    sections: dict[str, tuple[str, ChangelogKind]] = {}
    for entry in types:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            kind = _TOWNCRIER_KINDS.get(str(entry.get("directory", "")), "changed")
            sections[entry["name"].casefold()] = (entry["name"], kind)
    sections.setdefault("migration notes", ("Migration Notes", "migration"))
    return tuple(sections.values())


def resolve_settings(
    root: Path,
    command_line: Mapping[str, object],
    environ: Mapping[str, str],
    allow_unverified: Sequence[str] = (),
) -> Settings:
    """Merge the command line, the target's config table and the defaults.

    ``command_line`` holds option values by config-key spelling (None = not given).
    Raises SettingsError naming the key and the file for any bad key or value.
    """
    config_file = root / "pyproject.toml"
    table = read_table(config_file)
    if unknown := sorted(set(table) - set(KEYS)):
        key = unknown[0]
        close = difflib.get_close_matches(key, KEYS, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise SettingsError(
            f"unknown key '{key}' in {TABLE} of {config_file}.{hint} Known keys: {', '.join(KEYS)}."
        )
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    for key, (validate, default) in KEYS.items():
        given = command_line.get(key)
        if given is not None:
            origin, raw = COMMAND_LINE, given
        elif key in table:
            origin, raw = str(config_file), table[key]
        elif key == "changelog-sections" and (types := towncrier_sections(config_file)):
            values[key], sources[key] = types, f"{config_file} [tool.towncrier]"
            continue
        else:
            values[key], sources[key] = default, DEFAULT
            continue
        try:
            values[key] = validate(key, raw)
        except ValueError as error:
            where = f"--{key}" if origin == COMMAND_LINE else f"{TABLE} {key} in {config_file}"
            shown = scrub_secrets(raw, ()) if isinstance(raw, str) else raw
            raise SettingsError(f"{where} = {shown!r} {error}.") from None
        sources[key] = origin

    release_version, sources["release-version"] = _release_version(command_line, environ)
    bundle, sources["bundle"] = _bundle(command_line, environ)
    if unknown_checks := sorted(set(allow_unverified) - set(UNVERIFIABLE_CHECKS)):
        raise SettingsError(
            f"--allow-unverified {unknown_checks[0]}: no such check. "
            f"Checks that can be waived: {', '.join(UNVERIFIABLE_CHECKS)}."
        )
    return Settings(
        root=root,
        config_file=config_file,
        release_version=release_version,
        packages=cast("tuple[str, ...] | None", values["packages"]),
        branch=cast(str, values["branch"]),
        changelog=cast("str | None", values["changelog"]),
        changelog_sections=cast(ChangelogSections, values["changelog-sections"]),
        tag=TagFormat(
            cast(str, values["tag"]),
            tuple(sorted(cast("Mapping[str, str]", values["tags"]).items())),
        ),
        versioning=cast(Literal["lockstep", "independent"], values["versioning"]),
        unbumped_changes=cast(Literal["fail", "leave-out"], values["unbumped-changes"]),
        version_scheme=cast(VersionScheme, values["version-scheme"]),
        public_api=cast("tuple[str, ...]", values["public-api"]),
        strict_zero=cast(bool, values["strict-zero"]),
        test_command=cast("tuple[str, ...]", values["test-command"]),
        test_env=cast(Literal["current", "fresh", "per-package"], values["test-env"]),
        test_groups=cast("tuple[str, ...]", values["test-groups"]),
        smoke=cast("tuple[str, ...]", values["smoke"]),
        smoke_timeout=cast(float, values["smoke-timeout"]),
        python_smoke=cast("tuple[str, ...]", values["python-smoke"]),
        rehearsal_together=cast(bool, values["rehearsal-together"]),
        testpypi=cast(str, values["testpypi"]),
        pypi=cast(str, values["pypi"]),
        allow_unverified=frozenset(allow_unverified),
        build_cache=cast(bool, values["build-cache"]),
        github_release_files=cast(bool, values["github-release-files"]),
        bundle=bundle,
        sources=sources,
    )


def _release_version(
    command_line: Mapping[str, object], environ: Mapping[str, str]
) -> tuple[str | None, str]:
    given = command_line.get("release-version")
    if given is not None:
        text, origin, where = str(given).strip(), COMMAND_LINE, "--release-version"
    elif environ.get(RELEASE_VERSION_VARIABLE):
        text = environ[RELEASE_VERSION_VARIABLE].strip()
        origin = where = RELEASE_VERSION_VARIABLE
    else:
        return None, DEFAULT
    try:
        Version(text)
    except InvalidVersion:
        raise SettingsError(
            f"{where} {text!r} is not a version. Give the release version as X.Y.Z, "
            "for example --release-version 1.4.0."
        ) from None
    return text, origin


def _bundle(
    command_line: Mapping[str, object], environ: Mapping[str, str]
) -> tuple[Path | None, str]:
    """The bundle folder (--bundle, else RELEASE_BUNDLE), a relative one taken from the
    working directory as the shell does; the folder need not exist yet."""
    given = command_line.get("bundle")
    if given is not None:
        text, origin = str(given).strip(), COMMAND_LINE
    elif environ.get(BUNDLE_VARIABLE, "").strip():
        text, origin = environ[BUNDLE_VARIABLE].strip(), BUNDLE_VARIABLE
    else:
        return None, DEFAULT
    if not text:
        raise SettingsError("--bundle needs a folder: write --bundle=DIR.")
    return Path(text).expanduser().resolve(), origin

"""``pytest-release``: the commands that prepare a release the gates will accept.

Only parsing, dispatch and how results and errors are shown; the work is done by
release_plan, bump and scaffold. Exit codes: 0 done, 1 the plan is impossible (plan),
2 a usage error or a refusal, shown as one paragraph per problem, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_release.checks.release_scope import read_changes
from pytest_release.checks.versions import BUMP_PARTS, last_release
from pytest_release.commands.bump import BumpError, plan_bump
from pytest_release.commands.init import SUITE_FOLDER, plan_scaffold, write_scaffold
from pytest_release.commands.plan import (
    computed_versions,
    plan_release,
    render_plan,
    unplanned_release,
)
from pytest_release.dists.prepared_metadata import metadata_reader, user_cache_folder
from pytest_release.problems import Problem, render_problems
from pytest_release.settings import Settings, SettingsError, resolve_settings
from pytest_release.target import git
from pytest_release.target.monorepo import Monorepo, MonorepoError, read_monorepo

if TYPE_CHECKING:
    from collections.abc import Sequence

OK, IMPOSSIBLE, ERROR = 0, 1, 2


class CommandError(Exception):
    """A refusal: the message is shown as it is, with exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pytest-release",
        description="Prepare a release that the pytest-release gates accept: see the plan, "
        "bump the versions and the changelog, or add the release suite to a repo.",
        epilog="Flow: pytest-release plan -> pytest-release bump minor -> git commit -> "
        "pytest release_tests --release-version X.Y.Z -> "
        "pytest release_tests -m publish --release-version X.Y.Z",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    root_help = "root of the repository (default: the current directory)"

    plan = commands.add_parser(
        "plan",
        help="show the packages, versions, dependency graph, publish order and tags",
        description="Show what a release would do: each package's current and next version, "
        "its internal requirements, the publish order and the tags. Exits 1, with the "
        "reasons, when the release is impossible (a dependency cycle, a range that excludes "
        "a new version, no version to release).",
    )
    plan.add_argument("--monorepo", metavar="PATH", default=".", help=root_help)
    plan.add_argument(
        "--release-version",
        metavar="X.Y.Z",
        help="plan this release, as `bump X.Y.Z` would make it (default: the packages' own "
        "version, as the gates take it)",
    )
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")

    bump = commands.add_parser(
        "bump",
        help="write a new version into the packages, their internal ranges and the changelog",
        description="Write a release into the repo, changing no byte it need not: every "
        "package's version (or one package's, with --package, under independent versioning), "
        "the internal requirement ranges that must move, literal __version__ strings, and a "
        "changelog section dated today made from [Unreleased]. Refuses a dirty work tree.",
        epilog="major/minor/patch from a pre-release give its final release (1.3.0rc1 minor "
        "-> 1.3.0); rc on a final release gives the next patch's first candidate (1.2.3 -> "
        "1.2.4rc1), on a candidate the next one (rc1 -> rc2). For a minor or major release "
        "candidate, give the version: bump 1.3.0rc1.",
    )
    bump.add_argument(
        "version", metavar="VERSION|" + "|".join(BUMP_PARTS), help="the new version, or a bump"
    )
    bump.add_argument("--monorepo", metavar="PATH", default=".", help=root_help)
    bump.add_argument(
        "--package", metavar="NAME", help="bump this package only (independent versioning)"
    )
    bump.add_argument(
        "--dry-run", action="store_true", help="print the changes as a unified diff; write nothing"
    )

    init = commands.add_parser(
        "init",
        help=f"write {SUITE_FOLDER}/ and a [tool.pytest-release] table into a repo",
        description=f"Write the release suite ({SUITE_FOLDER}/, one module per gate) and a "
        "commented [tool.pytest-release] table listing the packages found into a repo's "
        "pyproject.toml. Files that exist with other content are left unless --force.",
    )
    init.add_argument("dir", metavar="DIR", nargs="?", default=".", help=root_help)
    init.add_argument("--force", action="store_true", help="overwrite existing suite modules")
    return parser


def _read(root_text: str, release_version: str | None = None) -> tuple[Settings, Monorepo]:
    root = Path(root_text).resolve()
    if not root.is_dir():
        raise CommandError(f"{root_text}: no such folder.")
    command_line = {"release-version": release_version}
    settings = resolve_settings(root, command_line, {})
    reader = metadata_reader(root, user_cache_folder())
    return settings, read_monorepo(root, settings.packages, settings.release_version, reader)


def _plan(arguments: argparse.Namespace) -> int:
    if arguments.release_version is None:
        _refuse_computed_versions(arguments.monorepo)
    try:
        settings, monorepo = _read(arguments.monorepo, arguments.release_version)
    except MonorepoError as error:
        return _impossible(error.problems, arguments.json)
    tags = git.tags_in_history(monorepo.root)
    try:
        changes = read_changes(settings, monorepo, tags)
    except git.GitError as error:
        raise CommandError(
            f"git could not tell what changed since the last tags ({error}): repair the "
            "clone (git fsck), then plan again"
        ) from None
    plan = plan_release(settings, monorepo, tags, today=date.today(), changes=changes)
    if arguments.json:
        print(json.dumps(plan.as_json(), indent=2))
    else:
        print(render_plan(plan))
        if plan.problems:
            print("\nthe release is impossible:\n\n" + render_problems(plan.problems))
    return IMPOSSIBLE if plan.problems else OK


def _refuse_computed_versions(root_text: str) -> None:
    """Without a release version, a plan of packages versioned from git tags has no
    version to show: say so once, with the last release, before reading them."""
    root = Path(root_text).resolve()
    if not root.is_dir():
        return  # _read says so
    settings = resolve_settings(root, {}, {})
    computed = computed_versions(root, settings.packages)
    if computed:
        last = last_release(git.tags_in_history(root), settings.tag, next(iter(computed)))
        raise CommandError(unplanned_release(computed, None if last is None else str(last[0])))


def _impossible(problems: Sequence[Problem], as_json: bool) -> int:
    if as_json:
        print(json.dumps({"possible": False, "problems": [vars(p) for p in problems]}, indent=2))
    else:
        print("the release is impossible:\n\n" + render_problems(problems))
    return IMPOSSIBLE


def _bump(arguments: argparse.Namespace) -> int:
    settings, monorepo = _read(arguments.monorepo)
    root = monorepo.root
    try:
        dirty = git.changes(root)
        tags = git.tags_in_history(root)
    except git.GitError as error:
        raise CommandError(
            f"{root} is not a git work tree with a commit ({error}): bump writes into a "
            "committed tree, so that its changes can be reviewed and committed on their own."
        ) from None
    if dirty and not arguments.dry_run:
        listing = ", ".join(change.path for change in dirty[:10])
        more = f" and {len(dirty) - 10} more" if len(dirty) > 10 else ""
        raise CommandError(
            f"the work tree has uncommitted changes ({listing}{more}): commit or stash them "
            "first, so that the release commit holds the bump alone (--dry-run works anyway)."
        )
    plan = plan_bump(
        settings,
        monorepo,
        arguments.version,
        package=arguments.package,
        today=date.today(),
        tags=tags,
    )
    if arguments.dry_run:
        print(plan.diff(), end="")
    else:
        plan.write()
    for name, (old, new) in plan.versions.items():
        print(f"{name}: {old} -> {new}")
    for note in plan.notes:
        print(f"note: {note}")
    if not arguments.dry_run:
        release = plan.release or next(iter(plan.versions.values()))[1]
        print(
            f"\nwrote {len(plan.edits)} files. Next:\n"
            f"  git diff  # review\n"
            f'  git commit -am "Release {release}"\n'
            f"  pytest {SUITE_FOLDER} --release-version {release}\n"
            f"  pytest {SUITE_FOLDER} -m publish --release-version {release}"
        )
    return OK


def _init(arguments: argparse.Namespace) -> int:
    root = Path(arguments.dir).resolve()
    if not root.is_dir():
        raise CommandError(f"{arguments.dir}: no such folder.")
    this_year = date.today().year
    scaffold = plan_scaffold(root, years=(this_year, this_year - 1))
    if scaffold.conflicts and not arguments.force:
        listing = ", ".join(str(path.relative_to(root)) for path in scaffold.conflicts)
        raise CommandError(
            f"{listing} already exist with other content in {root}: nothing was written. "
            "Run `pytest-release init --force` to replace them with this version's modules."
        )
    write_scaffold(scaffold)
    suite = [path for path in scaffold.files if path.parent == root / SUITE_FOLDER]
    if suite:  # the suite's modules by count: their names are the suite's, not news
        print(f"wrote {SUITE_FOLDER}/ ({len(suite)} files)")
    for path in scaffold.files:
        if path not in suite:
            print(f"wrote {path.relative_to(root)}")
    for kept in scaffold.kept:
        print(f"kept {kept}")
    if scaffold.problems:
        print(f"note: the packages could not be read:\n\n{scaffold.problems}\n")
    else:
        print(f"packages: {', '.join(scaffold.packages)}")
    for note in scaffold.notes:
        print(f"note: {note}")
    plan, preflight = "pytest-release plan", f"pytest {SUITE_FOLDER} -m preflight"
    steps = [plan, preflight, "pytest-release bump minor --dry-run"]
    if scaffold.from_tags:  # the tag the gates make is the bump: plan names the release
        steps = [f"{plan} --release-version X.Y.Z", preflight]
    print("\nNext:\n" + "\n".join(f"  {step}" for step in steps))
    return OK


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    commands = {"plan": _plan, "bump": _bump, "init": _init}
    try:
        return commands[arguments.command](arguments)
    except (BumpError, MonorepoError) as error:
        message = render_problems(error.problems)
    except (CommandError, SettingsError) as error:
        message = str(error)
    except OSError as error:
        message = f"{error.filename or ''}: {error.strerror or error}"
    print(f"pytest-release {arguments.command}: error: {message}", file=sys.stderr)
    return ERROR


if __name__ == "__main__":
    sys.exit(main())

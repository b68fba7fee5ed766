"""The pytest hooks of pytest-release. Only wiring: the logic lives in the modules it calls.

The plugin loads in every pytest session of an environment where it is installed, so
until gate items are collected it reads nothing and prints nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pytest_release.checklist import (
    GATE_NAMES,
    GATE_POSITION,
    GATES,
    PUBLISH_MARKER,
    UNVERIFIABLE_CHECKS,
    gate_named,
)
from pytest_release.session.guard import PUBLISH_NOT_SELECTED

if TYPE_CHECKING:
    from pytest_release.settings import Settings
    from pytest_release.target.monorepo import MonorepoError

pytest_plugins = [
    "pytest_release.session.fixtures",
    "pytest_release.session.publish_fixtures",
    "pytest_release.session.api_fixtures",
]

# The modules that read a target (packaging, tomllib, git, HTTP) are imported inside the
# hooks, once gate items are collected, so an ordinary session pays for none of them.

_GATES = frozenset(GATE_NAMES)
SUITE_PACKAGE = "pytest_release.suite"
XDIST_REFUSAL = (
    "the release gates cannot run under pytest-xdist (-n): they must run in checklist "
    "order in one process. Run them without -n."
)
PUBLISH_NEEDS_VERSION = (
    "a publish run needs the release version: give --release-version X.Y.Z (or set "
    "RELEASE_VERSION), the version the gates are to prove and the indexes are to receive."
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("release", "pytest-release (release checklist gates)")
    group.addoption(
        "--monorepo",
        dest="release_monorepo",
        metavar="PATH",
        help="root of the repository to release (default: the rootdir). "
        "Write --monorepo=PATH so pytest does not take PATH as a test path.",
    )
    group.addoption(
        "--release-version",
        dest="release_version",
        metavar="X.Y.Z",
        help="the version being released (default: $RELEASE_VERSION, else the packages' "
        "common version). Not --version: pytest answers that itself.",
    )
    group.addoption(
        "--testpypi",
        dest="release_testpypi",
        metavar="NAME|URL|local",
        help="the index a publish run uploads to first: a ~/.pypirc repository, an upload "
        "URL, or 'local' "
        "(default: [tool.pytest-release] testpypi, else 'testpypi')",
    )
    group.addoption(
        "--pypi",
        dest="release_pypi",
        metavar="NAME|URL|local",
        help="the production index (default: [tool.pytest-release] pypi, else 'pypi')",
    )
    group.addoption(
        "--allow-unverified",
        dest="release_allow_unverified",
        action="append",
        default=[],
        metavar="CHECK",
        help="waive a check that could not be verified (repeatable): "
        + ", ".join(UNVERIFIABLE_CHECKS),
    )


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    for gate in GATES:
        config.addinivalue_line(
            "markers", f"{gate.name}: release gate {gate.step}: {gate.checklist}"
        )
    config.addinivalue_line("markers", f"{PUBLISH_MARKER}: opt-in release gates that upload or tag")
    # Registered last, so that this wrapper is outermost and its ordering comes after
    # pytest-randomly's shuffle and --ff/--lf (cacheprovider's wrappers).
    config.pluginmanager.register(GateSession(config), "release-gate-session")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A gate asking for ``release_package`` runs once per package, in publish order;
    one asking for ``smoke_command`` once per configured smoke command."""
    wanted = {"release_package", "smoke_command"}.intersection(metafunc.fixturenames)
    if not wanted:
        return
    from pytest_release.session import state
    from pytest_release.target.monorepo import Monorepo

    settings: Settings | None = None
    model: Monorepo | MonorepoError | None = None
    try:
        settings = state.settings_of(metafunc.config)
        model = state.monorepo_of(metafunc.config)
    except pytest.UsageError:
        pass  # raised again, as a usage error, once collection is done
    if "release_package" in wanted:
        # An unreadable target still collects: one case, whose `monorepo` fixture fails.
        names = list(model.publish_order) if isinstance(model, Monorepo) else ["unreadable"]
        metafunc.parametrize("release_package", names, ids=names, indirect=True)
    if "smoke_command" in wanted:
        commands = list(settings.smoke) if settings and settings.smoke else [None]
        ids = [command or "none-configured" for command in commands]
        metafunc.parametrize("smoke_command", commands, ids=ids)


def from_the_suite(item: pytest.Item) -> bool:
    """A gate test case of pytest-release's own suite (wherever a thin module imports it)."""
    module = getattr(getattr(item, "obj", None), "__module__", None) or ""
    return module.startswith(SUITE_PACKAGE + ".")


def gate_of(item: pytest.Item) -> str | None:
    names = _GATES.intersection(mark.name for mark in item.iter_markers())
    return min(names, key=GATE_POSITION.__getitem__) if names else None


class GateSession:
    """The hooks that only act in a release session: one that collects the suite's gates.

    Gate markers alone do not make a release session: a project's own tests may well
    be marked `cli` or `api`. Once the suite is collected (even if -m or -k then
    deselects all of it), every gate-marked item of the session is a gate, the user's own
    extra gate modules included: a publish-marked one is opt-in and guarded too.
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.active = False
        self.publishing = False  # a publish gate was selected, and -m names `publish`
        self.holding = False  # collecting a run whose -m names `publish`
        self.held: list[pytest.Item] = []  # gates kept out of deselection meanwhile

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> Generator[None]:
        collected_order = {item: position for position, item in enumerate(items)}
        # A publish run runs every other gate too: hold them back from deselection (-m,
        # -k, --lf) until it is known whether a publish gate was selected.
        self.holding = names_publish(config)
        try:
            yield
        finally:
            self.holding = False
        held, self.held = self.held, []
        if hasattr(config, "workerinput") or not any(from_the_suite(i) for i in collected_order):
            if held:  # not a release session: what was held is deselected after all
                config.hook.pytest_deselected(items=held)
            return  # an xdist worker's controller refuses -n
        self.active = True
        from pytest_release.session import state
        from pytest_release.session.ledger import Ledger

        gates = {item: gate_of(item) for item in [*items, *held]}
        settings = state.settings_of(config)
        _refuse_target_ini(config, settings.root, items)
        publishing = [item for item in items if _publishes(gates[item])]
        self.publishing = bool(publishing) and names_publish(config)
        if self.publishing:
            if settings.release_version is None:
                raise pytest.UsageError(PUBLISH_NEEDS_VERSION)
            items += held
        else:
            if held:
                config.hook.pytest_deselected(items=held)
            for item in publishing:
                item.add_marker(pytest.mark.skip(reason=PUBLISH_NOT_SELECTED))
        # Checklist order between gates, definition order (publish order) within one.
        items.sort(
            key=lambda item: (
                GATE_POSITION.get(gates[item] or "", len(GATES)),
                collected_order.get(item, len(collected_order)),
            )
        )
        waived = ",".join(sorted(settings.allow_unverified))
        for item in items:
            gate = gates[item]
            if gate:
                item.user_properties += [
                    ("release_gate", gate),
                    ("checklist", GATES[GATE_POSITION[gate]].checklist),
                ]
                if waived and _publishes(gate):
                    item.user_properties.append(("release_waived", waived))
        config.stash[state.LEDGER] = Ledger(
            (gate, item.nodeid) for item in items if (gate := gates[item])
        )

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_deselected(self, items: list[pytest.Item]) -> Generator[None]:
        """While a publish run collects, keep the non-publish gates out of what is
        deselected: the collection hook gives them back or deselects them itself."""
        if self.holding:
            held = [item for item in items if (gate := gate_of(item)) and not _publishes(gate)]
            if held:
                self.held += held
                items[:] = [item for item in items if item not in held]
        yield

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: object, ids: list[str]) -> None:
        """Refuse -n in the controller, which collects nothing itself: a worker that
        raises leaves xdist with an INTERNALERROR instead of a usage error."""
        files = {self.config.rootpath / nodeid.partition("::")[0] for nodeid in ids}
        for file in files:
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if SUITE_PACKAGE in text or file.is_relative_to(Path(__file__).parent / "suite"):
                raise pytest.UsageError(XDIST_REFUSAL)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """The publish guard, before any fixture of a publish case is set up (an index
        started, say): it acts only when every gate before its own passed."""
        gate = gate_of(item)
        if not (self.publishing and gate and _publishes(gate)):
            return
        from pytest_release.session import state
        from pytest_release.session.guard import publish_blockers

        blockers = publish_blockers(self.config.stash[state.LEDGER], gate)
        if blockers:
            pytest.skip(f"blocked, nothing sent: {'; '.join(blockers)}")

    def pytest_report_collectionfinish(self, config: pytest.Config) -> list[str]:
        if not self.active:
            return []
        from pytest_release.session import state
        from pytest_release.session.report import header_lines

        return header_lines(state.settings_of(config), state.monorepo_of(config))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Show a gate's skip at the gate, not in the helper that raised it."""
        report = yield
        if self.active and report.skipped and isinstance(report.longrepr, tuple):
            path, line, _ = item.reportinfo()
            report.longrepr = (str(path), (line or 0) + 1, report.longrepr[2])
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if not self.active:
            return
        properties = dict(report.user_properties)
        gate = properties.get("release_gate")
        if not isinstance(gate, str):
            return
        from pytest_release.session import state
        from pytest_release.session.ledger import CHECKLIST_DETAIL

        if isinstance(detail := properties.get(CHECKLIST_DETAIL), str):
            self.config.stash[state.LEDGER].record_detail(gate, report.nodeid, detail)

        if report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
            self.config.stash[state.LEDGER].record(
                gate, report.nodeid, "skipped", reason.removeprefix("Skipped: ")
            )
        elif report.failed:
            self.config.stash[state.LEDGER].record(gate, report.nodeid, "failed")
        elif report.when == "call":
            self.config.stash[state.LEDGER].record(gate, report.nodeid, "passed")

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.active:
            return
        from pytest_release.session import state

        if state.LEDGER not in self.config.stash:
            return  # a usage error stopped the session before its ledger was made
        from pytest_release.session.report import checklist_lines, checklist_markdown

        ledger = self.config.stash[state.LEDGER]
        colours = {"passed": "green", "failed": "red", "skipped": "yellow", "not run": "white"}
        terminalreporter.write_sep("=", "release checklist")
        waived = state.settings_of(self.config).allow_unverified
        for outcome, line in checklist_lines(ledger, waived):
            terminalreporter.write_line(line, **{colours[outcome]: True})
        summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_file:
            try:
                with Path(summary_file).open("a", encoding="utf-8") as summary:
                    summary.write(checklist_markdown(ledger, waived))
            except OSError as error:
                terminalreporter.write_line(
                    f"the checklist could not be added to GITHUB_STEP_SUMMARY: {error}",
                    yellow=True,
                )


def _refuse_target_ini(config: pytest.Config, root: Path, items: list[pytest.Item]) -> None:
    """Stop when pytest took its configuration from the target instead of the suite's side.

    pytest picks its ini file before plugins load, reading `--monorepo PATH`'s PATH as a
    test path; the target's addopts, markers and testpaths would then rule the session.
    """
    inipath = config.inipath
    if inipath is None or not inipath.is_relative_to(root):
        return
    if all(item.path.is_relative_to(inipath.parent) for item in items):
        return
    raise pytest.UsageError(
        f"pytest took its configuration from {inipath}, inside the target repository, "
        "because it read the PATH of `--monorepo PATH` as a test path before this plugin "
        "loaded. Write --monorepo=PATH (with '='), or put a pytest configuration "
        "(pytest.ini or [tool.pytest.ini_options]) next to the release suite."
    )


def names_publish(config: pytest.Config) -> bool:
    """Whether the -m expression names the `publish` marker other than as `not publish`:
    the opt-in to a publish run (which also needs a publish gate to be selected)."""
    words = re.split(r"[\s()]+", str(config.getoption("markexpr") or ""))
    return any(
        word == PUBLISH_MARKER and (position == 0 or words[position - 1] != "not")
        for position, word in enumerate(words)
    )


def _publishes(gate: str | None) -> bool:
    return gate is not None and gate_named(gate).publish

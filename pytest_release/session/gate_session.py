"""The gate session: the hooks that act only in a release session, and its state machine.

It loads in every pytest session, so it imports what reads a target only once a hook
acts in a release session.

Collecting: a session becomes a release session once it collects the suite's gates; its
gate cases are put in checklist order, a publish run keeps every earlier gate selected,
and the ledger is made. Running: the publish guard stands before each publish case, each
case's outcome (a skip with its kind) goes into the ledger. Ending: the checklist.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Generator
from types import FrameType
from typing import TYPE_CHECKING

import pytest

from pytest_release.checklist import CHECKLIST_DETAIL, GATE_POSITION, GATES, SkipCause
from pytest_release.gate import (
    GateSkip,
    skip_blocked,
    skip_not_selected,
    skip_proven_by_bundle,
)
from pytest_release.session.guard import PUBLISH_NOT_SELECTED, publish_blockers
from pytest_release.session.selection import (
    bundle_asked,
    from_the_suite,
    gate_of,
    imports_the_suite,
    is_the_bundle_case,
    names_publish,
    publishes,
    refuse_target_ini,
    writes_the_bundle,
)

if TYPE_CHECKING:
    pass

XDIST_REFUSAL = (
    "the release gates cannot run under pytest-xdist (-n): they must run in checklist "
    "order in one process. Run them without -n."
)
PUBLISH_NEEDS_VERSION = (
    "a publish run needs the release version: give --release-version X.Y.Z (or set "
    "RELEASE_VERSION), the version the gates are to prove and the indexes are to receive."
)
_COLOURS = {"passed": "green", "failed": "red", "skipped": "yellow", "not run": "white"}


def hide_secrets(report: pytest.TestReport, item: pytest.Item) -> None:
    """Mask every known secret in what a gate case reports (its failure, its captured
    output, its properties) before the terminal, JUnit or any file sees it: the last net
    under the runner's own masking."""
    from pytest_release.redact import known_secrets, scrub_secrets

    secrets = known_secrets(os.environ)
    if isinstance(report.longrepr, tuple):
        path, line, reason = report.longrepr
        report.longrepr = (path, line, scrub_secrets(reason, secrets))
    elif report.longrepr is not None:
        text = str(report.longrepr)
        if (scrubbed := scrub_secrets(text, secrets)) != text:
            report.longrepr = scrubbed
    report.sections = [(title, scrub_secrets(text, secrets)) for title, text in report.sections]
    for properties in (report.user_properties, item.user_properties):
        properties[:] = [
            (name, scrub_secrets(value, secrets) if isinstance(value, str) else value)
            for name, value in properties
        ]


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
        self.not_selected: set[str] = set()  # publish cases of a run that does not publish
        self.skip_causes: dict[str, SkipCause] = {}  # node id -> what its skip means
        self.previous_sigterm: Callable[[int, FrameType | None], object] | int | None = None

    def _publish_opt_in(self) -> bool:
        return names_publish(str(self.config.getoption("markexpr") or ""))

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> Generator[None]:
        collected_order = {item: position for position, item in enumerate(items)}
        # A publish run runs every other gate too: hold them back from deselection (-m,
        # -k, --lf) until it is known whether a publish gate was selected; so does a dry
        # run asked for a bundle with its case.
        self.holding = self._publish_opt_in() or bundle_asked(config)
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
        self._interrupt_on_sigterm()
        from pytest_release.session import state
        from pytest_release.session.ledger import Ledger

        gates = {item: gate_of(item) for item in [*items, *held]}
        settings = state.settings_of(config)
        refuse_target_ini(config, settings.root, items)
        publishing = [item for item in items if publishes(gates[item])]
        self.publishing = bool(publishing) and self._publish_opt_in()
        if self.publishing:
            if settings.release_version is None:
                raise pytest.UsageError(PUBLISH_NEEDS_VERSION)
            items += held
        else:
            # A dry run asked for a bundle always says whether it wrote one, and why not.
            back = [item for item in held if writes_the_bundle(item, gates[item])]
            items += back
            if deselected := [item for item in held if item not in back]:
                config.hook.pytest_deselected(items=deselected)
            self.not_selected = {item.nodeid for item in publishing}
        # Checklist order between gates, definition order (publish order) within one; the
        # bundle's case last in its gate, after a user's own cases of it too.
        items.sort(
            key=lambda item: (
                GATE_POSITION.get(gates[item] or "", len(GATES)),
                writes_the_bundle(item, gates[item]),
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
                if waived and publishes(gate):
                    item.user_properties.append(("release_waived", waived))
        config.stash[state.PUBLISHING] = self.publishing
        config.stash[state.LEDGER] = Ledger(
            (gate, item.nodeid) for item in items if (gate := gates[item])
        )

    def _interrupt_on_sigterm(self) -> None:
        """SIGTERM (a CI job cancelled, a container stopped) ends the session as Ctrl-C
        does: every child process group and local index is stopped, the checklist says
        what is live where, and a re-run resumes."""
        if threading.current_thread() is not threading.main_thread():
            return  # only the main thread may set a signal handler

        def interrupt(signum: int, frame: object) -> None:
            raise KeyboardInterrupt(f"{signal.Signals(signum).name} received")

        self.previous_sigterm = signal.signal(signal.SIGTERM, interrupt)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self.previous_sigterm is not None:
            signal.signal(signal.SIGTERM, self.previous_sigterm)

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makeitem(
        self, collector: pytest.Module | pytest.Class, name: str, obj: object
    ) -> list[pytest.Item] | None:
        """The release bundle's case is collected only in a run given a bundle folder: it
        has nothing to do without one."""
        if name.startswith("test_release_bundle") and is_the_bundle_case(name, obj):
            return None if bundle_asked(self.config) else []
        return None

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_deselected(self, items: list[pytest.Item]) -> Generator[None]:
        """While a publish run collects, keep the non-publish gates out of what is
        deselected: the collection hook gives them back or deselects them itself."""
        if self.holding:
            held = [item for item in items if (gate := gate_of(item)) and not publishes(gate)]
            if held:
                self.held += held
                items[:] = [item for item in items if item not in held]
        yield

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: object, ids: list[str]) -> None:
        """Refuse -n in the controller, which collects nothing itself: a worker that
        raises leaves xdist with an INTERNALERROR instead of a usage error."""
        files = {self.config.rootpath / nodeid.partition("::")[0] for nodeid in ids}
        if any(imports_the_suite(file) for file in files):
            raise pytest.UsageError(XDIST_REFUSAL)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Before any fixture of a publish case is set up (an index started, say): skip it
        when the run does not publish; else the publish guard, which lets it act only when
        every gate before its own passed."""
        if item.nodeid in self.not_selected:
            skip_not_selected(PUBLISH_NOT_SELECTED)
        gate = gate_of(item)
        if self.publishing and gate:
            self._take_from_the_bundle(item, gate)
        if not (self.publishing and gate and publishes(gate)):
            return
        from pytest_release.session import state

        waived = state.settings_of(self.config).allow_unverified
        blockers = publish_blockers(self.config.stash[state.LEDGER], gate, waived)
        if blockers:
            skip_blocked(f"blocked, nothing sent: {'; '.join(blockers)}")

    def _take_from_the_bundle(self, item: pytest.Item, gate: str) -> None:
        """In a publish run from a release bundle, a case whose work the build job did
        (tests, editable, cli, rehearsal, the build itself) is not run again: it is taken
        as passed when the bundle's manifest records it passed for this commit and version,
        else it is not checked, and the bundle's own case says why."""
        from pytest_release.publish import bundle
        from pytest_release.session import state
        from pytest_release.session.ledger import case_name

        settings = state.settings_of(self.config)
        case = case_name(item.nodeid)
        if settings.bundle is None or not bundle.proven_by_the_bundle(gate, case):
            return
        source = state.bundle_source_of(self.config, settings.bundle)
        if not isinstance(source.commit, str):
            skip_blocked(f"not proven: git cannot tell the HEAD commit ({source.commit})")
        version = str(settings.release_version)  # a publish run has one
        proof = bundle.proof_for(source.manifest, source.folder, source.commit, version, gate, case)
        if proof.proven:
            skip_proven_by_bundle(proof.reason)
        skip_blocked(proof.reason)

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
        """Keep what a gate's skip means, and show the skip at the gate, not in the helper
        that raised it."""
        report = yield
        if not self.active:
            return report
        hide_secrets(report, item)
        if not (report.skipped and isinstance(report.longrepr, tuple)):
            return report
        reason = report.longrepr[2]
        if call.excinfo is not None and isinstance(call.excinfo.value, GateSkip):
            skip = call.excinfo.value
            self.skip_causes[report.nodeid] = skip.cause
            # On the item: JUnit takes a case's properties from its teardown report.
            item.user_properties.append(("release_skip", skip.cause.kind.value))
            if skip.cause.check:
                item.user_properties.append(("release_unverified", skip.cause.check))
            reason = f"Skipped: {skip.msg}"  # pytest's own spelling, not the subclass's name
        path, line, _ = item.reportinfo()
        report.longrepr = (str(path), (line or 0) + 1, reason)
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if not self.active:
            return
        from pytest_release.session import state

        properties = dict(report.user_properties)
        gate = properties.get("release_gate")
        if not isinstance(gate, str):
            return
        ledger = self.config.stash[state.LEDGER]
        if isinstance(detail := properties.get(CHECKLIST_DETAIL), str):
            ledger.record_detail(gate, report.nodeid, detail)
        if report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
            cause = self.skip_causes.get(report.nodeid)
            ledger.record(gate, report.nodeid, "skipped", reason.removeprefix("Skipped: "), cause)
        elif report.failed:
            ledger.record(gate, report.nodeid, "failed")
        elif report.when == "call":
            ledger.record(gate, report.nodeid, "passed")

    def pytest_terminal_summary(
        self, terminalreporter: pytest.TerminalReporter, exitstatus: int
    ) -> None:
        if not self.active:
            return
        from pytest_release.session import state

        if state.LEDGER not in self.config.stash:
            return  # a usage error stopped the session before its ledger was made
        from pytest_release.session.report import (
            add_to_step_summary,
            checklist_lines,
            checklist_markdown,
        )

        ledger = self.config.stash[state.LEDGER]
        terminalreporter.write_sep("=", "release checklist")
        waived = state.settings_of(self.config).allow_unverified
        for outcome, line in checklist_lines(ledger, waived):
            terminalreporter.write_line(line, **{_COLOURS[outcome]: True})
        markdown = checklist_markdown(ledger, waived)
        if exitstatus == pytest.ExitCode.INTERRUPTED and state.PUBLISH_LOG in self.config.stash:
            from pytest_release.publish.progress import interrupted_message

            interrupted = interrupted_message(self.config.stash[state.PUBLISH_LOG])
            terminalreporter.write_line(interrupted, yellow=True)
            markdown += f"\n{interrupted}\n"
        summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_file:
            trouble = add_to_step_summary(summary_file, markdown)
            if trouble:
                terminalreporter.write_line(trouble, yellow=True)

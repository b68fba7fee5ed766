"""Gate 1b, api, against real git histories: the example's public API (aetherflow.core.api)
changes after its v0.1.0 tag in one way or another, released as 0.1.1, 0.2.0 or 1.0.0.
Breaking and additive changes fail a release too small for them, naming each change's file,
line and signatures and the release that would do; the changelog gate asks for the breaks."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.plugin.baseline import API_CASE, assert_no_traceback, assert_outcomes, assert_says
from tests.plugin.defects import (
    BREAKING,
    CHANGELOG,
    CONFIG,
    GATES,
    commit,
    line_of,
    replace,
    rewrite_release_section,
    set_version,
)
from tests.plugin.gate_runs import GateRun, GateRunner
from tests.plugin.repos import PREVIOUS_VERSION, VERSION, ReleaseRepo, make_release_repo
from tests.plugin.trees import copy_example

BOUNDARY = "aetherflow.core.api"
API = f"{API_CASE}[{BOUNDARY}]"
TAG = f"v{PREVIOUS_VERSION}"
CORE_SOURCE = "packages/aetherflow-core/src/aetherflow/core"
API_FILE = f"{CORE_SOURCE}/api.py"
# A folder without __init__.py inside the regular package aetherflow.core: Python imports
# its modules (a namespace portion), and the boundary re-exports register_step from there.
REGISTRATION_FILE = f"{CORE_SOURCE}/registration/steps.py"
WITH_API = ("-m", " or ".join((*GATES, "api")))
API_ONLY = ("-m", "api")
PATCH, MAJOR = "0.1.1", "1.0.0"

# The boundary as released in v0.1.0 for these tests: defined names, a re-export of an
# internal module's class, one of a function from the namespace folder, and a default.
RELEASED_API = '''\
"""The public API of aetherflow-core."""

from aetherflow.core import registry
from aetherflow.core.registration.steps import register_step
from aetherflow.core.steps import ConnectorFactory, StepError

__all__ = ["StepError", "list_connectors", "list_steps", "register_connector", "register_step"]


def list_steps(prefix: str = "") -> list[str]:
    """Return the names of the registered steps that start with *prefix*, sorted."""
    return sorted(name for name in registry.STEPS if name.startswith(prefix))


def list_connectors() -> list[str]:
    """Return the names of all registered connectors, sorted."""
    return sorted(registry.CONNECTORS)


def register_connector(name: str, factory: ConnectorFactory) -> None:
    """Register *factory* as the connector *name*."""
    registry.register(registry.CONNECTORS, "connector", name, factory)
'''
RELEASED_REGISTRATION = '''\
"""Registering steps: what aetherflow.core.api.register_step does."""

from aetherflow.core import registry
from aetherflow.core.steps import StepFunc


def register_step(name: str, func: StepFunc) -> None:
    """Register *func* as the step *name*."""
    registry.register(registry.STEPS, "step", name, func)
'''
LIST_CONNECTORS = '''

def list_connectors() -> list[str]:
    """Return the names of all registered connectors, sorted."""
    return sorted(registry.CONNECTORS)
'''


@pytest.fixture
def api_repo(tmp_path: Path) -> ReleaseRepo:
    """The example with the boundary above, released as v0.1.0 and bumped to 0.2.0."""
    tree = copy_example(tmp_path / "tree")
    (tree / API_FILE).write_text(RELEASED_API, encoding="utf-8")
    (tree / REGISTRATION_FILE).parent.mkdir()
    (tree / REGISTRATION_FILE).write_text(RELEASED_REGISTRATION, encoding="utf-8")
    return make_release_repo(tree, tmp_path / "work")


@dataclass(frozen=True)
class ApiEdit:
    """A change of the released code at HEAD: ``old`` replaced by ``new`` in ``file``."""

    file: str
    old: str
    new: str

    def apply(self, repo: ReleaseRepo) -> None:
        replace(repo, self.file, self.old, self.new)
        commit(repo, f"Change {self.file}")


REMOVED_FUNCTION = ApiEdit(API_FILE, LIST_CONNECTORS, "")
REMOVED_PARAMETER = ApiEdit(
    API_FILE,
    'register_connector(name: str, factory: ConnectorFactory) -> None:\n    """Register *factory*',
    'register_connector(name: str) -> None:\n    """Register the memory connector',
)
NEW_REQUIRED_PARAMETER = ApiEdit(
    API_FILE, "def list_connectors()", "def list_connectors(kind: str)"
)
CHANGED_DEFAULT = ApiEdit(API_FILE, 'prefix: str = ""', 'prefix: str = "e"')
DROPPED_REEXPORT = ApiEdit(
    API_FILE,
    'ConnectorFactory, StepError\n\n__all__ = ["StepError", ',
    "ConnectorFactory\n\n__all__ = [",
)
NAMESPACE_SIGNATURE = ApiEdit(
    REGISTRATION_FILE, "func: StepFunc) -> None", "func: StepFunc, group: str) -> None"
)
NEW_FUNCTION = ApiEdit(
    API_FILE,
    '__all__ = ["StepError", ',
    '__all__ = ["StepError", "has_step", ',
)
NEW_OPTIONAL_PARAMETER = ApiEdit(
    API_FILE, "def list_connectors()", 'def list_connectors(prefix: str = "")'
)
INTERNAL_CHANGE = ApiEdit(
    f"{CORE_SOURCE}/registry.py",
    "def register(table: dict[str, _T], kind: str, name: str, obj: _T) -> None:",
    "def register(table: dict[str, _T], kind: str, name: str, obj: _T, *, again: bool) -> None:",
)


def has_step(repo: ReleaseRepo) -> None:
    """NEW_FUNCTION's definition, added to the end of the boundary."""
    with (repo.root / API_FILE).open("a", encoding="utf-8") as file:
        file.write("\n\ndef has_step(name: str) -> bool:\n    return name in registry.STEPS\n")


def api_property(run: GateRun) -> str | None:
    """The JUnit property ``api_difference`` of the api gate's case."""
    for element in ElementTree.parse(run.junit).getroot().iter("testcase"):
        if element.attrib["name"] == API:
            found = {p.attrib["name"]: p.attrib["value"] for p in element.iter("property")}
            return found.get("api_difference")
    return None


def run_api_gate(run_gates: GateRunner, repo: ReleaseRepo, release: str) -> GateRun:
    return run_gates(repo.root, *API_ONLY, "--release-version", release)


def assert_api_outcome(run: GateRun, outcome: str, *says: str) -> None:
    """The api gate's one case ended so, a failure saying every one of ``says``."""
    assert run.outcomes() == {API: outcome}, run.output
    if outcome == "failed":
        assert_says(run, API, *says)
    assert_no_traceback(run)


def test_the_example_keeps_its_api_and_passes(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    run = run_gates(release_repo.root, *WITH_API)

    assert_outcomes(run, gates=(*GATES, "api"))
    assert api_property(run) == f"{BOUNDARY} since {TAG}: no change"
    assert f"{BOUNDARY} since {TAG}: no change" in run.output  # under the checklist's api line


# Each kind of change, on the release too small for it and on the smallest that does -------

BREAKING_EDITS = [
    pytest.param(REMOVED_FUNCTION, "list_connectors: removed", id="removed-function"),
    pytest.param(
        REMOVED_PARAMETER,
        "register_connector: parameter `factory` was removed (or renamed)",
        id="removed-parameter",
    ),
    pytest.param(
        NEW_REQUIRED_PARAMETER,
        "list_connectors: new required parameter `kind`",
        id="new-required-parameter",
    ),
    pytest.param(
        CHANGED_DEFAULT,
        "list_steps: the default of `prefix` changed from '' to 'e'",
        id="changed-default",
    ),
    pytest.param(
        DROPPED_REEXPORT,
        f"StepError: moved out of {BOUNDARY} to aetherflow.core.steps",
        id="re-export-dropped",
    ),
    pytest.param(
        NAMESPACE_SIGNATURE,
        "register_step: new required parameter `group`",
        id="namespace-sub-folder",
    ),
]


@pytest.mark.parametrize(("edit", "says"), BREAKING_EDITS)
def test_a_breaking_change_fails_a_patch_release(
    api_repo: ReleaseRepo, run_gates: GateRunner, edit: ApiEdit, says: str
) -> None:
    edit.apply(api_repo)

    run = run_api_gate(run_gates, api_repo, PATCH)

    assert_api_outcome(
        run,
        "failed",
        f"{BOUNDARY}.{says}",
        f"{PATCH} is a patch release after {PREVIOUS_VERSION}, and a breaking change needs a "
        "minor one (on 0.y.z)",
        f"release it as {VERSION} (at least a minor bump)",
    )


@pytest.mark.parametrize(("edit", "says"), BREAKING_EDITS)
def test_a_breaking_change_passes_a_zero_minor_release(
    api_repo: ReleaseRepo, run_gates: GateRunner, edit: ApiEdit, says: str
) -> None:
    """0.1.0 to 0.2.0 may break the API; the JUnit property lists what broke."""
    edit.apply(api_repo)

    run = run_api_gate(run_gates, api_repo, VERSION)

    assert_api_outcome(run, "passed")
    report = api_property(run)
    assert report is not None
    assert report.startswith(f"{BOUNDARY} since {TAG}: "), report
    assert says in report, report


ADDITIVE_EDITS = [
    pytest.param(NEW_FUNCTION, "has_step: new public name", id="new-public-function"),
    pytest.param(
        NEW_OPTIONAL_PARAMETER,
        "list_connectors: new optional parameter `prefix`",
        id="new-optional-parameter",
    ),
]


@pytest.mark.parametrize(("edit", "says"), ADDITIVE_EDITS)
@pytest.mark.parametrize(("release", "outcome"), [(PATCH, "failed"), (VERSION, "passed")])
def test_an_addition_needs_a_minor_release(
    api_repo: ReleaseRepo,
    run_gates: GateRunner,
    edit: ApiEdit,
    says: str,
    release: str,
    outcome: str,
) -> None:
    if edit is NEW_FUNCTION:
        has_step(api_repo)
    edit.apply(api_repo)

    run = run_api_gate(run_gates, api_repo, release)

    assert_api_outcome(
        run,
        outcome,
        f"{BOUNDARY}.{says}",
        f"{PATCH} is a patch release after {PREVIOUS_VERSION}, and an additive change needs a "
        "minor one",
        f"release it as {VERSION} (at least a minor bump)",
    )


@pytest.mark.parametrize("release", [PATCH, VERSION])
def test_an_internal_change_passes_any_release(
    api_repo: ReleaseRepo, run_gates: GateRunner, release: str
) -> None:
    """registry.register got a required parameter; the boundary did not change."""
    INTERNAL_CHANGE.apply(api_repo)

    run = run_api_gate(run_gates, api_repo, release)

    assert_api_outcome(run, "passed")
    assert api_property(run) == f"{BOUNDARY} since {TAG}: no change"


# strict-zero ----------------------------------------------------------------------------------


def set_strict_zero(repo: ReleaseRepo) -> None:
    replace(
        repo,
        CONFIG,
        'public-api = ["aetherflow.core.api"]\n',
        'public-api = ["aetherflow.core.api"]\nstrict-zero = true\n',
    )


@pytest.mark.parametrize(("release", "outcome"), [(VERSION, "failed"), (MAJOR, "passed")])
def test_with_strict_zero_a_break_on_zero_needs_a_major_release(
    api_repo: ReleaseRepo, run_gates: GateRunner, release: str, outcome: str
) -> None:
    set_strict_zero(api_repo)
    REMOVED_PARAMETER.apply(api_repo)

    run = run_api_gate(run_gates, api_repo, release)

    assert_api_outcome(
        run,
        outcome,
        f"{API_FILE}, line {line_of(api_repo, API_FILE, 'def register_connector')}: "
        f"{BOUNDARY}.register_connector: parameter `factory` was removed (or renamed)",
        "before: register_connector(name: str, factory: ConnectorFactory) -> None",
        "now:    register_connector(name: str) -> None",
        f"{VERSION} is a minor release after {PREVIOUS_VERSION}, and a breaking change needs "
        "a major one (strict-zero is set)",
        f"release it as {MAJOR} (at least a major bump)",
    )


# A major release and its changelog ----------------------------------------------------------

LISTED = (
    "\n### Breaking Changes\n- `register_connector` takes no factory: it registers the memory "
    "connector.\n\n### Migration Notes\n- Call `register_connector(name)`.\n"
)


@pytest.mark.parametrize(
    ("section", "changed"),
    [
        pytest.param(LISTED, {}, id="breaking-changes-listed"),
        pytest.param("\n### Changed\n- Connectors.\n", {BREAKING: "failed"}, id="not-listed"),
    ],
)
def test_a_break_on_a_major_release_passes_and_the_changelog_must_list_it(
    api_repo: ReleaseRepo, run_gates: GateRunner, section: str, changed: dict[str, str]
) -> None:
    REMOVED_PARAMETER.apply(api_repo)
    set_version(api_repo, MAJOR, internal_range=">=1.0,<2")
    rewrite_release_section(api_repo, body=section)
    commit(api_repo, f"Release {MAJOR}")

    run = run_gates(api_repo.root, *WITH_API)

    assert_outcomes(run, changed, gates=(*GATES, "api"))
    if changed:
        heading = line_of(api_repo, CHANGELOG, f"## [{MAJOR}]")
        assert_says(
            run,
            BREAKING,
            f"{CHANGELOG}, line {heading}: {MAJOR} breaks the public API (1 change(s) since "
            f"{PREVIOUS_VERSION}, found by the api gate), but its section has no "
            '"### Breaking Changes" subsection',
            "- `register_connector`: parameter `factory` was removed (or renamed)",
        )


def test_breaking_changes_that_leave_out_a_broken_name_fail(
    api_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    """0.2.0 may break the API on 0.y.z, and then owes the changelog its breaks by name."""
    REMOVED_PARAMETER.apply(api_repo)
    REMOVED_FUNCTION.apply(api_repo)
    rewrite_release_section(api_repo, body=LISTED)
    commit(api_repo, "List one of the two breaks")

    run = run_gates(api_repo.root, *WITH_API)

    assert_outcomes(run, {BREAKING: "failed"}, gates=(*GATES, "api"))
    assert_says(
        run,
        BREAKING,
        f"{CHANGELOG}, line {line_of(api_repo, CHANGELOG, '### Breaking Changes')}: the "
        f'"### Breaking Changes" subsection of {VERSION} does not name list_connectors, which '
        "the api gate found broken",
        "- `list_connectors`: removed",
    )
    assert "register_connector" not in run.message(BREAKING)


# What cannot be compared --------------------------------------------------------------------


def no_public_api(repo: ReleaseRepo) -> None:
    replace(repo, CONFIG, 'public-api = ["aetherflow.core.api"]\n', "")
    commit(repo, "Name no boundary module")


def no_release_tag(repo: ReleaseRepo) -> None:
    repo.git("tag", "-d", TAG)


@pytest.mark.parametrize(
    ("defect", "case", "says"),
    [
        pytest.param(
            no_public_api,
            f"{API_CASE}[none-configured]",
            "nothing to check: no boundary modules: setting `public-api` (default) names none",
            id="no-public-api",
        ),
        pytest.param(
            no_release_tag,
            API,
            "nothing to check: no release of aetherflow-core to compare with: no tag of the form "
            "vX.Y.Z",
            id="no-release-tag",
        ),
    ],
)
def test_nothing_to_compare_is_skipped_with_the_reason(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    defect: Callable[[ReleaseRepo], None],
    case: str,
    says: str,
) -> None:
    defect(release_repo)

    run = run_gates(release_repo.root, *API_ONLY)

    assert run.outcomes() == {case: "skipped"}, run.output
    assert_says(run, case, says)


def test_a_boundary_module_that_is_not_there_fails(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    replace(release_repo, CONFIG, '"aetherflow.core.api"', '"aetherflow.core.apis"')
    commit(release_repo, "Misspell the boundary module")

    run = run_gates(release_repo.root, *API_ONLY)

    case = f"{API_CASE}[aetherflow.core.apis]"
    assert run.outcomes() == {case: "failed"}, run.output
    assert_says(
        run,
        case,
        "aetherflow.core.apis, a boundary module of setting `public-api` (from "
        f"{release_repo.root / CONFIG}), is not a module of any package at HEAD (their import "
        "packages: aetherflow.cli, aetherflow.core, aetherflow.scheduler)",
    )
    assert_no_traceback(run)

"""The rehearsal's logic: uploads in order, the install command (index priority), what an
unreachable index looks like, RECORD files compared, demo files chosen for smoke commands."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pytest_release.checks.smoke import demo_paths
from pytest_release.dists.build import BuiltPackage
from pytest_release.dists.files import file_sha256
from pytest_release.dists.installed import (
    InstalledDist,
    index_problems,
    installed_problems,
    parse_record,
    record_differences,
    wheel_record,
)
from pytest_release.dists.venv import FreshVenv, NotAttempted
from pytest_release.index.names import IndexFile
from pytest_release.problems import Problem
from pytest_release.process import CommandResult
from pytest_release.publish.rehearsal import (
    install_steps,
    missing_from_wheel,
    normal_indexes,
    third_party_requirements,
    unreachable_index,
    upload_in_order,
)
from pytest_release.target.monorepo import Monorepo, Package

ROOT = Path("/repo")
LOCAL = "http://127.0.0.1:8765/simple/"


def package(name: str, *requires: str, imports: tuple[str, ...] = (), root: Path = ROOT) -> Package:
    folder = root / "packages" / name
    return Package(
        name=name,
        key=canonicalize_name(name),
        folder=folder,
        pyproject=folder / "pyproject.toml",
        version_text="1.2.0",
        version_source="pyproject.toml",
        dependencies=tuple(map(Requirement, requires)),
        import_packages=imports,
    )


CORE = package("acme-core", "packaging>=24")
CLI = package("acme-cli", "acme-core>=1.2", "click>=8")
META = package("acme", "acme-core>=1.2", "acme-cli>=1.2")
REPO = Monorepo(ROOT, (CORE, CLI, META))


# -- uploads ----------------------------------------------------------------------------------


class FakeIndex:
    def __init__(self, failing: str = "") -> None:
        self.failing = failing
        self.uploads: list[list[str]] = []

    def upload(self, files: Sequence[Path]) -> CommandResult:
        self.uploads.append([file.name for file in files])
        failed = (
            any(file.name.startswith(self.failing) for file in files) if self.failing else False
        )
        return CommandResult(("twine", "upload"), 1 if failed else 0, "HTTPError: 400")

    def clear(self) -> None:
        self.uploads.append(["(cleared)"])


def built(name: str, *, wheel: bool = True) -> BuiltPackage:
    stem = name.replace("-", "_")
    whl = Path(f"/dists/{stem}-1.2.0-py3-none-any.whl") if wheel else None
    sdist = Path(f"/dists/{stem}-1.2.0.tar.gz")
    return BuiltPackage(name, sdist, whl, (sdist,), None if wheel else "failed")


ALL_TOGETHER = "acme_core.whl acme_cli.whl acme.whl acme_core.tar.gz acme_cli.tar.gz acme.tar.gz"


@pytest.mark.parametrize(
    ("failing", "no_wheel", "commands", "outcomes"),
    [
        ("", "", [ALL_TOGETHER], ["ok", "ok", "ok"]),
        (
            "acme_cli",
            "",
            [
                ALL_TOGETHER,
                "(cleared)",
                "acme_core.whl acme_core.tar.gz",
                "acme_cli.whl acme_cli.tar.gz",
            ],
            ["ok", "failed", "stopped at acme-cli"],
        ),
        ("", "acme-core", [], ["no wheel", "stopped at acme-core", "stopped at acme-core"]),
    ],
    ids=["all-in-one-command", "a-failure-is-told-by-one-at-a-time", "not-built"],
)
def test_uploads_go_together_or_in_publish_order_and_stop_at_a_failure(
    failing: str, no_wheel: str, commands: list[str], outcomes: list[str]
) -> None:
    index = FakeIndex(failing)
    dists = {p.name: built(p.name, wheel=p.name != no_wheel) for p in REPO.packages}
    results = upload_in_order(index, REPO, dists)
    shown = [
        " ".join(name.replace("-1.2.0-py3-none-any", "").replace("-1.2.0", "") for name in names)
        for names in index.uploads
    ]
    assert shown == commands
    seen = []
    for result in results.values():
        if isinstance(result, NotAttempted):
            seen.append("no wheel" if "no wheel" in result.reason else result.reason)
        else:
            seen.append("ok" if result.ok else "failed")
    assert [s.replace("the upload ", "").partition(",")[0] for s in seen] == outcomes


# -- what is installed, and how ---------------------------------------------------------------

FAST = package("acme-fast", "acme-core[speed]>=1.2", "click>=8")
CORE_WITH_EXTRA = Package(
    **{
        **CORE.__dict__,
        "optional_dependencies": {"speed": (Requirement("orjson>=3"), Requirement("acme-cli"))},
    }
)


@pytest.mark.parametrize(
    ("packages", "expected"),
    [
        pytest.param((CORE, CLI, META), ["packaging>=24", "click>=8"], id="each-once"),
        pytest.param(
            (CORE_WITH_EXTRA, CLI, FAST),
            ["packaging>=24", "click>=8", "orjson>=3"],
            id="an-internal-extra-brings-its-own",
        ),
        pytest.param((package("solo"),), [], id="none"),
    ],
)
def test_third_party_requirements(packages: tuple[Package, ...], expected: list[str]) -> None:
    assert third_party_requirements(Monorepo(ROOT, packages)) == expected


MIRROR = {"PIP_INDEX_URL": "https://mirror/simple"}


@pytest.mark.parametrize(
    ("environ", "variables"),
    [
        pytest.param({}, {}, id="none"),
        pytest.param(MIRROR, {"UV_DEFAULT_INDEX": "https://mirror/simple"}, id="pip-index"),
        pytest.param({**MIRROR, "UV_DEFAULT_INDEX": "https://uv"}, {}, id="uv-default-wins"),
        pytest.param({**MIRROR, "UV_INDEX_URL": "https://uv"}, {}, id="uv-index-url-wins"),
        pytest.param(
            {"PIP_EXTRA_INDEX_URL": "https://x https://y"},
            {"UV_INDEX": "https://x https://y"},
            id="pip-extra",
        ),
        pytest.param(
            {"PIP_EXTRA_INDEX_URL": "https://x", "UV_EXTRA_INDEX_URL": "https://u"},
            {},
            id="uv-extra-wins",
        ),
    ],
)
def test_pip_index_settings_reach_uv_through_its_variables(
    environ: dict[str, str], variables: dict[str, str]
) -> None:
    assert normal_indexes(environ, uv=True) == variables
    assert normal_indexes(environ, uv=False) == {}  # pip reads its own


@pytest.mark.parametrize("uv", ["/bin/uv", None], ids=["uv", "pip"])
def test_the_release_comes_from_the_index_under_test_and_the_rest_from_the_normal_one(
    uv: str | None,
) -> None:
    venv = FreshVenv(Path("/venv"), uv)
    secret_index = "https://user:s3cret@mirror.example/simple"
    internal, third_party, check = install_steps(venv, LOCAL, REPO, {"PIP_INDEX_URL": secret_index})
    pins = ["acme-core==1.2.0", "acme-cli==1.2.0", "acme==1.2.0"]
    # 1. Every internal package, pinned, its wheel, no dependency, from that index alone.
    assert list(internal.command[-5:]) == ["--only-binary", ":all:", *pins]
    assert "--no-deps" in internal.command
    assert LOCAL in internal.variables.values()
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "UV_INDEX", "UV_DEFAULT_INDEX"):
        assert name in internal.removed or internal.variables.get(name) == LOCAL
    # 2. The third-party requirements from the normal index, the internal ones standing.
    assert list(third_party.command[-5:]) == ["packaging>=24", "click>=8", *pins]
    assert LOCAL not in third_party.variables.values()
    assert third_party.removed == ()
    # 3. Every requirement met.
    assert "check" in check.command
    # No URL, and so no credential, on any command line.
    for step in (internal, third_party, check):
        assert not [word for word in step.command if "://" in word]
    if uv:
        assert "--no-config" in internal.command
        assert third_party.variables == {"UV_DEFAULT_INDEX": secret_index}
    else:
        assert internal.variables["PIP_CONFIG_FILE"] == os.devnull


def test_with_no_third_party_requirement_there_is_no_second_step() -> None:
    venv = FreshVenv(Path("/venv"), "/bin/uv")
    steps = install_steps(venv, LOCAL, Monorepo(ROOT, (package("solo"),)), {})
    assert ["install" in step.command for step in steps] == [True, False]


# -- an unreachable index ---------------------------------------------------------------------

UV_REFUSED = """error: Request failed after 3 retries in 10.0s
  cause: Failed to fetch: http://127.0.0.1:9/simple/six/
  cause: error sending request for url (http://127.0.0.1:9/simple/six/)
  cause: client error (Connect)
  cause: tcp connect error
  cause: Connection refused (os error 111)"""
UV_DNS = """error: Request failed after 3 retries
  Caused by: Failed to fetch: `https://pypi.org/simple/six/`
  Caused by: error sending request for url (https://pypi.org/simple/six/)
  Caused by: client error (Connect)
  Caused by: dns error: failed to lookup address information: Name or service not known"""
UV_LOCAL_DOWN = UV_REFUSED.replace("127.0.0.1:9/", "127.0.0.1:8765/")
UV_UNSATISFIABLE = """  x No solution found when resolving dependencies:
  `-> Because acme-core==1.2.0 depends on zzz>=9 and zzz was not found in the package
      registry, we can conclude that acme-core==1.2.0 cannot be used."""
PIP_PYPI_REFUSED = (
    "WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) "
    "after connection broken by 'NewConnectionError('<HTTPSConnection object at 0x7f>: Failed "
    "to establish a new connection: [Errno 111] Connection refused')': /simple/six/\n"
    "ERROR: Could not find a version that satisfies the requirement six>=1.16 (from versions: "
    "none)"
)
PIP_DNS = (
    "WARNING: Retrying (Retry(total=0)) after connection broken by 'NameResolutionError(\"<"
    "HTTPSConnection(host='pypi.org', port=443)>: Failed to resolve 'pypi.org' ([Errno -3] "
    "Temporary failure in name resolution)\")': /simple/six/\n"
    "ERROR: No matching distribution found for six"
)
PIP_LOCAL_DOWN = (
    f"Looking in indexes: {LOCAL}\nWARNING: Retrying (Retry(total=0)) after connection broken "
    "by 'NewConnectionError('Failed to establish a new connection: [Errno 111] Connection "
    "refused')': /simple/acme/"
)
UV_OFFLINE = (
    "error: Network connectivity is disabled, but the requested data wasn't found in the cache "
    "for: `https://pypi.org/simple/six/`"
)


UV_DNS_CAUSE = "dns error: failed to lookup address information: Name or service not known"


@pytest.mark.parametrize(
    ("output", "index", "cause"),
    [
        pytest.param(
            UV_REFUSED, "http://127.0.0.1:9", "Connection refused (os error 111)", id="uv"
        ),
        pytest.param(UV_DNS, "https://pypi.org", UV_DNS_CAUSE, id="uv-dns"),
        pytest.param(UV_OFFLINE, "https://pypi.org", "Network connectivity is disabled", id="off"),
        pytest.param(PIP_PYPI_REFUSED, "", "Connection refused", id="pip-naming-no-index"),
        pytest.param(PIP_DNS, "pypi.org:443", "Temporary failure in name resolution", id="pip-dns"),
        pytest.param(UV_LOCAL_DOWN, None, None, id="uv-local-index-down"),
        pytest.param(PIP_LOCAL_DOWN, None, None, id="pip-local-index-down"),
        pytest.param(UV_UNSATISFIABLE, None, None, id="unsatisfiable"),
        pytest.param("", None, None, id="empty"),
    ],
)
def test_an_unreachable_normal_index_is_told_apart(
    output: str, index: str | None, cause: str | None
) -> None:
    """An index of the user's that cannot be reached is told apart from the local index
    down and from a failed resolution; the index (when named) and the cause are quoted."""
    named = f"the package index {index}" if index else "the package index"
    reason = None if index is None else f"{named} could not be reached ({cause})"
    assert unreachable_index(output, LOCAL) == reason


# -- RECORD files -----------------------------------------------------------------------------

DIST_INFO = "acme-1.2.0.dist-info"
WHEEL_RECORD = {
    "acme/__init__.py": "sha256=AAA",
    "acme/cli.py": "sha256=BBB",
    f"{DIST_INFO}/METADATA": "sha256=CCC",
    f"{DIST_INFO}/RECORD": "",
    "acme-1.2.0.data/purelib/acme_extra.py": "sha256=DDD",
    "acme-1.2.0.data/scripts/acme-tool": "sha256=EEE",
}
INSTALLED_RECORD = {
    "acme/__init__.py": "sha256=AAA",
    "acme/cli.py": "sha256=BBB",
    f"{DIST_INFO}/METADATA": "sha256=CCC",
    f"{DIST_INFO}/RECORD": "",
    "acme_extra.py": "sha256=DDD",
    "../../../bin/acme-tool": "sha256=rewritten",
    "../../../bin/acme": "sha256=generated",
    f"{DIST_INFO}/INSTALLER": "sha256=uv",
    f"{DIST_INFO}/REQUESTED": "sha256=empty",
    "acme/__pycache__/cli.cpython-311.pyc": "",
}


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        pytest.param(
            "a/b.py,sha256=X,12\nx.dist-info/RECORD,,\n",
            {"a/b.py": "sha256=X", "x.dist-info/RECORD": ""},
            id="plain",
        ),
        pytest.param(
            '"a/with,comma.txt",sha256=Y,3\r\n\n', {"a/with,comma.txt": "sha256=Y"}, id="quoted"
        ),
        pytest.param("lonely\n", {"lonely": ""}, id="path-only"),
        pytest.param("", {}, id="empty"),
    ],
)
def test_record_files_are_parsed(text: str, parsed: dict[str, str]) -> None:
    assert parse_record(text) == parsed


@pytest.mark.parametrize(
    ("edit", "missing", "changed", "extra"),
    [
        ({}, (), (), ()),
        ({"acme/cli.py": None}, ("acme/cli.py",), (), ()),
        ({"acme/cli.py": "sha256=other"}, (), ("acme/cli.py",), ()),
        ({"acme_extra.py": "sha256=other"}, (), ("acme_extra.py",), ()),
        ({"acme/stray.py": "sha256=ZZZ"}, (), (), ("acme/stray.py",)),
        ({f"{DIST_INFO}/direct_url.json": "sha256=D"}, (), (), ()),
    ],
    ids=["same", "missing", "changed", "purelib-changed", "extra", "installer-file"],
)
def test_installed_record_is_compared_with_the_wheel_record(
    edit: dict[str, str | None],
    missing: tuple[str, ...],
    changed: tuple[str, ...],
    extra: tuple[str, ...],
) -> None:
    installed = dict(INSTALLED_RECORD)
    for path, digest in edit.items():
        if digest is None:
            del installed[path]
        else:
            installed[path] = digest
    differences = record_differences(WHEEL_RECORD, installed)
    assert (differences.missing, differences.changed, differences.extra) == (
        missing,
        changed,
        extra,
    )
    assert bool(differences) == bool(missing or changed or extra)


def make_wheel(path: Path, record: str | None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("acme/__init__.py", "")
        if record is not None:
            archive.writestr(f"{DIST_INFO}/RECORD", record)
    return path


def test_the_wheel_record_is_read_from_the_wheel(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "acme-1.2.0-py3-none-any.whl", "acme/__init__.py,sha256=A,0\n")
    assert wheel_record(wheel) == {"acme/__init__.py": "sha256=A"}
    with pytest.raises(ValueError, match="0 dist-info RECORD"):
        wheel_record(make_wheel(tmp_path / "bare.whl", None))


def dist(version: str = "1.2.0", digest: str = "A", direct_url: str | None = None) -> InstalledDist:
    return InstalledDist("acme", version, {"acme/__init__.py": f"sha256={digest}"}, direct_url)


@pytest.mark.parametrize(
    ("installed", "listed_sha", "words"),
    [
        pytest.param(dist(), None, [], id="same"),
        pytest.param(None, None, ["acme is not installed", "acme==1.2.0"], id="not-installed"),
        pytest.param(
            dist("1.3.0"), None, ["acme 1.3.0 was installed, not the release's 1.2.0"], id="version"
        ),
        pytest.param(
            dist(direct_url='{"url": "file:///x"}'), None, ["direct URL or folder"], id="direct-url"
        ),
        pytest.param(
            dist(digest="B"), None, ["installed with other content: acme/__init__.py"], id="files"
        ),
        pytest.param(
            dist(), "f00", ["serves acme-1.2.0-py3-none-any.whl with sha256 f00"], id="index-sha256"
        ),
    ],
)
def test_what_was_installed_must_be_the_uploaded_wheel(
    tmp_path: Path, installed: InstalledDist | None, listed_sha: str | None, words: list[str]
) -> None:
    acme = package("acme")
    wheel = make_wheel(tmp_path / "acme-1.2.0-py3-none-any.whl", "acme/__init__.py,sha256=A,0\n")
    listed = [IndexFile(wheel.name, listed_sha or file_sha256(wheel))]
    problems = [
        *index_problems(acme, wheel, listed),
        *installed_problems(acme, installed, wheel, ["acme==1.2.0"]),
    ]
    text = "\n".join(problem.render() for problem in problems)
    assert bool(problems) == bool(words), text
    for word in words:
        assert word in text


def test_a_wheel_missing_from_the_index_is_named(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "acme-1.2.0-py3-none-any.whl", "")
    (problem,) = index_problems(package("acme"), wheel, [IndexFile("acme-1.2.0.tar.gz", "")])
    assert "does not list the uploaded acme-1.2.0-py3-none-any.whl" in problem.what


# -- a module the wheel lacks, and the files a smoke command names -----------------------------


def test_a_missing_module_in_the_source_tree_gets_the_wheel_fix(tmp_path: Path) -> None:
    scheduler = package("acme-scheduler", imports=("acme.scheduler",), root=tmp_path)
    (scheduler.folder / "src/acme/scheduler/planning").mkdir(parents=True)
    repo = Monorepo(tmp_path, (scheduler,))
    said = "ModuleNotFoundError: No module named '{}'"
    problems = [
        Problem(said.format("acme.scheduler.planning"), "here", "the usual fix"),
        Problem(said.format("yaml"), "here", "the usual fix"),
    ]
    told, untouched = missing_from_wheel(problems, repo)
    assert "source tree of acme-scheduler" in told.fix
    assert "packages/acme-scheduler/src/acme/scheduler/planning" in told.fix
    assert "packages/acme-scheduler/pyproject.toml" in told.fix
    assert untouched == problems[1]


@pytest.fixture
def demo_repo(tmp_path: Path) -> Path:
    for name in ("demo/flow.yaml", "demo/data/rows.csv", "packages/acme/pyproject.toml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "acme").mkdir()  # a flat-layout import package at the top
    (tmp_path / "config.toml").write_text("x", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("command", "paths"),
    [
        pytest.param("acme validate demo/flow.yaml", ["demo/flow.yaml"], id="file"),
        pytest.param(
            "acme run --config=config.toml demo/data", ["config.toml", "demo/data"], id="option"
        ),
        pytest.param("acme run demo/flow.yaml ./demo/flow.yaml", ["demo/flow.yaml"], id="once"),
        pytest.param("acme check .", [], id="root"),
        pytest.param("acme check ../elsewhere demo/../../x", [], id="outside"),
        pytest.param("acme check packages", [], id="holds-a-package"),
        pytest.param("python -m acme acme/__init__.py", [], id="import-package"),
        pytest.param("acme run missing.yaml /etc/passwd", [], id="absent-or-absolute"),
        pytest.param("acme 'unbalanced", [], id="unbalanced-quotes"),
    ],
)
def test_smoke_commands_get_the_repo_files_they_name(
    demo_repo: Path, command: str, paths: list[str]
) -> None:
    acme = package("acme", imports=("acme",), root=demo_repo)
    assert demo_paths(command, demo_repo, [acme]) == paths

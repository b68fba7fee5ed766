"""The release bundle: the files a build job's rehearsal installed and smoke-tested, and the
manifest of what that session proved (``manifest``), carried to a publish job that holds the
upload credentials and never builds.

A dry run given ``--bundle=DIR`` writes it once every gate up to the rehearsal passed: into
a new folder beside DIR, the manifest last, then renamed into place, so that DIR is either
the old bundle or the whole new one. A publish run given ``--bundle=DIR`` reads it back and
refuses it, before anything is sent, unless it is of this very commit and version, holds
every package of the release, each file with its recorded size and sha256, and records the
gates it stands for as passed. No pytest here.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_release.checklist import SkipCause, SkipKind
from pytest_release.dists.build import BuiltPackage
from pytest_release.dists.files import file_sha256
from pytest_release.problems import Problem
from pytest_release.publish.manifest import (
    MANIFEST_NAME,
    BundleFile,
    BundlePackage,
    CaseOutcome,
    GateOutcome,
    Manifest,
    ManifestError,
    parse_manifest,
)
from pytest_release.publish.progress import ProvenFile, ProvenFiles
from pytest_release.target import git

if TYPE_CHECKING:
    from pytest_release.target.monorepo import Package

BUNDLE_CASE = "test_release_bundle"
BUNDLE_MODULE = "test_07a_rehearsal"  # the suite module that defines it
BUNDLE_THROUGH = "rehearsal"  # the last gate whose outcome the bundle records
# The gates that read the repository: a publish run from a bundle runs them itself.
REREAD_GATES = frozenset({"preflight", "versions", "api", "changelog"})
# The gates whose work a publish run from a bundle does not do again: the build job did it
# (in a session without secrets) and the manifest records that it passed.
PROVEN_GATES = frozenset({"tests", "editable", "cli", "rehearsal"})
# The build gate's cases that build: the others check the files, and run on the bundle's.
BUILDING_CASES = frozenset({"test_build_succeeds", "test_wheel_has_every_module_of_the_tree"})
REDO = "run the build job's dry run with --bundle=DIR again on this commit, and publish that bundle"


def proven_by_the_bundle(gate: str, case: str) -> bool:
    """Whether a publish run from a bundle takes ``case`` of ``gate`` from the manifest
    instead of running it (``case``: its name, with its parameters)."""
    function = case.partition("[")[0]
    if gate == "rehearsal":
        return function != BUNDLE_CASE
    return gate in PROVEN_GATES or (gate == "build" and function in BUILDING_CASES)


def clears_the_way(case: CaseOutcome) -> bool:
    """Whether a recorded case stands for a passed one: it passed, or skipped as a case with
    nothing to check or of a package outside the release (no waiver counts here)."""
    if case.outcome == "passed":
        return True
    if case.outcome != "skipped" or case.skip is None:
        return False
    try:
        kind = SkipKind(case.skip)
    except ValueError:
        return False
    return SkipCause(kind, case.check).clears_the_way(())


# -- writing ----------------------------------------------------------------------------------


class BundleWriteError(Exception):
    """Why the bundle could not be written (nothing was left at its folder)."""


def write_bundle(
    folder: Path,
    version: str,
    commit: str,
    files: Sequence[tuple[str, Sequence[ProvenFile]]],
    gates: Sequence[GateOutcome],
) -> Manifest:
    """Write the bundle into ``folder``: each package's ``files`` (dist name, files in
    publish order) copied and checked against the sha256 they were proven with, then the
    manifest. A bundle already in ``folder`` is replaced; any other content is refused."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    _refuse_foreign(folder)
    temporary = Path(
        tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent)
    )
    try:
        packages = tuple(
            BundlePackage(name, tuple(_copied(file, temporary) for file in proven))
            for name, proven in files
        )
        manifest = Manifest(version, commit, packages, tuple(gates))
        _write_synced(temporary / MANIFEST_NAME, manifest.to_json())
        _move_into_place(temporary, folder)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return manifest


def _refuse_foreign(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise BundleWriteError(f"{folder} is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MANIFEST_NAME).is_file():
        raise BundleWriteError(
            f"{folder} holds files and no {MANIFEST_NAME}: it is not a bundle, and is left alone"
        )


def _copied(file: ProvenFile, folder: Path) -> BundleFile:
    copy = folder / file.path.name
    shutil.copyfile(file.path, copy)
    with copy.open("rb") as stream:
        os.fsync(stream.fileno())
    digest = file_sha256(copy)
    if digest != file.sha256:
        raise BundleWriteError(
            f"{file.path.name} has sha256 {digest}, not the {file.sha256} it had when the "
            "rehearsal installed it: something wrote into the session's files"
        )
    return BundleFile(copy.name, copy.stat().st_size, digest)


def _write_synced(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())


def _move_into_place(new: Path, folder: Path) -> None:
    """Rename ``new`` to ``folder``; an old bundle there is renamed aside first, removed last."""
    old = None
    if folder.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".old", dir=folder.parent))
        folder.replace(old / folder.name)
    new.replace(folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# -- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BundleReading:
    """A bundle read for a publish run: its manifest (None when it cannot be read), and
    every reason it is refused (none: it is accepted)."""

    folder: Path
    manifest: Manifest | None
    problems: tuple[Problem, ...]

    @property
    def accepted(self) -> bool:
        return self.manifest is not None and not self.problems

    def proven_files(self) -> dict[str, tuple[ProvenFile, ...]]:
        """Dist name -> its files in the bundle with their recorded sha256 (accepted only)."""
        if self.manifest is None or self.problems:
            return {}
        return {
            package.name: tuple(
                ProvenFile(self.folder / file.name, file.sha256) for file in package.files
            )
            for package in self.manifest.packages
        }

    def built_packages(self, names: Iterable[str]) -> dict[str, BuiltPackage]:
        """What the build gate checks in a publish run from the bundle, for each of
        ``names``: the bundle's wheel and sdist, never a build of this session."""
        proven = self.proven_files()
        found: dict[str, BuiltPackage] = {}
        for name in names:
            paths = tuple(file.path for file in proven.get(name, ()))
            wheel = next((path for path in paths if path.name.endswith(".whl")), None)
            sdist = next((path for path in paths if path.name.endswith(".tar.gz")), None)
            error = None if paths else self.why_no_files(name)
            found[name] = BuiltPackage(name, sdist, wheel, files=paths, error=error)
        return found

    def why_no_files(self, name: str) -> str:
        if not self.accepted:
            return f"the bundle in {self.folder} was refused (see {BUNDLE_CASE})"
        return f"the bundle in {self.folder} holds no files of {name}"

    def describe(self) -> str:
        """The bundle, as the checklist names it."""
        if self.manifest is None:
            return f"bundle {self.folder}"
        return f"bundle {self.folder}, commit {self.manifest.commit[:12]}"


def read_manifest(folder: Path) -> Manifest | Problem:
    """The manifest of the bundle in ``folder``, or why there is none to read."""
    where = str(folder / MANIFEST_NAME)
    if not folder.is_dir():
        return Problem(
            "there is no bundle: the folder does not exist",
            str(folder),
            "give --bundle the folder the build job's dry run wrote (its artifact, downloaded)",
        )
    try:
        text = (folder / MANIFEST_NAME).read_text(encoding="utf-8")
    except FileNotFoundError:
        return Problem(
            f"the folder holds no {MANIFEST_NAME}: it is not a whole bundle (the manifest is "
            "written last, so a bundle without one was never finished)",
            str(folder),
            REDO,
        )
    except (OSError, UnicodeDecodeError) as error:
        return Problem(f"the manifest cannot be read: {error}", where, REDO)
    try:
        return parse_manifest(text)
    except ManifestError as error:
        return Problem(f"the manifest is not one pytest-release wrote: {error}", where, REDO)


@dataclass(frozen=True)
class BundleSource:
    """What a publish run reads once of its release bundle and its checkout: the manifest
    in ``folder`` (or why it cannot be read) and the HEAD ``commit`` (or why git cannot tell
    it)."""

    folder: Path
    manifest: Manifest | Problem
    commit: str | git.GitError

    @classmethod
    def read(cls, folder: Path, root: Path) -> BundleSource:
        try:
            commit: str | git.GitError = git.head_commit(root)
        except git.GitError as error:
            commit = error
        return cls(folder, read_manifest(folder), commit)


def read_bundle(source: BundleSource, version: str, packages: Sequence[str]) -> BundleReading:
    """The bundle of ``source``, checked against this publish run: its HEAD commit, the
    release ``version``, the release's ``packages`` in publish order; each file's size and
    sha256; the gates it stands for recorded passed."""
    folder, manifest = source.folder, source.manifest
    commit = source.commit if isinstance(source.commit, str) else f"(unknown: {source.commit})"
    if isinstance(manifest, Problem):
        return BundleReading(folder, None, (manifest,))
    problems = [
        *_release_problems(folder, manifest, commit, version, packages),
        *_file_problems(folder, manifest),
        *_gate_problems(folder, manifest),
    ]
    return BundleReading(folder, manifest, tuple(problems))


def _release_problems(
    folder: Path, manifest: Manifest, commit: str, version: str, packages: Sequence[str]
) -> list[Problem]:
    where = str(folder / MANIFEST_NAME)
    problems: list[Problem] = []
    if manifest.commit != commit:
        problems.append(
            Problem(
                f"the bundle was built from commit {manifest.commit}, and HEAD is {commit}",
                where,
                "publish from a checkout of the commit the build job built, or " + REDO,
            )
        )
    if manifest.version != version:
        problems.append(
            Problem(
                f"the bundle is of version {manifest.version}, and this run releases {version}",
                where,
                f"give --release-version {manifest.version}, or " + REDO,
            )
        )
    held = [package.name for package in manifest.packages]
    if held != list(packages):
        missing = [name for name in packages if name not in held]
        extra = [name for name in held if name not in packages]
        said = [
            *([f"it holds no files of {', '.join(missing)}"] if missing else []),
            *([f"it holds {', '.join(extra)}, not in this release"] if extra else []),
        ] or [f"its packages are in another order ({', '.join(held)})"]
        problems.append(
            Problem(
                f"the bundle is not this release: {'; '.join(said)}; the release is "
                f"{', '.join(packages)}, in publish order",
                where,
                REDO,
            )
        )
    return problems


def _file_problems(folder: Path, manifest: Manifest) -> list[Problem]:
    problems: list[Problem] = []
    for package in manifest.packages:
        names = [file.name for file in package.files]
        kinds = sorted(name.endswith(".whl") for name in names)
        if kinds != [False, True] or not any(name.endswith(".tar.gz") for name in names):
            problems.append(
                Problem(
                    f"the bundle does not hold one wheel and one sdist of it ({', '.join(names)})",
                    package.name,
                    REDO,
                )
            )
        for file in package.files:
            problem = _file_problem(folder, package.name, file)
            if problem:
                problems.append(problem)
    return problems


def _file_problem(folder: Path, package: str, file: BundleFile) -> Problem | None:
    where = f"{package}, {folder / file.name}"
    if Path(file.name).name != file.name or file.name.startswith("."):
        return Problem(f"the manifest names a file {file.name!r} outside the bundle", package, REDO)
    path = folder / file.name
    if not path.is_file():
        return Problem("the file is missing from the bundle", where, REDO)
    size, digest = path.stat().st_size, file_sha256(path)
    if (size, digest) != (file.size, file.sha256):
        return Problem(
            f"the file is not the one the build job proved: {size} bytes with sha256 "
            f"{digest}, where the manifest records {file.size} bytes with sha256 {file.sha256}",
            where,
            "something changed the bundle after the build job wrote it; " + REDO,
        )
    return None


def _gate_problems(folder: Path, manifest: Manifest) -> list[Problem]:
    """A gate the bundle stands for that the manifest does not record as passed."""
    problems: list[Problem] = []
    for gate in sorted(PROVEN_GATES | {"build"}):
        recorded = manifest.gate(gate)
        if recorded is None or not recorded.cases:
            said = "does not record it"
        else:
            cases = [case for case in recorded.cases if proven_by_the_bundle(gate, case.case)]
            bad = [f"{case.case}: {case.outcome}" for case in cases if not clears_the_way(case)]
            if not bad:
                continue
            said = f"records it as not passed ({'; '.join(bad)})"
        problems.append(
            Problem(
                f"gate `{gate}` did not pass in the build job: the manifest {said}",
                str(folder / MANIFEST_NAME),
                REDO,
            )
        )
    return problems


def proof_of(manifest: Manifest, gate: str, case: str) -> CaseOutcome | None:
    """The manifest's record of ``case`` of ``gate``, when it stands for a passed case."""
    recorded = manifest.gate(gate)
    found = next((each for each in recorded.cases if each.case == case), None) if recorded else None
    return found if found is not None and clears_the_way(found) else None


@dataclass(frozen=True)
class Proof:
    """Whether a publish run from a bundle takes a case as passed, and what to say."""

    proven: bool
    reason: str


def proof_for(
    manifest: Manifest | Problem, folder: Path, commit: str, version: str, gate: str, case: str
) -> Proof:
    """Whether ``manifest`` (or why it cannot be read) proves ``case`` of ``gate`` for the
    HEAD ``commit`` and the release ``version`` of this publish run."""
    see = f"(see {BUNDLE_CASE})"
    if isinstance(manifest, Problem):
        return Proof(False, f"not proven: the bundle in {folder} cannot be used {see}")
    if (manifest.commit, manifest.version) != (commit, version):
        return Proof(
            False,
            f"not proven: the bundle in {folder} is of commit {manifest.commit[:12]}, version "
            f"{manifest.version}; this run releases {version} from {commit[:12]} {see}",
        )
    if proof_of(manifest, gate, case) is None:
        return Proof(False, f"not proven: the bundle's manifest does not record it as passed {see}")
    return Proof(
        True,
        f"passed in the build job (bundle {folder}, commit {commit[:12]}, version {version})",
    )


def write_from_session(
    folder: Path,
    version: str,
    root: Path,
    released: Sequence[Package],
    proven: ProvenFiles,
    gates: Sequence[GateOutcome],
) -> Manifest | Problem:
    """Write the bundle of a dry run whose gates up to the rehearsal passed: the ``released``
    packages' files the rehearsal proved, HEAD's commit, the ``gates``; or why it could not
    be written (nothing is left in ``folder`` then)."""
    unproven = [package.name for package in released if package.name not in proven.files]
    fix = "give --bundle a new or empty folder, or one holding an earlier bundle"
    try:
        if unproven:
            raise BundleWriteError(f"the rehearsal proved no files of {', '.join(unproven)}")
        commit = git.head_commit(root)
        files = [(package.name, proven.files[package.name]) for package in released]
        return write_bundle(folder, version, commit, files, gates)
    except (BundleWriteError, OSError, git.GitError) as error:
        return Problem(f"no bundle was written: {error}", str(folder), fix)


def summary(manifest: Manifest) -> str:
    """The bundle in a line: its files, version and commit."""
    names = ", ".join(file.name for package in manifest.packages for file in package.files)
    return f"{names} (version {manifest.version}, commit {manifest.commit[:12]})"

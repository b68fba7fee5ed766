"""One package's upload to a publish index, as the testpypi and pypi gates run it: look the
files up, upload what is missing in order, verify the index holds each with its sha256.

Like ``gate.py``, this module ends a step with pytest's fail and skip; the decisions are
``publish``'s.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from pytest_release.checklist import CHECKLIST_DETAIL
from pytest_release.dists.build import BuiltPackage
from pytest_release.dists.files import file_sha256
from pytest_release.gate import skip_blocked
from pytest_release.index.names import IndexFile
from pytest_release.index.package_index import IndexQueryError, PackageIndex
from pytest_release.index.remote import RemoteIndex
from pytest_release.problems import Problem, render_problems
from pytest_release.publish.progress import (
    PlannedFile,
    PublishLog,
    burned_message,
    next_steps,
    plan_files,
    shown_index,
    upload_failure,
)
from pytest_release.target.monorepo import Monorepo, Package

# A remote index may list a new file a little after it took it (PyPI's CDN): look again
# for this long before calling a file missing.
LISTING_SECONDS = 60.0
_LISTING_INTERVAL = 3.0


class PublishStep:
    """The upload of the release's files to the index of one publish gate."""

    def __init__(
        self,
        role: str,
        index: PackageIndex,
        monorepo: Monorepo,
        log: PublishLog,
        kept: Path | None,
    ) -> None:
        self.role = role
        self.index = index
        self.monorepo = monorepo
        self.log = log
        # The files an earlier run of this commit and version placed on an index: a resumed
        # run sends these bytes, not a rebuild's (a setuptools sdist differs on every build).
        self.kept = kept
        self.shown = shown_index(role, index.upload_url)
        self.sent: dict[str, list[Path]] = {}  # dist name -> the files placed on the index

    def files_of(self, built: BuiltPackage) -> list[Path]:
        """The wheel and sdist to place: those kept from an earlier run of this commit,
        else the ones this session built."""
        files = [path for path in (built.wheel, built.sdist) if path is not None]
        if self.kept is None:
            return files
        return [self.kept / f.name if (self.kept / f.name).is_file() else f for f in files]

    def wheel_sent(self, package: Package) -> Path | None:
        return next((f for f in self.sent.get(package.name, []) if f.suffix == ".whl"), None)

    def unplaced(self, packages: Iterable[Package]) -> list[str]:
        """The names of those of ``packages`` this session has not placed on the index."""
        return [package.name for package in packages if package.name not in self.sent]

    def why_incomplete(self) -> str | None:
        """Why the index does not hold the whole release from this session, or None."""
        stopped = self.log.stopped.get(self.shown)
        if stopped:
            return f"the upload to {self.shown} stopped at {stopped}"
        if absent := self.unplaced(self.monorepo.packages):
            return f"{', '.join(absent)} not placed on {self.shown} in this session"
        return None

    def upload(self, package: Package, built: BuiltPackage, request: pytest.FixtureRequest) -> None:
        """Upload ``package``'s wheel and sdist unless the index has them; fail, saying what
        is live where and what to do, on anything else; stop every later upload then."""
        stopped = self.log.stopped.get(self.shown)
        if stopped is not None:
            skip_blocked(
                f"not uploaded: the upload to {self.shown} stopped at {stopped}; a package is "
                "never uploaded after one before it in publish order failed"
            )
        # A dependency whose case did not run in this session (-k, say) is not there.
        if absent := self.unplaced(self.monorepo.reachable([package])):
            skip_blocked(
                f"not uploaded: it requires {', '.join(absent)}, which this session did not "
                f"place on {self.shown}; a package is never uploaded before its dependencies"
            )
        files = self.files_of(built)
        if len(files) != 2:
            raise self._stopped(
                package,
                "the build made no wheel and sdist of it (see the build gate)",
                "fix the build",
                burned=False,
            )
        planned = plan_files(files, self._listing(package), file_sha256)
        burned = [file for file in planned if file.state == "burned"]
        if burned:
            raise self._stopped(package, burned_message(burned, self.shown), "", burned=True)
        for file in planned:
            if file.state == "already there":
                self.log.place(self.shown, file, "already there")
        missing = [file for file in planned if file.state == "to upload"]
        # Kept before they are sent: a re-run after any failure sends these very bytes.
        self._keep(package, planned)
        if missing:
            result = self.index.upload([file.path for file in missing])
            if not result.ok:
                self._note_what_arrived(package, missing)
                failure = upload_failure(result, self.shown)
                raise self._stopped(package, failure.what, failure.fix, burned=failure.burned)
            self._verify(package, missing)
            for file in missing:
                self.log.place(self.shown, file, "uploaded")
        self.sent[package.name] = [file.path for file in planned]
        self._record(package, planned, request)

    def _keep(self, package: Package, placed: Sequence[PlannedFile]) -> None:
        """Keep the files for a resumed run; a failure to (a full disk, a read-only
        folder) stops the step before anything is sent, like any other."""
        if self.kept is None:
            return
        try:
            self.kept.mkdir(parents=True, exist_ok=True)
            for file in placed:
                if not (self.kept / file.path.name).exists():
                    shutil.copy2(file.path, self.kept / file.path.name)
        except OSError as error:
            raise self._stopped(
                package,
                f"the files could not be kept for a resumed run in {self.kept}: {error}",
                "free disk space or make that folder writable, then re-run",
                burned=False,
            ) from None

    def _listing(self, package: Package) -> list[IndexFile]:
        try:
            return self.index.files(package.name)
        except IndexQueryError as error:
            raise self._stopped(
                package,
                f"the files {self.shown} holds for {package.name} could not be listed: {error}",
                "check the index's URL (its simple API) and that it is up",
                burned=False,
            ) from None

    def _verify(self, package: Package, uploaded: Sequence[PlannedFile]) -> None:
        """Each uploaded file is listed by the index with the built file's sha256."""
        give_up = time.monotonic() + (LISTING_SECONDS if isinstance(self.index, RemoteIndex) else 0)
        while True:
            held = {entry.filename: entry.sha256 for entry in self._listing(package)}
            wrong = [file for file in uploaded if held.get(file.path.name) != file.sha256]
            if not wrong or time.monotonic() >= give_up:
                break
            time.sleep(_LISTING_INTERVAL)  # the index's listing, not a test, is waited for
        if wrong:
            for file in uploaded:  # twine said they went through
                self.log.place(self.shown, file, "uploaded, not listed yet")
            listed = ", ".join(f"{name} {sha or '(no sha256)'}" for name, sha in held.items())
            raise self._stopped(
                package,
                f"after the upload, {self.shown} does not list "
                + ", ".join(f"{file.path.name} with sha256 {file.sha256}" for file in wrong)
                + f" (it lists: {listed or 'nothing'})",
                "check that the simple URL reads the index uploaded to (for a remote index, "
                f"RELEASE_{self.role.upper()}_SIMPLE_URL)",
                burned=False,
            )

    def _note_what_arrived(self, package: Package, sent: Sequence[PlannedFile]) -> None:
        """After a failed upload, log the files that reached the index all the same."""
        try:
            held = {entry.filename: entry.sha256 for entry in self.index.files(package.name)}
        except IndexQueryError:
            return
        for file in sent:
            if held.get(file.path.name) == file.sha256:
                self.log.place(self.shown, file, "uploaded")

    def _stopped(self, package: Package, what: str, fix: str, *, burned: bool) -> BaseException:
        """The step's failure; no later package is uploaded to this index in this session."""
        self.log.stopped[self.shown] = package.name
        return publish_failure(self.log, what, package.name, fix, burned=burned, also=self.shown)

    def _record(
        self, package: Package, planned: Sequence[PlannedFile], request: pytest.FixtureRequest
    ) -> None:
        """JUnit: which files went where (names and sha256); the checklist: one line."""
        how = {file: "uploaded" if file.state == "to upload" else file.state for file in planned}
        for file in planned:
            request.node.user_properties.append(
                (f"{self.role}_file", f"{file.path.name} sha256={file.sha256} {how[file]}")
            )
        names = ", ".join(file.path.name for file in planned)
        states = " and ".join(sorted(set(how.values())))
        request.node.user_properties.append(
            (CHECKLIST_DETAIL, f"{names} -> {self.shown}: {states}")
        )


def publish_failure(
    log: PublishLog,
    what: str,
    where: str,
    fix: str,
    *,
    burned: bool = False,
    also: str | None = None,
) -> BaseException:
    """The failure of a publish step: what went wrong, what is live where (the indexes of this
    session, ``also`` among them), and the next step: resume, or bump."""
    known = list(dict.fromkeys([*log.placed, *([also] if also else [])]))
    then = next_steps(log.rerun, log.version, burned=burned)
    parts = (f"{fix}." if fix else "", log.live(known), then)
    advice = " ".join(part for part in parts if part)
    return pytest.fail.Exception(render_problems([Problem(what, where, advice)]), pytrace=False)

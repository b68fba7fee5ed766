"""One package's upload to a publish index, as the testpypi and pypi gates run it: look the
files up, upload what is missing in order, verify the index holds each with its sha256.

What reaches an index is bound by sha256: TestPyPI gets the files the rehearsal installed
and smoke-tested (in this session, or in the build job that wrote a release bundle), PyPI
the very files TestPyPI holds and the TestPyPI install proved; at the moment each is sent,
its sha256 is checked again, and for PyPI, TestPyPI is asked that it still holds them.
A resumed run reads the index, never a local cache: a file there with the same sha256
counts as uploaded; one of the same name with other bytes but the same archive contents as
this commit's build (a rebuilt sdist's timestamps differ) is downloaded and taken as the
release's file, and said so; any other is "version burned".

Like ``gate.py``, this module ends a step with pytest's fail and skip; the decisions are
``publish``'s.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from pytest_release.checklist import CHECKLIST_DETAIL
from pytest_release.dists.files import file_sha256, member_digests
from pytest_release.gate import skip_blocked
from pytest_release.index.names import IndexFile, sha256_by_name
from pytest_release.index.package_index import IndexQueryError, PackageIndex
from pytest_release.index.remote import RemoteIndex
from pytest_release.problems import Problem, render_problems
from pytest_release.publish.progress import (
    PlannedFile,
    ProvenFiles,
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
        packages: tuple[Package, ...],
        log: PublishLog,
        scratch: Path,
        proven: ProvenFiles,
        after: PublishStep | None = None,
    ) -> None:
        self.role = role
        self.index = index
        self.monorepo = monorepo
        self.packages = packages  # the release's, in publish order: those it places
        self.log = log
        self.scratch = scratch  # where files downloaded from the index are kept
        self.proven = proven  # what the first step sends: the rehearsal's files, or a bundle's
        self.after = after  # the step whose placed files this one sends (pypi after testpypi)
        self.shown = shown_index(role, index.upload_url)
        if self.shown not in log.indexes:
            log.indexes.append(self.shown)
        self.sent: dict[str, list[PlannedFile]] = {}  # dist name -> its files on the index

    def files_of(self, package: Package) -> list[tuple[Path, str]]:
        """The wheel and sdist to place, with the sha256 they must have when sent: the
        files the step before placed (and proved), else those the rehearsal installed (in
        this session, or in the build job that wrote the bundle), with the sha256 they had
        then."""
        if self.after is not None:
            return [(file.path, file.sha256) for file in self.after.sent.get(package.name, [])]
        return [(file.path, file.sha256) for file in self.proven.files.get(package.name, ())]

    def wheel_sent(self, package: Package) -> Path | None:
        sent = self.sent.get(package.name, [])
        return next((file.path for file in sent if file.path.suffix == ".whl"), None)

    def unplaced(self, packages: Iterable[Package]) -> list[str]:
        """The names of those of ``packages`` this session has not placed on the index."""
        return [package.name for package in packages if package.name not in self.sent]

    def why_incomplete(self) -> str | None:
        """Why the index does not hold the whole release from this session, or None."""
        stopped = self.log.stopped.get(self.shown)
        if stopped:
            return f"the upload to {self.shown} stopped at {stopped}"
        if absent := self.unplaced(self.packages):
            return f"{', '.join(absent)} not placed on {self.shown} in this session"
        return None

    def upload(self, package: Package, request: pytest.FixtureRequest) -> None:
        """Upload ``package``'s wheel and sdist unless the index has them; fail, saying what
        is live where and what to do, on anything else; stop every later upload then."""
        stopped = self.log.stopped.get(self.shown)
        if stopped is not None:
            skip_blocked(
                f"not uploaded: the upload to {self.shown} stopped at {stopped}; a package is "
                "never uploaded after one before it in publish order failed"
            )
        # A dependency whose case did not run in this session (-k, say) is not there; one
        # the release leaves out is on the index from an earlier release.
        needed = [each for each in self.monorepo.reachable([package]) if each in self.packages]
        if absent := self.unplaced(needed):
            skip_blocked(
                f"not uploaded: it requires {', '.join(absent)}, which this session did not "
                f"place on {self.shown}; a package is never uploaded before its dependencies"
            )
        files = self.files_of(package)
        if len(files) != 2:
            raise self._stopped(
                package,
                f"{self.proven.source} proved no wheel and sdist of it"
                if self.after is None
                else f"{self.after.shown} holds no wheel and sdist of it from this session",
                "",
                burned=False,
            )
        listed = self._listing(package)
        planned = self._same_contents_taken(
            package, plan_files([path for path, _ in files], listed, file_sha256), listed
        )
        burned = [file for file in planned if file.state == "burned"]
        if burned:
            raise self._stopped(package, burned_message(burned, self.shown), "", burned=True)
        for file in planned:
            if file.state in ("already there", "same contents"):
                self.log.place(self.shown, file, file.state)
        missing = [file for file in planned if file.state == "to upload"]
        self._check_bytes(package, missing, dict(files))
        if missing and self.after is not None:
            self._check_still_held(package, self.after, files)
        if missing:
            result = self.index.upload([file.path for file in missing])
            if not result.ok:
                self._note_what_arrived(package, missing)
                failure = upload_failure(result, self.shown)
                raise self._stopped(package, failure.what, failure.fix, burned=failure.burned)
            self._verify(package, missing)
            for file in missing:
                self.log.place(self.shown, file, "uploaded")
        self.sent[package.name] = planned
        self._record(package, planned, request)

    def _same_contents_taken(
        self, package: Package, planned: list[PlannedFile], listed: Sequence[IndexFile]
    ) -> list[PlannedFile]:
        """``planned``, where a file the index holds under the name with other bytes has the
        same archive contents (members and their bytes) as this session's: that one is
        downloaded and taken as the release's file from here on (a resumed run)."""
        if self.after is not None:
            return planned  # the files the step before placed: bound by sha256, never rebuilt
        by_name = {entry.filename: entry for entry in listed}
        taken: list[PlannedFile] = []
        for file in planned:
            entry = by_name.get(file.path.name)
            if file.state != "burned" or entry is None or not entry.sha256:
                taken.append(file)
                continue
            try:
                held = self.index.download(package.name, entry, self.scratch / self.role)
            except IndexQueryError as error:
                raise self._stopped(
                    package,
                    f"{file.path.name} on {self.shown} has other bytes than this session's "
                    f"build, and could not be compared with it: {error}",
                    "make the index readable and re-run; nothing was sent",
                    burned=False,
                ) from None
            contents = member_digests(held)
            if (
                file_sha256(held) == entry.sha256
                and contents is not None
                and contents == member_digests(file.path)
            ):
                taken.append(PlannedFile(held, entry.sha256, "same contents"))
            else:
                taken.append(file)
        return taken

    def _check_bytes(
        self, package: Package, missing: Sequence[PlannedFile], expected: dict[Path, str]
    ) -> None:
        """Each file is, as it is sent, the bytes proved before: by the rehearsal's install
        (or the bundle's manifest) for the first index, by the first index for the next."""
        proved_by = self.after.shown if self.after else self.proven.source
        changed = [file for file in missing if file_sha256(file.path) != expected[file.path]]
        if changed:
            raise self._stopped(
                package,
                f"changed since {proved_by} proved them: "
                + ", ".join(
                    f"{file.path.name} (expected sha256 {expected[file.path]})" for file in changed
                ),
                "something wrote into the files between the stages; re-run the whole publish",
                burned=False,
            )

    def _check_still_held(
        self, package: Package, before: PublishStep, files: Sequence[tuple[Path, str]]
    ) -> None:
        """The index of the step before holds each file, now, with the sha256 sent on."""
        try:
            held = sha256_by_name(before.index.files(package.name))
        except IndexQueryError as error:
            raise self._stopped(
                package,
                f"what {before.shown} holds for {package.name} could not be listed, so the "
                f"files cannot be shown to be the ones it holds: {error}",
                f"make {before.shown} readable and re-run; nothing was sent to {self.shown}",
                burned=False,
            ) from None
        differ = [path.name for path, sha256 in files if held.get(path.name) != sha256]
        if differ:
            raise self._stopped(
                package,
                f"{before.shown} no longer holds {', '.join(differ)} with the sha256 its "
                f"install was checked with (it lists: "
                + ", ".join(f"{name} {sha or '(no sha256)'}" for name, sha in held.items())
                + ")",
                f"find out what replaced the files on {before.shown}; nothing was sent to "
                f"{self.shown}",
                burned=False,
            )

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
            held = sha256_by_name(self._listing(package))
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
            held = sha256_by_name(self.index.files(package.name))
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
        shown_as = {
            "to upload": "uploaded",
            "same contents": "already there, the same contents in other archive bytes (the "
            "index's file is the release's from here on)",
        }
        how = {file: shown_as.get(file.state, file.state) for file in planned}
        for file in planned:
            request.node.user_properties.append(
                (f"{self.role}_file", f"{file.path.name} sha256={file.sha256} {how[file]}")
            )
        names = ", ".join(file.path.name for file in planned)
        if len(set(how.values())) == 1:
            states = how[planned[0]]
        else:
            states = "; ".join(
                f"{'wheel' if file.path.name.endswith('.whl') else 'sdist'} {how[file]}"
                for file in planned
            )
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

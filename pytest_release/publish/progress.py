"""Publishing to an index: which files are there already, which names are burned, what a
failed upload means, and what is live where. Pure logic: the publish gates act on it.

A re-run after a partial publish must resume: a file the index holds with the same sha256
counts as uploaded. twine's ``--skip-existing`` cannot do that here (it trusts any index's
"file exists" answer only for PyPI and compares no hash), so the files are looked up first.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pytest_release.index.names import IndexFile, sha256_by_name
from pytest_release.process import CommandResult
from pytest_release.redact import scrub_secrets, split_credentials

# "same contents": other bytes under the name, with this build's archive members; the
# index's own file is then the release's.
FileState = Literal["to upload", "already there", "same contents", "burned"]
Placement = Literal["uploaded", "already there", "same contents", "uploaded, not listed yet"]

_HTTP_ERROR = re.compile(r"HTTPError:\s*(\d{3})\s*([^\n]*?)\s+from\s+(\S+)")
_FILE_EXISTS = re.compile(r"already exists|already been used|file-name-reuse", re.IGNORECASE)
_REFUSED = re.compile(r"Connection refused|Failed to establish a new connection|NameResolution")
_TIMEOUT = re.compile(r"Timeout|timed out", re.IGNORECASE)
_LAST_ERROR = re.compile(r"^(?:ERROR\s+|requests\.exceptions\.)(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class ProvenFile:
    """A release file, and the sha256 it had when it was proven (installed and smoke-tested)."""

    path: Path
    sha256: str


@dataclass
class ProvenFiles:
    """What a publish run sends to its first index: the files the rehearsal installed and
    smoke-tested, each with the sha256 it had then; filled as the rehearsal uploads them, or
    from a release bundle's manifest. ``source`` names the proof in messages."""

    source: str
    files: dict[str, tuple[ProvenFile, ...]] = field(default_factory=dict)  # dist name -> files


@dataclass(frozen=True)
class PlannedFile:
    path: Path
    sha256: str
    state: FileState
    listed_sha256: str = ""  # what the index holds under that name, when burned


def plan_files(
    files: Sequence[Path], listed: Iterable[IndexFile], sha256_of: Callable[[Path], str]
) -> list[PlannedFile]:
    """Each file to upload, already there (same name and sha256), or burned (the name is
    taken by other bytes, or by a file whose hash the index does not give)."""
    held = sha256_by_name(listed)
    planned: list[PlannedFile] = []
    for path in files:
        digest = sha256_of(path)
        if path.name not in held:
            planned.append(PlannedFile(path, digest, "to upload"))
        elif held[path.name] == digest:
            planned.append(PlannedFile(path, digest, "already there"))
        else:
            planned.append(PlannedFile(path, digest, "burned", held[path.name]))
    return planned


def burned_message(burned: Sequence[PlannedFile], index: str) -> str:
    lines = [
        f"{file.path.name} (built: sha256 {file.sha256}; on the index: "
        f"{'sha256 ' + file.listed_sha256 if file.listed_sha256 else 'no sha256 given'})"
        for file in burned
    ]
    return (
        f"version burned: {index} already holds a file of the same name with other "
        f"contents: {'; '.join(lines)}. An index never takes other bytes under a name it "
        "has had (PyPI not even after a delete)"
    )


@dataclass(frozen=True)
class UploadFailure:
    what: str  # what happened, in a sentence
    fix: str
    burned: bool = False


def upload_failure(result: CommandResult, index: str) -> UploadFailure:
    """What a failed ``twine upload`` to ``index`` means, from its exit and its output."""
    output = result.output
    if result.timed_out:
        return UploadFailure(
            f"the upload to {index} did not finish within {result.timeout:g} s",
            "check the connection to the index; a file that did reach it is recognised by "
            "its sha256 on the re-run",
        )
    http = _HTTP_ERROR.search(output)
    if http:
        code, reason, url = http.group(1), http.group(2).strip(), http.group(3)
        said = _server_words(output[http.end() :])
        answer = f"HTTP {code} {reason}".strip() + (f": {said}" if said else "")
        if code in {"401", "403"}:
            return UploadFailure(
                f"{index} refused the credentials ({answer} from {url})",
                f"give twine credentials that may upload to {index}: TWINE_USERNAME and "
                "TWINE_PASSWORD (`__token__` and an API token for PyPI and TestPyPI), a "
                "~/.pypirc section, keyring, or trusted publishing in GitHub Actions; and "
                "check that the token's scope includes the project",
            )
        if code in {"400", "409"} and (_FILE_EXISTS.search(output) or code == "409"):
            return UploadFailure(
                f"version burned: {index} says a file of that name exists ({answer})",
                "bump to the next version: a file name once used can never be uploaded again",
                burned=True,
            )
        return UploadFailure(
            f"{index} refused the upload ({answer} from {url})",
            "fix what the index says; on a 400, most often metadata it refuses (see `twine "
            "check` in the build gate) or a file name it has had before (then bump the version)",
        )
    if _REFUSED.search(output):
        return UploadFailure(
            f"{index} could not be reached: {_last_error(output)}",
            "check the index's URL and that it is up (and the network), then re-run",
        )
    if _TIMEOUT.search(output):
        return UploadFailure(
            f"the connection to {index} timed out: {_last_error(output)}",
            "check the connection to the index, then re-run",
        )
    return UploadFailure(
        f"`twine upload` to {index} failed: {result.describe()}: {_last_error(output)}",
        "fix what twine says, then re-run",
    )


def _server_words(rest: str) -> str:
    """The server's own words that twine prints under its HTTPError line (indented)."""
    words = []
    for line in rest.splitlines():
        if line and not line[0].isspace():
            break
        if line.strip():
            words.append(line.strip())
    return " ".join(words)


def _last_error(output: str) -> str:
    """twine's last error line, without the traceback it may print above it."""
    found = _LAST_ERROR.findall(output)
    if found:
        return str(found[-1]).strip()
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def shown_index(role: str, url: str) -> str:
    """How an index is named in messages: its role, and its URL without credentials."""
    return f"{role} ({split_credentials(url)[0]})"


@dataclass
class PublishLog:
    """What this session has placed on each index, in order, and where the upload stopped.
    The failure messages of the publish gates say from it what is live where."""

    version: str  # the release version
    rerun: str  # the command that resumes this publish run
    placed: dict[str, list[tuple[str, str, Placement]]] = field(default_factory=dict)
    stopped: dict[str, str] = field(default_factory=dict)  # index -> the package it stopped at
    tags: list[str] = field(default_factory=list)  # created or found on HEAD
    pushed: list[str] = field(default_factory=list)
    indexes: list[str] = field(default_factory=list)  # those this session publishes to, in order

    def place(self, index: str, file: PlannedFile, how: Placement) -> None:
        self.placed.setdefault(index, []).append((file.path.name, file.sha256, how))

    def live(self, indexes: Sequence[str]) -> str:
        parts = []
        for index in indexes:
            names = [name for name, _, _ in self.placed.get(index, [])]
            parts.append(f"on {index}: {', '.join(names) if names else 'nothing of this release'}")
        local = ", ".join(self.tags) or "none"
        remote = ", ".join(self.pushed) or "none"
        return f"Live now: {'; '.join(parts)}. Tags: local {local}; pushed {remote}."


def next_steps(rerun: str, version: str, *, burned: bool) -> str:
    """What to do after a failed publish step: resume, or bump; and how to take back."""
    if burned:
        resume = (
            f"bump to the next version: {version} can no longer be completed on that index; "
            "publish the new version with the same command"
        )
    else:
        resume = (
            f"fix the cause and re-run `{rerun}`: files an index already holds with the same "
            "sha256 count as uploaded and are not sent again, and tags on HEAD are kept"
        )
    return (
        f"Next: {resume}. To withdraw what is live instead, yank {version} on each index "
        "that has it (the project's Manage page > Releases > Options > Yank): a yanked "
        "version stays burned"
    )


def interrupted_message(log: PublishLog) -> str:
    """What a publish run stopped by a signal or Ctrl-C leaves live, and how to go on."""
    # The production index is the second a publish run opens: before it, nothing went there.
    untouched = " Nothing went to the production index." if len(log.indexes) < 2 else ""
    return (
        f"Publish interrupted. {log.live(log.indexes)}{untouched} A file whose upload was cut "
        "off may be there too: the re-run finds it by its sha256. "
        + next_steps(log.rerun, log.version, burned=False)
    )


def after_publish_failure(log: PublishLog, index: str) -> str:
    """What a check of the release installed from ``index`` means when it fails: the files
    are on that index for good, so the fix goes out as the next version."""
    return f"{log.live([index])} Nothing went to the production index. " + next_steps(
        log.rerun, log.version, burned=True
    )


def rerun_command(args: Sequence[str]) -> str:
    """This session's command (``pytest`` and its arguments), to run again; credentials
    written into its arguments (a URL's password, a token) are masked."""
    return shlex.join(["pytest", *(scrub_secrets(arg, ()) for arg in args)])

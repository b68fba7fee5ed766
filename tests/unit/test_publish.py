"""Publishing logic without an index: which files to upload, what a failed ``twine upload``
means, how indexes are named, what is live, and what to do next.

The twine outputs are real ones captured from twine 6 against pypiserver (the PyPI ones
have the same shape, with PyPI's words). Files are real ones in ``tmp_path``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_release.dists.files import file_sha256
from pytest_release.index.names import IndexFile
from pytest_release.process import CommandResult
from pytest_release.publish.progress import (
    PlannedFile,
    PublishLog,
    after_publish_failure,
    burned_message,
    next_steps,
    plan_files,
    rerun_command,
    shown_index,
    upload_failure,
)

SDIST = "aetherflow_core-0.2.0.tar.gz"
WHEEL = "aetherflow_core-0.2.0-py3-none-any.whl"
OTHER_SHA = "f" * 64
LOCAL = "http://127.0.0.1:59885/"
PYPI_UPLOAD = "https://upload.pypi.org/legacy/"

TWINE_403 = (
    f"Uploading distributions to {LOCAL}\n"
    f"Uploading {SDIST}\n"
    "WARNING  Error during upload. Retry with the --verbose option for more details.\n"
    f"ERROR    HTTPError: 403 Forbidden from {LOCAL}\n"
    "         Forbidden"
)
TWINE_401_PYPI = f"ERROR    HTTPError: 401 Unauthorized from {PYPI_UPLOAD}\n         Unauthorized"
TWINE_400_PYPISERVER = (
    f"Uploading distributions to {LOCAL}\n"
    f"Uploading {SDIST}\n"
    "WARNING  Error during upload. Retry with the --verbose option for more details.\n"
    f"ERROR    HTTPError: 400 Bad Request from {LOCAL}\n"
    "         Bad Request"
)
TWINE_400_PYPI_EXISTS = (
    f"ERROR    HTTPError: 400 Bad Request from {PYPI_UPLOAD}\n"
    "         File already exists ('aetherflow-0.2.0.tar.gz', with blake2_256 hash 'abc'). "
    "See https://pypi.org/help/#file-name-reuse for more information."
)
TWINE_409 = f"ERROR    HTTPError: 409 Conflict from {LOCAL}\n         Conflict"
TWINE_REFUSED = (
    f"Uploading distributions to http://127.0.0.1:9/\n"
    f"Uploading {SDIST}\n"
    "Traceback (most recent call last):\n"
    '  File "/venv/lib/python3.12/site-packages/urllib3/connection.py", line 198, '
    "in _new_conn\n"
    "    sock = connection.create_connection(\n"
    "ConnectionRefusedError: [Errno 111] Connection refused\n"
    "\n"
    "During handling of the above exception, another exception occurred:\n"
    "\n"
    "Traceback (most recent call last):\n"
    '  File "/venv/lib/python3.12/site-packages/requests/adapters.py", line 667, in send\n'
    "    resp = conn.urlopen(\n"
    "requests.exceptions.ConnectionError: HTTPConnectionPool(host='127.0.0.1', port=9): "
    'Max retries exceeded with url: / (Caused by NewConnectionError("HTTPConnection('
    "host='127.0.0.1', port=9): Failed to establish a new connection: [Errno 111] "
    'Connection refused"))'
)
TWINE_READ_TIMEOUT = (
    f"Uploading distributions to {PYPI_UPLOAD}\n"
    f"Uploading {SDIST}\n"
    "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='upload.pypi.org', "
    "port=443): Read timed out. (read timeout=None)"
)
TWINE_OTHER = (
    f"Uploading distributions to {LOCAL}\n"
    "ERROR    InvalidDistribution: Unknown distribution format: 'notes.txt'"
)

RERUN = "pytest release_tests -m publish --release-version 1.4.0 --testpypi testpypi --pypi pypi"


def failed_upload(output: str) -> CommandResult:
    return CommandResult(command=("twine", "upload"), returncode=1, output=output)


def written(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def planned(name: str, sha256: str = "a" * 64) -> PlannedFile:
    return PlannedFile(Path("dist") / name, sha256, "to upload")


# plan_files


def test_plan_files_marks_a_file_the_index_lacks_to_upload(tmp_path: Path) -> None:
    sdist = written(tmp_path, SDIST, b"sdist bytes")
    listed = [IndexFile("aetherflow_core-0.1.0.tar.gz", OTHER_SHA)]
    assert plan_files([sdist], listed, file_sha256) == [
        PlannedFile(sdist, file_sha256(sdist), "to upload")
    ]


def test_plan_files_marks_same_name_and_sha256_already_there(tmp_path: Path) -> None:
    sdist = written(tmp_path, SDIST, b"sdist bytes")
    listed = [IndexFile(SDIST, file_sha256(sdist))]
    assert plan_files([sdist], listed, file_sha256) == [
        PlannedFile(sdist, file_sha256(sdist), "already there")
    ]


@pytest.mark.parametrize(
    "listed_sha256",
    [pytest.param(OTHER_SHA, id="other-sha256"), pytest.param("", id="no-sha256-given")],
)
def test_plan_files_marks_a_name_taken_by_other_or_unknown_bytes_burned(
    tmp_path: Path, listed_sha256: str
) -> None:
    sdist = written(tmp_path, SDIST, b"sdist bytes")
    [file] = plan_files([sdist], [IndexFile(SDIST, listed_sha256)], file_sha256)
    assert file == PlannedFile(sdist, file_sha256(sdist), "burned", listed_sha256)


def test_plan_files_keeps_the_order_given_and_judges_each_file(tmp_path: Path) -> None:
    sdist = written(tmp_path, SDIST, b"sdist bytes")
    wheel = written(tmp_path, WHEEL, b"wheel bytes")
    listed = [IndexFile(WHEEL, file_sha256(wheel))]
    plan = plan_files([wheel, sdist], listed, file_sha256)
    assert [(file.path, file.state) for file in plan] == [
        (wheel, "already there"),
        (sdist, "to upload"),
    ]


# burned_message


@pytest.mark.parametrize(
    ("listed_sha256", "on_the_index"),
    [(OTHER_SHA, f"on the index: sha256 {OTHER_SHA}"), ("", "on the index: no sha256 given")],
)
def test_burned_message_names_the_file_both_hashes_and_the_index(
    listed_sha256: str, on_the_index: str
) -> None:
    burned = PlannedFile(Path("dist") / SDIST, "a" * 64, "burned", listed_sha256)
    message = burned_message([burned], "testpypi")
    assert message.startswith("version burned: testpypi already holds")
    assert SDIST in message
    assert f"built: sha256 {'a' * 64}" in message
    assert on_the_index in message


# upload_failure


@pytest.mark.parametrize(
    ("output", "what_words", "fix_words"),
    [
        pytest.param(
            TWINE_403,
            ["refused the credentials", "HTTP 403 Forbidden", LOCAL],
            ["TWINE_USERNAME", "TWINE_PASSWORD", "scope"],
            id="403-pypiserver",
        ),
        pytest.param(
            TWINE_401_PYPI,
            ["refused the credentials", "HTTP 401 Unauthorized", PYPI_UPLOAD],
            ["TWINE_USERNAME", "__token__"],
            id="401-pypi",
        ),
    ],
)
def test_upload_failure_reads_401_and_403_as_refused_credentials(
    output: str, what_words: list[str], fix_words: list[str]
) -> None:
    failure = upload_failure(failed_upload(output), "my-index")
    assert "my-index" in failure.what
    for word in what_words:
        assert word in failure.what
    for word in fix_words:
        assert word in failure.fix
    assert not failure.burned


@pytest.mark.parametrize(
    ("output", "answer"),
    [
        pytest.param(
            TWINE_400_PYPI_EXISTS, "HTTP 400 Bad Request: File already exists", id="400-pypi"
        ),
        pytest.param(TWINE_409, "HTTP 409 Conflict", id="409"),
    ],
)
def test_upload_failure_reads_file_exists_and_conflict_as_burned(output: str, answer: str) -> None:
    failure = upload_failure(failed_upload(output), "pypi")
    assert failure.burned
    assert failure.what.startswith("version burned: pypi")
    assert answer in failure.what
    assert "bump" in failure.fix


def test_upload_failure_does_not_call_a_bare_400_burned() -> None:
    # pypiserver answers an existing file with a bare 400: it may as well be bad metadata.
    failure = upload_failure(failed_upload(TWINE_400_PYPISERVER), "rehearsal index")
    assert not failure.burned
    assert "rehearsal index refused the upload" in failure.what
    assert "HTTP 400 Bad Request" in failure.what
    assert LOCAL in failure.what
    assert "400" in failure.fix
    assert "twine check" in failure.fix


def test_upload_failure_reads_a_refused_connection_without_the_traceback() -> None:
    failure = upload_failure(failed_upload(TWINE_REFUSED), "testpypi")
    assert failure.what.startswith("testpypi could not be reached")
    assert "Connection refused" in failure.what
    assert "Traceback" not in failure.what
    assert 'File "' not in failure.what
    assert "URL" in failure.fix
    assert not failure.burned


def test_upload_failure_reads_a_timeout_of_the_command() -> None:
    result = CommandResult(
        command=("twine", "upload"), returncode=None, output=f"Uploading {SDIST}\n", timeout=900.0
    )
    failure = upload_failure(result, "pypi")
    assert failure.what == "the upload to pypi did not finish within 900 s"
    assert "sha256" in failure.fix
    assert not failure.burned


def test_upload_failure_reads_a_read_timeout_in_the_output() -> None:
    failure = upload_failure(failed_upload(TWINE_READ_TIMEOUT), "pypi")
    assert failure.what.startswith("the connection to pypi timed out")
    assert "Read timed out" in failure.what
    assert "re-run" in failure.fix


def test_upload_failure_names_twine_and_its_last_error_otherwise() -> None:
    failure = upload_failure(failed_upload(TWINE_OTHER), "testpypi")
    assert "`twine upload` to testpypi failed" in failure.what
    assert "exited 1" in failure.what
    assert "InvalidDistribution: Unknown distribution format: 'notes.txt'" in failure.what
    assert not failure.burned


def test_upload_failure_without_output_says_so() -> None:
    failure = upload_failure(failed_upload(""), "testpypi")
    assert "(no output)" in failure.what


# shown_index


@pytest.mark.parametrize(
    ("role", "url", "shown"),
    [
        pytest.param(
            "testpypi",
            "https://test.pypi.org/legacy/",
            "testpypi (https://test.pypi.org/legacy/)",
            id="role-and-url",
        ),
        pytest.param(
            "pypi",
            "https://user:s3cret@nexus.example/legacy/",
            "pypi (https://nexus.example/legacy/)",
            id="url-with-credentials",
        ),
    ],
)
def test_shown_index_names_the_role_and_the_url_without_credentials(
    role: str, url: str, shown: str
) -> None:
    assert shown_index(role, url) == shown


# PublishLog


def test_publish_log_live_with_nothing_placed() -> None:
    assert PublishLog("1.4.0", RERUN).live(["testpypi", "pypi"]) == (
        "Live now: on testpypi: nothing of this release; on pypi: nothing of this release. "
        "Tags: local none; pushed none."
    )


def test_publish_log_live_lists_placed_files_in_order_per_index() -> None:
    log = PublishLog("1.4.0", RERUN)
    log.place("testpypi", planned(SDIST), "uploaded")
    log.place("testpypi", planned(WHEEL), "already there")
    log.place("pypi", planned(WHEEL), "uploaded")
    assert log.live(["testpypi", "pypi"]).startswith(
        f"Live now: on testpypi: {SDIST}, {WHEEL}; on pypi: {WHEEL}."
    )


def test_publish_log_place_keeps_name_sha256_and_how() -> None:
    log = PublishLog("1.4.0", RERUN)
    log.place("pypi", planned(SDIST, "c" * 64), "already there")
    assert log.placed == {"pypi": [(SDIST, "c" * 64, "already there")]}


@pytest.mark.parametrize(
    ("tags", "pushed", "shown"),
    [
        ([], [], "Tags: local none; pushed none."),
        (["v0.2.0"], [], "Tags: local v0.2.0; pushed none."),
        (
            ["aetherflow-core-v0.2.0", "aetherflow-v0.2.0"],
            ["aetherflow-core-v0.2.0"],
            "Tags: local aetherflow-core-v0.2.0, aetherflow-v0.2.0; pushed aetherflow-core-v0.2.0.",
        ),
    ],
)
def test_publish_log_live_lists_tags_local_and_pushed(
    tags: list[str], pushed: list[str], shown: str
) -> None:
    log = PublishLog("1.4.0", RERUN, tags=tags, pushed=pushed)
    assert log.live(["pypi"]).endswith(shown)


# next_steps and rerun_command


def test_next_steps_after_a_burned_version_says_bump() -> None:
    steps = next_steps(RERUN, "1.4.0", burned=True)
    assert "bump to the next version" in steps
    assert "1.4.0 can no longer be completed" in steps
    assert RERUN not in steps


def test_next_steps_otherwise_gives_the_rerun_and_why_it_resumes() -> None:
    steps = next_steps(RERUN, "1.4.0", burned=False)
    assert f"re-run `{RERUN}`" in steps
    assert "sha256" in steps
    assert "bump" not in steps


@pytest.mark.parametrize("burned", [True, False])
def test_next_steps_always_says_how_to_yank(burned: bool) -> None:
    assert "yank 1.4.0" in next_steps(RERUN, "1.4.0", burned=burned)


@pytest.mark.parametrize(
    ("args", "command"),
    [
        pytest.param(
            ["release_tests", "-m", "publish", "--release-version", "1.4.0"],
            "pytest release_tests -m publish --release-version 1.4.0",
            id="as-given",
        ),
        pytest.param(
            ["-m", "publish and not tag", "--pypi=https://alice:s3cret@nexus.example/legacy/"],
            "pytest -m 'publish and not tag' '--pypi=https://alice:****@nexus.example/legacy/'",
            id="quoted-and-masked",
        ),
        pytest.param(
            [
                "--testpypi",
                "https://__token__:pypi-AgEIcHlwaS5vcmcAAAAAAAAAAAAAAAAA@test.pypi.org/",
            ],
            "pytest --testpypi 'https://__token__:****@test.pypi.org/'",
            id="token-in-a-url",
        ),
    ],
)
def test_the_rerun_command_is_the_sessions_own_with_credentials_masked(
    args: list[str], command: str
) -> None:
    assert rerun_command(args) == command


def test_a_failure_after_the_upload_says_the_fix_goes_out_as_the_next_version() -> None:
    log = PublishLog("1.4.0", RERUN)
    log.place("testpypi (https://test.pypi.org/legacy/)", planned(WHEEL), "uploaded")

    note = after_publish_failure(log, "testpypi (https://test.pypi.org/legacy/)")

    assert note.startswith(f"Live now: on testpypi (https://test.pypi.org/legacy/): {WHEEL}.")
    assert "Nothing went to the production index" in note
    assert "bump to the next version" in note

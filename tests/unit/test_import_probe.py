"""The import probe the editable and rehearsal gates run in their venvs: what it tells
apart, run here by this interpreter on modules written for the test."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from pytest_release.checks.smoke import IMPORT_PROBE
from pytest_release.process import run_command


def probe(folder: Path, *names: str) -> dict[str, dict[str, object]]:
    result = run_command(
        [sys.executable, "-c", IMPORT_PROBE, *names],
        timeout=60,
        environment={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        cwd=folder,
    )
    reports = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    return {str(report["name"]): report for report in reports}


def test_a_module_that_needs_its_environment_is_told_from_one_that_cannot_load(
    tmp_path: Path,
) -> None:
    (tmp_path / "needs_key.py").write_text(
        'raise RuntimeError("set OPENAI_API_KEY to use this example")\n', encoding="utf-8"
    )
    (tmp_path / "lacks_dependency.py").write_text("import not_installed_anywhere\n")
    (tmp_path / "broken_syntax.py").write_text("def f(:\n")
    (tmp_path / "fine.py").write_text('__version__ = "1.2.0"\n')

    reports = probe(tmp_path, "needs_key", "lacks_dependency", "broken_syntax", "fine")

    assert reports["needs_key"]["unloadable"] is False
    assert "RuntimeError: set OPENAI_API_KEY" in str(reports["needs_key"]["error"])
    assert reports["lacks_dependency"]["unloadable"] is True
    assert "ModuleNotFoundError" in str(reports["lacks_dependency"]["error"])
    assert reports["broken_syntax"]["unloadable"] is True
    assert reports["fine"] == {"name": "fine", "version": "1.2.0"}

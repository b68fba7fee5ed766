"""pytest-release: a release checklist as an ordered pytest suite.

The package is layered; a module imports only from its own layer and the layers above it
in this list, never from one below:

1. the base: ``problems`` (what a gate reports), ``process`` (the one runner of child
   processes), ``checklist`` (the gate registry, skip kinds), ``settings``, and ``gate``
   (how a gate case fails or skips);
2. ``target``: reading the repository;
3. ``index``: package indexes;
4. ``dists``: builds, built files, venvs and what is installed in them;
5. ``checks``: the pure rules of the gates;
6. ``api``: the public API boundary;
7. ``publish``: rehearsal, uploads, the installed release, tags;
8. ``session``: the gate session, its state, ledger, guard, report and fixtures;
9. ``commands``: ``pytest-release plan | bump | init``;
10. the entry points: ``plugin`` (hooks), ``cli`` (the console script) and ``suite`` (the
    gate modules users' ``release_tests/`` import).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from pytest_release.problems import Problem

try:
    __version__ = version("pytest-release")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = ["Problem", "__version__"]

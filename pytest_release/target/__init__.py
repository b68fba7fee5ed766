"""Reading the repository to release: its packages (``monorepo``), found as members
(``members``: a uv workspace's, ``packages/*``, the root project), ordered by their internal
dependencies (``dependency_graph``), each ``pyproject.toml`` (``pyproject``), versions
written in files (``version_source``) or computed from git tags at build time
(``vcs_version``), what ``[project] dynamic`` leaves to the build backend
(``dynamic_metadata``: the data; the asking is ``dists.prepared_metadata``'s), import
packages (``import_packages``), and the git questions the gates ask (``git``).

May import: the base (``problems``, ``process``). Reads; never writes the target.
"""

"""Reading the repository to release: its packages (``monorepo``), each ``pyproject.toml``
(``pyproject``), versions (``version_source``), import packages (``import_packages``), and
the git questions the gates ask (``git``).

May import: the base (``problems``, ``process``). Reads; never writes the target.
"""

"""Putting the release on indexes: the rehearsal on a local index (``rehearsal``), the
release installed from an index and its checks (``installed_release``), one publish step's
uploads (``upload``), what went where and what to do next (``progress``), and the tags
(``tags``).

May import: every layer but ``session`` and ``commands``. Ends a gate case through
``gate`` (fail, or skip with a kind).
"""

"""``pytest-release plan | bump | init``: preparing a release the gates accept (``plan``,
``bump`` with ``bump_rules``, ``bump_files`` and ``changelog_section``, ``init``).

May import: every layer but ``session``.
"""

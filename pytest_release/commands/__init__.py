"""``pytest-release plan | bump | init``: preparing a release the gates accept (``plan``,
``bump`` with ``bump_rules``, ``bump_files``, ``changelog_section`` and ``uv_lock``,
``init``).

May import: every layer but ``session``.
"""

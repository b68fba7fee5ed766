"""The public API boundary: the boundary modules read statically at two commits
(``source``), what changed between them (``difference``, ``objects``), and the SemVer rule
over that change (``semver``).

May import: the base, ``target`` and ``checks``. No pytest.
"""

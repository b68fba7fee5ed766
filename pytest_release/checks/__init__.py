"""The rules of the gates, each returning ``Problem``s: preflight, versions, changelog,
CI status, credentials, smoke, installs and the target's own test suite.

May import: the base, ``target``, ``index`` and ``dists``. No pytest.
"""

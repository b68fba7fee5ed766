"""Distributions: building every package once (``build``), a package's metadata as its
backend computes it (``prepared_metadata``), the built files read and named (``files``),
what they hold (``contents``) and say (``metadata``), fresh virtual environments
(``venv``), and what was installed in one (``installed``).

May import: the base, ``target`` and ``index``.
"""

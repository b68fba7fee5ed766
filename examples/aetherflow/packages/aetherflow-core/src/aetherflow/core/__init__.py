"""Aetherflow core: flow files, the step and connector registries, the built-ins.

The supported public API is :mod:`aetherflow.core.api`; the other modules serve
the sibling packages ``aetherflow-scheduler`` and ``aetherflow``.
"""

__version__ = "0.2.0"

"""Aetherflow scheduler: puts a flow's steps in dependency order and runs them."""

__version__ = "0.2.0"

"""The gate session, pytest's side of a release: the state on ``config.stash``
(``state``), which items are gates (``selection``), their cases (``cases``), the hooks'
state machine (``gate_session``), the ledger of outcomes (``ledger``), the publish guard
(``guard``), the checklist and header (``report``), the gate markers (``markers``), and every
fixture (``fixtures``).

May import: every layer but ``commands``.
"""

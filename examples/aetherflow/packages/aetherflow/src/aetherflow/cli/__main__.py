"""``python -m aetherflow.cli``."""

from aetherflow.cli import main

raise SystemExit(main())

"""``python -m kds_tui``: the same as ``kds-kitchen``."""

from kds_tui.cli import main

raise SystemExit(main())

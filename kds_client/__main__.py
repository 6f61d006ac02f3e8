"""``python -m kds_client``: the same as ``kds-order``."""

import sys

from kds_client.cli import main

sys.exit(main())

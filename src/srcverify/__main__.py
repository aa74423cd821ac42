"""``python -m srcverify``: the same command as ``srcverify``."""

import sys

from srcverify.cli import main

sys.exit(main())

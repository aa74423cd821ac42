"""``python -m srcverify``: the same command as ``srcverify``."""

import sys

from srcverify.cli.main import main

sys.exit(main())

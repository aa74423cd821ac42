"""What every verb shares about usage errors (exit 2)."""

from __future__ import annotations

import argparse
import sys

from srcverify.errors import EXIT_USAGE

__all__ = ["UsageError", "print_usage"]


class UsageError(Exception):
    """Arguments that cannot work together; :func:`srcverify.cli.main.main` exits 2."""


def print_usage(parser: argparse.ArgumentParser) -> int:
    """A verb group run without its sub-verb: its help on stderr, exit 2."""
    parser.print_help(sys.stderr)
    return EXIT_USAGE

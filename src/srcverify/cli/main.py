"""The ``srcverify`` command: the argument parser and the exit-code contract.

Each verb lives in its own module (:mod:`~srcverify.cli.verify`,
:mod:`~srcverify.cli.trust_root`, :mod:`~srcverify.cli.map`) and adds its own
subparser. :func:`main` runs the chosen verb and turns what escapes it into an
exit code (see README): 0 verified, 1 rejected, 2 usage error, 3 could not
evaluate (an unexpected exception is also 3, never a traceback). Human
messages go to stderr, ``--json`` receipts to stdout.

Heavy modules are imported inside the verbs, so ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from srcverify import __version__
from srcverify.cli import batch as cli_batch
from srcverify.cli import map as cli_map
from srcverify.cli import trust_root as cli_trust_root
from srcverify.cli import verify as cli_verify
from srcverify.cli.display import EscapingArgumentParser, StdoutClosedError, print_line
from srcverify.cli.hints import command_hint
from srcverify.cli.usage import UsageError
from srcverify.errors import (
    EXIT_REJECTED,
    EXIT_UNEVALUATED,
    EXIT_USAGE,
    SrcverifyError,
    VerificationError,
)

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    hint = command_hint(arguments)
    if hint:
        print_line(f"srcverify: {hint}", stderr=True)
        return EXIT_USAGE
    parser = _build_parser(arguments)
    args, rest = parser.parse_known_args(arguments)
    unknown = [item for item in rest if item.startswith("-")]
    if rest and not unknown and isinstance(getattr(args, "artifacts", None), list):
        args.artifacts += rest  # options may follow artifacts: verify A --json B
    elif rest:
        parser.error(f"unrecognized arguments: {' '.join(unknown or rest)}")  # exits 2
    if not hasattr(args, "handler"):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code: int = args.handler(args)
    except UsageError as exc:
        parser.error(str(exc))  # exits 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader of stdout left (`... | head`): nothing more can be reported, so the
        # run cannot count as complete. Point stdout at /dev/null so exiting stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_UNEVALUATED
    except StdoutClosedError:
        print_line(
            "srcverify: stdout is closed, so the output cannot be written; nothing counts "
            "as verified",
            stderr=True,
        )
        return EXIT_UNEVALUATED
    except SrcverifyError as exc:  # a verb's own error no handler of its reported
        print_line(f"srcverify: ERROR: {exc}; nothing was verified", stderr=True)
        return EXIT_REJECTED if isinstance(exc, VerificationError) else EXIT_UNEVALUATED
    except Exception as exc:  # a bug: fail closed with a message a build log can carry
        print_line(
            f"srcverify: internal error, nothing was verified ({type(exc).__name__}: {exc}); "
            "please report this as a bug",
            stderr=True,
        )
        return EXIT_UNEVALUATED
    return code


def _build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser; when ``argv`` names a verb, only that verb's subparser is built."""
    parser = EscapingArgumentParser(
        prog="srcverify",
        description="Offline Sigstore verification of upstream sources for distribution builds.",
    )
    parser.add_argument("--version", action="version", version=f"srcverify {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    # Building the other verbs' parsers costs more than parsing; --help, --version and a
    # mistyped verb (whose message lists the choices) get every verb.
    chosen = next((arg for arg in argv if not arg.startswith("-")), None)
    every = chosen not in ("verify", "trust-root", "map")
    if every or chosen == "verify":
        cli_batch.add_arguments(cli_verify.add_parser(subparsers))
    if every or chosen == "trust-root":
        cli_trust_root.add_parser(subparsers)
    if every or chosen == "map":
        cli_map.add_parser(subparsers)
    return parser

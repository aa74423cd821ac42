"""``srcverify verify --batch LIST`` and ``-j N``: many artifacts, one trust root, N processes.

LIST (a file, or ``-`` for stdin) has one artifact per line::

    NAME EVIDENCE [ALG:HEX]

NAME is the artifact file, or, when a digest (``sha256:``, ``sha384:`` or
``sha512:`` and hex) is given, only its name (for the release map and the
in-toto subject name); EVIDENCE is its bundle. Fields are separated by
whitespace; blank lines and lines starting with ``#`` are skipped; relative
paths are relative to LIST's folder (to the working directory for stdin).
ARTIFACT arguments, if any, are verified first, as without ``--batch``.

Each result is printed as it is known, one human line on stderr and, with
``--json``, one receipt per line on stdout (batch lines carry ``"line":
"LIST:N"``). A line that cannot be read as above is reported NOT EVALUATED
(exit 3) on its own, and the batch goes on. The exit code is the rule for
several artifacts: 1 if any was rejected, else 3 if any could not be
evaluated, else 0.

With ``-j N`` the artifacts are shared among N worker processes (forked
after the trust root is authenticated, so it is loaded once; each worker
reads the release map once). Results then come in the order they finish.
On a terminal, and only for a batch of at least :data:`LONG_BATCH`
artifacts without ``--json``, a progress line on stderr is kept below the
results.

This module reads the list, schedules and prints; each verification is
:func:`srcverify.cli.verify.verify_one`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

from srcverify._frozen import frozen
from srcverify.cli import outcome as cli_outcome
from srcverify.cli import verify as cli_verify
from srcverify.cli.artifact_input import is_digest
from srcverify.cli.display import escape, print_json, print_line
from srcverify.cli.usage import UsageError
from srcverify.errors import EXIT_OK, EXIT_REJECTED, EXIT_UNEVALUATED

__all__ = ["LONG_BATCH", "Item", "Progress", "add_arguments", "read_list", "run"]

LONG_BATCH = 20
_MAX_LINE = 64 << 10
_FORMAT = "expected NAME EVIDENCE [ALG:HEX]"


def add_arguments(verify: argparse.ArgumentParser) -> None:
    """Add ``--batch`` and ``-j`` to the ``verify`` parser; :func:`run` becomes its handler."""
    group = verify.add_argument_group("many artifacts")
    group.add_argument(
        "--batch",
        metavar="LIST",
        help="also verify each line 'NAME EVIDENCE [sha256:HEX]' of LIST ('-': stdin); "
        "relative paths are relative to LIST's folder",
    )
    group.add_argument(
        "-j",
        "--jobs",
        metavar="N",
        type=_jobs,
        default=1,
        help="verify in N processes (default 1); results then come as they finish",
    )
    verify.set_defaults(handler=run)


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 256:
        raise argparse.ArgumentTypeError(f"expected a number of processes from 1 to 256: {text!r}")
    return value


@frozen
class Item:
    """One artifact to verify: how it is shown, the file or name, its evidence and digest.

    ``problem`` is set instead when its batch line could not be read.
    """

    label: str
    artifact: str = ""
    bundle: str | None = None
    digest: str | None = None
    line: str | None = None
    problem: str | None = None


@frozen
class _Outcome:
    code: int
    record: dict[str, Any] | None
    text: str


def run(args: argparse.Namespace) -> int:
    """The ``verify`` handler: plain ``verify`` unless ``--batch`` or ``-j`` is given."""
    if args.batch is None and args.jobs == 1:
        return cli_verify.run_verify(args)
    if not args.artifacts and args.batch is None:
        raise UsageError("give at least one ARTIFACT, or --batch LIST")
    if (args.bundle or args.digest) and len(args.artifacts) != 1:
        raise UsageError("--bundle and --digest apply to one ARTIFACT; a batch line names its own")
    cli_verify.check_usage(args)
    now = datetime.now(UTC)
    items = [Item(label=artifact, artifact=artifact) for artifact in args.artifacts]
    if args.batch is not None:
        items.extend(_list_items(args.batch))
    if not items:
        print_line(f"srcverify: {args.batch} names no artifact; nothing was verified", stderr=True)
        return EXIT_UNEVALUATED
    trust, failure = _trust_or_failure(args, now)
    _STATE.update(args=args, now=now, trust=trust, failure=failure)
    progress = Progress(len(items), enabled=not args.json and len(items) >= LONG_BATCH)
    worst = EXIT_OK
    for outcome in _outcomes(items, args.jobs if failure is None else 1):
        worst = cli_outcome.combine(worst, outcome.code)
        progress.clear()
        if outcome.record is not None:
            print_json(outcome.record)
            sys.stdout.flush()  # each receipt as soon as it is known, also into a pipe
        print_line(outcome.text, stderr=True)
        progress.advance(outcome.code)
    progress.clear()
    return worst


def _list_items(batch: str) -> list[Item]:
    from srcverify.inputs import open_regular

    if batch == "-":
        if sys.stdin is None:
            raise UsageError("--batch -: stdin is closed")
        return list(read_list(sys.stdin.buffer, "-", ""))
    with open_regular(batch, "batch list") as stream:
        return list(read_list(stream, batch, os.path.dirname(batch)))


def read_list(stream: IO[bytes], name: str, folder: str) -> Iterator[Item]:
    """The items of a batch list; a line that cannot be read becomes an item with a problem."""
    from srcverify.artifact import parse_digest
    from srcverify.errors import InputError

    number = 0
    while raw := stream.readline(_MAX_LINE + 1):
        number += 1
        where = f"{name}:{number}"
        if len(raw) > _MAX_LINE and not raw.endswith(b"\n"):
            while (rest := stream.readline(_MAX_LINE)) and not rest.endswith(b"\n"):
                pass  # skip the rest of an overlong line, in bounded pieces
            yield Item(label=where, line=where, problem=f"line longer than {_MAX_LINE} bytes")
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Item(label=where, line=where, problem=f"not UTF-8 (byte {exc.start})")
            continue
        fields = text.split()
        if not fields or fields[0].startswith("#"):
            continue
        if len(fields) not in (2, 3):
            problem = f"{_FORMAT}, found {len(fields)} field{'s' if len(fields) != 1 else ''}"
            yield Item(label=where, line=where, problem=problem)
            continue
        artifact, bundle = fields[0], os.path.join(folder, fields[1])
        digest = fields[2] if len(fields) == 3 else None
        if digest is not None:
            try:
                parse_digest(digest)
            except InputError as exc:
                yield Item(label=artifact, line=where, problem=f"{_FORMAT}: {exc.detail}")
                continue
        elif is_digest(artifact):
            problem = f"{_FORMAT}: NAME is a digest; give the name, then the digest third"
            yield Item(label=artifact, line=where, problem=problem)
            continue
        else:
            artifact = os.path.join(folder, artifact)
        yield Item(fields[0], artifact, bundle, digest, where)


# --- verification, in this process or in workers --------------------------------

# What every verification of this run shares. Workers are forked after it is set.
_STATE: dict[str, Any] = {}


def _trust_or_failure(
    args: argparse.Namespace, now: datetime
) -> tuple[cli_verify.Trust | None, Exception | None]:
    from srcverify.errors import SrcverifyError

    try:
        return cli_verify.load_trust(args, now), None
    except SrcverifyError as exc:
        return None, exc  # every artifact is reported NOT EVALUATED with this reason


def _outcomes(items: list[Item], jobs: int) -> Iterable[_Outcome]:
    if jobs == 1 or len(items) < 2:
        return map(_verify_item, items)
    return _in_workers(items, jobs)


def _in_workers(items: list[Item], jobs: int) -> Iterator[_Outcome]:
    import multiprocessing

    context = multiprocessing.get_context("fork")  # workers inherit the authenticated trust root
    with context.Pool(min(jobs, len(items))) as pool:
        chunk = max(1, min(8, len(items) // (4 * jobs)))
        yield from pool.imap_unordered(_verify_item, items, chunksize=chunk)


def _verify_item(item: Item) -> _Outcome:
    from srcverify.errors import InputError, SrcverifyError, VerificationError

    args, now = _STATE["args"], _STATE["now"]
    error: Exception | None = _STATE["failure"]
    if item.problem is not None:
        error = InputError(item.problem, step="batch")
    if error is None:
        try:
            receipt = cli_verify.verify_one(
                args, item.artifact, _STATE["trust"], now, bundle=item.bundle, digest=item.digest
            )
        except SrcverifyError as exc:
            error = exc
        else:
            record, text = cli_outcome.success_output(
                args, item.label, receipt, _STATE["trust"].source
            )
            return _Outcome(EXIT_OK, _with_line(record, item), _with_where(text, item))
    code = EXIT_REJECTED if isinstance(error, VerificationError) else EXIT_UNEVALUATED
    record, text = cli_outcome.failure_output(args, item.label, error, code)
    return _Outcome(code, _with_line(record, item), _with_where(text, item))


def _with_line(record: dict[str, Any] | None, item: Item) -> dict[str, Any] | None:
    if record is not None and item.line is not None:
        record["line"] = item.line
    return record


def _with_where(text: str, item: Item) -> str:
    if item.line is not None and item.label != item.line:
        return f"{text} ({item.line})"
    return text


# --- progress ---------------------------------------------------------------------


class Progress:
    """A progress line kept at the bottom of a terminal, below the result lines.

    Shown only when ``enabled`` and the stream is a terminal; otherwise every
    method does nothing, so logs and pipes get the result lines alone.
    """

    def __init__(self, total: int, *, enabled: bool, stream: IO[str] | None = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.shown = enabled and self.stream.isatty()
        self.total = total
        self.counts = {EXIT_OK: 0, EXIT_REJECTED: 0, EXIT_UNEVALUATED: 0}

    def advance(self, code: int) -> None:
        """Count one result and redraw the line."""
        self.counts[code] = self.counts.get(code, 0) + 1
        if self.shown:
            done = sum(self.counts.values())
            self.stream.write(
                escape(
                    f"[{done}/{self.total}] {self.counts[EXIT_OK]} verified, "
                    f"{self.counts[EXIT_REJECTED]} rejected, "
                    f"{self.counts[EXIT_UNEVALUATED]} not evaluated"
                )
            )
            self.stream.flush()

    def clear(self) -> None:
        """Erase the line (before a result line is printed, and at the end)."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

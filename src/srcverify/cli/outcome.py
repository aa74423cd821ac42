"""How ``srcverify verify`` reports an artifact: the human line, the JSON record, the exit code.

:func:`success_output` and :func:`failure_output` turn a receipt or an error
into the line (printed escaped on stderr) and, with ``--json``, the record on
stdout; :func:`combine` folds per-artifact exit codes into the run's. It
verifies nothing.
"""

from __future__ import annotations

import argparse
from typing import Any

from srcverify.cli import evidence as cli_evidence
from srcverify.cli.display import print_json, print_line
from srcverify.errors import EXIT_OK, EXIT_REJECTED

__all__ = ["combine", "failure_output", "print_outcome", "success_output"]


def combine(worst: int, code: int) -> int:
    """Rejected outranks could-not-evaluate: a bad source must never look merely missing."""
    if EXIT_REJECTED in (worst, code):
        return EXIT_REJECTED
    return max(worst, code)


def success_output(
    args: argparse.Namespace, artifact: str, receipt: Any, trust_source: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, str]:
    """The JSON record (with ``--json``) and the human line for a verified artifact.

    ``trust_source`` describes the trust root the receipt was verified against.
    """
    record = None
    if args.json:
        record = {"artifact": artifact, "exit_code": EXIT_OK, **receipt.to_json()}
        if trust_source is not None:
            record["trust_root"] = trust_source
    when = receipt.verified_times[0].time.strftime("%Y-%m-%dT%H:%M:%SZ")
    issuer = f" ({receipt.issuer})" if receipt.issuer else ""
    note = (
        "; log inclusion backed by a signed promise only (v0.1 bundle)"
        if receipt.promise_only
        else ""
    )
    note += "".join(f"; {text}" for text in receipt.notes)
    note += f"; name bound by {getattr(receipt, 'name_bound_by', 'nothing')}"
    line = (
        f"OK {artifact}: signed by {receipt.signer}{issuer} at {when}, "
        f"bundle v{receipt.bundle_version}{cli_evidence.describe(receipt)}{note}"
    )
    return record, line


def failure_output(
    args: argparse.Namespace, artifact: str, exc: Exception, code: int
) -> tuple[dict[str, Any] | None, str]:
    """The JSON record (with ``--json``) and the human line for a failed artifact."""
    from srcverify.cli.hints import failure_hint

    step = getattr(exc, "step", "error")
    detail = getattr(exc, "detail", str(exc))
    verdict = "REJECTED" if code == EXIT_REJECTED else "NOT EVALUATED"
    hint = failure_hint(args, artifact, exc)
    record = None
    if args.json:
        record = {
            "artifact": artifact,
            "verified": False,
            "exit_code": code,
            "step": step,
            "error": detail,
        }
        if hint:
            record["hint"] = hint
    line = f"{verdict} {artifact}: {step}: {detail}"
    return record, f"{line} (hint: {hint})" if hint else line


def print_outcome(record: dict[str, Any] | None, line: str) -> None:
    if record is not None:
        print_json(record)
    print_line(line, stderr=True)

"""Hints for the mistakes packagers make with ``srcverify`` (seen in trials).

Each function looks at what the user asked for and at the error that followed,
and returns one sentence saying what was probably meant, or None. They never
change a verdict or an exit code: the error stays what it was, the hint is
printed after it (``hint: ...``) and added to the JSON record.

Covered: the other Sigstore CLIs' command forms (``sigstore verify identity``,
``cosign verify-blob``); ``--trust-root`` and ``--trusted-root`` swapped, and
a TUF repository copy given as a pin; and, when a map-resolved signer does
not match, which series of which map set the expectation. (A Debian
``*.orig.tar.*`` name is explained by the release map's own error.)

It reads no file beyond ``stat`` and the pin layout check, and verifies nothing.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

__all__ = ["command_hint", "failure_hint", "subcommand_hint"]

_OTHER_CLI_SUBCOMMANDS = ("identity", "github")


def command_hint(argv: Sequence[str]) -> str | None:
    """A hint for a command srcverify does not have, before argparse rejects it."""
    if argv[:1] == ["verify-blob"]:
        return (
            "srcverify has no 'verify-blob' (that is cosign's command); write "
            "'srcverify verify --bundle FILE.sigstore --certificate-identity ID "
            "--certificate-oidc-issuer URL FILE' (cosign's flag names are accepted)"
        )
    return None


def subcommand_hint(artifacts: Sequence[str]) -> str | None:
    """A hint for ``srcverify verify identity ...`` (sigstore-python's form)."""
    first = artifacts[0] if artifacts else ""
    if first in _OTHER_CLI_SUBCOMMANDS and not os.path.lexists(first):
        return (
            f"'srcverify verify {first}' is sigstore-python's form; srcverify verify has no "
            "sub-command: write 'srcverify verify --cert-identity ID --cert-oidc-issuer URL "
            "[--bundle B] FILE', or leave the identity to the release map"
        )
    return None


def failure_hint(args: argparse.Namespace, artifact: str, exc: Exception) -> str | None:
    """A hint for a failed verification, from the arguments and the error's step.

    A hint is an aid: whatever goes wrong while composing one leaves the verdict
    and its message alone (no hint rather than an internal error).
    """
    try:
        return _failure_hint(args, artifact, exc)
    except Exception:  # never let a hint turn a verdict into an internal error
        return None


def _failure_hint(args: argparse.Namespace, artifact: str, exc: Exception) -> str | None:
    step = getattr(exc, "step", None)
    if step == "trust-root" or (step == "input" and _about_trust(args, exc)):
        hint = _trust_hint(args)
        if hint:
            return hint
    name = Path(artifact).name
    if step == "policy" and not (args.cert_identity or args.cert_identity_regexp or args.key):
        return _series_hint(args, name)
    return None


def _about_trust(args: argparse.Namespace, exc: Exception) -> bool:
    text = str(exc)
    return any(path and path in text for path in (args.trust_root, args.trusted_root))


def _trust_hint(args: argparse.Namespace) -> str | None:
    from srcverify.pin.load import PIN_RECORD
    from srcverify.pin.localcopy import detect_layout

    if args.trusted_root and os.path.isdir(args.trusted_root):
        return (
            f"--trusted-root takes a trusted_root.json file; {args.trusted_root} is a "
            "directory: for a pin (pin.json, metadata/, targets/) use --trust-root DIR"
        )
    if args.trust_root and os.path.isfile(args.trust_root):
        return (
            f"--trust-root takes a pin directory; {args.trust_root} is a file: a bare "
            "trusted_root.json goes with --trusted-root FILE (used as is, NOT TUF-authenticated)"
        )
    if args.trust_root and os.path.isdir(args.trust_root):
        directory = Path(args.trust_root)
        layout = detect_layout(directory)
        if layout is not None and not (directory / PIN_RECORD).exists():
            anchor = "metadata/root_history/N.root.json" if layout == "git" else "N.root.json"
            return (
                f"{args.trust_root} is a copy of a TUF repository ({layout} layout), not a "
                f"pin; make a pin from it: srcverify trust-root update NEW-PIN --anchor "
                f"{args.trust_root}/{anchor} --from {args.trust_root} --reference-time T "
                "(T: when the copy was made), then pass --trust-root NEW-PIN"
            )
    return None


def _series_hint(args: argparse.Namespace, name: str) -> str | None:
    from srcverify.cli.signer import resolution
    from srcverify.errors import SrcverifyError

    if getattr(args, "publisher", None):
        return None
    try:
        found = resolution(args, name)
    except SrcverifyError:
        return None
    where = (
        f"series {found.series}"
        if found.series and not found.exception
        else f"release {found.version}"
    )
    maps = ", ".join(args.map) if args.map else "the shipped release maps"
    return (
        f"the expected signer came from {where} of {found.project} ({maps}), chosen by the "
        f"name {name}; if the file is another release, name it after upstream's file"
    )

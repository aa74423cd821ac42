"""``srcverify trust-root status|verify|update``: the pinned trust root on the command line.

``status`` reports what the pin holds and how far it authenticates; ``verify``
authenticates it offline (exit 0, 1 with the failed check, or 3); ``update``
refreshes it from Sigstore's TUF repository or a local mirror on a connected
machine and prints what changed. Exit codes: 0 ok, 1 a check failed, 2 usage,
3 could not evaluate. Reports go to stdout (``--json`` for machines), verdicts
and errors to stderr.

This module only parses arguments, reads the clock and prints; the work is in
:mod:`srcverify.pin.load`, :mod:`srcverify.pin.update` and :mod:`srcverify.pin.diff`,
imported inside the handlers so ``--help`` stays quick.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from srcverify.cli.display import print_json, print_line
from srcverify.cli.usage import print_usage
from srcverify.errors import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_UNEVALUATED,
    EXIT_USAGE,
    EvaluationError,
    TufError,
)

if TYPE_CHECKING:
    from srcverify.pin.authenticated import AuthenticatedPin
    from srcverify.sigstore.trustroot import CertificateAuthority, LogKey, TrustedRoot

__all__ = ["add_parser"]

_DAY = timedelta(days=1)


def add_parser(subparsers: Any) -> None:
    """Register the ``trust-root`` command group on an argparse subparsers object.

    Each leaf command sets ``handler``: a callable taking the parsed
    arguments and returning the exit code.
    """
    group = subparsers.add_parser(
        "trust-root",
        help="inspect, verify or refresh the pinned TUF trust root",
        description="The pinned Sigstore trust root and its TUF metadata.",
    )
    group.set_defaults(handler=lambda _args: print_usage(group))
    commands = group.add_subparsers(title="trust-root commands", metavar="COMMAND")
    dir_help = "pin directory (default: the pin shipped with srcverify)"

    status = commands.add_parser(
        "status", help="versions, expiries, age, checks made, logs/CAs/TSAs of the pin"
    )
    status.add_argument("dir", nargs="?", metavar="DIR", help=dir_help)
    status.add_argument("--json", action="store_true", help="machine-readable report on stdout")
    status.set_defaults(handler=_run_status)

    verify = commands.add_parser("verify", help="authenticate the pin offline at its time T")
    verify.add_argument("dir", nargs="?", metavar="DIR", help=dir_help)
    verify.add_argument(
        "--max-trust-root-age",
        metavar="DAYS",
        type=days_argument,
        help="exit 3 if the pin's reference time is more than DAYS before now",
    )
    verify.set_defaults(handler=_run_verify)

    update = commands.add_parser(
        "update",
        help="refresh the pin from a local copy of a TUF repository or from its URL",
        description="Refresh the pin DIR from a TUF repository. A local copy (--from DIR, "
        "the published layout or the root-signing git layout) is authenticated offline at "
        "--reference-time T; a URL is fetched with python-tuf's client and authenticated now. "
        "With --anchor, DIR must not exist: a new pin is made whose root chain starts at the "
        "anchor root.",
    )
    update.add_argument("dir", nargs="?", metavar="DIR", help=dir_help)
    update.add_argument(
        "--from",
        dest="source",
        metavar="URL-or-DIR",
        help="TUF repository URL or local copy directory "
        "(default: https://tuf-repo-cdn.sigstore.dev)",
    )
    update.add_argument(
        "--reference-time",
        metavar="RFC3339",
        type=rfc3339_argument,
        help="the time T at which the local copy's metadata was current; everything is "
        "authenticated at T (default: now). A T in the future is refused.",
    )
    update.add_argument(
        "--reference-time-note",
        metavar="TEXT",
        help="why T is what it is, recorded in pin.json",
    )
    update.add_argument(
        "--origin",
        metavar="TEXT",
        help="where the metadata came from (repository and commit, or URL), recorded in pin.json",
    )
    update.add_argument(
        "--anchor",
        metavar="ROOT.json",
        help="make a new pin in DIR whose root chain starts at this root (needs --from DIR)",
    )
    update.set_defaults(handler=_run_update)


def rfc3339_argument(text: str) -> datetime:
    """An argparse type: an RFC 3339 time with a zone (``2026-08-21T20:00:00Z``)."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None or "T" not in text.upper():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an RFC 3339 time with a zone, e.g. 2026-08-21T20:00:00Z"
        )
    return when.astimezone(UTC)


def days_argument(text: str) -> float:
    """An argparse type: a number of days that a timedelta can hold (not NaN or infinite)."""
    try:
        days = float(text)
        timedelta(days=days)
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days") from None
    return days


def _pin_dir(args: argparse.Namespace) -> Path:
    from srcverify.pin.load import default_pin_dir

    return Path(args.dir) if args.dir else default_pin_dir()


def _fail(exc: Exception) -> int:
    """Print an error and map it to an exit code: a failed TUF check is 1, else 3."""
    verdict = "FAILED" if isinstance(exc, TufError) else "ERROR"
    print_line(f"srcverify trust-root: {verdict}: {exc}", stderr=True)
    return EXIT_REJECTED if isinstance(exc, TufError) else EXIT_UNEVALUATED


def _run_verify(args: argparse.Namespace) -> int:
    from srcverify.pin.load import check_pin_age, verify_pin_dir
    from srcverify.sigstore.trustroot import TrustedRoot

    if args.max_trust_root_age is not None and args.max_trust_root_age < 0:
        print_line("srcverify trust-root: --max-trust-root-age must not be negative", stderr=True)
        return EXIT_USAGE
    pin_dir = _pin_dir(args)
    try:
        pin = verify_pin_dir(pin_dir)
        TrustedRoot.from_json(pin.trusted_root_json)
        max_age = None if args.max_trust_root_age is None else args.max_trust_root_age * _DAY
        age = check_pin_age(pin, datetime.now(UTC), max_age)
    except (TufError, EvaluationError) as exc:
        return _fail(exc)
    extent = "fully" if pin.fully_authenticated else "partially (root metadata only)"
    print_line(
        f"OK {pin_dir}: authenticated {extent} at T={_time(pin.reference_time)}, "
        f"root v{pin.root_chain[-1]}, age {age / _DAY:.1f} days",
        stderr=True,
    )
    return EXIT_OK


def _run_status(args: argparse.Namespace) -> int:
    from srcverify.pin.load import verify_pin_dir
    from srcverify.sigstore.trustroot import TrustedRoot

    pin_dir = _pin_dir(args)
    now = datetime.now(UTC).replace(microsecond=0)
    try:
        pin = verify_pin_dir(pin_dir)
        trusted = TrustedRoot.from_json(pin.trusted_root_json)
    except (TufError, EvaluationError) as exc:
        return _fail(exc)
    report = _status_report(pin_dir, pin, trusted, now)
    if args.json:
        print_json(report, indent=2)
    else:
        for line in _status_lines(report):
            print_line(line)
    return EXIT_OK


def _run_update(args: argparse.Namespace) -> int:
    from srcverify.pin.diff import diff_pins
    from srcverify.pin.update import DEFAULT_REPOSITORY, Provenance, create_pin, update_pin

    source = args.source or DEFAULT_REPOSITORY
    provenance = Provenance(args.reference_time, args.reference_time_note, args.origin)
    now = datetime.now(UTC)
    if args.reference_time is not None and args.reference_time > now:
        print_line(
            f"srcverify trust-root: --reference-time {_time(args.reference_time)} is in the "
            f"future (now {_time(now.replace(microsecond=0))})",
            stderr=True,
        )
        return EXIT_USAGE
    if args.anchor is not None:
        if not args.dir:
            print_line("srcverify trust-root: --anchor needs the new pin's DIR", stderr=True)
            return EXIT_USAGE
        try:
            pin = create_pin(
                Path(args.dir), Path(args.anchor), source, now=now, provenance=provenance
            )
        except (TufError, EvaluationError) as exc:
            return _fail(exc)
        print_line(
            f"created {Path(args.dir).resolve()} from {source}: root chain "
            + " -> ".join(f"v{v}" for v in pin.root_chain)
            + f", authenticated {'fully' if pin.fully_authenticated else 'partially'} "
            f"at T={_time(pin.reference_time)}"
        )
        return EXIT_OK
    pin_dir = _pin_dir(args)
    try:
        result = update_pin(pin_dir, source, now=now, provenance=provenance)
    except (TufError, EvaluationError) as exc:
        if pin_dir.is_dir():  # not when even putting the old pin back failed
            print_line(
                f"srcverify trust-root: the pin in {pin_dir} was left unchanged", stderr=True
            )
        code = _fail(exc)
        if isinstance(exc, TufError) and "expired" in str(exc) and args.reference_time is None:
            print_line(
                "srcverify trust-root: hint: a local copy holds the metadata as it was when it "
                "was made; state that time with --reference-time RFC3339",
                stderr=True,
            )
        return code
    print_line(f"updated {pin_dir.resolve()} from {source}")
    for line in diff_pins(result.old, result.new):
        print_line(line)
    return EXIT_OK


def _time(when: datetime | None) -> str | None:
    from srcverify.pin.record import format_time

    return None if when is None else format_time(when)


def _status_report(
    pin_dir: Path, pin: AuthenticatedPin, trusted: TrustedRoot, now: datetime
) -> dict[str, Any]:
    from srcverify.pin.report import pin_summary

    record = pin.record
    return {
        **pin_summary(pin, str(pin_dir)),
        "pin_dir": str(pin_dir),
        "origin": record.origin if record else None,
        "reference_time_note": record.reference_time_note if record else None,
        "now": _time(now),
        "age_days": round(pin.age(now) / _DAY, 2),
        "roles": {
            role: None
            if (state := pin.role(role)) is None
            else {
                "version": state.version,
                "expires": _time(state.expires),
                "expired_now": state.expires <= now,
                "valid_signatures": state.valid_signatures,
                "threshold": state.threshold,
            }
            for role in ("root", "timestamp", "snapshot", "targets")
        },
        "checks_performed": list(pin.checks_performed),
        "targets": [
            {
                "name": t.name,
                "sha256": t.sha256,
                "length": t.length,
                "tuf_authenticated": t.tuf_authenticated,
            }
            for t in pin.targets
        ],
        "trusted_root": {
            "tlogs": [_log(log) for log in trusted.tlogs],
            "ctlogs": [_log(log) for log in trusted.ctlogs],
            "certificate_authorities": [_ca(ca) for ca in trusted.certificate_authorities],
            "timestamp_authorities": [_ca(ca) for ca in trusted.timestamp_authorities],
        },
    }


def _log(log: LogKey) -> dict[str, Any]:
    return {
        "base_url": log.base_url,
        "log_id": log.log_id.hex(),
        "key_details": log.key_details,
        "valid_from": _time(log.validity.start),
        "valid_until": _time(log.validity.end),
    }


def _ca(ca: CertificateAuthority) -> dict[str, Any]:
    return {
        "uri": ca.uri,
        "subject": ca.subject,
        "certificates": len(ca.certificates),
        "valid_from": _time(ca.validity.start),
        "valid_until": _time(ca.validity.end),
    }


def _status_lines(report: dict[str, Any]) -> list[str]:
    full = report["fully_authenticated"]
    lines = [
        f"trust root pin: {report['pin_dir']}",
        f"origin: {report['origin']}",
        f"reference time T: {report['reference_time']} ({report['reference_time_note']})",
        f"age: {report['age_days']} days (now {report['now']})",
        "authentication at T: "
        + ("FULL (root chain, timestamp, snapshot, targets)" if full else "PARTIAL (root only)"),
        "root chain: " + " -> ".join(f"v{v}" for v in report["root_chain"]),
        "roles:",
    ]
    for role, state in report["roles"].items():
        if state is None:
            lines.append(f"  {role:<10} not pinned")
            continue
        note = " (already expired now; checked at T)" if state["expired_now"] else ""
        lines.append(
            f"  {role:<10} v{state['version']:<5} expires {state['expires']}{note}, "
            f"{state['valid_signatures']} valid signatures (threshold {state['threshold']})"
        )
    lines.append("checks performed:")
    lines += [f"  - {check}" for check in report["checks_performed"]]
    lines.append("checks not possible with this pin:")
    lines += [f"  - {check}" for check in report["checks_not_possible"]] or ["  (none)"]
    lines.append("targets:")
    for t in report["targets"]:
        how = "TUF targets metadata" if t["tuf_authenticated"] else "pin record only"
        lines.append(f"  {t['name']}: sha256 {t['sha256']}, {t['length']} bytes, via {how}")
    lines.append("trusted root:")
    for kind, key in (
        ("tlog", "tlogs"),
        ("ctlog", "ctlogs"),
        ("CA", "certificate_authorities"),
        ("TSA", "timestamp_authorities"),
    ):
        for entry in report["trusted_root"][key]:
            name = entry.get("base_url") or entry.get("uri")
            detail = f"log id {entry['log_id'][:16]}..." if "log_id" in entry else entry["subject"]
            until = entry["valid_until"] or "open"
            lines.append(f"  {kind:<5} {name} ({detail}) valid {entry['valid_from']} .. {until}")
    return lines

"""``srcverify verify``: artifacts against their evidence, on the command line.

Reads the artifact (or takes its digest), the bundle, the trust root (the
shipped TUF pin, another pin, or a bare ``trusted_root.json``) and the signer
policy (identity flags, a managed key, or the release map), calls
:func:`srcverify.sigstore.verify.verify_bundle` and prints one line, or one
JSON receipt, per artifact. It decides nothing itself. ``--batch`` and ``-j``
are :mod:`srcverify.cli.batch`, built on :func:`load_trust` and :func:`verify_one`;
what it reads is :mod:`srcverify.cli.artifact_input`, what it prints
:mod:`srcverify.cli.outcome`.
"""

from __future__ import annotations

import argparse
import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from srcverify._frozen import frozen, replace
from srcverify.cli import evidence as cli_evidence
from srcverify.cli import jsonl as cli_jsonl
from srcverify.cli import manifest as cli_manifest
from srcverify.cli import signer as cli_signer
from srcverify.cli import trust_root as cli_trust_root
from srcverify.cli.artifact_input import given_digest, is_digest, read_input
from srcverify.cli.artifact_source import MAX_SIGNED_ARTIFACT_BYTES, ArtifactSource
from srcverify.cli.display import print_line
from srcverify.cli.namebind import bind_name
from srcverify.cli.outcome import combine, failure_output, print_outcome, success_output
from srcverify.cli.releasefacts import apply_facts, apply_listed_facts, known_algorithms
from srcverify.cli.usage import UsageError
from srcverify.errors import EXIT_OK, EXIT_REJECTED, EXIT_UNEVALUATED

if TYPE_CHECKING:
    from srcverify.sigstore.trustroot import TrustedRoot

__all__ = ["Trust", "add_parser", "check_usage", "load_trust", "run_verify", "verify_one"]

VERIFY_EPILOG = """\
exit codes: 0 verified; 1 rejected (the evidence does not verify); 2 usage error;
3 could not evaluate (missing file, unusable trust root or map, pin too old).
With several artifacts: 1 if any was rejected, else 3 if any could not be evaluated.
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    verify: argparse.ArgumentParser = subparsers.add_parser(
        "verify",
        help="verify artifacts against their Sigstore bundles, offline",
        description="Verify each ARTIFACT against its Sigstore bundle without network access.",
        epilog=VERIFY_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument(
        "artifacts",
        nargs="*",
        metavar="ARTIFACT",
        help="a file, or sha256:<hex> (sha384:, sha512:) to verify a digest without the file",
    )
    verify.add_argument(
        "--bundle",
        metavar="PATH",
        help="the evidence: a Sigstore bundle, PEP 740 attestation or PyPI provenance, told "
        "apart by content (default: the first of ARTIFACT.sigstore.json, .sigstore, "
        ".provenance, .publish.attestation); one ARTIFACT only",
    )
    verify.add_argument(
        "--digest",
        metavar="ALG:HEX",
        help="use this digest instead of reading ARTIFACT; ARTIFACT is then only a name",
    )
    who = verify.add_argument_group("signer (default: from the release map by artifact name)")
    identity = who.add_mutually_exclusive_group()
    # cosign's names (--certificate-...) are aliases: packagers copy them from cosign recipes.
    identity.add_argument(
        "--cert-identity",
        "--certificate-identity",
        metavar="ID",
        help="exact certificate identity (SAN)",
    )
    identity.add_argument(
        "--cert-identity-regexp",
        "--certificate-identity-regexp",
        metavar="RE",
        help="certificate identity as a full-match regex",
    )
    issuer = who.add_mutually_exclusive_group()
    issuer.add_argument(
        "--cert-oidc-issuer", "--certificate-oidc-issuer", metavar="URL", help="exact OIDC issuer"
    )
    issuer.add_argument(
        "--cert-oidc-issuer-regexp",
        "--certificate-oidc-issuer-regexp",
        metavar="RE",
        help="OIDC issuer as a full-match regex",
    )
    who.add_argument(
        "--key",
        metavar="PEM",
        help="verify a managed-key bundle with this public key: ECDSA, RSA or Ed25519. An "
        "Ed25519 message signature covers the file's bytes, so the file is read whole, up to "
        f"{MAX_SIGNED_ARTIFACT_BYTES >> 30} GiB; given only a digest, or a larger file, it "
        "cannot be evaluated (exit 3)",
    )
    who.add_argument(
        "--map",
        metavar="FILE",
        action="append",
        help="release map to resolve signers from (repeatable: the maps are combined; "
        "default: the shipped CPython and PyPI maps)",
    )
    cli_evidence.add_arguments(who, verify)
    cli_manifest.add_arguments(verify)
    trust = verify.add_argument_group("trust (default: the shipped TUF-pinned trust root)")
    trust_choice = trust.add_mutually_exclusive_group()
    trust_choice.add_argument(
        "--trust-root", metavar="DIR", help="a pinned trust-root directory, authenticated offline"
    )
    trust_choice.add_argument(
        "--trusted-root",
        metavar="FILE",
        help="use this trusted_root.json as is (NOT TUF-authenticated)",
    )
    trust.add_argument(
        "--max-trust-root-age",
        metavar="DAYS",
        type=cli_trust_root.days_argument,
        help="refuse (exit 3) a pinned trust root older than DAYS",
    )
    trust.add_argument(
        "--allow-timestamp-only",
        action="store_true",
        help="WEAKER: accept bundles with RFC 3161 timestamps and no transparency log entry "
        "(the receipt says no log backed the signature)",
    )
    verify.add_argument(
        "--json", action="store_true", help="one JSON receipt per artifact on stdout"
    )
    verify.add_argument(
        "--offline",
        action="store_true",
        help="accepted for sigstore-python/cosign compatibility and changes nothing: "
        "srcverify never uses the network",
    )
    verify.set_defaults(handler=run_verify)
    return verify


# --- srcverify verify ---------------------------------------------------------


@frozen
class Trust:
    """The trusted root a run verifies against, and how it was authenticated."""

    root: TrustedRoot
    reference_time: datetime | None
    source: dict[str, Any]


def run_verify(args: argparse.Namespace) -> int:
    """Verify each ARTIFACT in turn, in this process; the exit code."""
    from srcverify.errors import SrcverifyError, VerificationError

    if not args.artifacts:
        raise UsageError("give at least one ARTIFACT")
    check_usage(args)
    now = datetime.now(UTC)
    worst = EXIT_OK
    trust: Trust | None = None
    for artifact in args.artifacts:
        try:
            if trust is None:
                trust = load_trust(args, now)
            receipt = verify_one(args, artifact, trust, now)
        except SrcverifyError as exc:
            code = EXIT_REJECTED if isinstance(exc, VerificationError) else EXIT_UNEVALUATED
            worst = combine(worst, code)
            print_outcome(*failure_output(args, artifact, exc, code))
            continue
        print_outcome(*success_output(args, artifact, receipt, trust.source))
    return worst


def check_usage(args: argparse.Namespace) -> None:
    """Refuse options that cannot work together (exit 2)."""
    from srcverify.cli.hints import subcommand_hint

    hint = subcommand_hint(args.artifacts)
    if hint:
        raise UsageError(hint)
    cli_manifest.check_usage(args, is_digest)
    if args.bundle and len(args.artifacts) > 1 and not args.manifest:
        raise UsageError("--bundle names one bundle; give one ARTIFACT or use default bundle paths")
    if args.digest and len(args.artifacts) > 1:
        raise UsageError("--digest gives one digest; give one ARTIFACT")
    empty = [
        flag
        for flag, value in (
            ("--cert-identity", args.cert_identity),
            ("--cert-identity-regexp", args.cert_identity_regexp),
            ("--cert-oidc-issuer", args.cert_oidc_issuer),
            ("--cert-oidc-issuer-regexp", args.cert_oidc_issuer_regexp),
        )
        if value is not None and not value.strip()
    ]
    if empty:  # an empty identity would silently fall back to the release map
        raise UsageError(f"{empty[0]} must not be empty")
    has_identity = bool(args.cert_identity or args.cert_identity_regexp)
    has_issuer = bool(args.cert_oidc_issuer or args.cert_oidc_issuer_regexp)
    if has_identity != has_issuer:
        raise UsageError(
            "--cert-identity[-regexp] and --cert-oidc-issuer[-regexp] must be given together"
        )
    if args.key and has_identity:
        raise UsageError("--key verifies a managed-key bundle; it excludes identity flags")
    if args.publisher and (args.key or has_identity or has_issuer):
        raise UsageError("--publisher names the signer; it excludes --key and the identity flags")
    cli_evidence.publisher_policy(args)  # a malformed form is a usage error, before any work
    cli_evidence.required_predicates(args)
    if args.max_trust_root_age is not None and args.max_trust_root_age < 0:
        raise UsageError("--max-trust-root-age must not be negative")
    for artifact in args.artifacts:
        if is_digest(artifact) and not args.bundle:
            raise UsageError(f"{artifact}: a digest argument needs --bundle")


def load_trust(args: argparse.Namespace, now: datetime) -> Trust:
    """The trust root the options name (the shipped pin by default), authenticated."""
    from srcverify.pin import report as pin_report
    from srcverify.sigstore.trustroot import TrustedRoot

    if args.trusted_root:
        print_line(
            f"srcverify: warning: using {args.trusted_root} as is; it is NOT TUF-authenticated",
            stderr=True,
        )
        data = read_input(args.trusted_root, "trusted root")
        root = TrustedRoot.from_json(data)
        return Trust(root, None, pin_report.unauthenticated_summary(args.trusted_root, data))
    from srcverify.pin import load as pin_load

    pin_dir = Path(args.trust_root) if args.trust_root else pin_load.default_pin_dir()
    pinned = pin_load.load_authenticated_trusted_root(
        pin_dir, now=now, max_age_days=args.max_trust_root_age
    )
    source = {
        **pin_report.pin_summary(pinned.pin, str(pin_dir)),
        "age_days": round((now - pinned.reference_time).total_seconds() / 86400, 2),
    }
    return Trust(pinned.trusted_root, pinned.reference_time, source)


def verify_one(
    args: argparse.Namespace,
    artifact: str,
    trust: Trust,
    now: datetime,
    *,
    bundle: str | None = None,
    digest: str | None = None,
) -> Any:
    """Verify one artifact; its receipt, or the error raised.

    ``bundle`` and ``digest`` replace ``--bundle`` and ``--digest`` (a batch
    line gives its own); ``artifact`` is then the file, or with a digest only
    its name.
    """
    from srcverify.inputs import open_regular

    given = given_digest(digest or args.digest, artifact)
    evidence = bundle or args.bundle

    def verify_evidence(path: str, source: ArtifactSource) -> Any:
        file = None if given or is_digest(path) else path
        return _verify_evidence(args, path, evidence, trust, now, source, file)

    def by_map(name: str) -> Any:
        return cli_signer.resolution(args, name)

    manifest = cli_manifest.manifest_for(args, artifact, by_map)
    if manifest is not None:
        listed = cli_manifest.verify_listed(artifact, manifest, given, verify_evidence)
        return apply_listed_facts(artifact, listed, None if cli_manifest.explicit(args) else by_map)
    with contextlib.ExitStack() as stack:
        stream = None if given else stack.enter_context(open_regular(artifact, "artifact"))
        return verify_evidence(artifact, ArtifactSource(artifact, stream=stream, given=given))


def _verify_evidence(
    args: argparse.Namespace,
    artifact: str,
    evidence_path: str | None,
    trust: Trust,
    now: datetime,
    source: ArtifactSource,
    file: str | None,
) -> Any:
    """Verify ``artifact``'s own evidence; ``source`` hashes it as the evidence needs
    (and reads its bytes when an Ed25519 message signature covers them).

    ``file`` is the artifact's file when it can be read (not a bare digest): the
    archive's top directory is then checked against the name (cli/namebind.py).
    """
    from srcverify.sigstore.bundle import Bundle
    from srcverify.sigstore.verify import artifact_algorithms, needs_artifact_bytes, verify_bundle

    name = None if is_digest(artifact) else Path(artifact).name
    policy, resolution = cli_signer.policy(args, artifact, read_input, is_file=file is not None)
    shared = resolution.evidence if resolution is not None else None
    path = evidence_path or (
        str(Path(artifact).parent / shared) if shared else cli_evidence.find_evidence(artifact)
    )
    data = read_input(path, "bundle")
    source.also_hash(known_algorithms(resolution))

    def verify(bundle: Bundle, digests: dict[str, bytes], content: bytes | None = None) -> Any:
        receipt = verify_bundle(
            bundle,
            digests,
            trusted_root=trust.root,
            policy=policy,
            now=now,
            trust_root_time=trust.reference_time,
            artifact_name=name,
            allow_timestamp_only=args.allow_timestamp_only
            or (resolution is not None and resolution.timestamp_only),
            artifact=content,
        )
        receipt = replace(receipt, name_bound_by=bind_name(file, name, receipt, resolution))
        return apply_facts(name, receipt, resolution)

    lines = cli_jsonl.bundle_lines(data)
    if lines is not None:
        return cli_jsonl.verify_named(lines, name, path, source, verify)
    evidence = cli_evidence.parse_evidence(data)
    if evidence.pep740 is not None:  # PEP 740 binds sha256
        pypi_receipt = cli_evidence.verify_pep740(
            args,
            evidence.pep740,
            artifact,
            source(("sha256",)),
            policy,
            trust.root,
            trust.reference_time,
            now,
        )
        return apply_facts(name, pypi_receipt, resolution)
    assert evidence.bundle is not None
    content = source.read_bytes() if needs_artifact_bytes(evidence.bundle, policy) else None
    if content is not None:  # the core hashes the very bytes it verifies the signature over
        return verify(evidence.bundle, {}, content)
    return verify(evidence.bundle, source(artifact_algorithms(evidence.bundle, name)))

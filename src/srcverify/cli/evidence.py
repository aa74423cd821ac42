"""``srcverify verify``'s evidence: which file, which kind, and how it is verified.

Evidence beside an artifact is looked for as ``NAME.sigstore.json``,
``NAME.sigstore``, ``NAME.provenance`` and ``NAME.publish.attestation``, in
that order; ``--bundle`` names any of them. The kind is told from the
content, never from the file name: a Sigstore bundle (``mediaType``), a PEP
740 attestation object (``version``, ``verification_material``,
``envelope``) or a PyPI provenance object (``version``,
``attestation_bundles``). Bundles go to the core as before; attestations
and provenance go through :mod:`srcverify.pypi.verify`.

Also here: the ``--publisher`` and ``--require-predicate`` options, and the
extra words a human receipt line gets for PEP 740 evidence. This module
decides nothing itself.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from srcverify._frozen import frozen
from srcverify.cli.usage import UsageError

if TYPE_CHECKING:
    from srcverify.pypi.attestation import Attestation, Provenance
    from srcverify.pypi.publisher import TrustedPublisher
    from srcverify.pypi.verify import PypiReceipt
    from srcverify.sigstore.bundle import Bundle
    from srcverify.sigstore.identity import Policy
    from srcverify.sigstore.trustroot import TrustedRoot
    from srcverify.sigstore.verify import ManagedKey

__all__ = [
    "EVIDENCE_SUFFIXES",
    "Evidence",
    "add_arguments",
    "describe",
    "find_evidence",
    "parse_evidence",
    "publisher_policy",
    "required_predicates",
    "verify_pep740",
]

EVIDENCE_SUFFIXES = (".sigstore.json", ".sigstore", ".provenance", ".publish.attestation")

PUBLISHER_HELP = (
    "the PyPI Trusted Publisher that must have signed: github:OWNER/REPO:WORKFLOW[:ENVIRONMENT], "
    "gitlab[@HOST]:NAMESPACE/PROJECT:CI_FILE_PATH[:ENVIRONMENT], google:SERVICE_ACCOUNT_EMAIL "
    "or circleci:PROJECT_ID:PIPELINE_DEFINITION_ID"
)


def add_arguments(signer_group: Any, parser: Any) -> None:
    """Add ``--publisher`` to the signer group and ``--require-predicate`` to ``parser``."""
    signer_group.add_argument("--publisher", metavar="PUBLISHER", help=PUBLISHER_HELP)
    parser.add_argument(
        "--require-predicate",
        metavar="TYPE",
        action="append",
        help="PEP 740 evidence must include a verified attestation of this predicate type "
        "(publish, slsa or the type's URL; repeatable; default: publish)",
    )


@frozen
class Evidence:
    """One evidence file, parsed: exactly one of the three kinds is set."""

    kind: str
    bundle: Bundle | None = None
    pep740: Attestation | Provenance | None = None


def find_evidence(artifact: str) -> str:
    """The first evidence file beside ``artifact``.

    Raises:
        InputError: none of the default names exists.
    """
    for suffix in EVIDENCE_SUFFIXES:
        candidate = artifact + suffix
        if os.path.lexists(candidate):
            return candidate  # whatever it is: reading it says why it cannot be used
    from srcverify.errors import InputError

    looked = ", ".join(artifact + suffix for suffix in EVIDENCE_SUFFIXES)
    raise InputError(f"no evidence for {artifact}: looked for {looked}", step="input")


def parse_evidence(data: bytes) -> Evidence:
    """Tell the evidence kind from the content and parse it strictly.

    Raises:
        BundleFormatError: not JSON, or none of the three kinds, or malformed.
    """
    from srcverify.errors import BundleFormatError
    from srcverify.pypi import attestation as pep740
    from srcverify.sigstore.bundle import Bundle

    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BundleFormatError(f"bundle is not valid JSON: {exc}") from exc
    kind = pep740.detect_evidence_kind(document)
    if kind == pep740.BUNDLE:
        return Evidence(kind, bundle=Bundle.from_json(data))
    if kind == pep740.PROVENANCE:
        return Evidence(kind, pep740=pep740.parse_provenance(document))
    if kind == pep740.ATTESTATION:
        return Evidence(kind, pep740=pep740.parse_attestation(document))
    keys = sorted(document)[:6] if isinstance(document, dict) else []
    found = (
        f"top-level keys {', '.join(json.dumps(k) for k in keys)}"
        if keys
        else f"a JSON {type(document).__name__}"
    )
    raise BundleFormatError(
        "not a Sigstore bundle, a PEP 740 attestation or a provenance object: "
        f"expected mediaType, envelope or attestation_bundles, found {found}"
    )


def publisher_policy(args: argparse.Namespace) -> TrustedPublisher | None:
    """The ``--publisher`` policy, or None; a malformed form is a usage error."""
    if not args.publisher:
        return None
    from srcverify.pypi.publisher import parse_publisher
    from srcverify.sigstore.identity import PolicySpecError

    try:
        return parse_publisher(args.publisher)
    except PolicySpecError as exc:
        raise UsageError(exc.detail) from exc


def required_predicates(args: argparse.Namespace) -> tuple[str, ...]:
    """The predicate types PEP 740 evidence must include (default: publish)."""
    from srcverify.pypi.statement import PUBLISH_V1, predicate_type_argument

    if not args.require_predicate:
        return (PUBLISH_V1,)
    try:
        return tuple(predicate_type_argument(text) for text in args.require_predicate)
    except ValueError as exc:
        raise UsageError(f"--require-predicate: {exc}") from exc


def verify_pep740(
    args: argparse.Namespace,
    evidence: Attestation | Provenance,
    artifact: str,
    digests: dict[str, bytes],
    policy: Policy | ManagedKey,
    trusted_root: TrustedRoot,
    reference_time: datetime | None,
    now: datetime,
) -> PypiReceipt:
    """Verify PEP 740 evidence for ``artifact`` (its file name matters, its sha256 is bound)."""
    from srcverify.errors import PolicyError
    from srcverify.pypi.verify import verify_pypi_evidence
    from srcverify.sigstore.verify import ManagedKey

    if isinstance(policy, ManagedKey):
        raise PolicyError("PEP 740 attestations are signed with certificates, not --key")
    if "sha256" not in digests:
        raise UsageError(
            f"{artifact}: PEP 740 attestations bind the sha256 digest; give --digest sha256:HEX"
        )
    return verify_pypi_evidence(
        evidence,
        Path(artifact).name,
        digests["sha256"],
        trusted_root=trusted_root,
        policy=policy,
        now=now,
        trust_root_time=reference_time,
        required_predicates=required_predicates(args),
    )


def describe(receipt: Any) -> str:
    """Extra words for the human line of a PEP 740 receipt (empty for bundles)."""
    predicate_types = getattr(receipt, "predicate_types", None)
    if predicate_types is None:
        return ""
    short = {
        "https://docs.pypi.org/attestations/publish/v1": "publish",
        "https://slsa.dev/provenance/v1": "slsa",
    }
    kinds = ", ".join(short.get(p, p) for p in predicate_types)
    text = f", {receipt.evidence} [{kinds}]"
    if receipt.served_publisher_matches is True:
        text += ", served publisher matches"
    elif receipt.served_publisher_matches is False:
        text += ", served publisher DIFFERS (not used for the verdict)"
    return text

"""Verify PEP 740 attestations or a PyPI provenance object for one distribution, offline.

The steps, each failing closed:

1. The artifact's name is a valid sdist or wheel file name.
2. Every attestation is rebuilt as a Sigstore bundle and verified by the
   core (:func:`srcverify.sigstore.verify.verify_bundle`): transparency log
   entry, verified time, chain to the trusted root, SCT, signature, and the
   signer policy (the Trusted Publisher from the release map or the command
   line, compiled by :mod:`srcverify.pypi.publisher`).
3. Every statement passes :func:`srcverify.pypi.statement.check_statement`:
   in-toto v1, one subject, the distribution's name and digest, a known
   predicate type. The subject's name is what binds the file name to the
   content (the receipt's ``name_bound_by``).
4. Every required predicate type (default: PyPI publish) is among the
   verified attestations.

The provenance's ``publisher`` objects are never policy: the receipt shows
them beside the publisher the certificates prove, and whether they agree.
Every attestation must verify: one that does not rejects the whole
evidence (an index may add attestations later; srcverify does not skip the
ones it cannot verify).

Like the core, this takes bytes and parsed objects, an explicit trust root,
policy and time, and never reads files, the clock or the network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from srcverify._frozen import frozen, replace
from srcverify.errors import PolicyError, SrcverifyError, VerificationError
from srcverify.pypi.attestation import ATTESTATION, PROVENANCE, Attestation, Provenance
from srcverify.pypi.distribution import parse_distribution_name
from srcverify.pypi.proven import proven_publisher, served_publisher_matches
from srcverify.pypi.statement import PUBLISH_V1, check_statement
from srcverify.sigstore.identity import Policy
from srcverify.sigstore.receipt import Receipt, VerifiedTime
from srcverify.sigstore.trustroot import TrustedRoot
from srcverify.sigstore.verify import verify_bundle

__all__ = ["AttestationReceipt", "PypiReceipt", "verify_pypi_evidence"]


@frozen
class AttestationReceipt:
    """What one verified attestation proved."""

    path: str
    predicate_type: str
    receipt: Receipt
    publisher: dict[str, Any]


@frozen
class PypiReceipt:
    """The outcome of verifying PEP 740 evidence for one distribution.

    The attributes the command line prints for any receipt (``signer``,
    ``issuer``, ``verified_times`` ...) come from the primary attestation:
    the first publish attestation, else the first.
    """

    evidence: str
    distribution: str
    attestations: tuple[AttestationReceipt, ...]
    served_publishers: tuple[dict[str, Any], ...]
    served_publisher_matches: bool | None
    ignored_keys: tuple[str, ...]

    @property
    def primary(self) -> AttestationReceipt:
        """The attestation whose receipt fields stand for the whole evidence."""
        for attestation in self.attestations:
            if attestation.predicate_type == PUBLISH_V1:
                return attestation
        return self.attestations[0]

    @property
    def signer(self) -> str:
        """The primary certificate's identity."""
        return self.primary.receipt.signer

    @property
    def issuer(self) -> str | None:
        """The primary certificate's OIDC issuer."""
        return self.primary.receipt.issuer

    @property
    def verified_times(self) -> tuple[VerifiedTime, ...]:
        """The primary attestation's verified times."""
        return self.primary.receipt.verified_times

    @property
    def bundle_version(self) -> str:
        """The version of the bundles the attestations were rebuilt as."""
        return self.primary.receipt.bundle_version

    @property
    def promise_only(self) -> bool:
        """True if some attestation's log inclusion rests on a promise only."""
        return any(a.receipt.promise_only for a in self.attestations)

    @property
    def notes(self) -> tuple[str, ...]:
        """What the core tolerated, for every attestation (each note once)."""
        return tuple(dict.fromkeys(n for a in self.attestations for n in a.receipt.notes))

    @property
    def name_bound_by(self) -> str:
        """What tied the file name to the content: each statement's subject names it."""
        return self.primary.receipt.name_bound_by

    @property
    def predicate_types(self) -> tuple[str, ...]:
        """The predicate types of the verified attestations, in order."""
        return tuple(a.predicate_type for a in self.attestations)

    def to_json(self) -> dict[str, Any]:
        """The primary receipt's fields plus the PEP 740 ones."""
        record = self.primary.receipt.to_json()
        record.update(
            {
                "evidence": self.evidence,
                "distribution": self.distribution,
                "predicate_types": list(self.predicate_types),
                "publisher": self.primary.publisher,
                "served_publisher": (
                    list(self.served_publishers) if self.evidence == PROVENANCE else None
                ),
                "served_publisher_matches": self.served_publisher_matches,
                "attestations": [
                    {
                        "path": a.path,
                        "predicate_type": a.predicate_type,
                        "signer": a.receipt.signer,
                        "issuer": a.receipt.issuer,
                        "publisher": a.publisher,
                        "log_entries": [vars(e) for e in a.receipt.log_entries],
                    }
                    for a in self.attestations
                ],
                "ignored_keys": list(self.ignored_keys),
            }
        )
        return record


def verify_pypi_evidence(
    evidence: Attestation | Provenance,
    artifact_name: str,
    artifact_sha256: bytes,
    *,
    trusted_root: TrustedRoot,
    policy: Policy,
    now: datetime,
    trust_root_time: datetime | None = None,
    required_predicates: Sequence[str] = (PUBLISH_V1,),
) -> PypiReceipt:
    """Verify an attestation or a provenance object for one distribution file.

    Args:
        evidence: the parsed attestation or provenance object.
        artifact_name: the distribution's file name (``foo-1.0.tar.gz``).
        artifact_sha256: its SHA-256 digest.
        trusted_root: keys and authorities to trust.
        policy: who must have signed every attestation.
        now: the time of verification.
        trust_root_time: the pinned trust root's reference time, if any.
        required_predicates: predicate types that must all be among the
            verified attestations.

    Raises:
        VerificationError: a step failed (the message names the attestation).
        StaleTrustRootError: the pin is older than a signature it cannot judge.
    """
    # Step 1: the artifact is a distribution.
    distribution = parse_distribution_name(artifact_name)
    groups: list[tuple[Mapping[str, Any] | None, tuple[Attestation, ...]]]
    if isinstance(evidence, Provenance):
        groups = [(b.publisher, b.attestations) for b in evidence.bundles]
        kind = PROVENANCE
    else:
        groups = [(None, (evidence,))]
        kind = ATTESTATION
    results: list[AttestationReceipt] = []
    served: list[dict[str, Any]] = []
    matches: list[bool] = []
    many = sum(len(attestations) for _, attestations in groups) > 1
    for publisher, attestations in groups:
        proven_here = []
        for attestation in attestations:
            try:
                # Step 2: the rebuilt bundle goes through the core.
                bundle = attestation.to_bundle()
                receipt = verify_bundle(
                    bundle,
                    artifact_sha256,
                    trusted_root=trusted_root,
                    policy=policy,
                    now=now,
                    trust_root_time=trust_root_time,
                )
                # Step 3: the statement is about this distribution.
                checked = check_statement(attestation.statement, distribution, artifact_sha256)
                receipt = replace(receipt, name_bound_by="in-toto subject name")
            except VerificationError as exc:
                if not many:
                    raise
                raise _located(exc, attestation.path) from exc
            leaf = bundle.material.leaf
            assert leaf is not None  # attestations always carry a certificate
            proven = proven_publisher(leaf)
            proven_here.append(proven)
            results.append(
                AttestationReceipt(attestation.path, checked.predicate_type, receipt, proven)
            )
        if publisher is not None:
            served.append(dict(publisher))
            matches.append(all(served_publisher_matches(publisher, p) for p in proven_here))

    # Step 4: every required predicate is among the verified attestations.
    found = {r.predicate_type for r in results}
    missing = [p for p in required_predicates if p not in found]
    if missing:
        raise PolicyError(
            f"required predicate type {', '.join(missing)} is not among the verified "
            f"attestations (found: {', '.join(sorted(found))})",
            step="predicate",
        )
    ignored = tuple(f"{a.path}.{key}" for a in _attestations(evidence) for key in a.ignored_keys)
    return PypiReceipt(
        evidence=kind,
        distribution=artifact_name,
        attestations=tuple(results),
        served_publishers=tuple(served),
        served_publisher_matches=all(matches) if kind == PROVENANCE else None,
        ignored_keys=ignored,
    )


def _attestations(evidence: Attestation | Provenance) -> tuple[Attestation, ...]:
    return evidence.attestations if isinstance(evidence, Provenance) else (evidence,)


def _located(exc: SrcverifyError, path: str) -> SrcverifyError:
    """The same error, its message prefixed with the attestation's JSON path."""
    return type(exc)(f"{path}: {exc.detail}", step=exc.step)

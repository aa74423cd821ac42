"""What a verification proved: the receipt and its parts, and the managed-key policy.

Plain frozen data built by :func:`srcverify.sigstore.verify.verify_bundle`;
``Receipt.to_json`` is the machine-readable form the CLI prints. Nothing here
verifies anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from srcverify._frozen import field, frozen

__all__ = ["LogReceipt", "ManagedKey", "Receipt", "VerifiedTime"]


@frozen
class ManagedKey:
    """Policy for managed-key bundles: the signature must verify with this key."""

    public_key: PublicKeyTypes

    def describe(self) -> str:
        """The key's fingerprint, as receipts and messages show it."""
        return f"managed key sha256:{_key_fingerprint(self.public_key)}"


@frozen
class VerifiedTime:
    """A time the evidence proves the signature existed at."""

    source: str
    time: datetime
    authority: str


@frozen
class LogReceipt:
    """What one transparency log entry proved."""

    log: str
    log_index: int
    kind: str
    proof_verified: bool
    promise_verified: bool
    promise_only: bool


@frozen
class Receipt:
    """The outcome of a successful verification.

    ``notes`` says what was tolerated or weaker than usual (a trusted root CA
    copied into the bundle's chain, no transparency log behind the signature).
    """

    artifact_sha256: str | None
    bundle_version: str
    content: str
    signer: str
    issuer: str | None
    policy: str
    certificate_authority: str | None
    verified_times: tuple[VerifiedTime, ...]
    log_entries: tuple[LogReceipt, ...]
    promise_only: bool = field(default=False)
    artifact_digests: Mapping[str, str] = field(default_factory=dict)
    subject: str | None = None
    notes: tuple[str, ...] = ()
    # What ties the artifact's file name to the signed content: "in-toto subject name",
    # "archive top directory NAME/" (the CLI's check), or "nothing".
    name_bound_by: str = "nothing"
    # The release map's not_signed_before compared with the earliest verified time
    # (the CLI's check, cli/releasefacts.py), or None when the map gives no bound.
    signing_time_check: Mapping[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (times in RFC 3339)."""
        return {
            "verified": True,
            "artifact_sha256": self.artifact_sha256,
            "artifact_digests": dict(self.artifact_digests),
            "subject": self.subject,
            "bundle_version": self.bundle_version,
            "content": self.content,
            "signer": self.signer,
            "issuer": self.issuer,
            "policy": self.policy,
            "certificate_authority": self.certificate_authority,
            "verified_times": [
                {"source": t.source, "time": _rfc3339(t.time), "authority": t.authority}
                for t in self.verified_times
            ],
            "log_entries": [vars(entry) for entry in self.log_entries],
            "promise_only": self.promise_only,
            "notes": list(self.notes),
            "name_bound_by": self.name_bound_by,
            "signing_time_check": (
                None if self.signing_time_check is None else dict(self.signing_time_check)
            ),
        }


def _key_fingerprint(key: PublicKeyTypes) -> str:
    der = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def _rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

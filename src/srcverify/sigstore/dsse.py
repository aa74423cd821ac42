"""DSSE envelopes and the in-toto statements they carry.

Holds the envelope model, the pre-authentication encoding (PAE) that DSSE
signatures cover, and the subject digests of an in-toto statement.

This module verifies no signature and trusts nothing: it only builds the exact
bytes to verify and reads what the payload claims.
"""

from __future__ import annotations

from dataclasses import dataclass

from srcverify.errors import ArtifactMismatchError, BundleFormatError
from srcverify.sigstore import json_text

__all__ = [
    "IN_TOTO_PAYLOAD_TYPE",
    "DsseEnvelope",
    "DsseSignature",
    "pae",
    "statement_sha256_subjects",
]

IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
IN_TOTO_STATEMENT_TYPES = (
    "https://in-toto.io/Statement/v0.1",
    "https://in-toto.io/Statement/v1",
)


@dataclass(frozen=True)
class DsseSignature:
    """One signature of an envelope; ``keyid`` is an unauthenticated hint."""

    sig: bytes
    keyid: str


@dataclass(frozen=True)
class DsseEnvelope:
    """A DSSE envelope: payload, its type, and the signatures over its PAE."""

    payload: bytes
    payload_type: str
    signatures: tuple[DsseSignature, ...]

    def pae(self) -> bytes:
        """The bytes every signature of this envelope covers."""
        return pae(self.payload_type, self.payload)


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding.

    ``"DSSEv1" SP len(type) SP type SP len(body) SP body``, lengths in ASCII
    decimal of the UTF-8 byte counts.
    """
    type_bytes = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(type_bytes), type_bytes, len(payload), payload)


def statement_sha256_subjects(envelope: DsseEnvelope) -> tuple[bytes, ...]:
    """The sha256 digests an in-toto statement names as its subjects.

    Raises:
        BundleFormatError: the payload is not an in-toto statement.
        ArtifactMismatchError: the statement names no sha256 subject.
    """
    if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE:
        raise BundleFormatError(
            f"DSSE payload type: expected {IN_TOTO_PAYLOAD_TYPE}, found {envelope.payload_type!r}",
            step="dsse",
        )
    try:
        statement = json_text.loads(envelope.payload)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BundleFormatError("DSSE payload is not JSON", step="dsse") from exc
    if not isinstance(statement, dict) or statement.get("_type") not in IN_TOTO_STATEMENT_TYPES:
        found = statement.get("_type") if isinstance(statement, dict) else type(statement).__name__
        raise BundleFormatError(
            f"DSSE payload is not an in-toto statement: _type is {found!r}", step="dsse"
        )
    subjects = statement.get("subject")
    if not isinstance(subjects, list):
        raise BundleFormatError("in-toto statement has no subject list", step="dsse")
    digests = []
    for subject in subjects:
        digest = subject.get("digest") if isinstance(subject, dict) else None
        value = digest.get("sha256") if isinstance(digest, dict) else None
        if isinstance(value, str):
            try:
                digests.append(bytes.fromhex(value))
            except ValueError as exc:
                raise BundleFormatError(
                    f"in-toto subject sha256 {value!r} is not hex", step="dsse"
                ) from exc
    if not digests:
        raise ArtifactMismatchError("in-toto statement names no sha256 subject", step="dsse")
    return tuple(digests)

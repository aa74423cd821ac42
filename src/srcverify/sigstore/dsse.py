"""DSSE envelopes and the in-toto statements they carry.

Holds the envelope model, the pre-authentication encoding (PAE) that DSSE
signatures cover, and the subjects (names and digests) of an in-toto
statement. Choosing the subject that is the artifact is
:mod:`srcverify.sigstore.subject`'s business.

This module verifies no signature and trusts nothing: it only builds the exact
bytes to verify and reads what the payload claims.
"""

from __future__ import annotations

import hashlib

from srcverify._frozen import field, frozen
from srcverify.errors import BundleFormatError
from srcverify.sigstore import json_text
from srcverify.sigstore.hashing import ACCEPTED

__all__ = [
    "IN_TOTO_PAYLOAD_TYPE",
    "DsseEnvelope",
    "DsseSignature",
    "Subject",
    "pae",
    "statement_subjects",
]

IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
IN_TOTO_STATEMENT_TYPES = (
    "https://in-toto.io/Statement/v0.1",
    "https://in-toto.io/Statement/v1",
)


@frozen
class DsseSignature:
    """One signature of an envelope; ``keyid`` is an unauthenticated hint."""

    sig: bytes
    keyid: str


@frozen
class DsseEnvelope:
    """A DSSE envelope: payload, its type, and the signatures over its PAE."""

    payload: bytes
    payload_type: str
    signatures: tuple[DsseSignature, ...]

    def pae(self) -> bytes:
        """The bytes every signature of this envelope covers."""
        return pae(self.payload_type, self.payload)


@frozen
class Subject:
    """One in-toto subject: its name, and its digests of accepted algorithms."""

    name: str | None
    digests: dict[str, bytes] = field(default_factory=dict)

    def describe(self) -> str:
        """``name (sha256:abcd...)`` for messages; the name escaped."""
        shown = ", ".join(f"{alg}:{value.hex()}" for alg, value in self.digests.items())
        return f"{self.name!r} ({shown or 'no sha256/sha384/sha512 digest'})"


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding.

    ``"DSSEv1" SP len(type) SP type SP len(body) SP body``, lengths in ASCII
    decimal of the UTF-8 byte counts.
    """
    type_bytes = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(type_bytes), type_bytes, len(payload), payload)


def statement_subjects(envelope: DsseEnvelope) -> tuple[Subject, ...]:
    """The subjects an in-toto statement names, with their accepted digests.

    Digests of algorithms srcverify does not accept (see
    :mod:`srcverify.sigstore.hashing`) are dropped here, so nothing downstream
    can match on them.

    Raises:
        BundleFormatError: the payload is not an in-toto statement, or an
            accepted digest is not hex of its algorithm's length.
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
    return tuple(_subject(item) for item in subjects)


def _subject(item: object) -> Subject:
    if not isinstance(item, dict) or not isinstance(item.get("digest"), dict):
        raise BundleFormatError("in-toto subject is not an object with a digest", step="dsse")
    name = item.get("name")
    digests = {}
    for algorithm in ACCEPTED:
        value = item["digest"].get(algorithm)
        if value is None:
            continue
        size = hashlib.new(algorithm).digest_size
        try:
            raw = bytes.fromhex(value) if isinstance(value, str) else b""
        except ValueError:
            raw = b""
        if len(raw) != size:
            raise BundleFormatError(
                f"in-toto subject {algorithm} {str(value)[:140]!r} is not {size * 2} hex digits",
                step="dsse",
            )
        digests[algorithm] = raw
    return Subject(name if isinstance(name, str) else None, digests)

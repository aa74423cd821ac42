"""Embedded Signed Certificate Timestamps (RFC 6962) of a Fulcio certificate.

:func:`verify_embedded_sct` reads the SCT list embedded in the signing
certificate, rebuilds for each SCT the data the CT log signed for a
precertificate entry (RFC 6962 section 3.2), finds the log by its id among
the trusted root's CT logs, requires that log key to be valid at the SCT's
timestamp, and checks the signature. At least one SCT must verify.

This module does not check the certificate chain (:mod:`srcverify.sigstore.certs`),
does not contact any CT log (no inclusion proof of the certificate in the CT
log is checked: an SCT is a signed promise, which is what Sigstore clients
verify), and does not handle SCTs delivered outside the certificate.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.certificate_transparency import (
    LogEntryType,
    SignatureAlgorithm,
    SignedCertificateTimestamp,
    Version,
)

from srcverify.errors import CertificateError
from srcverify.sigstore.trustroot import LogKey, describe_windows, valid_at

__all__ = ["precert_signed_data", "verify_embedded_sct"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SIGNATURE_TYPE_CERTIFICATE_TIMESTAMP = 0
_ENTRY_TYPE_PRECERT = 1


def verify_embedded_sct(
    leaf: x509.Certificate, issuer: x509.Certificate, ctlogs: Sequence[LogKey]
) -> LogKey:
    """Verify that at least one SCT embedded in ``leaf`` is signed by a trusted CT log.

    Args:
        leaf: the signing certificate (carrying the precertificate SCT list).
        issuer: the certificate that issued ``leaf`` (its key hash is signed).
        ctlogs: the trusted root's CT logs.

    Returns:
        The CT log whose SCT verified.

    Raises:
        CertificateError: no embedded SCT, or none verifies (each SCT's
            reason is listed: unknown log id, log key not valid at the SCT
            time, bad signature ...).
    """
    try:
        extension = leaf.extensions.get_extension_for_class(
            x509.PrecertificateSignedCertificateTimestamps
        )
    except x509.ExtensionNotFound:
        raise CertificateError(
            "SCT: certificate has no embedded SCTs (PrecertificateSignedCertificateTimestamps)"
        ) from None
    except ValueError as exc:
        raise CertificateError(f"SCT: cannot parse certificate extensions ({exc})") from exc
    scts = list(extension.value)
    if not scts:
        raise CertificateError("SCT: certificate's embedded SCT list is empty")
    try:
        tbs = leaf.tbs_precertificate_bytes
    except ValueError as exc:
        raise CertificateError(f"SCT: cannot rebuild the precertificate ({exc})") from exc
    issuer_key_hash = hashlib.sha256(
        issuer.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    ).digest()

    reasons = []
    for index, sct in enumerate(scts):
        try:
            return _verify_one(sct, tbs, issuer_key_hash, ctlogs)
        except CertificateError as exc:
            reasons.append(f"SCT[{index}] {exc.detail}")
    raise CertificateError(f"SCT: no embedded SCT verifies: {'; '.join(reasons)}")


def precert_signed_data(
    sct: SignedCertificateTimestamp, tbs_precertificate: bytes, issuer_key_hash: bytes
) -> bytes:
    """The bytes a CT log signs for a precertificate SCT (RFC 6962 section 3.2).

    ``digitally-signed struct { version, signature_type, timestamp,
    entry_type, PreCert { issuer_key_hash, tbs_certificate<1..2^24-1> },
    extensions<0..2^16-1> }``.

    Raises:
        CertificateError: a field does not fit its length prefix.
    """
    if len(issuer_key_hash) != 32:
        raise CertificateError(f"issuer key hash is {len(issuer_key_hash)} bytes, expected 32")
    if not 0 < len(tbs_precertificate) < 1 << 24:
        raise CertificateError(f"precertificate TBS is {len(tbs_precertificate)} bytes")
    extensions = sct.extension_bytes
    if len(extensions) >= 1 << 16:
        raise CertificateError(f"SCT extensions are {len(extensions)} bytes")
    return b"".join(
        (
            struct.pack(
                ">BBQH",
                sct.version.value,
                _SIGNATURE_TYPE_CERTIFICATE_TIMESTAMP,
                _milliseconds(sct.timestamp),
                _ENTRY_TYPE_PRECERT,
            ),
            issuer_key_hash,
            len(tbs_precertificate).to_bytes(3, "big"),
            tbs_precertificate,
            len(extensions).to_bytes(2, "big"),
            extensions,
        )
    )


def _verify_one(
    sct: SignedCertificateTimestamp,
    tbs: bytes,
    issuer_key_hash: bytes,
    ctlogs: Sequence[LogKey],
) -> LogKey:
    if sct.version != Version.v1:
        raise CertificateError(f"has unsupported version {sct.version.name}, expected v1")
    if sct.entry_type != LogEntryType.PRE_CERTIFICATE:
        raise CertificateError(
            f"has entry type {sct.entry_type.name}, expected PRE_CERTIFICATE for an embedded SCT"
        )
    same_id = tuple(candidate for candidate in ctlogs if candidate.log_id == sct.log_id)
    if not same_id:
        raise CertificateError(
            f"unknown log id {sct.log_id.hex()} (not a CT log of the trust root)"
        )
    # A root may list one CT log more than once (two validity windows, two URLs):
    # the SCT is checked with the first entry whose window covers its time.
    when = _utc(sct.timestamp)
    log = valid_at(same_id, [when])
    if log is None:
        urls = ", ".join(dict.fromkeys(entry.base_url or "no URL" for entry in same_id))
        raise CertificateError(
            f"CT log {sct.log_id.hex()} ({urls}) key not valid at SCT time "
            f"{_iso(when)}: valid {describe_windows(same_id)}"
        )
    data = precert_signed_data(sct, tbs, issuer_key_hash)
    _check_signature(sct, log, data)
    return log


def _check_signature(sct: SignedCertificateTimestamp, log: LogKey, data: bytes) -> None:
    key = log.public_key
    where = f"CT log {log.log_id.hex()}"
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(sct.signature, data)
            return
        algorithm = sct.signature_algorithm
        digest = sct.signature_hash_algorithm
        if isinstance(key, ec.EllipticCurvePublicKey):
            _expect(algorithm, SignatureAlgorithm.ECDSA, where)
            key.verify(sct.signature, data, ec.ECDSA(_hash(digest, where)))
        elif isinstance(key, rsa.RSAPublicKey):
            _expect(algorithm, SignatureAlgorithm.RSA, where)
            key.verify(sct.signature, data, padding.PKCS1v15(), _hash(digest, where))
        else:
            raise CertificateError(f"{where}: unsupported key type {type(key).__name__}")
    except InvalidSignature:
        raise CertificateError(f"signature invalid for {where}") from None
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise CertificateError(f"signature cannot be checked with {where}: {exc}") from exc


def _expect(actual: SignatureAlgorithm, expected: SignatureAlgorithm, where: str) -> None:
    if actual != expected:
        raise CertificateError(
            f"signature algorithm {actual.name} does not match the {expected.name} key of {where}"
        )


def _hash(algorithm: hashes.HashAlgorithm, where: str) -> hashes.HashAlgorithm:
    if not isinstance(algorithm, (hashes.SHA256, hashes.SHA384, hashes.SHA512)):
        raise CertificateError(
            f"signature hash {algorithm.name} not accepted for {where} (SHA-256/384/512 only)"
        )
    return algorithm


def _utc(when: datetime) -> datetime:
    """cryptography gives a naive datetime in UTC."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _milliseconds(when: datetime) -> int:
    delta = _utc(when) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")

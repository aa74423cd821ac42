"""RFC 3161 timestamps, verified against the trusted timestamp authorities.

:func:`verify_timestamp` takes the DER ``TimeStampResp`` a bundle carries
(``signedTimestamp``), the signature bytes it must vouch for, and the trust
root's timestamp authorities, and returns a :class:`VerifiedTimestamp` (the
genTime and the authority that vouched for it) or raises
:class:`~srcverify.errors.TimestampError` naming the failed check.

The checks, in order:

1. the response parses (:mod:`srcverify.sigstore.tsp`: granted, one-signer SignedData
   over a version 1 TSTInfo);
2. the messageImprint uses SHA-256/384/512 and equals the hash of the
   signature;
3. the signed attributes hold content-type = id-ct-TSTInfo and
   message-digest = hash of the TSTInfo;
4. for each trusted TSA: the signing certificate (the embedded one the
   SignerInfo names, else the TSA's leaf, which the SignerInfo must name)
   chains into the TSA's trusted chain; the signature over the signed
   attributes verifies (ECDSA P-256/384/521 or RSA PKCS#1 v1.5); an ESS
   signing-certificate attribute, if present, names that certificate; the
   path's links verify and every certificate is valid at genTime; the leaf
   has a critical id-kp-timeStamping EKU; genTime lies in the TSA's
   trust-root validity window (both ends inclusive). If no TSA vouches, the
   error of the TSA that got furthest is reported.

This module does not check nonces (there is no request offline), the TSTInfo
``tsa`` name, accuracy or revocation, and decides nothing about the artifact
signature itself: it only establishes when the TSA saw it.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

from srcverify._frozen import frozen
from srcverify.errors import TimestampError
from srcverify.sigstore import tsp
from srcverify.sigstore.certificate import CERTIFICATE_ERRORS
from srcverify.sigstore.der import SEQUENCE, DerError, Element
from srcverify.sigstore.trustroot import CertificateAuthority
from srcverify.sigstore.tsa_signer import (
    describe,
    describe_signer,
    issued_by,
    names_signer,
    path_into,
)
from srcverify.sigstore.tsp import SignerInfo, TimeStampToken

__all__ = ["VerifiedTimestamp", "verify_timestamp"]

#: Digest algorithms accepted for the imprint and the signed attributes.
_DIGESTS = {
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}
_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}
#: Signature algorithms: OID -> (key family, hash, or None to use digestAlgorithm).
_SIGNATURES: dict[str, tuple[str, str | None]] = {
    "1.2.840.10045.4.3.2": ("ecdsa", "sha256"),
    "1.2.840.10045.4.3.3": ("ecdsa", "sha384"),
    "1.2.840.10045.4.3.4": ("ecdsa", "sha512"),
    "1.2.840.10045.2.1": ("ecdsa", None),
    "1.2.840.113549.1.1.1": ("rsa", None),
    "1.2.840.113549.1.1.11": ("rsa", "sha256"),
    "1.2.840.113549.1.1.12": ("rsa", "sha384"),
    "1.2.840.113549.1.1.13": ("rsa", "sha512"),
}
_CURVES = ("secp256r1", "secp384r1", "secp521r1")


@frozen
class VerifiedTimestamp:
    """A timestamp that verified: when, and which trusted TSA says so.

    Attributes:
        time: the TSTInfo genTime, tz-aware UTC.
        authority: the trusted timestamp authority that vouched for it.
        serial: the TSTInfo serial number.
        policy: the TSA policy OID, dotted.
    """

    time: datetime
    authority: CertificateAuthority
    serial: int
    policy: str


@frozen
class _Scheme:
    """How the SignerInfo signature is checked: key family and hash name."""

    family: str
    digest: str


class _Rejected(Exception):
    """One trusted TSA does not vouch for the token; ``rank``: how far it got."""

    def __init__(self, rank: int, message: str) -> None:
        super().__init__(message)
        self.rank = rank
        self.message = message


def verify_timestamp(
    response: bytes, signature: bytes, authorities: Sequence[CertificateAuthority]
) -> VerifiedTimestamp:
    """Verify an RFC 3161 timestamp over ``signature`` against trusted TSAs.

    Args:
        response: DER ``TimeStampResp`` (the bundle's ``signedTimestamp``).
        signature: the bytes whose hash the messageImprint must equal (the
            message signature or the DSSE signature).
        authorities: the trust root's timestamp authorities.

    Returns:
        The verified genTime and the authority that vouched for it.

    Raises:
        TimestampError: malformed, not granted, wrong imprint or attributes,
            unsupported algorithms, or no trusted TSA vouches for it (with
            the most specific reason).
    """
    token = tsp.parse_response(response)
    _check_imprint(token, signature)
    scheme = _scheme(token.signer)
    _check_signed_attributes(token, scheme.digest)
    if not authorities:
        raise TimestampError("no timestamp authority in the trusted root to verify against")
    embedded = next((c for c in token.certificates if names_signer(c, token.signer)), None)
    rejections: list[_Rejected] = []
    for authority in authorities:
        try:
            return _verify_with(token, scheme, embedded, authority)
        except _Rejected as rejection:
            rejections.append(rejection)
        except CERTIFICATE_ERRORS as exc:  # an undecodable trusted certificate
            who = authority.subject or authority.uri
            rejections.append(_Rejected(0, f"trusted TSA '{who}' cannot be used: {exc}"))
    best = max(rejections, key=lambda r: r.rank)  # the first of the furthest
    raise TimestampError(best.message)


# --- token-level checks -------------------------------------------------------


def _check_imprint(token: TimeStampToken, signature: bytes) -> None:
    name = _DIGESTS.get(token.imprint_algorithm)
    if name is None:
        raise TimestampError(
            "messageImprint hash algorithm: expected sha256, sha384 or sha512, "
            f"found {token.imprint_algorithm}"
        )
    expected = hashlib.new(name, signature).digest()
    if token.imprint != expected:
        raise TimestampError(
            f"messageImprint: expected {name}(signature) = {expected.hex()}, "
            f"timestamp has {token.imprint.hex()}"
        )


def _scheme(signer: SignerInfo) -> _Scheme:
    digest = _DIGESTS.get(signer.digest_algorithm)
    if digest is None:
        raise TimestampError(
            "SignerInfo digest algorithm: expected sha256, sha384 or sha512, "
            f"found {signer.digest_algorithm}"
        )
    family, signature_hash = _SIGNATURES.get(signer.signature_algorithm, ("", None))
    if not family:
        raise TimestampError(
            f"SignerInfo signature algorithm {signer.signature_algorithm} is not supported "
            "(expected ECDSA or RSA PKCS#1 v1.5 with SHA-256/384/512)"
        )
    if signature_hash not in (None, digest):
        raise TimestampError(
            f"SignerInfo: signature algorithm hashes with {signature_hash}, "
            f"digestAlgorithm is {digest}"
        )
    return _Scheme(family, digest)


def _check_signed_attributes(token: TimeStampToken, digest_name: str) -> None:
    try:
        content_type = _single(token.signer, tsp.CONTENT_TYPE, "content-type").oid("content-type")
        digest = _single(token.signer, tsp.MESSAGE_DIGEST, "message-digest").octets(
            "message-digest"
        )
    except DerError as exc:
        raise TimestampError(f"signed attributes: {exc}") from exc
    if content_type != tsp.TST_INFO:
        raise TimestampError(
            f"signed content-type attribute: expected id-ct-TSTInfo ({tsp.TST_INFO}), "
            f"found {content_type}"
        )
    expected = hashlib.new(digest_name, token.tst_info).digest()
    if digest != expected:
        raise TimestampError(
            f"signed message-digest attribute: expected {digest_name}(TSTInfo) = "
            f"{expected.hex()}, found {digest.hex()}"
        )


def _single(signer: SignerInfo, oid: str, name: str) -> Element:
    values = signer.attributes.get(oid)
    if values is None:
        raise TimestampError(f"signed attributes: {name} attribute ({oid}) is missing")
    if len(values) != 1:
        raise TimestampError(f"signed attributes: {name} has {len(values)} values, expected 1")
    return values[0]


# --- per-authority checks -----------------------------------------------------


def _verify_with(
    token: TimeStampToken,
    scheme: _Scheme,
    embedded: x509.Certificate | None,
    authority: CertificateAuthority,
) -> VerifiedTimestamp:
    """Raise :class:`_Rejected` unless ``authority`` vouches for ``token``."""
    trusted = authority.certificates
    who = f"trusted TSA '{authority.subject or authority.uri}'"
    if embedded is None:
        if not names_signer(trusted[0], token.signer):
            raise _Rejected(
                1,
                f"untrusted TSA: the timestamp embeds no certificate for its signer "
                f"({describe_signer(token.signer)}) and that signer is not the leaf of {who} "
                f"({describe(trusted[0])})",
            )
        path = list(trusted)
    else:
        found = path_into(embedded, trusted)
        if found is None:
            raise _Rejected(
                1,
                f"untrusted TSA: the embedded signing certificate ({describe(embedded)}, "
                f"issuer {embedded.issuer.rfc4514_string()}) does not chain to {who}",
            )
        path = found
    leaf = path[0]
    _check_signature(token.signer, scheme, leaf)
    _check_ess(token.signer, leaf)
    for child, parent in itertools.pairwise(path):
        if not issued_by(child, parent):
            raise _Rejected(
                3,
                f"TSA chain: {describe(child)} is not issued by {describe(parent)} ({who})",
            )
    when = token.gen_time
    for cert in path:
        if not cert.not_valid_before_utc <= when <= cert.not_valid_after_utc:
            raise _Rejected(
                4,
                f"TSA certificate validity: genTime {when.isoformat()} is outside "
                f"{describe(cert)} validity {cert.not_valid_before_utc.isoformat()} .. "
                f"{cert.not_valid_after_utc.isoformat()}",
            )
    _check_eku(leaf)
    if not authority.validity.contains(when):
        raise _Rejected(
            6,
            f"TSA validity: genTime {when.isoformat()} is outside the trust root's validity "
            f"window for {who}: {authority.validity.describe()}",
        )
    return VerifiedTimestamp(
        time=when, authority=authority, serial=token.serial, policy=token.policy
    )


def _check_signature(signer: SignerInfo, scheme: _Scheme, cert: x509.Certificate) -> None:
    key = cert.public_key()
    algorithm = _HASHES[scheme.digest]
    try:
        if scheme.family == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
            if key.curve.name not in _CURVES:
                raise _Rejected(2, f"TSA key: curve {key.curve.name} is not supported")
            key.verify(signer.signature, signer.signed_attributes, ec.ECDSA(algorithm))
        elif scheme.family == "rsa" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signer.signature, signer.signed_attributes, padding.PKCS1v15(), algorithm)
        else:
            raise _Rejected(
                2,
                f"TSA signature: a {scheme.family} signature cannot be made by the "
                f"{type(key).__name__} of {describe(cert)}",
            )
    except InvalidSignature as exc:
        raise _Rejected(
            2,
            f"TSA signature: the signature over the signed attributes does not verify with "
            f"the key of {describe(cert)} ({scheme.family} with {scheme.digest})",
        ) from exc


def _check_ess(signer: SignerInfo, cert: x509.Certificate) -> None:
    """An ESS signing-certificate(-v2) attribute, if present, must name ``cert``."""
    for oid, default in ((tsp.SIGNING_CERTIFICATE_V2, "sha256"), (tsp.SIGNING_CERTIFICATE, "sha1")):
        values = signer.attributes.get(oid)
        if values is None:
            continue
        try:
            certs = values[0].reader(SEQUENCE, "SigningCertificate").next("certs")
            cert_id = certs.reader(SEQUENCE, "certs").next("ESSCertID").reader(SEQUENCE, "ESS")
            name = default
            algorithm = cert_id.optional(SEQUENCE)
            if algorithm is not None:
                name = _DIGESTS.get(
                    tsp.algorithm_identifier(algorithm, "ESSCertIDv2.hashAlgorithm"), ""
                )
            claimed = cert_id.next("certHash").octets("ESSCertID.certHash")
        except (DerError, IndexError) as exc:
            raise _Rejected(2, f"signing-certificate attribute is malformed: {exc}") from exc
        if not name:
            raise _Rejected(2, "signing-certificate attribute uses an unsupported hash")
        actual = hashlib.new(name, cert.public_bytes(Encoding.DER)).digest()
        if claimed != actual:
            raise _Rejected(
                2,
                f"signing-certificate attribute: expected {name} {actual.hex()} of "
                f"{describe(cert)}, attribute has {claimed.hex()}",
            )


def _check_eku(leaf: x509.Certificate) -> None:
    try:
        eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound as exc:
        raise _Rejected(
            5,
            f"TSA certificate EKU: {describe(leaf)} has no extended key usage extension",
        ) from exc
    except ValueError as exc:
        raise _Rejected(5, f"TSA certificate EKU: {describe(leaf)}: {exc}") from exc
    if not eku.critical:
        raise _Rejected(
            5,
            f"TSA certificate EKU: the extended key usage of {describe(leaf)} is not critical",
        )
    if ExtendedKeyUsageOID.TIME_STAMPING not in eku.value:
        found = ", ".join(purpose.dotted_string for purpose in eku.value)
        raise _Rejected(
            5,
            f"TSA certificate EKU: expected id-kp-timeStamping in {describe(leaf)}, "
            f"found {found or 'none'}",
        )

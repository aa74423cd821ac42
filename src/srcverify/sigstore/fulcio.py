"""What a Fulcio certificate says about its signer.

Reads the Subject Alternative Name (email, URI, DNS name or Sigstore
otherName), the OIDC issuer and the CI claims that Fulcio copies from the
identity token into its extensions under 1.3.6.1.4.1.57264.1 (Fulcio's
``docs/oid-info.md``), decoded to text. Malformed encodings are
:class:`~srcverify.errors.CertificateError`.

This module judges nothing (policies live in :mod:`srcverify.sigstore.identity`) and
verifies no signature or chain (:mod:`srcverify.sigstore.certs`).
"""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import ObjectIdentifier

from srcverify.errors import CertificateError

__all__ = [
    "CLAIM_EXTENSIONS",
    "FULCIO_OID",
    "certificate_identity",
    "extension_value",
    "oidc_issuer",
    "subject_alternative_names",
]

FULCIO_OID = "1.3.6.1.4.1.57264.1"
_OTHERNAME_SAN = ObjectIdentifier(f"{FULCIO_OID}.7")

# Extension arc -> its name in Fulcio's oid-info.md. Arcs 1-6 (deprecated,
# GitHub-specific) hold raw bytes; 8 and later a DER UTF8String.
CLAIM_EXTENSIONS: dict[int, str] = {
    1: "Issuer (deprecated)",
    2: "GitHub Workflow Trigger",
    3: "GitHub Workflow SHA",
    4: "GitHub Workflow Name",
    5: "GitHub Workflow Repository",
    6: "GitHub Workflow Ref",
    8: "Issuer (V2)",
    9: "Build Signer URI",
    10: "Build Signer Digest",
    11: "Runner Environment",
    12: "Source Repository URI",
    13: "Source Repository Digest",
    14: "Source Repository Ref",
    15: "Source Repository Identifier",
    16: "Source Repository Owner URI",
    17: "Source Repository Owner Identifier",
    18: "Build Config URI",
    19: "Build Config Digest",
    20: "Build Trigger",
    21: "Run Invocation URI",
    22: "Source Repository Visibility At Signing",
    23: "Deployment Environment",
}


def _extensions(certificate: x509.Certificate) -> x509.Extensions:
    try:
        return certificate.extensions
    except (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType) as exc:
        raise CertificateError(f"cannot read certificate extensions: {exc}") from exc


def _der_utf8(data: bytes, what: str) -> str:
    """Decode one DER UTF8String (tag 0x0C) that must fill ``data`` exactly."""
    if len(data) < 2 or data[0] != 0x0C:
        raise CertificateError(f"{what}: expected a DER UTF8String, found {data[:4].hex()}...")
    length, offset = data[1], 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or len(data) < 2 + count:
            raise CertificateError(f"{what}: bad DER length in UTF8String")
        length = int.from_bytes(data[2 : 2 + count], "big")
        offset = 2 + count
        if length < 0x80 or data[2] == 0:
            raise CertificateError(f"{what}: non-minimal DER length in UTF8String")
    if offset + length != len(data):
        raise CertificateError(
            f"{what}: UTF8String length {length} does not match the "
            f"{len(data) - offset} bytes present"
        )
    return _utf8(data[offset:], what)


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CertificateError(f"{what}: not valid UTF-8 ({exc.reason})") from exc


def extension_value(certificate: x509.Certificate, arc: int) -> str | None:
    """The decoded value of Fulcio extension ``1.3.6.1.4.1.57264.1.<arc>``.

    Args:
        certificate: the leaf certificate.
        arc: the last OID arc, a key of :data:`CLAIM_EXTENSIONS`.

    Returns:
        The string value, or None if the certificate lacks the extension.

    Raises:
        CertificateError: the extension is present but not correctly encoded.
    """
    name = CLAIM_EXTENSIONS[arc]
    oid = ObjectIdentifier(f"{FULCIO_OID}.{arc}")
    try:
        ext = _extensions(certificate).get_extension_for_oid(oid)
    except x509.ExtensionNotFound:
        return None
    value = ext.value
    if not isinstance(value, x509.UnrecognizedExtension):
        raise CertificateError(f"extension {oid.dotted_string} ({name}) has an unexpected type")
    what = f"extension {oid.dotted_string} ({name})"
    return _der_utf8(value.value, what) if arc >= 8 else _utf8(value.value, what)


def oidc_issuer(certificate: x509.Certificate) -> str | None:
    """The OIDC issuer: extension ``.1.8`` if present, else legacy ``.1.1``."""
    issuer = extension_value(certificate, 8)
    return issuer if issuer is not None else extension_value(certificate, 1)


def certificate_identity(certificate: x509.Certificate) -> str:
    """The SAN identities for a receipt: one, or several joined by ``", "``.

    Returns an empty string if the certificate has no SAN identity.
    """
    return ", ".join(subject_alternative_names(certificate))


def subject_alternative_names(certificate: x509.Certificate) -> tuple[str, ...]:
    """Every identity in the SAN: emails, URIs, DNS names, Sigstore otherNames."""
    try:
        san = _extensions(certificate).get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return ()
    names: list[str] = []
    for general_name in san.value:
        if isinstance(
            general_name, x509.RFC822Name | x509.UniformResourceIdentifier | x509.DNSName
        ):
            names.append(general_name.value)
        elif isinstance(general_name, x509.OtherName) and general_name.type_id == _OTHERNAME_SAN:
            names.append(_der_utf8(general_name.value, "SAN otherName 1.3.6.1.4.1.57264.1.7"))
    return tuple(names)

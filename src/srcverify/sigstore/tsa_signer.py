"""Which certificate signed an RFC 3161 timestamp, and where it sits in a TSA's chain.

:func:`names_signer` matches a SignerInfo's ``sid`` (subject key identifier,
or issuer and serial number as encoded) against a certificate;
:func:`path_into` places a signing certificate in a trusted TSA chain;
:func:`issued_by` checks one link. The describe functions word certificates
and signers for messages. It decides nothing: whether the TSA vouches is
:mod:`srcverify.sigstore.timestamps`'.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from srcverify.sigstore import der
from srcverify.sigstore.der import SEQUENCE, DerError, context_tag
from srcverify.sigstore.tsp import SignerInfo

__all__ = ["describe", "describe_signer", "issued_by", "names_signer", "path_into"]


def path_into(
    cert: x509.Certificate, trusted: Sequence[x509.Certificate]
) -> list[x509.Certificate] | None:
    """``cert`` plus the part of the trusted chain above it, or None."""
    for index, candidate in enumerate(trusted):
        if candidate == cert:
            return list(trusted[index:])
    for index, candidate in enumerate(trusted):
        if issued_by(cert, candidate):
            return [cert, *trusted[index:]]
    return None


def issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    if child.issuer != parent.subject:
        return False
    try:
        child.verify_directly_issued_by(parent)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def names_signer(cert: x509.Certificate, signer: SignerInfo) -> bool:
    """Whether the SignerInfo's sid identifies ``cert``."""
    if signer.key_id is not None:
        try:
            ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            return ski.digest == signer.key_id
        except (x509.ExtensionNotFound, ValueError):
            return False
    return cert.serial_number == signer.serial and _issuer_der(cert) == signer.issuer


def _issuer_der(cert: x509.Certificate) -> bytes:
    """The issuer Name exactly as encoded in the certificate."""
    try:
        tbs = der.parse(cert.tbs_certificate_bytes).reader(SEQUENCE, "TBSCertificate")
        tbs.optional(context_tag(0))  # version
        tbs.next("serialNumber")
        tbs.next("signature")
        return tbs.next("issuer", SEQUENCE).raw
    except DerError:
        return cert.issuer.public_bytes()


def describe_signer(signer: SignerInfo) -> str:
    if signer.key_id is not None:
        return f"subject key identifier {signer.key_id.hex()}"
    return f"serial {signer.serial:x} from issuer {_name_text(signer.issuer or b'')}"


def _name_text(name_der: bytes) -> str:
    """A best-effort readable issuer Name (common names, else hex)."""
    try:
        names = []
        for rdn in der.parse(name_der).children("Name"):
            for atv in rdn.children("RDN"):
                oid, value = atv.children("AttributeTypeAndValue")
                if oid.oid("type") == "2.5.4.3":
                    names.append("CN=" + value.content.decode("utf-8", "replace"))
        return ", ".join(names) or name_der.hex()
    except (DerError, ValueError):
        return name_der.hex()


def describe(cert: x509.Certificate) -> str:
    """A certificate as messages name it: its subject and serial number."""
    return f"'{cert.subject.rfc4514_string()}' serial {cert.serial_number:x}"

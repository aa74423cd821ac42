"""Parse an RFC 3161 ``TimeStampResp`` into a small frozen model.

:func:`parse_response` reads the DER response a bundle carries: the
PKIStatusInfo, the token (CMS ``ContentInfo`` holding ``SignedData``), the
encapsulated ``TSTInfo`` and the single ``SignerInfo``, and returns a
:class:`TimeStampToken` with the raw bytes verification needs (the TSTInfo
encoding, the signed attributes re-tagged as ``SET OF`` exactly as signed).
It rejects what is structurally wrong for a timestamp: a status other than
granted / grantedWithMods, a token that is not signedData, an eContentType
other than id-ct-TSTInfo, a TSTInfo version other than 1, a SignerInfo count
other than one, missing signed attributes, and any malformed DER.

This module does no cryptography and trusts nothing: it computes no hash,
checks no signature, imprint or certificate (that is
:mod:`srcverify.sigstore.timestamps`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from cryptography import x509

from srcverify._frozen import frozen
from srcverify.errors import TimestampError
from srcverify.sigstore import der
from srcverify.sigstore.certificate import load_der_certificate
from srcverify.sigstore.der import SEQUENCE, SET, DerError, Element, context_tag

__all__ = [
    "CONTENT_TYPE",
    "MESSAGE_DIGEST",
    "SIGNED_DATA",
    "SIGNING_CERTIFICATE",
    "SIGNING_CERTIFICATE_V2",
    "TST_INFO",
    "SignerInfo",
    "TimeStampToken",
    "algorithm_identifier",
    "parse_response",
]

SIGNED_DATA = "1.2.840.113549.1.7.2"
TST_INFO = "1.2.840.113549.1.9.16.1.4"
CONTENT_TYPE = "1.2.840.113549.1.9.3"
MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
SIGNING_CERTIFICATE = "1.2.840.113549.1.9.16.2.12"
SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"

#: What cryptography raises while decoding a malformed certificate (not only ValueError).

_STATUS = {2: "rejection", 3: "waiting", 4: "revocationWarning", 5: "revocationNotification"}


@frozen
class SignerInfo:
    """The TSA's CMS SignerInfo.

    Exactly one of (``issuer``, ``serial``) and ``key_id`` is set, depending
    on whether the signer is named by issuerAndSerialNumber or by
    subjectKeyIdentifier.

    Attributes:
        issuer: DER of the issuer Name, as encoded in the SignerInfo.
        serial: the signing certificate's serial number.
        key_id: the signing certificate's subject key identifier.
        digest_algorithm: digestAlgorithm OID.
        signature_algorithm: signatureAlgorithm OID.
        signed_attributes: the DER ``SET OF Attribute`` the signature covers.
        attributes: the signed attributes by type OID, each with its values.
        signature: the signature value.
    """

    issuer: bytes | None
    serial: int | None
    key_id: bytes | None
    digest_algorithm: str
    signature_algorithm: str
    signed_attributes: bytes
    attributes: Mapping[str, tuple[Element, ...]]
    signature: bytes


@frozen
class TimeStampToken:
    """A granted timestamp: the TSTInfo fields, embedded certificates, signer.

    Attributes:
        status: 0 (granted) or 1 (grantedWithMods).
        tst_info: the DER TSTInfo (the eContent the message-digest covers).
        policy: TSA policy OID.
        imprint_algorithm: messageImprint hash algorithm OID.
        imprint: messageImprint hashedMessage.
        serial: TSTInfo serial number.
        gen_time: genTime, tz-aware UTC.
        certificates: certificates embedded in the SignedData.
        signer: the one SignerInfo.
    """

    status: int
    tst_info: bytes
    policy: str
    imprint_algorithm: str
    imprint: bytes
    serial: int
    gen_time: datetime
    certificates: tuple[x509.Certificate, ...]
    signer: SignerInfo


def parse_response(response: bytes) -> TimeStampToken:
    """Parse a DER ``TimeStampResp``.

    Raises:
        TimestampError: malformed DER, status not granted, or a token that is
            not a one-signer SignedData over a version 1 TSTInfo.
    """
    try:
        return _response(response)
    except DerError as exc:
        raise TimestampError(f"malformed timestamp response: {exc}") from exc


def algorithm_identifier(element: Element, what: str) -> str:
    """The OID of an AlgorithmIdentifier whose parameters are absent or NULL.

    Raises:
        DerError: not such an AlgorithmIdentifier.
    """
    fields = element.reader(SEQUENCE, what)
    oid = fields.next("algorithm").oid(f"{what}.algorithm")
    parameters = fields.optional(der.NULL)
    if parameters is not None:
        parameters.null(f"{what}.parameters")
    fields.end()
    return oid


def _response(response: bytes) -> TimeStampToken:
    resp = der.parse(response, "TimeStampResp").reader(SEQUENCE, "TimeStampResp")
    status_info = resp.next("status").reader(SEQUENCE, "PKIStatusInfo")
    status = status_info.next("status").integer("PKIStatusInfo.status")
    if status not in (0, 1):
        name = _STATUS.get(status, "unknown")
        raise TimestampError(
            f"status: expected granted (0) or grantedWithMods (1), TSA answered {name} ({status})"
        )
    if resp.peek() is None:
        raise TimestampError("status is granted but the response holds no timeStampToken")
    content_info = resp.next("timeStampToken").reader(SEQUENCE, "ContentInfo")
    resp.end()
    content_type = content_info.next("contentType").oid("ContentInfo.contentType")
    if content_type != SIGNED_DATA:
        raise TimestampError(
            f"token content type: expected signedData ({SIGNED_DATA}), found {content_type}"
        )
    signed_data = content_info.next("content").explicit(0, "ContentInfo.content")
    content_info.end()
    sd = signed_data.reader(SEQUENCE, "SignedData")
    sd.next("version").integer("SignedData.version")
    sd.next("digestAlgorithms", SET)
    encap = sd.next("encapContentInfo").reader(SEQUENCE, "EncapsulatedContentInfo")
    econtent_type = encap.next("eContentType").oid("eContentType")
    if econtent_type != TST_INFO:
        raise TimestampError(
            f"eContentType: expected id-ct-TSTInfo ({TST_INFO}), found {econtent_type}"
        )
    tst_info = encap.next("eContent").explicit(0, "eContent").octets("eContent")
    encap.end()
    certificates = sd.optional(context_tag(0))
    sd.optional(context_tag(1))  # CRLs: not used
    signer_infos = sd.next("signerInfos", SET).children("signerInfos")
    sd.end()
    if len(signer_infos) != 1:
        raise TimestampError(
            f"signerInfos: expected exactly one SignerInfo, found {len(signer_infos)}"
        )
    tst = der.parse(tst_info, "TSTInfo").reader(SEQUENCE, "TSTInfo")
    version = tst.next("version").integer("TSTInfo.version")
    if version != 1:
        raise TimestampError(f"TSTInfo version: expected 1, found {version}")
    policy = tst.next("policy").oid("TSTInfo.policy")
    imprint = tst.next("messageImprint").reader(SEQUENCE, "messageImprint")
    imprint_algorithm = algorithm_identifier(
        imprint.next("hashAlgorithm"), "messageImprint.hashAlgorithm"
    )
    hashed = imprint.next("hashedMessage").octets("messageImprint.hashedMessage")
    imprint.end()
    serial = tst.next("serialNumber").integer("TSTInfo.serialNumber")
    gen_time = tst.next("genTime").generalized_time("TSTInfo.genTime")
    # accuracy, ordering, nonce, tsa, extensions: not used offline
    return TimeStampToken(
        status=status,
        tst_info=tst_info,
        policy=policy,
        imprint_algorithm=imprint_algorithm,
        imprint=hashed,
        serial=serial,
        gen_time=gen_time,
        certificates=_certificates(certificates),
        signer=_signer_info(signer_infos[0]),
    )


def _certificates(element: Element | None) -> tuple[x509.Certificate, ...]:
    if element is None:
        return ()
    result = []
    for i, choice in enumerate(element.children("certificates")):
        if choice.tag != SEQUENCE:
            continue  # other CertificateChoices (attribute certificates ...) are not used
        try:
            cert = load_der_certificate(choice.raw)
        except ValueError as exc:
            raise TimestampError(f"embedded certificate {i} is malformed: {exc}") from exc
        result.append(cert)
    return tuple(result)


def _signer_info(element: Element) -> SignerInfo:
    si = element.reader(SEQUENCE, "SignerInfo")
    si.next("version").integer("SignerInfo.version")
    sid = si.next("sid")
    issuer = serial = key_id = None
    if sid.tag == SEQUENCE:
        ias = sid.reader(SEQUENCE, "issuerAndSerialNumber")
        issuer = ias.next("issuer", SEQUENCE).raw
        serial = ias.next("serialNumber").integer("issuerAndSerialNumber.serialNumber")
        ias.end()
    else:
        key_id = sid.expect(context_tag(0, constructed=False), "SignerInfo.sid").content
    digest_algorithm = algorithm_identifier(si.next("digestAlgorithm"), "digestAlgorithm")
    signed = si.optional(context_tag(0))
    if signed is None:
        raise TimestampError("signed attributes: missing (required for id-ct-TSTInfo)")
    attributes: dict[str, tuple[Element, ...]] = {}
    for attribute in signed.children("signedAttrs"):
        fields = attribute.reader(SEQUENCE, "Attribute")
        kind = fields.next("attrType").oid("Attribute.attrType")
        values = fields.next("attrValues", SET).children("Attribute.attrValues")
        fields.end()
        if kind in attributes:
            raise TimestampError(f"signed attributes: attribute {kind} appears twice")
        attributes[kind] = tuple(values)
    signature_algorithm = algorithm_identifier(si.next("signatureAlgorithm"), "signatureAlgorithm")
    signature = si.next("signature").octets("SignerInfo.signature")
    si.optional(context_tag(1))  # unsigned attributes: not used
    si.end()
    return SignerInfo(
        issuer=issuer,
        serial=serial,
        key_id=key_id,
        digest_algorithm=digest_algorithm,
        signature_algorithm=signature_algorithm,
        signed_attributes=bytes([SET]) + signed.raw[1:],  # [0] IMPLICIT -> SET OF, as signed
        attributes=attributes,
        signature=signature,
    )

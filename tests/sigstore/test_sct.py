"""Embedded SCTs: leaves with SCTs signed in code by a fixed-key test CT log, plus real bundles.

The SCT list is TLS-encoded here by hand (RFC 6962 section 3.3) and the
signed data assembled independently of :mod:`srcverify.sigstore.sct`, so a wrong
reconstruction in the module under test makes these tests fail.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srcverify.errors import CertificateError
from srcverify.sigstore.certs import issuer_of, verify_chain
from srcverify.sigstore.sct import verify_embedded_sct
from srcverify.sigstore.trustroot import LogKey, ValidityWindow
from tests.sigstore.test_certs import (
    Pki,
    conformance_case,
    corpus_cases,
    key,
    leaf_builder,
    load_case,
    make_pki,
)

SCT_OID = x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")
SCT_TIME = datetime(2025, 6, 12, 12, 2, 17, 123000, tzinfo=UTC)
LOG_START = datetime(2022, 10, 20, tzinfo=UTC)


def log_key(private: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, **window: datetime) -> LogKey:
    public = private.public_key()
    der = public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return LogKey(
        base_url="https://ctfe.srcverify.test",
        log_id=hashlib.sha256(der).digest(),
        public_key=public,
        key_details="PKIX_ECDSA_P256_SHA_256",
        validity=ValidityWindow(window.get("start", LOG_START), window.get("end")),
    )


@dataclass(frozen=True)
class Sct:
    """What a test CT log puts in an SCT, and how it lies (if it does)."""

    signer: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    log_id: bytes
    timestamp: datetime = SCT_TIME
    extensions: bytes = b""
    signed_extensions: bytes | None = None  # sign other extensions than encoded
    signed_timestamp: datetime | None = None  # sign another time than encoded


def _ms(when: datetime) -> int:
    return int((when - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(milliseconds=1))


def _signed_data(sct: Sct, tbs: bytes, issuer: x509.Certificate) -> bytes:
    key_hash = hashlib.sha256(
        issuer.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    ).digest()
    extensions = sct.extensions if sct.signed_extensions is None else sct.signed_extensions
    when = sct.timestamp if sct.signed_timestamp is None else sct.signed_timestamp
    return (
        struct.pack(">BBQH", 0, 0, _ms(when), 1)
        + key_hash
        + len(tbs).to_bytes(3, "big")
        + tbs
        + len(extensions).to_bytes(2, "big")
        + extensions
    )


def _encode_sct(sct: Sct, signature: bytes, signature_algorithm: int) -> bytes:
    body = (
        b"\x00"
        + sct.log_id
        + struct.pack(">Q", _ms(sct.timestamp))
        + len(sct.extensions).to_bytes(2, "big")
        + sct.extensions
        + bytes([4, signature_algorithm])  # hash sha256, signature rsa(1)/ecdsa(3)
        + len(signature).to_bytes(2, "big")
        + signature
    )
    return len(body).to_bytes(2, "big") + body


def _octet_string(content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return b"\x04" + bytes([length]) + content
    encoded = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return b"\x04" + bytes([0x80 | len(encoded)]) + encoded + content


def leaf_with_scts(
    pki: Pki, scts: Sequence[Sct], builder: x509.CertificateBuilder | None = None
) -> x509.Certificate:
    """Issue a leaf from the test intermediate carrying ``scts``, signed over its precert TBS."""
    builder = builder or leaf_builder(pki.intermediate.subject)
    placeholder = builder.add_extension(
        x509.UnrecognizedExtension(SCT_OID, _octet_string(b"\x00\x00")), critical=False
    )
    tbs = pki.sign_leaf(placeholder).tbs_precertificate_bytes
    encoded = b""
    for sct in scts:
        data = _signed_data(sct, tbs, pki.intermediate)
        if isinstance(sct.signer, rsa.RSAPrivateKey):
            signature = sct.signer.sign(data, padding.PKCS1v15(), hashes.SHA256())
            encoded += _encode_sct(sct, signature, 1)
        else:
            encoded += _encode_sct(sct, sct.signer.sign(data, ec.ECDSA(hashes.SHA256())), 3)
    extension = x509.UnrecognizedExtension(
        SCT_OID, _octet_string(len(encoded).to_bytes(2, "big") + encoded)
    )
    leaf = pki.sign_leaf(builder.add_extension(extension, critical=False))
    assert leaf.tbs_precertificate_bytes == tbs
    return leaf


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


@pytest.fixture(scope="module")
def log_private() -> ec.EllipticCurvePrivateKey:
    return key(0xC7106)


@pytest.fixture(scope="module")
def log(log_private: ec.EllipticCurvePrivateKey) -> LogKey:
    return log_key(log_private)


def test_valid_sct_returns_the_log(
    pki: Pki, log_private: ec.EllipticCurvePrivateKey, log: LogKey
) -> None:
    leaf = leaf_with_scts(pki, [Sct(log_private, log.log_id)])
    other = log_key(key(0x07E4))
    assert verify_embedded_sct(leaf, pki.intermediate, [other, log]) is log


def test_bad_signature_is_rejected(
    pki: Pki, log_private: ec.EllipticCurvePrivateKey, log: LogKey
) -> None:
    sct = Sct(log_private, log.log_id, signed_timestamp=SCT_TIME + timedelta(milliseconds=1))
    leaf = leaf_with_scts(pki, [sct])
    with pytest.raises(CertificateError) as info:
        verify_embedded_sct(leaf, pki.intermediate, [log])
    assert info.value.step == "certificate"
    assert info.value.detail == (
        f"SCT: no embedded SCT verifies: SCT[0] signature invalid for CT log {log.log_id.hex()}"
    )


def test_signature_by_another_key_is_rejected(pki: Pki, log: LogKey) -> None:
    leaf = leaf_with_scts(pki, [Sct(key(0xFA4E), log.log_id)])
    with pytest.raises(CertificateError, match=r"SCT: .*signature invalid for CT log"):
        verify_embedded_sct(leaf, pki.intermediate, [log])


def test_wrong_issuer_key_hash_is_rejected(
    pki: Pki, log_private: ec.EllipticCurvePrivateKey, log: LogKey
) -> None:
    leaf = leaf_with_scts(pki, [Sct(log_private, log.log_id)])
    with pytest.raises(CertificateError, match=r"SCT: .*signature invalid"):
        verify_embedded_sct(leaf, pki.root, [log])


def test_unknown_log_is_rejected(pki: Pki, log_private: ec.EllipticCurvePrivateKey) -> None:
    unknown = bytes(range(32))
    leaf = leaf_with_scts(pki, [Sct(log_private, unknown)])
    with pytest.raises(CertificateError) as info:
        verify_embedded_sct(leaf, pki.intermediate, [log_key(log_private)])
    assert info.value.detail == (
        f"SCT: no embedded SCT verifies: SCT[0] unknown log id {unknown.hex()} "
        "(not a CT log of the trust root)"
    )


def test_log_key_outside_validity_is_rejected(
    pki: Pki, log_private: ec.EllipticCurvePrivateKey, log: LogKey
) -> None:
    retired = log_key(log_private, end=SCT_TIME - timedelta(milliseconds=1))
    leaf = leaf_with_scts(pki, [Sct(log_private, log.log_id)])
    with pytest.raises(CertificateError) as info:
        verify_embedded_sct(leaf, pki.intermediate, [retired])
    assert info.value.detail == (
        f"SCT: no embedded SCT verifies: SCT[0] CT log {log.log_id.hex()} "
        "(https://ctfe.srcverify.test) key not valid at SCT time 2025-06-12T12:02:17.123Z: "
        "valid 2022-10-20T00:00:00+00:00 .. 2025-06-12T12:02:17.122000+00:00"
    )


def test_log_key_not_yet_valid_is_rejected(
    pki: Pki, log_private: ec.EllipticCurvePrivateKey, log: LogKey
) -> None:
    future = log_key(log_private, start=SCT_TIME + timedelta(seconds=1))
    leaf = leaf_with_scts(pki, [Sct(log_private, log.log_id)])
    with pytest.raises(CertificateError, match="key not valid at SCT time"):
        verify_embedded_sct(leaf, pki.intermediate, [future])


def test_log_validity_end_is_inclusive(
    pki: Pki, log_private: ec.EllipticCurvePrivateKey, log: LogKey
) -> None:
    ending = log_key(log_private, end=SCT_TIME)
    leaf = leaf_with_scts(pki, [Sct(log_private, log.log_id)])
    assert verify_embedded_sct(leaf, pki.intermediate, [ending]) is ending


def test_no_scts_is_rejected(pki: Pki, log: LogKey) -> None:
    with pytest.raises(CertificateError) as info:
        verify_embedded_sct(pki.leaf, pki.intermediate, [log])
    assert info.value.detail == (
        "SCT: certificate has no embedded SCTs (PrecertificateSignedCertificateTimestamps)"
    )


def test_sct_with_extensions_is_verified(
    pki: Pki, log_private: ec.EllipticCurvePrivateKey, log: LogKey
) -> None:
    leaf_index = b"\x00\x00\x05\x00\x00\x00\x00\x70"  # RFC 9162 style leaf_index extension
    leaf = leaf_with_scts(pki, [Sct(log_private, log.log_id, extensions=leaf_index)])
    assert verify_embedded_sct(leaf, pki.intermediate, [log]) is log


def test_sct_extensions_are_covered_by_the_signature(
    pki: Pki, log_private: ec.EllipticCurvePrivateKey, log: LogKey
) -> None:
    sct = Sct(log_private, log.log_id, extensions=b"\x00\x00\x01\x07", signed_extensions=b"")
    leaf = leaf_with_scts(pki, [sct])
    with pytest.raises(CertificateError, match=r"SCT: .*signature invalid"):
        verify_embedded_sct(leaf, pki.intermediate, [log])


def test_one_good_sct_among_bad_ones_is_enough(
    pki: Pki, log_private: ec.EllipticCurvePrivateKey, log: LogKey
) -> None:
    leaf = leaf_with_scts(pki, [Sct(log_private, bytes(32)), Sct(log_private, log.log_id)])
    assert verify_embedded_sct(leaf, pki.intermediate, [log]) is log


def test_every_failing_sct_is_reported(
    pki: Pki, log_private: ec.EllipticCurvePrivateKey, log: LogKey
) -> None:
    bad = Sct(log_private, log.log_id, signed_timestamp=LOG_START)
    leaf = leaf_with_scts(pki, [Sct(log_private, bytes(32)), bad])
    with pytest.raises(CertificateError) as info:
        verify_embedded_sct(leaf, pki.intermediate, [log])
    assert f"SCT[0] unknown log id {bytes(32).hex()}" in info.value.detail
    assert "SCT[1] signature invalid" in info.value.detail


def test_rsa_log_key_is_supported(pki: Pki) -> None:
    rsa_private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_log = log_key(rsa_private)
    leaf = leaf_with_scts(pki, [Sct(rsa_private, rsa_log.log_id)])
    assert verify_embedded_sct(leaf, pki.intermediate, [rsa_log]) is rsa_log


def test_algorithm_mismatch_is_rejected(
    pki: Pki, log_private: ec.EllipticCurvePrivateKey, log: LogKey
) -> None:
    """An RSA-signed SCT whose log id names an ECDSA log."""
    rsa_private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = leaf_with_scts(pki, [Sct(rsa_private, log.log_id)])
    with pytest.raises(CertificateError, match="signature algorithm RSA does not match the ECDSA"):
        verify_embedded_sct(leaf, pki.intermediate, [log])


# --- real bundles ---------------------------------------------------------------


@pytest.mark.parametrize("paths", corpus_cases())
def test_real_pass_bundles_have_a_valid_sct(paths: tuple[Path, Path] | None) -> None:
    bundle, root, leaf = load_case(paths)
    when = leaf.not_valid_before_utc + timedelta(minutes=1)
    authority = verify_chain(
        leaf, bundle.material.certificates[1:], root.certificate_authorities, [when]
    )
    issuer = issuer_of(leaf, authority)
    log = verify_embedded_sct(leaf, issuer, root.ctlogs)
    assert log in root.ctlogs
    with pytest.raises(CertificateError, match=r"SCT: .*unknown log id"):
        verify_embedded_sct(leaf, issuer, [])


def test_conformance_sct_with_extensions() -> None:
    _bundle, root, leaf = load_case(conformance_case("bundle-with-sct-with-extensions"))
    scts = leaf.extensions.get_extension_for_class(x509.PrecertificateSignedCertificateTimestamps)
    assert any(sct.extension_bytes for sct in scts.value), "the case must carry SCT extensions"
    when = leaf.not_valid_before_utc + timedelta(minutes=1)
    authority = verify_chain(leaf, [], root.certificate_authorities, [when])
    assert verify_embedded_sct(leaf, issuer_of(leaf, authority), root.ctlogs) in root.ctlogs


def test_conformance_invalid_ct_key_fails_on_the_sct() -> None:
    bundle, root, leaf = load_case(conformance_case("invalid-ct-key_fail"))
    when = leaf.not_valid_before_utc + timedelta(minutes=1)
    authority = verify_chain(
        leaf, bundle.material.certificates[1:], root.certificate_authorities, [when]
    )
    with pytest.raises(CertificateError) as info:
        verify_embedded_sct(leaf, issuer_of(leaf, authority), root.ctlogs)
    assert info.value.detail.startswith(
        "SCT: no embedded SCT verifies: SCT[0] unknown log id dd3d306a"
    )


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payload=st.binary(max_size=160), wrap=st.booleans())
def test_malformed_sct_extension_is_our_error(
    pki: Pki, log: LogKey, payload: bytes, wrap: bool
) -> None:
    """Garbage in the SCT extension yields CertificateError, never a raw exception."""
    value = _octet_string(payload) if wrap else payload
    builder = leaf_builder(pki.intermediate.subject).add_extension(
        x509.UnrecognizedExtension(SCT_OID, value), critical=False
    )
    leaf = pki.sign_leaf(builder)
    with pytest.raises(CertificateError, match=r"^certificate: SCT: "):
        verify_embedded_sct(leaf, pki.intermediate, [log])

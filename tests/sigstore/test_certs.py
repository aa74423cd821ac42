"""Fulcio chain and profile checks: a fixed-key PKI built in code, plus real bundles.

The PKI here (root -> intermediate -> leaf, fixed EC keys, fixed times) is
also used by ``tests/test_sct.py``. Each defect is built on purpose and must
be rejected for its own reason.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from srcverify.errors import CertificateError
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.certs import check_fulcio_profile, issuer_of, verify_chain
from srcverify.sigstore.trustroot import CertificateAuthority, TrustedRoot, ValidityWindow

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

LEAF_START = datetime(2025, 6, 12, 12, 2, 16, tzinfo=UTC)
LEAF_END = LEAF_START + timedelta(minutes=10)
SIGNED_AT = LEAF_START + timedelta(minutes=1)
CA_START = datetime(2022, 4, 13, tzinfo=UTC)
CA_END = datetime(2031, 10, 5, tzinfo=UTC)


def key(secret: int) -> ec.EllipticCurvePrivateKey:
    """A fixed P-256 key, the same in every run."""
    return ec.derive_private_key(secret, ec.SECP256R1())


def name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "srcverify.test"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def ca_cert(
    subject: x509.Name,
    subject_key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    serial: int,
    path_length: int | None = None,
    is_ca: bool = True,
    key_cert_sign: bool = True,
    start: datetime = CA_START,
    end: datetime = CA_END,
) -> x509.Certificate:
    """A CA certificate (or, with ``is_ca=False``, a broken would-be CA)."""
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(subject_key.public_key())
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=path_length), critical=True)
        .add_extension(_key_usage(digital_signature=False, key_cert_sign=key_cert_sign), True)
        .sign(issuer_key, hashes.SHA256())
    )


def _key_usage(*, digital_signature: bool, key_cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=key_cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def leaf_builder(
    issuer: x509.Name,
    *,
    serial: int = 0x1F,
    start: datetime = LEAF_START,
    end: datetime = LEAF_END,
    key_usage: x509.KeyUsage | None = None,
    eku: Sequence[x509.ObjectIdentifier] | None = (ExtendedKeyUsageOID.CODE_SIGNING,),
    san: bool = True,
    is_ca: bool = False,
) -> x509.CertificateBuilder:
    """A Fulcio-like leaf (empty subject, email SAN), ready for more extensions."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([]))
        .issuer_name(issuer)
        .public_key(key(0x5EED).public_key())
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(
            key_usage or _key_usage(digital_signature=True, key_cert_sign=False), critical=True
        )
    )
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    if is_ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name("release@srcverify.test")]),
            critical=True,
        )
    return builder


@dataclass(frozen=True)
class Pki:
    """A root and an intermediate CA with fixed keys, and a good leaf."""

    root_key: ec.EllipticCurvePrivateKey
    root: x509.Certificate
    intermediate_key: ec.EllipticCurvePrivateKey
    intermediate: x509.Certificate
    leaf: x509.Certificate

    def authority(
        self, *, start: datetime = CA_START, end: datetime | None = None
    ) -> CertificateAuthority:
        return CertificateAuthority(
            uri="https://fulcio.srcverify.test",
            subject="O=srcverify.test, CN=test-fulcio",
            certificates=(self.intermediate, self.root),
            validity=ValidityWindow(start, end),
        )

    def sign_leaf(self, builder: x509.CertificateBuilder) -> x509.Certificate:
        return builder.sign(self.intermediate_key, hashes.SHA256())


def make_pki() -> Pki:
    root_key, intermediate_key = key(0x0A11CE), key(0x0B0B)
    root = ca_cert(name("test-root"), root_key, name("test-root"), root_key, serial=1)
    intermediate = ca_cert(
        name("test-intermediate"), intermediate_key, name("test-root"), root_key, serial=2,
        path_length=0,
    )  # fmt: skip
    leaf = leaf_builder(intermediate.subject).sign(intermediate_key, hashes.SHA256())
    return Pki(root_key, root, intermediate_key, intermediate, leaf)


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


# --- the chain ------------------------------------------------------------------


def test_valid_chain_returns_the_authority(pki: Pki) -> None:
    authority = pki.authority()
    assert verify_chain(pki.leaf, [], [authority], [SIGNED_AT]) is authority
    assert issuer_of(pki.leaf, authority) == pki.intermediate


def test_leaf_validity_bounds_are_inclusive(pki: Pki) -> None:
    authority = pki.authority()
    assert verify_chain(pki.leaf, [], [authority], [LEAF_START, LEAF_END]) is authority


def test_expired_leaf_at_time_is_rejected(pki: Pki) -> None:
    late = LEAF_END + timedelta(seconds=1)
    with pytest.raises(CertificateError) as info:
        verify_chain(pki.leaf, [], [pki.authority()], [SIGNED_AT, late])
    assert info.value.step == "certificate"
    assert info.value.detail == (
        "leaf certificate (serial 0x1f) not valid at 2025-06-12T12:12:17Z: "
        "valid 2025-06-12T12:02:16Z .. 2025-06-12T12:12:16Z"
    )


def test_leaf_not_yet_valid_is_rejected(pki: Pki) -> None:
    with pytest.raises(
        CertificateError, match=r"leaf certificate .* not valid at 2025-06-12T12:02:15Z"
    ):
        verify_chain(pki.leaf, [], [pki.authority()], [LEAF_START - timedelta(seconds=1)])


def test_intermediate_not_valid_at_time_is_rejected(pki: Pki) -> None:
    short = ca_cert(
        name("test-intermediate"), pki.intermediate_key, name("test-root"), pki.root_key,
        serial=3, path_length=0, end=LEAF_START,
    )  # fmt: skip
    authority = CertificateAuthority(
        "u", "short", (short, pki.root), ValidityWindow(CA_START, None)
    )
    with pytest.raises(CertificateError) as info:
        verify_chain(pki.leaf, [], [authority], [SIGNED_AT])
    assert "intermediate certificate CN=test-intermediate,O=srcverify.test" in info.value.detail
    assert (
        "not valid at 2025-06-12T12:03:16Z: valid 2022-04-13T00:00:00Z .. 2025-06-12T12:02:16Z"
        in (info.value.detail)
    )


def test_ca_window_excluding_time_is_rejected(pki: Pki) -> None:
    authority = pki.authority(end=SIGNED_AT - timedelta(microseconds=1))
    with pytest.raises(CertificateError) as info:
        verify_chain(pki.leaf, [], [authority], [SIGNED_AT])
    assert info.value.detail == (
        "trusted CA O=srcverify.test, CN=test-fulcio not valid at 2025-06-12T12:03:16Z: "
        "valid 2022-04-13T00:00:00+00:00 .. 2025-06-12T12:03:15.999999+00:00"
    )


def test_ca_window_end_is_inclusive(pki: Pki) -> None:
    authority = pki.authority(end=SIGNED_AT)
    assert verify_chain(pki.leaf, [], [authority], [SIGNED_AT]) is authority


def test_ca_window_start_after_time_is_rejected(pki: Pki) -> None:
    authority = pki.authority(start=SIGNED_AT + timedelta(seconds=1))
    with pytest.raises(CertificateError, match=r"trusted CA .* not valid at 2025-06-12T12:03:16Z"):
        verify_chain(pki.leaf, [], [authority], [SIGNED_AT])


def test_untrusted_issuer_name_is_rejected(pki: Pki) -> None:
    other_key = key(0xBAD)
    other = ca_cert(name("other-ca"), other_key, name("other-ca"), other_key, serial=9)
    leaf = leaf_builder(other.subject).sign(other_key, hashes.SHA256())
    with pytest.raises(CertificateError) as info:
        verify_chain(leaf, [], [pki.authority()], [SIGNED_AT])
    assert info.value.detail == (
        "leaf issuer CN=other-ca,O=srcverify.test is not a certificate of any trusted Fulcio CA "
        "(trusted: O=srcverify.test, CN=test-fulcio)"
    )


def test_impostor_issuer_with_trusted_name_is_rejected(pki: Pki) -> None:
    impostor_key = key(0xE71)
    leaf = leaf_builder(pki.intermediate.subject).sign(impostor_key, hashes.SHA256())
    with pytest.raises(CertificateError) as info:
        verify_chain(leaf, [], [pki.authority()], [SIGNED_AT])
    assert info.value.detail.startswith(
        "leaf certificate (serial 0x1f): signature does not verify with the key of trusted "
        "certificate CN=test-intermediate,O=srcverify.test (serial 0x2)"
    )


def test_untrusted_root_behind_trusted_name_is_rejected(pki: Pki) -> None:
    """An intermediate the trust root lists, but signed by a different root."""
    fake_root_key = key(0xF00)
    fake_root = ca_cert(
        name("fake-root"), fake_root_key, name("fake-root"), fake_root_key, serial=7
    )
    authority = CertificateAuthority(
        "u", "fake", (pki.intermediate, fake_root), ValidityWindow(CA_START, None)
    )
    with pytest.raises(CertificateError, match=r"issuer CN=test-root,O=srcverify\.test is not in"):
        verify_chain(pki.leaf, [], [authority], [SIGNED_AT])


def test_bundle_chain_with_root_is_rejected(pki: Pki) -> None:
    with pytest.raises(CertificateError) as info:
        verify_chain(pki.leaf, [pki.intermediate, pki.root], [pki.authority()], [SIGNED_AT])
    assert info.value.detail.startswith(
        "bundle chain includes a root CA: self-signed certificate "
        "CN=test-root,O=srcverify.test (serial 0x1)"
    )


def test_bundle_intermediate_identical_to_trusted_is_accepted(pki: Pki) -> None:
    authority = pki.authority()
    assert verify_chain(pki.leaf, [pki.intermediate], [authority], [SIGNED_AT]) is authority


def test_bundle_intermediate_mismatch_is_rejected(pki: Pki) -> None:
    lookalike = ca_cert(
        name("test-intermediate"), pki.intermediate_key, name("test-root"), pki.root_key,
        serial=0x77, path_length=0,
    )  # fmt: skip
    with pytest.raises(CertificateError) as info:
        verify_chain(pki.leaf, [lookalike], [pki.authority()], [SIGNED_AT])
    assert info.value.detail == (
        "bundle chain certificate CN=test-intermediate,O=srcverify.test (serial 0x77) is not "
        "identical to any certificate of trusted CA O=srcverify.test, CN=test-fulcio"
    )


def test_no_verified_time_fails_closed(pki: Pki) -> None:
    with pytest.raises(CertificateError, match="no verified time"):
        verify_chain(pki.leaf, [], [pki.authority()], [])


def test_naive_time_is_rejected(pki: Pki) -> None:
    with pytest.raises(CertificateError, match="has no time zone"):
        verify_chain(pki.leaf, [], [pki.authority()], [SIGNED_AT.replace(tzinfo=None)])


def test_no_authority_is_rejected(pki: Pki) -> None:
    with pytest.raises(CertificateError, match="no Fulcio certificate authority"):
        verify_chain(pki.leaf, [], [], [SIGNED_AT])


def test_second_authority_is_found(pki: Pki) -> None:
    other_key = key(0xBAD)
    other = ca_cert(name("other-ca"), other_key, name("other-ca"), other_key, serial=9)
    first = CertificateAuthority("u", "other", (other,), ValidityWindow(CA_START, None))
    authority = pki.authority()
    assert verify_chain(pki.leaf, [], [first, authority], [SIGNED_AT]) is authority


def test_issuer_that_is_not_a_ca_is_rejected(pki: Pki) -> None:
    not_ca = ca_cert(
        name("test-intermediate"), pki.intermediate_key, name("test-root"), pki.root_key,
        serial=4, is_ca=False,
    )  # fmt: skip
    authority = CertificateAuthority("u", "x", (not_ca, pki.root), ValidityWindow(CA_START, None))
    with pytest.raises(CertificateError, match=r"intermediate certificate .* is not a CA"):
        verify_chain(pki.leaf, [], [authority], [SIGNED_AT])


def test_issuer_without_key_cert_sign_is_rejected(pki: Pki) -> None:
    no_sign = ca_cert(
        name("test-intermediate"), pki.intermediate_key, name("test-root"), pki.root_key,
        serial=5, key_cert_sign=False,
    )  # fmt: skip
    authority = CertificateAuthority("u", "x", (no_sign, pki.root), ValidityWindow(CA_START, None))
    with pytest.raises(CertificateError, match="KeyUsage lacks keyCertSign"):
        verify_chain(pki.leaf, [], [authority], [SIGNED_AT])


def test_path_length_constraint_is_enforced(pki: Pki) -> None:
    strict_root = ca_cert(
        name("test-root"), pki.root_key, name("test-root"), pki.root_key, serial=6, path_length=0
    )
    authority = CertificateAuthority(
        "u", "x", (pki.intermediate, strict_root), ValidityWindow(CA_START, None)
    )
    with pytest.raises(CertificateError) as info:
        verify_chain(pki.leaf, [], [authority], [SIGNED_AT])
    assert info.value.detail == (
        "root certificate CN=test-root,O=srcverify.test (serial 0x6): path length constraint 0 "
        "exceeded by 1 intermediate CA certificate(s) below it"
    )


def test_leaf_issued_directly_by_root_only_authority(pki: Pki) -> None:
    leaf = leaf_builder(pki.root.subject).sign(pki.root_key, hashes.SHA256())
    authority = CertificateAuthority("u", "root", (pki.root,), ValidityWindow(CA_START, None))
    assert verify_chain(leaf, [], [authority], [SIGNED_AT]) is authority
    assert issuer_of(leaf, authority) == pki.root


# --- the Fulcio profile -------------------------------------------------------


def test_good_leaf_meets_the_profile(pki: Pki) -> None:
    check_fulcio_profile(pki.leaf)


def test_missing_code_signing_eku_is_rejected(pki: Pki) -> None:
    leaf = pki.sign_leaf(
        leaf_builder(pki.intermediate.subject, eku=[ExtendedKeyUsageOID.SERVER_AUTH])
    )
    with pytest.raises(CertificateError) as info:
        check_fulcio_profile(leaf)
    assert info.value.detail == (
        "leaf certificate (serial 0x1f): ExtendedKeyUsage lacks codeSigning "
        "(1.3.6.1.5.5.7.3.3); found 1.3.6.1.5.5.7.3.1"
    )


def test_missing_eku_extension_is_rejected(pki: Pki) -> None:
    leaf = pki.sign_leaf(leaf_builder(pki.intermediate.subject, eku=None))
    with pytest.raises(CertificateError, match="no ExtendedKeyUsage extension"):
        check_fulcio_profile(leaf)


def test_missing_digital_signature_is_rejected(pki: Pki) -> None:
    usage = _key_usage(digital_signature=False, key_cert_sign=False)
    leaf = pki.sign_leaf(leaf_builder(pki.intermediate.subject, key_usage=usage))
    with pytest.raises(CertificateError, match="KeyUsage lacks digitalSignature"):
        check_fulcio_profile(leaf)


def test_ca_leaf_is_rejected(pki: Pki) -> None:
    leaf = pki.sign_leaf(leaf_builder(pki.intermediate.subject, is_ca=True))
    with pytest.raises(CertificateError, match=r"is a CA certificate \(BasicConstraints CA=true\)"):
        check_fulcio_profile(leaf)


def test_leaf_without_san_is_rejected(pki: Pki) -> None:
    leaf = pki.sign_leaf(leaf_builder(pki.intermediate.subject, san=False))
    with pytest.raises(CertificateError, match="no SubjectAlternativeName extension"):
        check_fulcio_profile(leaf)


def test_leaf_without_key_usage_is_rejected(pki: Pki) -> None:
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([]))
        .issuer_name(pki.intermediate.subject)
        .public_key(key(0x5EED).public_key())
        .serial_number(0x20)
        .not_valid_before(LEAF_START)
        .not_valid_after(LEAF_END)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
    )
    with pytest.raises(CertificateError, match="no KeyUsage extension"):
        check_fulcio_profile(pki.sign_leaf(builder))


# --- real bundles ---------------------------------------------------------------


def corpus_cases(*, expected: str | None = "pass") -> list[Any]:
    """Certificate bundles of the shared corpus: (case id, bundle path, trust root path)."""
    if not CORPUS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"corpus absent at {CORPUS}"))]
    params = []
    for index in ("cpython/cases.json", "conformance/cases.json"):
        base = (CORPUS / index).parent
        for case in json.loads((CORPUS / index).read_text())["cases"]:
            if expected is not None and case["expected"] != expected:
                continue
            if case["verification"] != "certificate-identity":
                continue
            params.append(
                pytest.param((base / case["bundle"], base / case["trusted_root"]), id=case["id"])
            )
    return params


def load_case(paths: tuple[Path, Path] | None) -> tuple[Bundle, TrustedRoot, x509.Certificate]:
    assert paths is not None
    bundle = Bundle.from_json(paths[0].read_bytes())
    root = TrustedRoot.from_json(paths[1].read_bytes())
    leaf = bundle.material.leaf
    assert leaf is not None
    return bundle, root, leaf


def conformance_case(case_id: str) -> tuple[Path, Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    base = CORPUS / "conformance"
    for case in json.loads((base / "cases.json").read_text())["cases"]:
        if case["id"] == case_id:
            return base / case["bundle"], base / case["trusted_root"]
    raise AssertionError(f"conformance case {case_id} not in the corpus index")


@pytest.mark.parametrize("paths", corpus_cases())
def test_real_pass_bundles_chain_to_their_trust_root(paths: tuple[Path, Path] | None) -> None:
    bundle, root, leaf = load_case(paths)
    when = leaf.not_valid_before_utc + timedelta(minutes=1)
    authority = verify_chain(
        leaf, bundle.material.certificates[1:], root.certificate_authorities, [when]
    )
    assert authority in root.certificate_authorities
    check_fulcio_profile(leaf)
    with pytest.raises(CertificateError, match=r"leaf certificate .* not valid at"):
        verify_chain(
            leaf,
            bundle.material.certificates[1:],
            root.certificate_authorities,
            [when, leaf.not_valid_after_utc + timedelta(seconds=1)],
        )


def test_conformance_bundle_with_root_cert_fails_on_root_rule() -> None:
    bundle, root, leaf = load_case(conformance_case("bundle-with-root-cert_fail"))
    when = leaf.not_valid_before_utc + timedelta(minutes=1)
    with pytest.raises(CertificateError, match="bundle chain includes a root CA: self-signed"):
        verify_chain(leaf, bundle.material.certificates[1:], root.certificate_authorities, [when])
    # The leaf itself is fine: only the shipped root makes the chain unacceptable.
    assert verify_chain(leaf, [], root.certificate_authorities, [when]) is not None


def test_conformance_bundle_from_wrong_instance_fails_on_signature() -> None:
    bundle, root, leaf = load_case(conformance_case("bundle-from-wrong-instance_fail"))
    when = leaf.not_valid_before_utc + timedelta(minutes=1)
    with pytest.raises(CertificateError, match="signature does not verify with the key of trusted"):
        verify_chain(leaf, bundle.material.certificates[1:], root.certificate_authorities, [when])

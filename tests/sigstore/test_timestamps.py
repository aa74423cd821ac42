"""Tests for RFC 3161 timestamp verification (src/srcverify/sigstore/timestamps.py, tsp.py).

Built from the fixed-key test TSA (tests/support/tsa.py): the happy path in
every supported shape, then one test per defect, each asserting the reason.
Real Sigstore TSA timestamps from the shared corpus are checked at the end,
and rfc3161-client (test-only) serves as an oracle for parsing and validity.
"""

from __future__ import annotations

import base64
import contextlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srcverify.errors import TimestampError, VerificationError
from srcverify.sigstore import tsp
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.timestamps import VerifiedTimestamp, verify_timestamp
from srcverify.sigstore.trustroot import CertificateAuthority, TrustedRoot
from tests.support import der_encode as d
from tests.support.keys import DETERMINISTIC_ECDSA
from tests.support.tsa import OID, TestTSA

SIGNATURE = b"the artifact signature bytes"
AT = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
TRUST_START = datetime(2024, 6, 1, tzinfo=UTC)

TSA = TestTSA()
OTHER_TSA = TestTSA("other test TSA", seed=2)


def authority(tsa: TestTSA = TSA, end: datetime | None = None) -> CertificateAuthority:
    return tsa.authority(TRUST_START, end)


def verify(response: bytes, *authorities: CertificateAuthority) -> VerifiedTimestamp:
    return verify_timestamp(response, SIGNATURE, authorities or (authority(),))


# --- happy paths ------------------------------------------------------------------


def test_happy_path_returns_time_authority_serial_policy() -> None:
    trusted = authority()
    result = verify(TSA.timestamp(SIGNATURE, AT, serial=0xABC), trusted)
    assert result.time == AT
    assert result.time.tzinfo is not None
    assert result.authority is trusted
    assert result.serial == 0xABC
    assert result.policy == OID["test-policy"]


@pytest.mark.parametrize(
    ("tsa", "options"),
    [
        (TSA, {"embed_cert": False}),
        (TSA, {"embed_chain": True}),
        (TSA, {"signer_id": "ski"}),
        (TSA, {"signer_id": "ski", "embed_cert": False}),
        (TSA, {"hash_name": "sha384"}),
        (TSA, {"hash_name": "sha512"}),
        (TSA, {"status": 1}),
        (TSA, {"nonce": None}),
        (TSA, {"omit_attrs": ["signing-certificate-v2"]}),
        (TestTSA("p384 TSA", seed=3, key="p384"), {}),
        (TestTSA("rsa TSA", seed=4, key="rsa"), {}),
        (TestTSA("rsa TSA", seed=4, key="rsa"), {"embed_cert": False}),
        (TestTSA("chained TSA", seed=5, intermediate=True), {}),
        (TestTSA("chained TSA", seed=5, intermediate=True), {"embed_chain": True}),
        (TestTSA("chained TSA", seed=5, intermediate=True), {"embed_cert": False}),
    ],
    ids=lambda v: v.name if isinstance(v, TestTSA) else repr(v),
)
def test_happy_path_variants(tsa: TestTSA, options: dict[str, Any]) -> None:
    assert verify(tsa.timestamp(SIGNATURE, AT, **options), authority(tsa)).time == AT


def test_fractional_gen_time_is_kept() -> None:
    at = AT.replace(microsecond=125000)
    assert verify(TSA.timestamp(SIGNATURE, at)).time == at


def test_authority_json_through_trusted_root() -> None:
    root = TrustedRoot.from_json(
        json.dumps(
            {
                "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
                "timestampAuthorities": [TSA.authority_json(TRUST_START, AT)],
            }
        ).encode()
    )
    result = verify(TSA.timestamp(SIGNATURE, AT), *root.timestamp_authorities)
    assert result.authority.certificates[0] == TSA.leaf
    assert result.time == AT


def test_validity_end_is_inclusive() -> None:
    assert verify(TSA.timestamp(SIGNATURE, AT), authority(end=AT)).time == AT


def test_the_vouching_authority_is_reported_among_several() -> None:
    mine = authority()
    result = verify(TSA.timestamp(SIGNATURE, AT), authority(OTHER_TSA), mine)
    assert result.authority is mine


@pytest.mark.skipif(
    not DETERMINISTIC_ECDSA, reason="this cryptography has no deterministic ECDSA (< 44)"
)
def test_test_tsa_is_deterministic() -> None:
    assert TSA.timestamp(SIGNATURE, AT) == TestTSA().timestamp(SIGNATURE, AT)
    assert TSA.chain_der == TestTSA().chain_der


# --- defects, each rejected for its own reason -----------------------------------


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"status": 2}, r"status: expected granted \(0\) or grantedWithMods \(1\), .*rejection"),
        ({"wrong_imprint": True}, r"messageImprint: expected sha256\(signature\) = [0-9a-f]{64}"),
        ({"hash_name": "sha1"}, r"messageImprint hash algorithm: .*found 1\.3\.14\.3\.2\.26"),
        ({"econtent_type": OID["data"]}, r"eContentType: expected id-ct-TSTInfo"),
        ({"tst_version": 2}, r"TSTInfo version: expected 1, found 2"),
        ({"content_type_attr": OID["data"]}, r"signed content-type attribute: expected"),
        ({"message_digest_attr": b"\x00" * 32}, r"signed message-digest attribute: expected"),
        ({"omit_attrs": ["content-type"]}, r"content-type attribute .* is missing"),
        ({"omit_attrs": ["message-digest"]}, r"message-digest attribute .* is missing"),
        ({"bad_signature": True}, r"TSA signature: the signature over the signed attributes"),
        ({"bad_signature": True, "embed_cert": False}, r"TSA signature: .* does not verify"),
        ({"signed_by": OTHER_TSA}, r"TSA signature: .* does not verify"),
        ({"ess_cert_hash": b"\x11" * 32}, r"signing-certificate attribute: expected sha256"),
    ],
    ids=lambda v: v if isinstance(v, str) else ",".join(map(str, v)),
)
def test_defect_is_rejected_for_its_reason(options: dict[str, Any], reason: str) -> None:
    with pytest.raises(TimestampError, match=reason) as info:
        verify(TSA.timestamp(SIGNATURE, AT, **options))
    assert info.value.step == "timestamp"


def _swap_last(data: bytes, old: str, new: str) -> bytes:
    """Replace the last encoding of OID ``old`` with OID ``new`` (same length)."""
    old_der, new_der = d.oid(old), d.oid(new)
    assert len(old_der) == len(new_der)
    index = data.rindex(old_der)
    return data[:index] + new_der + data[index + len(old_der) :]


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (OID["sha256"], "2.16.840.1.101.3.4.2.4", r"SignerInfo digest algorithm: .*found 2\.16"),
        (OID["ecdsa-with-sha256"], OID["ecdsa-with-sha384"], "hashes with sha384, digestAlg"),
        (
            OID["ecdsa-with-sha256"],
            "1.2.840.10045.4.3.9",
            r"algorithm 1\.2\.840\.10045\.4\.3\.9 is not",
        ),
    ],
    ids=["sha224-digest", "hash-mismatch", "unknown-signature-algorithm"],
)
def test_signer_algorithms_are_checked(old: str, new: str, reason: str) -> None:
    response = _swap_last(TSA.timestamp(SIGNATURE, AT), old, new)
    with pytest.raises(TimestampError, match=reason):
        verify(response)


def test_imprint_over_other_bytes_is_rejected() -> None:
    with pytest.raises(TimestampError, match="messageImprint: expected sha256"):
        verify_timestamp(TSA.timestamp(b"another signature", AT), SIGNATURE, [authority()])


def test_untrusted_tsa_with_embedded_certificate() -> None:
    with pytest.raises(TimestampError, match="untrusted TSA: the embedded signing certificate"):
        verify(OTHER_TSA.timestamp(SIGNATURE, AT))


def test_untrusted_tsa_without_embedded_certificate() -> None:
    with pytest.raises(TimestampError, match="untrusted TSA: the timestamp embeds no certificate"):
        verify(OTHER_TSA.timestamp(SIGNATURE, AT, embed_cert=False))


def test_embedded_chain_of_untrusted_tsa_does_not_help() -> None:
    """Certificates carried in the token are never trust anchors."""
    with pytest.raises(TimestampError, match="untrusted TSA"):
        verify(OTHER_TSA.timestamp(SIGNATURE, AT, embed_chain=True))


def test_same_names_different_keys_is_untrusted() -> None:
    impostor = TestTSA(seed=77)  # same subject names as TSA, other keys
    assert impostor.leaf.subject == TSA.leaf.subject
    with pytest.raises(TimestampError, match="untrusted TSA"):
        verify(impostor.timestamp(SIGNATURE, AT))


@pytest.mark.parametrize(
    ("at", "end"),
    [(TRUST_START - timedelta(seconds=1), None), (AT, AT - timedelta(seconds=1))],
    ids=["before-start", "after-end"],
)
def test_gen_time_outside_authority_validity(at: datetime, end: datetime | None) -> None:
    with pytest.raises(TimestampError, match=r"TSA validity: genTime .* is outside the trust root"):
        verify(TSA.timestamp(SIGNATURE, at), authority(end=end))


def test_gen_time_outside_certificate_validity() -> None:
    late = datetime(2034, 1, 1, 0, 0, 1, tzinfo=UTC)
    with pytest.raises(TimestampError, match=r"TSA certificate validity: genTime 2034-01-01"):
        verify(TSA.timestamp(SIGNATURE, late))


@pytest.mark.parametrize(
    ("eku", "reason"),
    [
        ("missing", "has no extended key usage extension"),
        ("non-critical", "is not critical"),
        ("wrong-purpose", r"expected id-kp-timeStamping .*found 1\.3\.6\.1\.5\.5\.7\.3\.3"),
    ],
)
def test_leaf_eku_must_be_critical_timestamping(eku: Any, reason: str) -> None:
    tsa = TestTSA(f"eku {eku}", seed=10, eku=eku)
    with pytest.raises(TimestampError, match=f"TSA certificate EKU: .*{reason}"):
        verify(tsa.timestamp(SIGNATURE, AT), authority(tsa))


def test_most_specific_failure_wins() -> None:
    """Untrusted at one TSA, outside the window at the other: report the window."""
    response = TSA.timestamp(SIGNATURE, AT)
    with pytest.raises(TimestampError, match="TSA validity") as info:
        verify(response, authority(OTHER_TSA), authority(end=AT - timedelta(days=1)))
    assert "untrusted" not in str(info.value)


def test_no_authorities() -> None:
    with pytest.raises(TimestampError, match="no timestamp authority in the trusted root"):
        verify_timestamp(TSA.timestamp(SIGNATURE, AT), SIGNATURE, [])


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (b"", "malformed timestamp response: .*truncated"),
        (b"not der at all", "malformed timestamp response"),
        (TSA.timestamp(SIGNATURE, AT) + b"\x00", "trailing bytes"),
        (bytes.fromhex("30053003020100"), "holds no timeStampToken"),
        (
            d.sequence(d.sequence(d.integer(1 << 16000))),
            "malformed timestamp response: .*INTEGER of 2001 octets is too long",
        ),
    ],
)
def test_malformed_responses(response: bytes, reason: str) -> None:
    with pytest.raises(TimestampError, match=reason):
        verify(response)


def test_timestamp_error_is_a_verification_error() -> None:
    with pytest.raises(VerificationError):
        verify(TSA.timestamp(SIGNATURE, AT, wrong_imprint=True))


def test_parse_exposes_token_fields() -> None:
    token = tsp.parse_response(TSA.timestamp(SIGNATURE, AT, embed_chain=True, serial=7))
    assert token.serial == 7
    assert token.gen_time == AT
    assert token.imprint_algorithm == OID["sha256"]
    assert [c.subject for c in token.certificates] == [TSA.leaf.subject, TSA.root.subject]
    assert token.signer.serial == TSA.leaf.serial_number
    assert token.signer.signed_attributes[0] == 0x31


# --- property: mutated responses give TimestampError, never a traceback ----------

_GOOD = TSA.timestamp(SIGNATURE, AT, embed_chain=True)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_response_never_escapes_timestamp_error(data: st.DataObject) -> None:
    mutated = bytearray(_GOOD)
    for _ in range(data.draw(st.integers(1, 3))):
        index = data.draw(st.integers(0, len(mutated) - 1))
        mutated[index] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(mutated)))
    for candidate in (bytes(mutated), bytes(mutated[:cut])):
        with contextlib.suppress(TimestampError):
            verify(candidate)


@settings(max_examples=200)
@given(st.binary(max_size=300))
def test_random_response_never_escapes_timestamp_error(data: bytes) -> None:
    with pytest.raises(TimestampError):
        verify(data)


# --- oracle: rfc3161-client (test-only) agrees on the test TSA's output ------------


@pytest.mark.parametrize(
    "tsa",
    [TSA, TestTSA("rsa TSA", seed=4, key="rsa"), TestTSA("chained TSA", seed=5, intermediate=True)],
    ids=["p256", "rsa", "intermediate"],
)
def test_oracle_accepts_what_we_accept(tsa: TestTSA) -> None:
    rfc3161 = pytest.importorskip("rfc3161_client")
    response = tsa.timestamp(SIGNATURE, AT, embed_chain=True)
    builder = rfc3161.VerifierBuilder().tsa_certificate(tsa.leaf).add_root_certificate(tsa.root)
    if tsa.intermediate is not None:
        builder = builder.add_intermediate_certificate(tsa.intermediate)
    decoded = rfc3161.decode_timestamp_response(response)
    assert builder.build().verify_message(decoded, SIGNATURE)
    assert decoded.tst_info.gen_time.replace(tzinfo=UTC) == verify(response, authority(tsa)).time


# --- real Sigstore TSA timestamps from the conformance corpus --------------------

PASSING = [
    "rekor2-happy-path",
    "rekor2-timestamp-without-embedded-cert",
    "rekor2-timestamp-with-expired-cert-chain",
    "trust-root-tsa-validity-end-inclusive",
]
FAILING = {
    "rekor2-timestamp-outside-trust-root-tsa-validity_fail": (
        r"TSA validity: genTime 2025-06-12T12:02:20\+00:00 is outside the trust root's "
        r"validity window .*\.\. 2025-06-01T00:00:00\+00:00"
    ),
    "rekor2-timestamp-outside-tsa-cert-validity_fail": (
        r"TSA certificate validity: genTime 2025-08-07T15:38:32\+00:00 is outside "
        r"'CN=Test TSA Timestamping,O=local'.* \.\. 2025-08-07T15:37:08\+00:00"
    ),
    "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail": (
        r"untrusted TSA: the embedded signing certificate .*CN=www\.freetsa\.org"
    ),
    "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail": (
        r"untrusted TSA: the timestamp embeds no certificate .*CN=www\.freetsa\.org"
    ),
}


def _case(corpus: Path, name: str) -> tuple[bytes, bytes, TrustedRoot]:
    case = corpus / "conformance" / "cases" / name
    if not case.is_dir():
        pytest.skip(f"conformance case {name} not in the corpus")
    bundle = Bundle.from_json((case / "bundle.sigstore.json").read_bytes())
    root = TrustedRoot.from_json((case / "trusted_root.json").read_bytes())
    (response,) = bundle.material.rfc3161_timestamps
    return response, _signed_bytes(bundle), root


def _signed_bytes(bundle: Bundle) -> bytes:
    if bundle.message_signature is not None:
        return bundle.message_signature.signature
    assert bundle.dsse_envelope is not None
    return bundle.dsse_envelope.signatures[0].sig


@pytest.mark.parametrize("name", PASSING)
def test_corpus_timestamp_verifies(corpus: Path, name: str) -> None:
    response, signature, root = _case(corpus, name)
    result = verify_timestamp(response, signature, root.timestamp_authorities)
    assert result.authority in root.timestamp_authorities
    assert result.policy == "1.3.6.1.4.1.57264.2"
    if name == "trust-root-tsa-validity-end-inclusive":
        assert (
            result.time
            == result.authority.validity.end
            == datetime(2025, 6, 12, 12, 2, 20, tzinfo=UTC)
        )


@pytest.mark.parametrize("name", sorted(FAILING))
def test_corpus_timestamp_rejected_for_its_reason(corpus: Path, name: str) -> None:
    response, signature, root = _case(corpus, name)
    with pytest.raises(TimestampError, match=FAILING[name]):
        verify_timestamp(response, signature, root.timestamp_authorities)


@pytest.mark.parametrize("name", PASSING + sorted(FAILING))
def test_corpus_imprint_is_over_the_signature(corpus: Path, name: str) -> None:
    response, _, root = _case(corpus, name)
    with pytest.raises(TimestampError, match="messageImprint: expected sha256"):
        verify_timestamp(response, b"some other signature", root.timestamp_authorities)


def test_corpus_production_tsa_on_a_cpython_release(corpus: Path) -> None:
    path = corpus / "cpython" / "bundles" / "Python-3.10.20.tar.xz.sigstore"
    if not path.is_file():
        pytest.skip("Python-3.10.20 bundle not in the corpus")
    bundle = Bundle.from_json(path.read_bytes())
    root = TrustedRoot.from_json(
        (corpus / "trust" / "production" / "trusted_root.json").read_bytes()
    )
    (response,) = bundle.material.rfc3161_timestamps
    result = verify_timestamp(response, _signed_bytes(bundle), root.timestamp_authorities)
    assert result.time == datetime(2026, 3, 3, 1, 10, 3, tzinfo=UTC)


def test_corpus_sigstore_python_tsa_with_intermediate(corpus: Path) -> None:
    """sigstore-python's test TSA (3-certificate chain) with its ca.json as the only TSA."""
    folder = corpus / "sigstore-python" / "tsa"
    if not folder.is_dir():
        pytest.skip("sigstore-python TSA assets not in the corpus")
    bundle = Bundle.from_json((folder / "bundle.txt.sigstore").read_bytes())
    root = TrustedRoot.from_json(
        json.dumps(
            {
                "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
                "timestampAuthorities": [json.loads((folder / "ca.json").read_text())],
            }
        ).encode()
    )
    good, junk = bundle.material.rfc3161_timestamps
    result = verify_timestamp(good, _signed_bytes(bundle), root.timestamp_authorities)
    assert result.time == datetime(2024, 10, 31, 10, 23, 39, tzinfo=UTC)
    with pytest.raises(TimestampError, match=r"messageImprint: expected sha512"):
        verify_timestamp(junk, _signed_bytes(bundle), root.timestamp_authorities)


ORACLE_CANNOT_PARSE = {
    "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail": "InvalidSetOrdering"
}


@pytest.mark.parametrize("name", PASSING + sorted(FAILING))
def test_corpus_fields_agree_with_oracle(corpus: Path, name: str) -> None:
    rfc3161 = pytest.importorskip("rfc3161_client")
    response, _, _ = _case(corpus, name)
    ours = tsp.parse_response(response)
    if name in ORACLE_CANNOT_PARSE:
        # FreeTSA's certificate SET is not in DER order; rfc3161-client refuses it, we
        # read it (the signature does not cover that set) and reject the TSA as untrusted.
        with pytest.raises(ValueError, match=ORACLE_CANNOT_PARSE[name]):
            rfc3161.decode_timestamp_response(response)
        return
    theirs = rfc3161.decode_timestamp_response(response)
    assert ours.gen_time == theirs.tst_info.gen_time.replace(tzinfo=UTC)
    assert ours.serial == theirs.tst_info.serial_number
    assert ours.policy == theirs.tst_info.policy.dotted_string
    assert ours.imprint == theirs.tst_info.message_imprint.message
    assert {base64.b64encode(c.public_bytes(Encoding.DER)) for c in ours.certificates} == {
        base64.b64encode(raw) for raw in theirs.signed_data.certificates
    }

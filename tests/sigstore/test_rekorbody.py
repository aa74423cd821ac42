"""Body consistency (CVE-2022-36056 family): logged bodies built in the test."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import NameOID
from hypothesis import given
from hypothesis import strategies as st

from srcverify.errors import TransparencyLogError
from srcverify.sigstore.bundle import TlogEntry
from srcverify.sigstore.dsse import DsseEnvelope, DsseSignature
from srcverify.sigstore.rekorbody import SUPPORTED_KINDS, check_body

SIGNER = ec.derive_private_key(0xC0FFEE, ec.SECP256R1())
OTHER = ec.derive_private_key(0xBEEF, ec.SECP256R1())
DIGEST = hashlib.sha256(b"artifact").digest()
SIGNATURE = b"0E\x02 signature bytes"
ENVELOPE = DsseEnvelope(
    payload=b'{"_type":"https://in-toto.io/Statement/v1"}',
    payload_type="application/vnd.in-toto+json",
    signatures=(DsseSignature(sig=SIGNATURE, keyid=""),),
)


def _certificate(key: ec.EllipticCurvePrivateKey, serial: int) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "srcverify test signer")])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(datetime(2024, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2024, 1, 1, 0, 10, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )


CERT = _certificate(SIGNER, 1)
OTHER_CERT = _certificate(OTHER, 2)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _pem(value: x509.Certificate | ec.EllipticCurvePublicKey) -> str:
    if isinstance(value, x509.Certificate):
        return _b64(value.public_bytes(Encoding.PEM))
    return _b64(value.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))


def _entry(kind: str, version: str, spec: Any, **body_changes: Any) -> TlogEntry:
    body = {"apiVersion": version, "kind": kind, "spec": spec, **body_changes}
    return TlogEntry(
        log_index=1,
        log_id=b"\0" * 32,
        kind=kind,
        version=version,
        integrated_time=None,
        signed_entry_timestamp=None,
        inclusion_proof=None,
        canonicalized_body=json.dumps(body).encode(),
    )


def _hashedrekord_v1(
    digest: bytes = DIGEST, signature: bytes = SIGNATURE, verifier: str | None = None
) -> TlogEntry:
    spec = {
        "data": {"hash": {"algorithm": "sha256", "value": digest.hex()}},
        "signature": {"content": _b64(signature), "publicKey": {"content": verifier or _pem(CERT)}},
    }
    return _entry("hashedrekord", "0.0.1", spec)


def _hashedrekord_v2(
    digest: bytes = DIGEST, signature: bytes = SIGNATURE, verifier: Any = None
) -> TlogEntry:
    verifier = verifier or {"x509Certificate": {"rawBytes": _b64(CERT.public_bytes(Encoding.DER))}}
    spec = {
        "hashedRekordV002": {
            "data": {"algorithm": "SHA2_256", "digest": _b64(digest)},
            "signature": {"content": _b64(signature), "verifier": verifier},
        }
    }
    return _entry("hashedrekord", "0.0.2", spec)


def _dsse_v1(
    signatures: list[tuple[bytes, str]] | None = None, payload: bytes = ENVELOPE.payload
) -> TlogEntry:
    spec = {
        "envelopeHash": {"algorithm": "sha256", "value": "00" * 32},
        "payloadHash": {"algorithm": "sha256", "value": hashlib.sha256(payload).hexdigest()},
        "signatures": [
            {"signature": _b64(sig), "verifier": verifier}
            for sig, verifier in (signatures or [(SIGNATURE, _pem(CERT))])
        ],
    }
    return _entry("dsse", "0.0.1", spec)


def _intoto_v2(
    sig_field: str | None = None, payload: bytes = ENVELOPE.payload, include_payload: bool = True
) -> TlogEntry:
    envelope: dict[str, Any] = {
        "payloadType": ENVELOPE.payload_type,
        "signatures": [
            {"sig": sig_field or _b64(_b64(SIGNATURE).encode()), "publicKey": _pem(CERT)}
        ],
    }
    if include_payload:
        envelope["payload"] = _b64(_b64(payload).encode())
    spec = {
        "content": {
            "envelope": envelope,
            "hash": {"algorithm": "sha256", "value": "00" * 32},
            "payloadHash": {"algorithm": "sha256", "value": hashlib.sha256(payload).hexdigest()},
        }
    }
    return _entry("intoto", "0.0.2", spec)


def _check(
    entry: TlogEntry,
    *,
    envelope: DsseEnvelope | None = None,
    certificate: x509.Certificate | None = CERT,
    public_key: Any = None,
    digest: bytes | None = DIGEST,
) -> None:
    check_body(
        entry,
        signature=SIGNATURE,
        digest=None if digest is None else ("sha256", digest),
        certificate=certificate,
        public_key=public_key,
        envelope=envelope,
    )


# --- matching bodies pass -------------------------------------------------------------


def test_matching_bodies_of_every_supported_kind_pass() -> None:
    pae_digest = hashlib.sha256(ENVELOPE.pae()).digest()
    _check(_hashedrekord_v1())
    _check(_hashedrekord_v2())
    _check(_hashedrekord_v2(digest=pae_digest), envelope=ENVELOPE, digest=None)
    _check(_dsse_v1(), envelope=ENVELOPE)
    _check(_intoto_v2(), envelope=ENVELOPE)
    _check(_intoto_v2(include_payload=False), envelope=ENVELOPE)
    dsse_v2 = {
        "dsseV002": {
            "payloadHash": {
                "algorithm": "SHA2_256",
                "digest": _b64(hashlib.sha256(ENVELOPE.payload).digest()),
            },
            "signatures": [
                {
                    "content": _b64(SIGNATURE),
                    "verifier": {
                        "x509Certificate": {"rawBytes": _b64(CERT.public_bytes(Encoding.DER))}
                    },
                }
            ],
        }
    }
    _check(_entry("dsse", "0.0.2", dsse_v2), envelope=ENVELOPE)
    assert len(SUPPORTED_KINDS) == 5


def test_managed_key_bodies_compare_the_key() -> None:
    key = SIGNER.public_key()
    _check(_hashedrekord_v1(verifier=_pem(key)), certificate=None, public_key=key)
    spki = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    v2 = _hashedrekord_v2(verifier={"publicKey": {"rawBytes": _b64(spki)}})
    _check(v2, certificate=None, public_key=key)


# --- each difference is named -----------------------------------------------------------


def test_cve_2022_36056_other_digest_is_rejected() -> None:
    other = hashlib.sha256(b"other").digest()
    with pytest.raises(TransparencyLogError) as info:
        _check(_hashedrekord_v1(digest=other))
    assert str(info.value) == (
        f"tlog: log entry digest differs: bundle has {DIGEST.hex()}, log has {other.hex()}"
    )
    with pytest.raises(TransparencyLogError, match=r"log entry digest differs"):
        _check(_hashedrekord_v2(digest=other))


def test_other_signature_is_rejected() -> None:
    for entry in (_hashedrekord_v1(signature=b"other"), _hashedrekord_v2(signature=b"other")):
        with pytest.raises(
            TransparencyLogError, match=r"log entry signature differs: bundle has MEUC.*log has b3"
        ):
            _check(entry)


def test_other_certificate_or_key_is_rejected() -> None:
    with pytest.raises(TransparencyLogError, match=r"verifier differs: bundle has certificate"):
        _check(_hashedrekord_v1(verifier=_pem(OTHER_CERT)))
    with pytest.raises(TransparencyLogError, match=r"log has public key"):
        _check(_hashedrekord_v1(verifier=_pem(SIGNER.public_key())))
    with pytest.raises(TransparencyLogError, match=r"bundle has public key .* log has public"):
        _check(
            _hashedrekord_v1(verifier=_pem(OTHER.public_key())),
            certificate=None,
            public_key=SIGNER.public_key(),
        )
    other_der = {"x509Certificate": {"rawBytes": _b64(OTHER_CERT.public_bytes(Encoding.DER))}}
    with pytest.raises(TransparencyLogError, match=r"verifier differs"):
        _check(_hashedrekord_v2(verifier=other_der))


def test_dsse_rekor_v2_envelope_not_the_logged_one() -> None:
    # rekor2-dsse-mismatch-envelope: the digest is over another envelope's PAE.
    other = DsseEnvelope(b"{}", ENVELOPE.payload_type, ENVELOPE.signatures)
    entry = _hashedrekord_v2(digest=hashlib.sha256(other.pae()).digest())
    with pytest.raises(TransparencyLogError, match=r"log entry digest differs"):
        _check(entry, envelope=ENVELOPE)


def test_dsse_payload_and_signatures_differences() -> None:
    with pytest.raises(TransparencyLogError, match=r"log entry payload digest differs"):
        _check(_dsse_v1(payload=b"other"), envelope=ENVELOPE)
    with pytest.raises(TransparencyLogError, match=r"log entry DSSE signatures differs"):
        _check(_dsse_v1([(b"other", _pem(CERT))]), envelope=ENVELOPE)
    with pytest.raises(TransparencyLogError, match=r"verifier differs"):
        _check(_dsse_v1([(SIGNATURE, _pem(OTHER_CERT))]), envelope=ENVELOPE)
    with pytest.raises(TransparencyLogError, match=r"has no DSSE"):
        _check(_dsse_v1())


def test_intoto_double_base64_differences() -> None:
    with pytest.raises(TransparencyLogError, match=r"log entry DSSE payload digest differs"):
        _check(_intoto_v2(payload=b"other"), envelope=ENVELOPE)
    # A signature stored single-encoded (conformance intoto-log-entry-mismatch).
    with pytest.raises(TransparencyLogError, match=r"is not the envelope's signature"):
        _check(_intoto_v2(sig_field=_b64(b"\x30\x45\x02\x20other")), envelope=ENVELOPE)
    with pytest.raises(TransparencyLogError, match=r"log entry DSSE signatures differs"):
        _check(_intoto_v2(sig_field=_b64(_b64(b"other").encode())), envelope=ENVELOPE)


def test_signature_not_in_envelope_is_rejected() -> None:
    envelope = DsseEnvelope(ENVELOPE.payload, ENVELOPE.payload_type, (DsseSignature(b"x", ""),))
    with pytest.raises(TransparencyLogError, match=r"is not in the envelope"):
        _check(_dsse_v1([(b"x", _pem(CERT))]), envelope=envelope)


def test_wrong_hash_algorithm_is_rejected() -> None:
    # The digest the bundle signed is SHA-256; a log naming another algorithm logged something else.
    entry = _hashedrekord_v1()
    body = json.loads(entry.canonicalized_body)
    body["spec"]["data"]["hash"]["algorithm"] = "sha512"
    changed = _entry("hashedrekord", "0.0.1", body["spec"])
    with pytest.raises(TransparencyLogError, match=r"hash algorithm differs: bundle has 'sha256'"):
        _check(changed)


def test_unsupported_kind_and_kind_mismatch() -> None:
    with pytest.raises(TransparencyLogError, match=r"unsupported entry kind rekord version 0.0.1"):
        _check(_entry("rekord", "0.0.1", {}))
    entry = _hashedrekord_v1()
    mislabelled = TlogEntry(**{**entry.__dict__, "version": "0.0.2"})
    with pytest.raises(TransparencyLogError, match=r"body is hashedrekord 0.0.1, but the bundle"):
        _check(mislabelled)


def test_missing_inputs_are_errors() -> None:
    with pytest.raises(TransparencyLogError, match=r"no certificate or public key"):
        _check(_hashedrekord_v1(), certificate=None)
    with pytest.raises(TransparencyLogError, match=r"no artifact digest"):
        _check(_hashedrekord_v1(), digest=None)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "log entry body is not JSON"),
        (b"\xff", "log entry body is not JSON"),
        (b"[]", "log entry body has no kind"),
        (b'{"kind":"hashedrekord","apiVersion":1}', "apiVersion is not a string"),
        (b'{"kind":"hashedrekord","apiVersion":"0.0.1"}', "log entry body has no spec"),
        (
            b'{"kind":"hashedrekord","apiVersion":"0.0.1","spec":{"data":[]}}',
            "has no data.hash.algorithm",
        ),
    ],
)
def test_malformed_bodies_are_our_error(body: bytes, reason: str) -> None:
    entry = TlogEntry(1, b"", "hashedrekord", "0.0.1", None, None, None, body)
    with pytest.raises(TransparencyLogError, match=reason):
        _check(entry)


def test_malformed_fields_are_our_error() -> None:
    spec = json.loads(_hashedrekord_v1().canonicalized_body)["spec"]
    spec["data"]["hash"]["value"] = "zz"
    with pytest.raises(TransparencyLogError, match=r"data.hash.value 'zz' is not hex"):
        _check(_entry("hashedrekord", "0.0.1", spec))
    with pytest.raises(TransparencyLogError, match=r"signature.publicKey.content is not base64"):
        _check(_hashedrekord_v1(verifier="!!"))
    with pytest.raises(TransparencyLogError, match=r"neither a PEM certificate nor a PEM"):
        _check(_hashedrekord_v1(verifier=_b64(b"-----BEGIN CERTIFICATE-----\nAAAA\n")))
    with pytest.raises(TransparencyLogError, match=r"neither a DER certificate nor a DER"):
        _check(_hashedrekord_v2(verifier={"publicKey": {"rawBytes": _b64(b"junk")}}))


# --- property tests -------------------------------------------------------------------

_KEYS = [
    "data",
    "hash",
    "algorithm",
    "value",
    "signature",
    "content",
    "publicKey",
    "hashedRekordV002",
    "digest",
    "verifier",
    "x509Certificate",
    "rawBytes",
    "envelope",
    "payloadHash",
    "signatures",
    "payloadType",
    "sig",
    "dsseV002",
    "spec",
]


@given(
    kind=st.sampled_from(sorted(SUPPORTED_KINDS)),
    spec=st.recursive(
        st.text(max_size=12) | st.integers() | st.none(),
        lambda inner: (
            st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4)
        ),
        max_leaves=20,
    ),
)
def test_property_random_bodies_give_our_error_never_a_traceback(
    kind: tuple[str, str], spec: Any
) -> None:
    try:
        _check(_entry(kind[0], kind[1], spec), envelope=ENVELOPE)
    except TransparencyLogError:
        return
    raise AssertionError(f"random body accepted: {spec!r}")


@given(st.binary(max_size=200))
def test_property_random_body_bytes_give_our_error(body: bytes) -> None:
    entry = TlogEntry(1, b"", "hashedrekord", "0.0.1", None, None, None, body)
    with pytest.raises(TransparencyLogError):
        _check(entry)


def test_deeply_nested_body_is_our_error() -> None:
    entry = TlogEntry(
        log_index=1,
        log_id=b"\0" * 32,
        kind="hashedrekord",
        version="0.0.1",
        integrated_time=None,
        signed_entry_timestamp=None,
        inclusion_proof=None,
        canonicalized_body=b"[" * 100_000,
    )
    with pytest.raises(TransparencyLogError, match="body is not JSON"):
        _check(entry)


def test_logged_certificate_with_an_impossible_version_is_our_error() -> None:
    """A bit flip in the logged PEM's version field made cryptography raise InvalidVersion
    (found by test_verify_properties' bit flips): a rejection, not a crash."""
    der = CERT.public_bytes(Encoding.DER)
    assert der.count(b"\xa0\x03\x02\x01\x02") == 1  # [0] EXPLICIT INTEGER 2 (v3)
    bad = der.replace(b"\xa0\x03\x02\x01\x02", b"\xa0\x03\x02\x01\x06")
    pem = (
        b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(bad) + b"-----END CERTIFICATE-----\n"
    )
    with pytest.raises(
        TransparencyLogError, match="neither a PEM certificate nor a PEM public key"
    ):
        _check(_hashedrekord_v1(verifier=base64.b64encode(pem).decode()))

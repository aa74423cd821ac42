"""Bundle parsing: versions, shapes, and every malformed input as our error."""

from __future__ import annotations

import base64
import contextlib
import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srcverify.errors import BundleFormatError
from srcverify.sigstore.bundle import Bundle
from tests.conftest import CORPUS

V03 = "application/vnd.dev.sigstore.bundle.v0.3+json"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _cert_der() -> bytes:
    """A small self-made certificate: the parser only decodes it."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.derive_private_key(1234567, ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bundle-test")])
    start = datetime(2025, 1, 1, tzinfo=UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(minutes=10))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


CERT = _b64(_cert_der())


def _entry(**overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "logIndex": "12",
        "logId": {"keyId": _b64(b"\x01" * 32)},
        "kindVersion": {"kind": "hashedrekord", "version": "0.0.1"},
        "integratedTime": "1700000000",
        "inclusionPromise": {"signedEntryTimestamp": _b64(b"set")},
        "inclusionProof": {
            "logIndex": "12",
            "rootHash": _b64(b"\x02" * 32),
            "treeSize": "13",
            "hashes": [_b64(b"\x03" * 32)],
            "checkpoint": {"envelope": "origin\n13\nroot\n\n— origin sig\n"},
        },
        "canonicalizedBody": _b64(b"{}"),
    }
    entry.update(overrides)
    return entry


def _bundle(media_type: str = V03, **material: Any) -> dict[str, Any]:
    verification = {"certificate": {"rawBytes": CERT}, "tlogEntries": [_entry()]}
    verification.update(material)
    return {
        "mediaType": media_type,
        "verificationMaterial": verification,
        "messageSignature": {
            "messageDigest": {"algorithm": "SHA2_256", "digest": _b64(b"\x04" * 32)},
            "signature": _b64(b"sig"),
        },
    }


def _parse(doc: Any) -> Bundle:
    return Bundle.from_json(json.dumps(doc).encode())


@pytest.mark.parametrize(
    ("media_type", "version"),
    [
        ("application/vnd.dev.sigstore.bundle+json;version=0.3", "0.3"),
        ("application/vnd.dev.sigstore.bundle.v0.3+json", "0.3"),
    ],
)
def test_both_v03_spellings(media_type: str, version: str) -> None:
    bundle = _parse(_bundle(media_type))
    assert bundle.version == version
    assert bundle.material.leaf is not None
    assert bundle.message_signature is not None
    assert bundle.message_signature.digest == b"\x04" * 32


def test_v01_chain_and_promise_only() -> None:
    entry = _entry()
    del entry["inclusionProof"]
    doc = _bundle(
        "application/vnd.dev.sigstore.bundle+json;version=0.1",
        tlogEntries=[entry],
        x509CertificateChain={"certificates": [{"rawBytes": CERT}]},
    )
    del doc["verificationMaterial"]["certificate"]
    bundle = _parse(doc)
    assert bundle.version == "0.1"
    assert bundle.material.tlog_entries[0].inclusion_proof is None
    assert bundle.material.tlog_entries[0].signed_entry_timestamp == b"set"
    assert bundle.material.tlog_entries[0].integrated_time == 1700000000


def test_managed_key_bundle_has_no_leaf() -> None:
    doc = _bundle(publicKey={"hint": "abc"})
    del doc["verificationMaterial"]["certificate"]
    bundle = _parse(doc)
    assert bundle.material.leaf is None
    assert bundle.material.public_key_hint == "abc"


def test_dsse_bundle() -> None:
    doc = _bundle()
    del doc["messageSignature"]
    doc["dsseEnvelope"] = {
        "payload": _b64(b"{}"),
        "payloadType": "application/vnd.in-toto+json",
        "signatures": [{"sig": _b64(b"s"), "keyid": ""}],
    }
    bundle = _parse(doc)
    assert bundle.dsse_envelope is not None
    assert bundle.dsse_envelope.pae() == b"DSSEv1 28 application/vnd.in-toto+json 2 {}"


def _without(doc: dict[str, Any], *path: str) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    target = doc
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return doc


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: {**d, "mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.4"},
            "unsupported bundle media type",
        ),
        (lambda d: {**d, "extra": 1}, "unknown field 'extra'"),
        (lambda d: _without(d, "verificationMaterial"), "verificationMaterial: missing"),
        (
            lambda d: {**d, "dsseEnvelope": {"payload": "", "payloadType": "x", "signatures": []}},
            "exactly one of messageSignature and dsseEnvelope",
        ),
        (
            lambda d: _without(d, "messageSignature"),
            "exactly one of messageSignature and dsseEnvelope",
        ),
        (
            lambda d: {**d, "messageSignature": {"signature": "not base64!"}},
            "messageSignature.signature: not valid base64",
        ),
        (lambda d: _bundle(tlogEntries=[_entry(logIndex="-3")]), "logIndex: -3 is negative"),
        (lambda d: _bundle(tlogEntries=[_entry(logIndex=True)]), "expected an integer"),
        (
            lambda d: _bundle(tlogEntries=[_entry(inclusionProof=None)]),
            "requires an inclusion proof with a checkpoint",
        ),
        (
            lambda d: _bundle(certificate={"rawBytes": _b64(b"not a certificate")}),
            "not a usable DER X.509 certificate",
        ),
        (
            lambda d: _bundle(publicKey={"hint": "k"}),
            "expected exactly one of publicKey, x509CertificateChain, certificate",
        ),
        (
            lambda d: _bundle(
                x509CertificateChain={"certificates": [{"rawBytes": CERT}]}, certificate=None
            ),
            "a v0.3 bundle must carry a single certificate",
        ),
    ],
)
def test_malformed_bundles_are_rejected_with_the_field(mutate: Any, message: str) -> None:
    with pytest.raises(BundleFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _parse(mutate(_bundle()))


def test_v02_may_not_use_single_certificate() -> None:
    with pytest.raises(BundleFormatError, match=r"not allowed in a v0\.2 bundle"):
        _parse(_bundle("application/vnd.dev.sigstore.bundle+json;version=0.2"))


def test_v01_requires_promise() -> None:
    entry = _entry()
    del entry["inclusionPromise"]
    doc = _bundle(
        "application/vnd.dev.sigstore.bundle+json;version=0.1",
        tlogEntries=[entry],
        x509CertificateChain={"certificates": [{"rawBytes": CERT}]},
        certificate=None,
    )
    with pytest.raises(BundleFormatError, match="requires an inclusion promise"):
        _parse(doc)


def test_not_json() -> None:
    with pytest.raises(BundleFormatError, match="not valid JSON"):
        Bundle.from_json(b"\xff\xfe{")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_escape_as_tracebacks(data: bytes) -> None:
    with pytest.raises(BundleFormatError):
        Bundle.from_json(data)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_bundles_give_our_error_or_parse(data: st.DataObject) -> None:
    """Replace one value anywhere in a valid bundle: parse or BundleFormatError, nothing else."""
    doc = _bundle()
    paths: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            paths.append((node, key))
            if isinstance(value, (dict, list)):
                walk(value)

    walk(doc)
    parent, key = data.draw(st.sampled_from(paths))
    parent[key] = data.draw(JSON_VALUES)
    with contextlib.suppress(BundleFormatError):
        _parse(doc)


def test_every_corpus_cpython_bundle_parses() -> None:
    bundles = sorted((CORPUS / "cpython" / "bundles").glob("*.sigstore"))
    if not bundles:
        pytest.skip(f"corpus absent: {CORPUS}")
    versions = {}
    for path in bundles:
        bundle = Bundle.from_json(path.read_bytes())
        versions[bundle.version] = versions.get(bundle.version, 0) + 1
    assert versions == {"0.1": 26, "0.2": 10, "0.3": 50}  # as the corpus README counts them


def test_deeply_nested_json_is_our_error() -> None:
    # json.loads raises RecursionError (not ValueError) on deep nesting.
    with pytest.raises(BundleFormatError, match="not valid JSON"):
        Bundle.from_json(b"[" * 100_000)


def test_a_bundle_without_log_entries_parses() -> None:
    """Refusing it is the orchestrator's step 3 (timestamp-only evidence is an opt-in there)."""
    bundle = Bundle.from_json(json.dumps(_bundle(tlogEntries=[])).encode())
    assert bundle.material.tlog_entries == ()

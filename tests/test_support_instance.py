"""Self-tests of the test Sigstore instance (``tests/support``).

The material it produces must be genuinely valid, or every verifier test
built on it proves nothing. Two independent checks:

* sigstore-python 4.5.1 (test-only oracle) must accept the valid bundles and
  reject the tampered ones, for the reason the tamper function targets;
* the SCT, SET, checkpoint and witness signatures are re-verified here with
  ``cryptography`` directly, from the trusted_root dict, without the support
  code's own signing helpers; entry bodies are compared with real Rekor
  bodies from the shared corpus.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from collections.abc import Callable
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.certificate_transparency import LogEntryType
from cryptography.x509.oid import ExtendedKeyUsageOID

from tests.support import merkle, tamper
from tests.support.instance import (
    GITHUB_ISSUER,
    MEDIA_TYPES,
    SignedBundle,
    TestInstance,
    pae,
)
from tests.support.keys import DETERMINISTIC_ECDSA
from tests.support.pki import CLAIM_OIDS, LEGACY_CLAIM_OIDS, github_claims
from tests.support.rekor import canonical_json

ARTIFACT = b"Python-3.99.0.tar.xz contents\n"


@pytest.fixture(scope="module")
def inst() -> TestInstance:
    return TestInstance()


@pytest.fixture(scope="module")
def tsa_inst(inst: TestInstance) -> TestInstance:
    if inst.tsa is None:
        pytest.skip(f"no test TSA: {inst.tsa_unavailable}")
    return inst


# --- independent verification helpers (cryptography only) ----------------------------


def _root_keys(root: dict[str, Any], section: str) -> dict[bytes, Any]:
    return {
        base64.b64decode(item["logId"]["keyId"]): serialization.load_der_public_key(
            base64.b64decode(item["publicKey"]["rawBytes"])
        )
        for item in root[section]
    }


def _entry(sb: SignedBundle) -> dict[str, Any]:
    return sb.tlog_entry


def _verify_set(sb: SignedBundle) -> None:
    e = _entry(sb)
    log_id = base64.b64decode(e["logId"]["keyId"])
    key = _root_keys(sb.trusted_root, "tlogs")[log_id]
    payload = json.dumps(
        {
            "body": e["canonicalizedBody"],
            "integratedTime": int(e["integratedTime"]),
            "logID": log_id.hex(),
            "logIndex": int(e["logIndex"]),
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    sig = base64.b64decode(e["inclusionPromise"]["signedEntryTimestamp"])
    key.verify(sig, payload, ec.ECDSA(hashes.SHA256()))


def _parse_note(envelope: str) -> tuple[str, list[tuple[str, bytes]]]:
    text, sigs = envelope.split("\n\n", 1)
    lines = []
    for line in sigs.splitlines():
        assert line.startswith("\u2014 "), line
        name, b64sig = line[2:].split(" ")
        lines.append((name, base64.b64decode(b64sig)))
    return text + "\n", lines


def _verify_checkpoint(sb: SignedBundle) -> list[str]:
    """Verify the log's signature; return the checkpoint's text lines."""
    e = _entry(sb)
    log_id = base64.b64decode(e["logId"]["keyId"])
    key = _root_keys(sb.trusted_root, "tlogs")[log_id]
    text, sigs = _parse_note(e["inclusionProof"]["checkpoint"]["envelope"])
    matching = [raw for _, raw in sigs if raw[:4] == log_id[:4]]
    assert len(matching) == 1
    if isinstance(key, ed25519.Ed25519PublicKey):
        key.verify(matching[0][4:], text.encode())
    else:
        key.verify(matching[0][4:], text.encode(), ec.ECDSA(hashes.SHA256()))
    return text.splitlines()


def _verify_sct(cert: x509.Certificate, issuer: x509.Certificate, root: dict[str, Any]) -> None:
    scts = cert.extensions.get_extension_for_class(
        x509.PrecertificateSignedCertificateTimestamps
    ).value
    assert len(scts) == 1
    sct = scts[0]
    assert sct.entry_type == LogEntryType.PRE_CERTIFICATE
    key = _root_keys(root, "ctlogs")[sct.log_id]
    issuer_hash = hashlib.sha256(
        issuer.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    ).digest()
    tbs = cert.tbs_precertificate_bytes
    millis = int(sct.timestamp.replace(tzinfo=UTC).timestamp() * 1000)
    ext = sct.extension_bytes
    signed = (
        struct.pack(">BBQH", 0, 0, millis, 1)
        + issuer_hash
        + len(tbs).to_bytes(3, "big")
        + tbs
        + struct.pack(">H", len(ext))
        + ext
    )
    assert isinstance(sct.signature_hash_algorithm, hashes.SHA256)
    key.verify(sct.signature, signed, ec.ECDSA(hashes.SHA256()))


def _verify_proof(sb: SignedBundle) -> bytes:
    e = _entry(sb)
    proof = e["inclusionProof"]
    root = merkle.root_from_proof(
        int(proof["logIndex"]),
        int(proof["treeSize"]),
        base64.b64decode(e["canonicalizedBody"]),
        [base64.b64decode(h) for h in proof["hashes"]],
    )
    assert root == base64.b64decode(proof["rootHash"])
    return root


# --- determinism and trust root ---------------------------------------------------------


@pytest.mark.skipif(
    not DETERMINISTIC_ECDSA, reason="this cryptography has no deterministic ECDSA (< 44)"
)
def test_same_calls_give_byte_identical_material() -> None:
    a, b = TestInstance(), TestInstance()
    assert json.dumps(a.trusted_root()) == json.dumps(b.trusted_root())
    for kwargs in ({}, {"dsse": True}, {"media_type": "v0.1", "log": "v1"}):
        assert (
            a.sign_artifact(ARTIFACT, **kwargs).to_json()
            == b.sign_artifact(ARTIFACT, **kwargs).to_json()
        )


def test_another_instance_name_has_unrelated_keys() -> None:
    a, b = TestInstance(), TestInstance("elsewhere")
    ra, rb = a.trusted_root(), b.trusted_root()
    assert ra["tlogs"][0]["logId"] != rb["tlogs"][0]["logId"]
    assert ra["certificateAuthorities"][0] != rb["certificateAuthorities"][0]


def test_trusted_root_shape(inst: TestInstance) -> None:
    root = inst.trusted_root()
    assert root["mediaType"] == "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
    v1, v2 = root["tlogs"]
    v1_der = base64.b64decode(v1["publicKey"]["rawBytes"])
    assert v1["publicKey"]["keyDetails"] == "PKIX_ECDSA_P256_SHA_256"
    assert base64.b64decode(v1["logId"]["keyId"]) == hashlib.sha256(v1_der).digest()
    assert v2["publicKey"]["keyDetails"] == "PKIX_ED25519"
    assert root["ctlogs"][0]["publicKey"]["keyDetails"] == "PKIX_ECDSA_P256_SHA_256"
    assert v1["publicKey"]["validFor"] == {"start": "2024-01-01T00:00:00Z"}
    chain = [
        x509.load_der_x509_certificate(base64.b64decode(c["rawBytes"]))
        for c in root["certificateAuthorities"][0]["certChain"]["certificates"]
    ]
    intermediate, ca_root = chain  # leaf-most first, like the production file
    assert intermediate.issuer == ca_root.subject == ca_root.issuer
    intermediate.verify_directly_issued_by(ca_root)
    ca_root.verify_directly_issued_by(ca_root)


def test_rekor_v2_log_id_is_the_signed_note_key_id(inst: TestInstance) -> None:
    v2 = inst.trusted_root()["tlogs"][1]
    key = serialization.load_der_public_key(base64.b64decode(v2["publicKey"]["rawBytes"]))
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    origin = v2["baseUrl"].removeprefix("https://")
    expected = hashlib.sha256(origin.encode() + b"\n\x01" + raw).digest()
    assert base64.b64decode(v2["logId"]["keyId"]) == expected


def test_validity_windows_are_configurable(inst: TestInstance) -> None:
    end = inst.now - timedelta(days=3)
    root = inst.trusted_root(ca_validity=(inst.now - timedelta(days=9), end), include_v2=False)
    assert root["certificateAuthorities"][0]["validFor"] == {
        "start": "2025-05-24T00:00:00Z",
        "end": "2025-05-30T00:00:00Z",
    }
    assert len(root["tlogs"]) == 1


def test_trusted_root_lists_the_test_tsa(tsa_inst: TestInstance) -> None:
    root = tsa_inst.trusted_root()
    (tsa,) = root["timestampAuthorities"]
    assert len(tsa["certChain"]["certificates"]) >= 2
    assert tsa_inst.trusted_root(include_tsa=False)["timestampAuthorities"] == []


# --- certificates -----------------------------------------------------------------------


def _ext(cert: x509.Certificate, dotted: str) -> bytes:
    value = cert.extensions.get_extension_for_oid(x509.ObjectIdentifier(dotted)).value
    assert isinstance(value, x509.UnrecognizedExtension)
    return value.value


def test_leaf_follows_the_fulcio_profile(inst: TestInstance) -> None:
    identity, claims = github_claims()
    sb = inst.sign_artifact(ARTIFACT, identity=identity, issuer=GITHUB_ISSUER, claims=claims)
    cert = sb.certificate
    assert cert is not None
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == timedelta(minutes=10)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CODE_SIGNING]
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert san.critical
    assert san.value.get_values_for_type(x509.UniformResourceIdentifier) == [identity]
    assert _ext(cert, "1.3.6.1.4.1.57264.1.1") == GITHUB_ISSUER.encode()
    issuer_v2 = _ext(cert, "1.3.6.1.4.1.57264.1.8")
    assert issuer_v2[0] == 0x0C and issuer_v2[2:] == GITHUB_ISSUER.encode()
    assert _ext(cert, LEGACY_CLAIM_OIDS["github_workflow_repository"]) == b"python/cpython"
    runner = _ext(cert, CLAIM_OIDS["runner_environment"])
    assert runner == b"\x0c\x0dgithub-hosted"
    assert _ext(cert, CLAIM_OIDS["source_repository_visibility_at_signing"])[2:] == b"public"
    cert.verify_directly_issued_by(inst.fulcio.intermediate)
    assert cert.public_key() == sb.signing_key.public_key()


def test_email_identity_and_sct_extension_is_last(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT, identity="hugo@python.test")
    cert = sb.certificate
    assert cert is not None
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.RFC822Name) == ["hugo@python.test"]
    assert list(cert.extensions)[-1].oid.dotted_string == "1.3.6.1.4.1.11129.2.4.2"


def test_embedded_sct_verifies_with_the_ct_log_key(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT)
    assert sb.certificate is not None
    _verify_sct(sb.certificate, inst.fulcio.intermediate, sb.trusted_root)


def test_sct_with_extensions_verifies(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT, sct_extensions=b"\x00\x00\x05hello")
    assert sb.certificate is not None
    _verify_sct(sb.certificate, inst.fulcio.intermediate, sb.trusted_root)


def test_bad_sct_fails_but_the_certificate_is_otherwise_valid(inst: TestInstance) -> None:
    sb = tamper.bad_sct(inst, inst.sign_artifact(ARTIFACT))
    assert sb.certificate is not None
    sb.certificate.verify_directly_issued_by(inst.fulcio.intermediate)
    with pytest.raises(InvalidSignature):
        _verify_sct(sb.certificate, inst.fulcio.intermediate, sb.trusted_root)


def test_sct_from_unknown_log_is_not_in_the_trust_root(inst: TestInstance) -> None:
    sb = tamper.sct_from_unknown_log(inst, inst.sign_artifact(ARTIFACT))
    assert sb.certificate is not None
    with pytest.raises(KeyError):
        _verify_sct(sb.certificate, inst.fulcio.intermediate, sb.trusted_root)


def test_untrusted_ca_leaf_does_not_chain_to_the_trusted_intermediate(inst: TestInstance) -> None:
    sb = tamper.leaf_from_untrusted_ca(inst, inst.sign_artifact(ARTIFACT))
    assert sb.certificate is not None
    assert sb.certificate.issuer == inst.fulcio.intermediate.subject  # same names ...
    with pytest.raises(InvalidSignature):  # ... other key
        sb.certificate.verify_directly_issued_by(inst.fulcio.intermediate)


# --- transparency logs ------------------------------------------------------------------


def test_rekor_v1_set_checkpoint_and_proof_verify(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT, media_type="v0.2")
    _verify_set(sb)
    root = _verify_proof(sb)
    origin, size, root_b64 = _verify_checkpoint(sb)
    e = _entry(sb)
    assert origin == f"{inst.rekor_v1.host} - {inst.rekor_v1.tree_id}"
    assert int(size) == int(e["inclusionProof"]["treeSize"])
    assert base64.b64decode(root_b64) == root
    # the global logIndex differs from the shard-local proof index, as on rekor.sigstore.dev
    assert int(e["logIndex"]) == int(e["inclusionProof"]["logIndex"]) + inst.rekor_v1.shard_offset
    # the entry is not the last leaf: the proof has siblings on both sides
    assert int(e["inclusionProof"]["logIndex"]) < int(e["inclusionProof"]["treeSize"]) - 1


def test_rekor_v2_checkpoint_and_proof_verify(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT, log="v2")
    e = _entry(sb)
    assert "integratedTime" not in e and "inclusionPromise" not in e
    assert e["kindVersion"] == {"kind": "hashedrekord", "version": "0.0.2"}
    root = _verify_proof(sb)
    origin, _, root_b64 = _verify_checkpoint(sb)
    assert origin == inst.rekor_v2.origin
    assert base64.b64decode(root_b64) == root


def test_witness_cosignature_verifies(inst: TestInstance) -> None:
    sb = tamper.checkpoint_with_witness(inst, inst.sign_artifact(ARTIFACT, log="v2"))
    text, sigs = _parse_note(_entry(sb)["inclusionProof"]["checkpoint"]["envelope"])
    (name, raw) = sigs[1]
    pub = inst.witness_key.public_key()
    raw_pub = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert raw[:4] == hashlib.sha256(name.encode() + b"\n\x04" + raw_pub).digest()[:4]
    (timestamp,) = struct.unpack(">Q", raw[4:12])
    pub.verify(raw[12:], f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode())
    _verify_checkpoint(sb)  # the log's own signature is still there and valid


@pytest.mark.parametrize("log", ["v1", "v2"])
def test_checkpoint_tampering_resigns_with_the_log_key(inst: TestInstance, log: str) -> None:
    sb = inst.sign_artifact(ARTIFACT, log=log, dsse=True)
    wrong_root = tamper.checkpoint_wrong_root_hash(inst, sb)
    lines = _verify_checkpoint(wrong_root)  # still validly signed ...
    assert base64.b64decode(lines[2]) != sb.entry.root_hash  # ... over another root
    assert len(_verify_checkpoint(tamper.checkpoint_missing_size(inst, sb))) == 2
    with pytest.raises(AssertionError):
        _verify_checkpoint(tamper.checkpoint_unknown_key(inst, sb))


def test_bad_set_is_the_only_defect(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT)
    _verify_set(sb)
    bad = tamper.bad_set(inst, sb)
    with pytest.raises(InvalidSignature):
        _verify_set(bad)
    _verify_proof(bad)
    _verify_checkpoint(bad)


def test_set_time_outside_cert_validity_has_a_valid_set(inst: TestInstance) -> None:
    sb = tamper.set_time_outside_cert_validity(inst, inst.sign_artifact(ARTIFACT))
    _verify_set(sb)
    assert sb.certificate is not None
    logged = int(_entry(sb)["integratedTime"])
    assert logged > sb.certificate.not_valid_after_utc.timestamp()


def test_corrupted_proof_hash_keeps_root_and_checkpoint(inst: TestInstance) -> None:
    sb = tamper.bad_inclusion_proof_hash(inst.sign_artifact(ARTIFACT))
    with pytest.raises(AssertionError):
        _verify_proof(sb)
    _verify_checkpoint(sb)


def test_cve_2022_36056_variant_logs_a_genuine_entry_for_another_artifact(
    inst: TestInstance,
) -> None:
    sb = tamper.entry_for_other_artifact(inst, inst.sign_artifact(ARTIFACT))
    _verify_set(sb)
    _verify_proof(sb)
    body = json.loads(base64.b64decode(_entry(sb)["canonicalizedBody"]))
    logged = body["spec"]["data"]["hash"]["value"]
    assert logged == hashlib.sha256(tamper.OTHER_ARTIFACT).hexdigest() != sb.digest.hex()


# --- merkle -----------------------------------------------------------------------------


def test_merkle_proofs_for_every_index_of_small_trees() -> None:
    for size in range(1, 34):
        leaves = [b"leaf %d" % i for i in range(size)]
        root = merkle.tree_root(leaves)
        for index in range(size):
            proof = merkle.inclusion_proof(index, leaves)
            assert merkle.root_from_proof(index, size, leaves[index], proof) == root
            if proof:
                with pytest.raises(ValueError):
                    merkle.root_from_proof(index, size, leaves[index], proof[:-1])


def test_merkle_root_of_three_leaves_by_hand() -> None:
    def h(data: bytes) -> bytes:
        return hashlib.sha256(data).digest()

    a, b, c = (h(b"\x00" + x) for x in (b"a", b"b", b"c"))
    assert merkle.tree_root([b"a", b"b", b"c"]) == h(b"\x01" + h(b"\x01" + a + b) + c)


# --- entry bodies against real Rekor bodies ----------------------------------------------

CORPUS_BODIES = {
    ("hashedrekord", "0.0.1"): "conformance/cases/happy-path-v0.3",
    ("hashedrekord", "0.0.2"): "conformance/cases/rekor2-happy-path",
    ("dsse", "0.0.1"): "conformance/cases/dsse-invalid-sig_fail",
    ("intoto", "0.0.2"): "conformance/cases/intoto-with-custom-trust-root",
}
BODY_OPTIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("hashedrekord", "0.0.1"): {},
    ("hashedrekord", "0.0.2"): {"log": "v2"},
    ("dsse", "0.0.1"): {"dsse": True},
    ("intoto", "0.0.2"): {"dsse": True, "dsse_entry": "intoto"},
}


def _shape(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _shape(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_shape(v) for v in obj[:1]]
    return type(obj).__name__


@pytest.mark.parametrize("kind_version", sorted(CORPUS_BODIES))
def test_entry_bodies_are_canonical_like_real_rekor_bodies(
    inst: TestInstance, corpus: Path, kind_version: tuple[str, str]
) -> None:
    real_bundle = json.loads(
        (corpus / CORPUS_BODIES[kind_version] / "bundle.sigstore.json").read_text()
    )
    real_raw = base64.b64decode(
        real_bundle["verificationMaterial"]["tlogEntries"][0]["canonicalizedBody"]
    )
    real = json.loads(real_raw)
    assert canonical_json(real) == real_raw  # our canonical form is Rekor's byte for byte
    sb = inst.sign_artifact(ARTIFACT, **BODY_OPTIONS[kind_version])
    assert _entry(sb)["kindVersion"] == {"kind": kind_version[0], "version": kind_version[1]}
    ours_raw = base64.b64decode(_entry(sb)["canonicalizedBody"])
    ours = json.loads(ours_raw)
    assert canonical_json(ours) == ours_raw
    assert _shape(ours) == _shape(real)


def test_rekor_v2_dsse_body_uses_the_pae_digest(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT, dsse=True, log="v2")
    assert sb.payload is not None
    body = json.loads(base64.b64decode(_entry(sb)["canonicalizedBody"]))
    digest = body["spec"]["hashedRekordV002"]["data"]["digest"]
    expected = hashlib.sha256(pae("application/vnd.in-toto+json", sb.payload)).digest()
    assert base64.b64decode(digest) == expected
    statement = json.loads(sb.payload)
    assert statement["subject"][0]["digest"]["sha256"] == sb.digest.hex()


def test_dsse_v002_body_shape(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT, dsse=True, log="v2", dsse_entry="dsse")
    body = json.loads(base64.b64decode(_entry(sb)["canonicalizedBody"]))
    assert body["kind"] == "dsse" and body["apiVersion"] == "0.0.2"
    spec = body["spec"]["dsseV002"]
    assert (
        base64.b64decode(spec["payloadHash"]["digest"])
        == hashlib.sha256(sb.payload or b"").digest()
    )
    assert base64.b64decode(spec["signatures"][0]["content"]) == sb.signature


def test_managed_key_bundle(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT, managed_key=True)
    vm = sb.bundle["verificationMaterial"]
    assert set(vm) == {"publicKey", "tlogEntries"}
    spki = serialization.load_pem_public_key(inst.managed_public_key_pem()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert base64.b64decode(vm["publicKey"]["hint"]) == hashlib.sha256(spki).digest()
    body = json.loads(base64.b64decode(_entry(sb)["canonicalizedBody"]))
    assert base64.b64decode(body["spec"]["signature"]["publicKey"]["content"]) == sb.public_key_pem
    key = serialization.load_pem_public_key(sb.public_key_pem)
    assert isinstance(key, ec.EllipticCurvePublicKey)
    key.verify(
        base64.b64decode(sb.bundle["messageSignature"]["signature"]),
        ARTIFACT,
        ec.ECDSA(hashes.SHA256()),
    )
    assert inst.managed_public_key_pem(other=True) != sb.public_key_pem
    _verify_set(sb)


def test_media_type_spellings_and_verification_material(inst: TestInstance) -> None:
    v01 = inst.sign_artifact(ARTIFACT, media_type="v0.1", inclusion_proof=False)
    assert v01.bundle["mediaType"] == MEDIA_TYPES["v0.1"]
    assert "inclusionProof" not in _entry(v01)
    _verify_set(v01)
    v02 = inst.sign_artifact(ARTIFACT, media_type="v0.2", chain="leaf+intermediate")
    assert len(v02.bundle["verificationMaterial"]["x509CertificateChain"]["certificates"]) == 2
    for spelling in ("v0.3", "v0.3-legacy"):
        v03 = inst.sign_artifact(ARTIFACT, media_type=spelling)
        assert v03.bundle["mediaType"] == MEDIA_TYPES[spelling]
        assert "certificate" in v03.bundle["verificationMaterial"]


def test_write_puts_everything_a_cli_test_needs_on_disk(inst: TestInstance, tmp_path: Path) -> None:
    paths = inst.sign_artifact(ARTIFACT).write(tmp_path, "a.tar.xz")
    assert paths["artifact"].read_bytes() == ARTIFACT
    assert json.loads(paths["bundle"].read_text())["mediaType"] == MEDIA_TYPES["v0.3"]
    assert json.loads(paths["trusted_root"].read_text())["tlogs"]
    assert paths["key"].read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")


def test_timestamp_without_tsa_fails_loudly() -> None:
    with pytest.raises(RuntimeError, match="needs a TSA"):
        TestInstance(tsa=False).sign_artifact(ARTIFACT, log="v2", timestamp=True)


# --- sigstore-python 4.5.1 as oracle ------------------------------------------------------


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> Callable[[SignedBundle], None]:
    models = pytest.importorskip("sigstore.models", reason="sigstore-python oracle not installed")
    verify = pytest.importorskip("sigstore.verify")
    policy = pytest.importorskip("sigstore.verify.policy")
    verifiers: dict[str, Any] = {}

    def check(sb: SignedBundle) -> None:
        text = sb.trusted_root_json()
        if text not in verifiers:
            path = tmp_path_factory.mktemp("root") / "trusted_root.json"
            path.write_text(text)
            verifiers[text] = verify.Verifier(trusted_root=models.TrustedRoot.from_file(str(path)))
        bundle = models.Bundle.from_json(sb.to_json())
        identity = policy.Identity(identity=sb.identity, issuer=sb.issuer)
        if sb.options.dsse:
            _, payload = verifiers[text].verify_dsse(bundle, identity)
            subjects = json.loads(payload)["subject"]
            digests = [s["digest"].get("sha256") for s in subjects]
            if sb.digest.hex() not in digests:  # what the sigstore CLI checks after verify_dsse
                raise ValueError(f"in-toto subject mismatch: {digests} vs {sb.digest.hex()}")
        else:
            verifiers[text].verify_artifact(sb.artifact, bundle, identity)

    return check


VALID_SHAPES = [
    pytest.param(
        media, log, dsse, ts, id=f"{media}-{log}-{'dsse' if dsse else 'msg'}{'-tsa' if ts else ''}"
    )
    for media in ("v0.2", "v0.3", "v0.3-legacy")
    for log, ts in (("v1", False), ("v1", True), ("v2", True))
    for dsse in (False, True)
]


@pytest.mark.parametrize(("media", "log", "dsse", "ts"), VALID_SHAPES)
def test_oracle_accepts_valid_bundles(
    inst: TestInstance,
    oracle: Callable[[SignedBundle], None],
    media: str,
    log: str,
    dsse: bool,
    ts: bool,
) -> None:
    if ts and inst.tsa is None:
        pytest.skip(f"no test TSA: {inst.tsa_unavailable}")
    oracle(inst.sign_artifact(ARTIFACT, media_type=media, log=log, dsse=dsse, timestamp=ts))


def test_oracle_accepts_v01_github_identity_and_chain(
    inst: TestInstance, oracle: Callable[[SignedBundle], None]
) -> None:
    identity, claims = github_claims()
    oracle(inst.sign_artifact(ARTIFACT, media_type="v0.1"))
    oracle(inst.sign_artifact(ARTIFACT, identity=identity, issuer=GITHUB_ISSUER, claims=claims))
    oracle(inst.sign_artifact(ARTIFACT, media_type="v0.2", chain="leaf+intermediate"))


@pytest.mark.parametrize(
    "variant",
    [tamper.checkpoint_with_witness, tamper.checkpoint_extra_signature_from_origin],
    ids=lambda f: f.__name__,
)
def test_oracle_accepts_tolerated_checkpoint_extras(
    inst: TestInstance, oracle: Callable[[SignedBundle], None], variant: Any
) -> None:
    oracle(variant(inst, inst.sign_artifact(ARTIFACT, media_type="v0.2")))


ORACLE_LIMITS = [
    ({"media_type": "v0.1", "inclusion_proof": False}, "inclusionProof"),
    ({"managed_key": True}, "expected certificate in bundle"),
    ({"dsse": True, "dsse_entry": "intoto"}, "Integrated time only supported"),
]


@pytest.mark.parametrize(
    ("options", "reason"), ORACLE_LIMITS, ids=["promise-only", "managed-key", "intoto"]
)
def test_shapes_sigstore_python_cannot_verify(
    inst: TestInstance, oracle: Callable[[SignedBundle], None], options: dict[str, Any], reason: str
) -> None:
    """Not an acceptance check: sigstore-python 4.5.1 rejects these valid shapes by design.

    Their signatures are checked directly above (test_managed_key_bundle,
    test_media_type_spellings..., the corpus body test for intoto).
    """
    with pytest.raises(Exception, match=reason):
        oracle(inst.sign_artifact(ARTIFACT, **options))


def _apply(fn: Callable[..., SignedBundle], inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """Call a tamper function, passing the instance only to those that re-sign."""
    if fn.__code__.co_varnames[0] == "inst":
        return fn(inst, sb)
    return fn(sb)


TAMPERED = [
    ("v1", tamper.wrong_signature, "Signature is invalid for input"),
    ("v1-dsse", tamper.wrong_signature, "DSSE: invalid signature"),
    ("v1", tamper.wrong_artifact, "message digest mismatch"),
    ("v1-dsse", tamper.wrong_artifact, "in-toto subject mismatch"),
    ("v1", tamper.entry_for_other_artifact, "inconsistent with other materials"),
    ("v1-dsse", tamper.entry_for_other_artifact, "payload hash does not match"),
    ("v2-dsse", tamper.entry_for_other_artifact, "inconsistent with other materials"),
    ("v2-dsse", tamper.dsse_other_subject, "in-toto subject mismatch"),
    ("v1", tamper.signature_differs_from_log, "inconsistent with other materials"),
    ("v1", tamper.bad_set, "invalid inclusion promise"),
    ("v1", tamper.bad_inclusion_proof_hash, "invalid root hash"),
    ("v2", tamper.bad_inclusion_proof_hash, "invalid root hash"),
    ("v1", tamper.checkpoint_wrong_root_hash, "invalid root hash"),
    ("v2", tamper.checkpoint_missing_origin, "malformed LogCheckpoint"),
    ("v2", tamper.checkpoint_missing_size, "malformed LogCheckpoint"),
    ("v2", tamper.checkpoint_missing_root_hash, "malformed LogCheckpoint"),
    ("v1", tamper.checkpoint_unknown_key, "Signature not found"),
    ("v2", tamper.checkpoint_unknown_key, "Signature not found"),
    ("v1", tamper.unknown_log_id, "Signature not found"),
    ("v1", tamper.leaf_from_untrusted_ca, "certificate chain"),
    ("v1", tamper.set_time_outside_cert_validity, "not valid at validation time"),
    ("v1", tamper.integrated_time_in_future, "not valid at validation time"),
    ("v1", tamper.signed_before_ca_valid, "not valid at validation time"),
    ("v1", tamper.bad_sct, "failed to verify SCT"),
    ("v1", tamper.sct_from_unknown_log, "failed to verify SCT"),
    ("v1", tamper.no_sct, "signed certificate timestamp"),
    ("v1", tamper.missing_code_signing_eku, "code signing"),
    ("v1", tamper.no_inclusion_promise, "inclusion promise"),
    ("v2", tamper.no_checkpoint, "with checkpoint"),
    ("v2", tamper.no_timestamp, "inclusion promise or signed timestamp"),
    ("v2", tamper.timestamp_outside_cert_validity, "not valid at validation time"),
    ("v2", tamper.timestamp_from_untrusted_tsa, "not enough sources of verified time"),
    ("v2", tamper.tsa_window_excludes_timestamp, "not enough sources of verified time"),
    ("v1", tamper.unknown_media_type, "mediaType"),
]
BASES: dict[str, dict[str, Any]] = {
    "v1": {"log": "v1"},
    "v1-dsse": {"log": "v1", "dsse": True},
    "v2": {"log": "v2", "timestamp": True},
    "v2-dsse": {"log": "v2", "timestamp": True, "dsse": True},
}


@pytest.mark.parametrize(
    ("base", "variant", "reason"),
    [pytest.param(b, v, r, id=f"{b}-{v.__name__}") for b, v, r in TAMPERED],
)
def test_oracle_rejects_tampered_bundles_for_the_targeted_reason(
    inst: TestInstance,
    oracle: Callable[[SignedBundle], None],
    base: str,
    variant: Callable[..., SignedBundle],
    reason: str,
) -> None:
    if base.startswith("v2") and inst.tsa is None:
        pytest.skip(f"no test TSA: {inst.tsa_unavailable}")
    sb = inst.sign_artifact(ARTIFACT, **BASES[base])
    oracle(sb)  # the base is valid, so the one defect is what the oracle rejects
    with pytest.raises(Exception, match=reason):
        oracle(_apply(variant, inst, sb))


# --- issue 12's shapes: where sigstore-python judges them, and where it cannot -----------


@pytest.mark.parametrize(
    "options",
    [
        {"dsse": True, "extra_subjects": (("other-1.0.zip", b"zip"), ("other-1.0.tgz", b"tgz"))},
        {"media_type": "v0.2", "chain": "full"},
        {"media_type": "v0.1", "chain": "full"},
    ],
    ids=["multi-subject", "v0.2-trusted-root-appended", "v0.1-trusted-root-appended"],
)
def test_oracle_accepts_multi_subject_and_appended_trusted_root(
    inst: TestInstance, oracle: Callable[[SignedBundle], None], options: dict[str, Any]
) -> None:
    oracle(inst.sign_artifact(ARTIFACT, **options))


def test_oracle_verifies_the_envelope_of_a_sha512_subject(
    inst: TestInstance, tmp_path: Path
) -> None:
    """sigstore-python verifies the DSSE signature; the sha512 subject is then compared here."""
    models = pytest.importorskip("sigstore.models", reason="sigstore-python oracle not installed")
    verify = pytest.importorskip("sigstore.verify")
    policy = pytest.importorskip("sigstore.verify.policy")
    sb = inst.sign_dsse(ARTIFACT, subject_algorithms=("sha512",))
    (tmp_path / "root.json").write_text(sb.trusted_root_json())
    verifier = verify.Verifier(
        trusted_root=models.TrustedRoot.from_file(str(tmp_path / "root.json"))
    )
    _, payload = verifier.verify_dsse(
        models.Bundle.from_json(sb.to_json()),
        policy.Identity(identity=sb.identity, issuer=sb.issuer),
    )
    (subject,) = json.loads(payload)["subject"]
    assert subject["digest"] == {"sha512": hashlib.sha512(ARTIFACT).hexdigest()}


# Valid shapes sigstore-python 4.5.1 cannot verify; srcverify accepts them (tests/sigstore/
# test_verify_digests.py, test_verify_timestamp_only.py), and these are its justified
# disagreements with the oracle:
ISSUE_12_ORACLE_LIMITS = [
    # it hashes the artifact with SHA-256 whatever messageDigest.algorithm says, and
    # refuses prehashed SHA2_384/SHA2_512 input ("unknown hash algorithm")
    ({"curve": "P-384"}, "message digest mismatch"),
    ({"curve": "P-521"}, "message digest mismatch"),
    # it verifies ECDSA DSSE signatures with SHA-256 for every curve; P-384 keys sign with
    # SHA-384 (protobuf-specs PKIX_ECDSA_P384_SHA_384, as sigstore-go and cosign do)
    ({"curve": "P-384", "dsse": True}, "DSSE: invalid signature"),
    # it requires exactly one log entry; timestamp-only evidence is an explicit opt-in here
    ({"timestamp": True, "tlog_entry": False}, "expected exactly one log entry"),
]


@pytest.mark.parametrize(
    ("options", "reason"),
    ISSUE_12_ORACLE_LIMITS,
    ids=["p384-sha384", "p521-sha512", "p384-dsse", "timestamp-only"],
)
def test_issue_12_shapes_sigstore_python_cannot_verify(
    inst: TestInstance, oracle: Callable[[SignedBundle], None], options: dict[str, Any], reason: str
) -> None:
    if options.get("timestamp") and inst.tsa is None:
        pytest.skip(f"no test TSA: {inst.tsa_unavailable}")
    with pytest.raises(Exception, match=reason):
        oracle(inst.sign_artifact(ARTIFACT, **options))

"""Ed25519 message signatures: verified over the artifact's bytes, never from a digest.

PureEdDSA signs the message itself, so the orchestrator needs the artifact's
bytes for such a bundle (``verify_bundle(..., artifact=...)``); the digest
is still matched with ``messageDigest`` and the log entry. Without the bytes
the verdict is "could not evaluate" (InputError), never a rejection. ECDSA
and RSA managed keys keep verifying from the digest alone. Before the fix
every Ed25519 managed-key bundle was refused with "cannot verify a signature
over a digest alone; give the artifact file", even when the file was given.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from srcverify.errors import (
    ArtifactMismatchError,
    InputError,
    SignatureError,
    TransparencyLogError,
)
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.identity import Identity
from srcverify.sigstore.signature import load_public_key_pem
from srcverify.sigstore.trustroot import TrustedRoot
from srcverify.sigstore.verify import ManagedKey, Receipt, needs_artifact_bytes, verify_bundle
from tests.support import tamper
from tests.support.instance import DEFAULT_IDENTITY, DEFAULT_ISSUER, SignedBundle, TestInstance

ARTIFACT = b"upstream-2.0.tar.gz contents\n" * 50
OTHER = tamper.OTHER_ARTIFACT
NO_BYTES = (
    "the message signature was made with an Ed25519 key, which signs the artifact's bytes "
    "themselves (PureEdDSA, RFC 8032), not a digest of them: it cannot be checked from the "
    "sha256 digest alone; verify the artifact file itself, not a digest"
)


@pytest.fixture(scope="module")
def inst() -> TestInstance:
    return TestInstance()


def _key(inst: TestInstance, key_type: str = "Ed25519", *, other: bool = False) -> ManagedKey:
    return ManagedKey(
        load_public_key_pem(inst.managed_public_key_pem(key_type=key_type, other=other))
    )


def _sign(inst: TestInstance, key_type: str = "Ed25519", **options: Any) -> SignedBundle:
    return inst.sign_artifact(ARTIFACT, managed_key=True, managed_key_type=key_type, **options)


def _verify(
    inst: TestInstance,
    sb: SignedBundle,
    policy: Any,
    *,
    artifact: bytes | None,
    digest: bytes | None = None,
    **kwargs: Any,
) -> Receipt:
    bundle = Bundle.from_json(json.dumps(sb.bundle).encode())
    root = TrustedRoot.from_json(json.dumps(sb.trusted_root).encode())
    return verify_bundle(
        bundle,
        digest if digest is not None else sb.digest,
        trusted_root=root,
        policy=policy,
        now=inst.now,
        artifact=artifact,
        **kwargs,
    )


def _fingerprint(inst: TestInstance, key_type: str = "Ed25519") -> str:
    return _key(inst, key_type).describe()


SHAPES = {
    "rekor v1": {},
    "rekor v2 with timestamp": {"log": "v2", "timestamp": True},
    "v0.1 bundle": {"media_type": "v0.1"},
}


@pytest.mark.parametrize("options", SHAPES.values(), ids=SHAPES.keys())
def test_verifies_over_the_bytes(inst: TestInstance, options: dict[str, Any]) -> None:
    sb = _sign(inst, **options)
    receipt = _verify(inst, sb, _key(inst), artifact=ARTIFACT)
    assert receipt.signer == receipt.policy == _fingerprint(inst)
    assert receipt.artifact_digests == {"sha256": hashlib.sha256(ARTIFACT).hexdigest()}
    assert receipt.content == "message-signature"


def test_timestamp_only_evidence(inst: TestInstance) -> None:
    sb = _sign(inst, tlog_entry=False, timestamp=True)
    receipt = _verify(inst, sb, _key(inst), artifact=ARTIFACT, allow_timestamp_only=True)
    assert [t.source for t in receipt.verified_times] == ["rfc3161-timestamp"]


def test_without_the_bytes_it_cannot_be_evaluated(inst: TestInstance) -> None:
    sb = _sign(inst)
    with pytest.raises(InputError) as caught:
        _verify(inst, sb, _key(inst), artifact=None)
    assert (caught.value.step, caught.value.detail) == ("signature", NO_BYTES)


def test_other_bytes_are_rejected_at_the_digest(inst: TestInstance) -> None:
    """The file's digest is computed from the bytes given, and compared with messageDigest."""
    sb = _sign(inst)
    with pytest.raises(ArtifactMismatchError) as caught:
        _verify(inst, sb, _key(inst), artifact=OTHER, digest=hashlib.sha256(OTHER).digest())
    assert caught.value.detail == (
        f"artifact sha256 {hashlib.sha256(OTHER).hexdigest()} does not match the digest the "
        f"bundle signed, {sb.digest.hex()}"
    )


def test_signature_over_other_bytes_is_rejected(inst: TestInstance) -> None:
    """Digest, messageDigest and log all name the artifact; the signature covers other bytes."""
    bad = tamper.wrong_signature(inst, _sign(inst))
    with pytest.raises(SignatureError) as caught:
        _verify(inst, bad, _key(inst), artifact=ARTIFACT)
    assert caught.value.detail == (
        f"Ed25519 signature does not verify over the artifact's {len(ARTIFACT)} bytes "
        f"(sha256:{hashlib.sha256(ARTIFACT).hexdigest()}) with the signing key"
    )


def test_wrong_ed25519_key_is_rejected(inst: TestInstance) -> None:
    sb = _sign(inst)
    with pytest.raises(SignatureError) as caught:
        _verify(inst, sb, _key(inst, other=True), artifact=ARTIFACT)
    assert caught.value.detail == (
        f"Ed25519 signature does not verify over the artifact's {len(ARTIFACT)} bytes "
        f"(sha256:{hashlib.sha256(ARTIFACT).hexdigest()}) with the signing key"
    )


def test_log_entry_for_other_artifact_is_rejected(inst: TestInstance) -> None:
    bad = tamper.entry_for_other_artifact(inst, _sign(inst))
    with pytest.raises(TransparencyLogError) as caught:
        _verify(inst, bad, _key(inst), artifact=ARTIFACT)
    assert caught.value.detail == (
        f"log entry digest differs: bundle has {hashlib.sha256(ARTIFACT).hexdigest()}, "
        f"log has {hashlib.sha256(OTHER).hexdigest()}"
    )


def test_message_digest_of_other_artifact_is_rejected(inst: TestInstance) -> None:
    bad = tamper.message_digest_mismatch(_sign(inst))
    with pytest.raises(ArtifactMismatchError, match="does not match the digest the bundle signed"):
        _verify(inst, bad, _key(inst), artifact=ARTIFACT)


def test_bytes_and_digest_that_disagree_are_not_evaluated(inst: TestInstance) -> None:
    sb = _sign(inst)
    with pytest.raises(InputError) as caught:
        _verify(inst, sb, _key(inst), artifact=OTHER)
    assert caught.value.detail == (
        f"the artifact's bytes have sha256 {hashlib.sha256(OTHER).hexdigest()}, but its given "
        f"sha256 digest is {sb.digest.hex()}: they are not the same artifact"
    )


def test_ecdsa_key_for_an_ed25519_bundle_is_rejected(inst: TestInstance) -> None:
    sb = _sign(inst)
    with pytest.raises(SignatureError, match="does not verify over artifact digest sha256:"):
        _verify(inst, sb, _key(inst, "P-256"), artifact=None)


def test_ed25519_key_for_an_ecdsa_bundle_is_rejected(inst: TestInstance) -> None:
    sb = _sign(inst, "P-256")
    with pytest.raises(SignatureError, match="Ed25519 signature does not verify over the"):
        _verify(inst, sb, _key(inst), artifact=ARTIFACT)


@pytest.mark.parametrize("key_type", ["P-256", "RSA"])
def test_ecdsa_and_rsa_keys_need_only_the_digest(inst: TestInstance, key_type: str) -> None:
    sb = _sign(inst, key_type)
    receipt = _verify(inst, sb, _key(inst, key_type), artifact=None)
    assert receipt.signer == _fingerprint(inst, key_type)
    with pytest.raises(SignatureError) as caught:
        _verify(inst, sb, _key(inst, key_type, other=True), artifact=None)
    assert caught.value.detail == (
        f"signature does not verify over artifact digest sha256:{sb.digest.hex()} "
        "with the signing key"
    )


def test_dsse_with_an_ed25519_key_needs_no_bytes(inst: TestInstance) -> None:
    """A DSSE signature covers the envelope, whatever the key: no bytes needed."""
    sb = inst.sign_dsse(ARTIFACT, managed_key=True, managed_key_type="Ed25519")
    assert not needs_artifact_bytes(Bundle.from_json(json.dumps(sb.bundle).encode()), _key(inst))
    assert _verify(inst, sb, _key(inst), artifact=None).content == "dsse"


@pytest.mark.parametrize(
    ("key_type", "policy_type", "needed"),
    [("Ed25519", "Ed25519", True), ("P-256", "P-256", False), ("RSA", "RSA", False)],
)
def test_needs_artifact_bytes(
    inst: TestInstance, key_type: str, policy_type: str, needed: bool
) -> None:
    bundle = Bundle.from_json(json.dumps(_sign(inst, key_type).bundle).encode())
    assert needs_artifact_bytes(bundle, _key(inst, policy_type)) is needed
    certificate = Bundle.from_json(json.dumps(inst.sign_artifact(ARTIFACT).bundle).encode())
    identity = Identity(identity=DEFAULT_IDENTITY, issuer=DEFAULT_ISSUER)
    assert needs_artifact_bytes(certificate, identity) is False


def test_bytes_for_an_ecdsa_bundle_are_only_checked_against_the_digest(
    inst: TestInstance,
) -> None:
    sb = _sign(inst, "P-256")
    receipt = _verify(inst, sb, _key(inst, "P-256"), artifact=ARTIFACT)
    assert receipt.signer == _fingerprint(inst, "P-256")
    with pytest.raises(InputError, match="they are not the same artifact"):
        _verify(inst, sb, _key(inst, "P-256"), artifact=OTHER)


@pytest.mark.parametrize("options", SHAPES.values(), ids=SHAPES.keys())
def test_fulcio_certificate_with_an_ed25519_key(
    inst: TestInstance, options: dict[str, Any]
) -> None:
    """Same rule for a certificate's Ed25519 key: the bytes, or no verdict."""
    sb = inst.sign_artifact(ARTIFACT, curve="Ed25519", **options)
    identity = Identity(identity=DEFAULT_IDENTITY, issuer=DEFAULT_ISSUER)
    assert needs_artifact_bytes(Bundle.from_json(json.dumps(sb.bundle).encode()), identity)
    assert _verify(inst, sb, identity, artifact=ARTIFACT).signer == DEFAULT_IDENTITY
    with pytest.raises(InputError) as caught:
        _verify(inst, sb, identity, artifact=None)
    assert caught.value.detail == NO_BYTES
    with pytest.raises(SignatureError, match="Ed25519 signature does not verify over the"):
        _verify(inst, tamper.wrong_signature(inst, sb), identity, artifact=ARTIFACT)


def test_the_public_api_exports_it() -> None:
    import srcverify

    assert srcverify.needs_artifact_bytes is needs_artifact_bytes

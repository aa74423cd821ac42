"""Signature checks over digests and data, digests of streams."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519

from srcverify.errors import SignatureError
from srcverify.sigstore.signature import (
    load_public_key_pem,
    signs_message_itself,
    verify_over_artifact,
    verify_over_data,
    verify_over_digest,
)

KEY = ec.derive_private_key(987654321, ec.SECP256R1())
DATA = b"Python-3.14.0.tar.xz contents"
DIGEST = hashlib.sha256(DATA).digest()


def test_ecdsa_over_digest() -> None:
    signature = KEY.sign(DATA, ec.ECDSA(hashes.SHA256()))
    verify_over_digest(KEY.public_key(), signature, DIGEST)
    with pytest.raises(SignatureError, match="does not verify over artifact digest sha256:"):
        verify_over_digest(KEY.public_key(), signature, hashlib.sha256(b"other").digest())


def test_ed25519_needs_the_data() -> None:
    key = ed25519.Ed25519PrivateKey.from_private_bytes(b"\x05" * 32)
    with pytest.raises(SignatureError) as caught:
        verify_over_digest(key.public_key(), key.sign(DATA), DIGEST)
    assert caught.value.detail == (
        "an Ed25519 key signs the message itself, not a digest: its signature "
        "cannot be verified over a digest alone"
    )
    assert signs_message_itself(key.public_key())
    assert not signs_message_itself(KEY.public_key())
    verify_over_data(key.public_key(), key.sign(DATA), DATA, what="test")
    with pytest.raises(SignatureError, match="test signature does not verify"):
        verify_over_data(key.public_key(), key.sign(DATA), DATA + b"!", what="test")


def test_ed25519_over_the_artifact() -> None:
    key = ed25519.Ed25519PrivateKey.from_private_bytes(b"\x05" * 32)
    verify_over_artifact(key.public_key(), key.sign(DATA), DATA, digest=("sha256", DIGEST))
    with pytest.raises(SignatureError) as caught:
        verify_over_artifact(
            key.public_key(), key.sign(DATA), DATA + b"!", digest=("sha256", DIGEST)
        )
    assert caught.value.detail == (
        f"Ed25519 signature does not verify over the artifact's {len(DATA) + 1} bytes "
        f"(sha256:{DIGEST.hex()}) with the signing key"
    )
    with pytest.raises(SignatureError, match="an ECDSA key does not sign the artifact's bytes"):
        verify_over_artifact(KEY.public_key(), b"sig", DATA, digest=("sha256", DIGEST))


def test_unsupported_key_type_over_digest() -> None:
    key = ed448.Ed448PrivateKey.from_private_bytes(b"\x07" * 57)
    with pytest.raises(SignatureError) as caught:
        verify_over_digest(key.public_key(), key.sign(DATA), DIGEST)
    assert caught.value.detail == (
        "unsupported key type Ed448 for a message signature "
        "(ECDSA, RSA and Ed25519 keys are supported)"
    )


def test_load_public_key_pem() -> None:
    pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert (
        load_public_key_pem(pem).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        == pem
    )
    with pytest.raises(SignatureError, match="not a usable PEM public key"):
        load_public_key_pem(b"-----BEGIN NONSENSE-----")

"""Signature checks over digests and data, digests of streams."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from srcverify.errors import SignatureError
from srcverify.sigstore.signature import (
    load_public_key_pem,
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
    with pytest.raises(SignatureError, match="cannot verify a signature over a digest alone"):
        verify_over_digest(key.public_key(), key.sign(DATA), DIGEST)
    verify_over_data(key.public_key(), key.sign(DATA), DATA, what="test")
    with pytest.raises(SignatureError, match="test signature does not verify"):
        verify_over_data(key.public_key(), key.sign(DATA), DATA + b"!", what="test")


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

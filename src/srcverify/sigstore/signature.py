"""Signature checks with a known public key, and artifact digests.

Verifies a message signature over an artifact's SHA-256, SHA-384 or SHA-512
digest (the artifact itself is never needed for ECDSA and RSA keys), verifies a DSSE signature
over the envelope's PAE, and loads managed PEM public keys.

This module decides nothing about *whose* key it is: certificates, identity
and trust are other modules' business.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from srcverify.errors import SignatureError
from srcverify.sigstore.hashing import crypto_hash

__all__ = [
    "load_public_key_pem",
    "verify_over_data",
    "verify_over_digest",
]


def load_public_key_pem(data: bytes) -> PublicKeyTypes:
    """Load a PEM ``PUBLIC KEY`` for managed-key verification.

    A key file that does not hold a usable key cannot have made any
    signature, so this is a rejection (exit 1), like a wrong key; a key file
    that cannot be read at all is the caller's :class:`InputError`.

    Raises:
        SignatureError: the bytes are not a usable PEM public key.
    """
    try:
        return load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise SignatureError(
            f"the given key is not a usable PEM public key: {exc}", step="key"
        ) from exc


def verify_over_digest(
    key: PublicKeyTypes, signature: bytes, digest: bytes, *, algorithm: str = "sha256"
) -> None:
    """Verify a signature made over data whose ``algorithm`` digest is ``digest``.

    Raises:
        SignatureError: the signature does not verify, or the key type
            cannot verify a pre-hashed message (Ed25519).
    """
    prehashed = Prehashed(crypto_hash(algorithm))
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, digest, ec.ECDSA(prehashed))
        elif isinstance(key, rsa.RSAPublicKey):
            _verify_rsa(key, signature, digest, prehashed)
        else:
            raise SignatureError(
                f"a {type(key).__name__} cannot verify a signature over a digest alone; "
                f"give the artifact file instead of {algorithm}:<hex>"
            )
    except InvalidSignature as exc:
        raise SignatureError(
            f"signature does not verify over artifact digest {algorithm}:{digest.hex()} "
            "with the signing key"
        ) from exc


def verify_over_data(key: PublicKeyTypes, signature: bytes, data: bytes, *, what: str) -> None:
    """Verify a signature over ``data`` itself (DSSE PAE, small artifacts).

    Raises:
        SignatureError: the signature does not verify or the key is unusable.
    """
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(_hash_for_curve(key)))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        elif isinstance(key, rsa.RSAPublicKey):
            _verify_rsa(key, signature, data, hashes.SHA256())
        else:
            raise SignatureError(f"unsupported signing key type {type(key).__name__}")
    except InvalidSignature as exc:
        raise SignatureError(f"{what} signature does not verify with the signing key") from exc


def _hash_for_curve(key: ec.EllipticCurvePublicKey) -> hashes.HashAlgorithm:
    if isinstance(key.curve, ec.SECP384R1):
        return hashes.SHA384()
    if isinstance(key.curve, ec.SECP521R1):
        return hashes.SHA512()
    return hashes.SHA256()


def _verify_rsa(
    key: rsa.RSAPublicKey,
    signature: bytes,
    data: bytes,
    algorithm: hashes.HashAlgorithm | Prehashed,
) -> None:
    """RSA keys in Sigstore sign with PKCS#1 v1.5 or PSS; accept either."""
    try:
        key.verify(signature, data, padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        key.verify(
            signature,
            data,
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO),
            algorithm,
        )

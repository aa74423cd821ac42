"""Signature checks with a known public key, and artifact digests.

Verifies a message signature over an artifact's SHA-256, SHA-384 or SHA-512
digest (ECDSA and RSA keys sign a digest, so the artifact itself is not
needed), or, for an Ed25519 key, over the artifact's bytes (PureEdDSA,
RFC 8032 section 5.1, signs the message itself and no digest can stand in);
verifies a DSSE signature over the envelope's PAE, and loads managed PEM
public keys. Ed25519ph, the pre-hashed variant, is not verified: the
``cryptography`` library offers no Ed25519ph.

This module decides nothing about *whose* key it is: certificates, identity
and trust are other modules' business.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from srcverify.errors import SignatureError
from srcverify.sigstore.hashing import crypto_hash

__all__ = [
    "load_public_key_pem",
    "signs_message_itself",
    "verify_over_artifact",
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


def signs_message_itself(key: PublicKeyTypes) -> bool:
    """Whether ``key``'s signatures cover the message itself, not a digest of it (Ed25519)."""
    return isinstance(key, ed25519.Ed25519PublicKey)


def verify_over_artifact(
    key: PublicKeyTypes, signature: bytes, artifact: bytes, *, digest: tuple[str, bytes]
) -> None:
    """Verify an Ed25519 message signature over the artifact's bytes.

    ``digest`` is the artifact's (algorithm, digest), named in the message.

    Raises:
        SignatureError: the signature does not verify, or ``key`` is not Ed25519.
    """
    algorithm, value = digest
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise SignatureError(f"an {_key_name(key)} key does not sign the artifact's bytes")
    try:
        key.verify(signature, artifact)
    except InvalidSignature as exc:
        raise SignatureError(
            f"Ed25519 signature does not verify over the artifact's {len(artifact)} bytes "
            f"({algorithm}:{value.hex()}) with the signing key"
        ) from exc


def verify_over_digest(
    key: PublicKeyTypes, signature: bytes, digest: bytes, *, algorithm: str = "sha256"
) -> None:
    """Verify a signature made over data whose ``algorithm`` digest is ``digest``.

    Raises:
        SignatureError: the signature does not verify, or the key type
            cannot verify a pre-hashed message (Ed25519: see
            :func:`verify_over_artifact`).
    """
    prehashed = Prehashed(crypto_hash(algorithm))
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, digest, ec.ECDSA(prehashed))
        elif isinstance(key, rsa.RSAPublicKey):
            _verify_rsa(key, signature, digest, prehashed)
        elif signs_message_itself(key):
            raise SignatureError(
                "an Ed25519 key signs the message itself, not a digest: its signature "
                "cannot be verified over a digest alone"
            )
        else:
            raise SignatureError(
                f"unsupported key type {_key_name(key)} for a message signature "
                "(ECDSA, RSA and Ed25519 keys are supported)"
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


def _key_name(key: PublicKeyTypes) -> str:
    """The key's algorithm as messages name it (class names differ between versions)."""
    for kind, name in _KEY_NAMES:
        if isinstance(key, kind):
            return name
    return type(key).__name__.removesuffix("PublicKey")


_KEY_NAMES: tuple[tuple[type, str], ...] = (
    (ec.EllipticCurvePublicKey, "ECDSA"),
    (rsa.RSAPublicKey, "RSA"),
    (ed25519.Ed25519PublicKey, "Ed25519"),
    (ed448.Ed448PublicKey, "Ed448"),
    (dsa.DSAPublicKey, "DSA"),
)


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

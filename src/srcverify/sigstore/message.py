"""Message signatures: what one covers, and checking it with its key.

A bundle's ``messageSignature`` signs the artifact. ECDSA and RSA keys sign
a digest of it (the algorithm the bundle's ``messageDigest`` names), so the
digest is all verification needs. An Ed25519 key signs the artifact's bytes
themselves: PureEdDSA (RFC 8032 section 5.1) hashes the message inside the
signature scheme, with the signature's own nonce, and no digest computed
outside can stand in. Sigstore's algorithm registry lists the pre-hashed
variant, ``ed25519-ph``, separately for that reason, and sigstore-go likewise
refuses to verify an Ed25519 message signature from a digest. So for an
Ed25519 key the artifact's bytes are needed; without them the signature
cannot be evaluated (an :class:`~srcverify.errors.InputError`, exit 3), which
is not the same as a signature that does not verify (exit 1).

The digest is checked either way: the bundle's ``messageDigest`` and the
log entry's body name it (Rekor's ``hashedrekord`` records a digest even for
Ed25519), and with the bytes at hand it is computed from them.

This module decides nothing about whose key it is (certificate, managed key
or policy) and reads nothing: the bytes are passed in.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from srcverify.errors import InputError
from srcverify.sigstore import hashing, signature
from srcverify.sigstore.bundle import MessageSignature

__all__ = ["digests_with_bytes", "needs_bytes", "verify_message"]


def needs_bytes(key: PublicKeyTypes) -> bool:
    """Whether a message signature by ``key`` covers the artifact's bytes (Ed25519)."""
    return signature.signs_message_itself(key)


def digests_with_bytes(
    message: MessageSignature, digests: dict[str, bytes], artifact: bytes
) -> dict[str, bytes]:
    """``digests`` with the signed algorithm's digest computed from ``artifact`` itself.

    Raises:
        InputError: ``digests`` holds a digest of that algorithm that is not
            the bytes' digest (the caller mixed up two artifacts).
    """
    algorithm = hashing.from_proto(message.digest_algorithm, where="message digest")
    computed = hashing.digest_of(algorithm, artifact)
    given = digests.get(algorithm)
    if given is not None and given != computed:
        raise InputError(
            f"the artifact's bytes have {algorithm} {computed.hex()}, but its given "
            f"{algorithm} digest is {given.hex()}: they are not the same artifact",
            step="digest",
        )
    return {**digests, algorithm: computed}


def verify_message(
    message: MessageSignature,
    key: PublicKeyTypes,
    digest: tuple[str, bytes],
    artifact: bytes | None,
) -> None:
    """Verify ``message`` with ``key``: over ``digest``, or for Ed25519 over ``artifact``.

    Args:
        message: the bundle's message signature.
        key: the key that claims it.
        digest: (algorithm, digest) of the artifact, already matched with
            the bundle's ``messageDigest``.
        artifact: the artifact's bytes, or None when only its digest is known.

    Raises:
        SignatureError: the signature does not verify.
        InputError: an Ed25519 key and no bytes: it cannot be evaluated.
    """
    algorithm, value = digest
    if not needs_bytes(key):
        signature.verify_over_digest(key, message.signature, value, algorithm=algorithm)
        return
    if artifact is None:
        raise InputError(
            "the message signature was made with an Ed25519 key, which signs the "
            "artifact's bytes themselves (PureEdDSA, RFC 8032), not a digest of them: "
            f"it cannot be checked from the {algorithm} digest alone; verify the "
            "artifact file itself, not a digest",
            step="signature",
        )
    signature.verify_over_artifact(key, message.signature, artifact, digest=digest)

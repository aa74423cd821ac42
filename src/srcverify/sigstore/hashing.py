"""Hash algorithms as the evidence names them, and which ones srcverify accepts.

Sigstore bundles and Rekor v2 name digests by the protobuf ``HashAlgorithm``
enum (``SHA2_256``, ``SHA2_384``, ``SHA2_512``), Rekor v1 bodies and in-toto
subjects by lower-case names (``sha256`` ...). Inside srcverify an artifact's
digests are a mapping from the lower-case name to the raw digest,
:data:`Digests`.

Accepted: SHA-256, SHA-384 and SHA-512, the SHA-2 family the Sigstore specs
allow for artifacts. Not accepted: SHA-1 and MD5 (collisions are practical,
so a match on them authenticates nothing), and anything else an in-toto
subject may carry (``gitCommit``, ``sha512_256``, ``blake2b`` ...): those are
ignored, never matched on. SHA-384 is a truncated SHA-512 and all three
resist collisions far beyond any attack, so a match on any one of them is
enough; no accepted algorithm is weaker than another in a way that matters.

This module verifies nothing; it translates names and says what a bundle
needs hashed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from cryptography.hazmat.primitives import hashes

from srcverify.errors import BundleFormatError

__all__ = [
    "ACCEPTED",
    "Digests",
    "crypto_hash",
    "digest_of",
    "from_proto",
    "from_rekor_v1",
    "to_proto",
]

#: The accepted algorithms, in the order srcverify prefers to compute them.
ACCEPTED = ("sha256", "sha384", "sha512")

Digests = Mapping[str, bytes]
"""An artifact's digests: ``{"sha256": b"...", "sha512": b"..."}``."""

_PROTO = {"SHA2_256": "sha256", "SHA2_384": "sha384", "SHA2_512": "sha512"}
_CRYPTO: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def from_proto(name: str | None, *, where: str) -> str:
    """The accepted algorithm a ``HashAlgorithm`` enum name stands for.

    An empty or absent name is SHA2_256, the field's meaning in the specs'
    earliest bundles.

    Raises:
        BundleFormatError: the algorithm is not one srcverify accepts.
    """
    if not name:
        return "sha256"
    algorithm = _PROTO.get(name)
    if algorithm is None:
        raise BundleFormatError(
            f"{where}: digest algorithm {name!r} is not supported; "
            f"srcverify accepts {', '.join(_PROTO)}"
        )
    return algorithm


def from_rekor_v1(name: str) -> str | None:
    """The accepted algorithm a Rekor v1 ``hash.algorithm`` names, or None."""
    return name if name in ACCEPTED else None


def to_proto(algorithm: str) -> str:
    """``sha384`` -> ``SHA2_384``."""
    return f"SHA2_{algorithm[3:]}"


def crypto_hash(algorithm: str) -> hashes.HashAlgorithm:
    """The ``cryptography`` hash object for an accepted algorithm."""
    return _CRYPTO[algorithm]()


def digest_of(algorithm: str, data: bytes) -> bytes:
    """``data`` hashed with an accepted algorithm (small inputs: envelopes, payloads)."""
    return hashlib.new(algorithm, data).digest()

"""RFC 6962 / RFC 9162 Merkle tree hashing and inclusion proofs.

Computes leaf and interior node hashes (SHA-256 with the 0x00 and 0x01
domain-separation prefixes) and checks that an audit path leads from a leaf
hash at a given index to a given root hash in a tree of a given size.

Everything here works on plain bytes and integers. This module knows nothing
about Rekor, bundles or checkpoints: it does not decide *which* root hash to
trust (that is the signed checkpoint, see :mod:`srcverify.sigstore.checkpoint`) and it
does not hash log entry bodies for a particular log (the caller passes
``leaf_hash(body)``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from srcverify.errors import TransparencyLogError

__all__ = [
    "HASH_SIZE",
    "expected_proof_length",
    "leaf_hash",
    "node_hash",
    "root_from_inclusion_proof",
    "verify_inclusion",
]

HASH_SIZE = 32
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """The RFC 6962 hash of a leaf: ``SHA-256(0x00 || data)``."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The RFC 6962 hash of an interior node: ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def expected_proof_length(index: int, tree_size: int) -> int:
    """How many hashes an inclusion proof for ``index`` in ``tree_size`` has.

    The path has one hash per level below the point where the paths to
    ``index`` and to the last leaf diverge, plus one per complete subtree to
    the left above it.

    Raises:
        TransparencyLogError: ``index`` is not a leaf of the tree.
    """
    _check_index(index, tree_size)
    inner = (index ^ (tree_size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner + border


def root_from_inclusion_proof(
    leaf: bytes, index: int, tree_size: int, proof_hashes: Sequence[bytes]
) -> bytes:
    """The root hash an inclusion proof leads to (RFC 9162, section 2.1.3.2).

    Args:
        leaf: the leaf hash (already ``leaf_hash(entry)``), 32 bytes.
        index: zero-based position of the leaf in the tree.
        tree_size: number of leaves in the tree.
        proof_hashes: the audit path, from the leaf upwards.

    Raises:
        TransparencyLogError: the index is outside the tree, the proof has
            the wrong number of hashes, or a hash is not 32 bytes.
    """
    _check_hash(leaf, "leaf hash")
    wanted = expected_proof_length(index, tree_size)
    if len(proof_hashes) != wanted:
        raise TransparencyLogError(
            f"inclusion proof has {len(proof_hashes)} hashes, expected {wanted} "
            f"for leaf {index} in a tree of size {tree_size}"
        )
    for position, value in enumerate(proof_hashes):
        _check_hash(value, f"inclusion proof hash {position}")

    node_index = index
    last_index = tree_size - 1
    computed = leaf
    for sibling in proof_hashes:
        if node_index % 2 == 1 or node_index == last_index:
            # Our node is a right child, or the rightmost node of its level
            # with no right sibling: the sibling hash goes on the left.
            computed = node_hash(sibling, computed)
            if node_index % 2 == 0:
                # Climb past levels where this node was promoted unchanged.
                while node_index % 2 == 0 and node_index != 0:
                    node_index >>= 1
                    last_index >>= 1
        else:
            computed = node_hash(computed, sibling)
        node_index >>= 1
        last_index >>= 1
    if last_index != 0:  # pragma: no cover - excluded by the length check above
        raise TransparencyLogError(
            f"inclusion proof for leaf {index} in a tree of size {tree_size} is too short"
        )
    return computed


def verify_inclusion(
    leaf: bytes,
    index: int,
    tree_size: int,
    proof_hashes: Sequence[bytes],
    root_hash: bytes,
) -> None:
    """Check that ``leaf`` sits at ``index`` in the tree with ``root_hash``.

    Args:
        leaf: the leaf hash (``leaf_hash(entry)``), 32 bytes.
        index: zero-based position of the leaf.
        tree_size: number of leaves in the tree the root hash describes.
        proof_hashes: the audit path, from the leaf upwards.
        root_hash: the root hash the proof must lead to, 32 bytes.

    Raises:
        TransparencyLogError: the proof is malformed or leads to another root;
            the message shows the expected and the computed root in hex.
    """
    _check_hash(root_hash, "root hash")
    computed = root_from_inclusion_proof(leaf, index, tree_size, proof_hashes)
    if computed != root_hash:
        raise TransparencyLogError(
            f"inclusion proof for leaf {index} in a tree of size {tree_size} leads to "
            f"root hash {computed.hex()}, expected {root_hash.hex()}"
        )


def _check_index(index: int, tree_size: int) -> None:
    if tree_size <= 0:
        raise TransparencyLogError(f"inclusion proof tree size {tree_size} is not positive")
    if index < 0 or index >= tree_size:
        raise TransparencyLogError(
            f"inclusion proof leaf index {index} is outside a tree of size {tree_size}"
        )


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise TransparencyLogError(f"{what} is {len(value)} bytes, expected {HASH_SIZE}")

"""RFC 6962 hashing and inclusion proofs against a reference tree built in the test."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from srcverify.errors import TransparencyLogError
from srcverify.sigstore.merkle import (
    expected_proof_length,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    verify_inclusion,
)
from tests.sigstore.helpers_tlog import ref_leaf, ref_path, ref_root


def _leaves(n: int) -> list[bytes]:
    return [b"leaf %d" % i for i in range(n)]


def test_leaf_and_node_hashes_use_rfc6962_prefixes() -> None:
    # RFC 6962 test vector: the leaf hash of the empty string.
    assert leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    left, right = b"\x11" * 32, b"\x22" * 32
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert node_hash(left, right) != node_hash(right, left)


@pytest.mark.parametrize("size", [*range(1, 34), 64, 65, 100])
def test_every_leaf_of_trees_up_to_100_verifies(size: int) -> None:
    leaves = _leaves(size)
    root = ref_root(leaves)
    for index in range(size):
        path = ref_path(index, leaves)
        assert expected_proof_length(index, size) == len(path)
        verify_inclusion(leaf_hash(leaves[index]), index, size, path, root)


def test_single_leaf_tree_has_empty_proof() -> None:
    verify_inclusion(leaf_hash(b"x"), 0, 1, [], ref_root([b"x"]))


def test_flipped_bit_in_proof_hash_is_rejected_with_both_roots() -> None:
    leaves = _leaves(11)
    root = ref_root(leaves)
    path = ref_path(5, leaves)
    path[2] = bytes([path[2][0] ^ 1]) + path[2][1:]
    with pytest.raises(TransparencyLogError) as info:
        verify_inclusion(leaf_hash(leaves[5]), 5, 11, path, root)
    computed = root_from_inclusion_proof(leaf_hash(leaves[5]), 5, 11, path)
    assert f"leads to root hash {computed.hex()}, expected {root.hex()}" in str(info.value)


def test_wrong_leaf_is_rejected() -> None:
    leaves = _leaves(8)
    with pytest.raises(TransparencyLogError, match=r"leads to root hash"):
        verify_inclusion(leaf_hash(b"not logged"), 3, 8, ref_path(3, leaves), ref_root(leaves))


def test_proof_for_another_index_is_rejected() -> None:
    leaves = _leaves(8)
    with pytest.raises(TransparencyLogError, match=r"leads to root hash"):
        verify_inclusion(leaf_hash(leaves[3]), 2, 8, ref_path(3, leaves), ref_root(leaves))


def test_index_outside_tree_is_rejected() -> None:
    with pytest.raises(TransparencyLogError, match=r"leaf index 8 is outside a tree of size 8"):
        verify_inclusion(ref_leaf(b"a"), 8, 8, [], b"\0" * 32)
    with pytest.raises(TransparencyLogError, match=r"leaf index -1 is outside"):
        verify_inclusion(ref_leaf(b"a"), -1, 8, [], b"\0" * 32)


def test_empty_tree_is_rejected() -> None:
    with pytest.raises(TransparencyLogError, match=r"tree size 0 is not positive"):
        verify_inclusion(ref_leaf(b"a"), 0, 0, [], b"\0" * 32)


def test_wrong_proof_length_is_rejected() -> None:
    leaves = _leaves(11)
    path = ref_path(5, leaves)
    root = ref_root(leaves)
    with pytest.raises(TransparencyLogError, match=r"has 3 hashes, expected 4 for leaf 5"):
        verify_inclusion(leaf_hash(leaves[5]), 5, 11, path[:-1], root)
    with pytest.raises(TransparencyLogError, match=r"has 5 hashes, expected 4"):
        verify_inclusion(leaf_hash(leaves[5]), 5, 11, [*path, root], root)


def test_hashes_of_wrong_size_are_rejected() -> None:
    leaves = _leaves(4)
    path = ref_path(1, leaves)
    with pytest.raises(TransparencyLogError, match=r"inclusion proof hash 1 is 31 bytes"):
        verify_inclusion(leaf_hash(leaves[1]), 1, 4, [path[0], path[1][:31]], ref_root(leaves))
    with pytest.raises(TransparencyLogError, match=r"root hash is 33 bytes, expected 32"):
        verify_inclusion(leaf_hash(leaves[1]), 1, 4, path, ref_root(leaves) + b"\0")
    with pytest.raises(TransparencyLogError, match=r"leaf hash is 0 bytes"):
        verify_inclusion(b"", 1, 4, path, ref_root(leaves))


@given(
    size=st.integers(min_value=1, max_value=200),
    data=st.data(),
)
def test_property_valid_proofs_verify(size: int, data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    leaves = _leaves(size)
    verify_inclusion(
        leaf_hash(leaves[index]), index, size, ref_path(index, leaves), ref_root(leaves)
    )


@given(
    leaf=st.binary(max_size=40),
    index=st.integers(min_value=-5, max_value=2**64),
    size=st.integers(min_value=-5, max_value=2**64),
    proof=st.lists(st.binary(min_size=30, max_size=33), max_size=70),
    root=st.binary(min_size=31, max_size=33),
)
def test_property_random_proofs_give_our_error_never_a_traceback(
    leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes
) -> None:
    try:
        verify_inclusion(leaf, index, size, proof, root)
    except TransparencyLogError:
        return
    # Accepting random input is only possible if it really is a valid proof.
    assert root_from_inclusion_proof(leaf, index, size, proof) == root

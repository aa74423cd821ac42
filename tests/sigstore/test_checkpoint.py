"""Checkpoints (C2SP signed notes) built and signed in the test with fixed keys."""

from __future__ import annotations

import base64
import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from srcverify.errors import BundleFormatError, TransparencyLogError
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.checkpoint import (
    MAX_SIGNATURES,
    Checkpoint,
    SignedNote,
    key_name_for_origin,
    log_key_ids,
    verify_checkpoint,
)
from srcverify.sigstore.trustroot import LogKey, TrustedRoot
from tests.sigstore.helpers_tlog import (
    ECDSA_LOG_KEY,
    ED25519_LOG_KEY,
    OTHER_ECDSA_KEY,
    V1_HOST,
    V1_ORIGIN,
    V2_NAME,
    checkpoint_text,
    ecdsa_log,
    ed25519_key_id,
    ed25519_log,
    sig_line,
    sign,
    v1_note,
    v2_note,
    witness_line,
)

ROOT = bytes(range(32))
SIZE = 736


def _v2(text: str | None = None, *extra: str) -> str:
    return v2_note(text or checkpoint_text(V2_NAME, SIZE, ROOT), *extra)


def _verify_v2(note: str, *, root: bytes = ROOT, size: int = SIZE) -> Checkpoint:
    return verify_checkpoint(note, ed25519_log(), root_hash=root, tree_size=size)


# --- valid checkpoints ------------------------------------------------------------


def test_rekor_v2_ed25519_checkpoint_verifies() -> None:
    checkpoint = _verify_v2(_v2())
    assert (checkpoint.origin, checkpoint.tree_size, checkpoint.root_hash) == (V2_NAME, SIZE, ROOT)
    assert checkpoint.note.text == f"{V2_NAME}\n{SIZE}\n{base64.b64encode(ROOT).decode()}\n"


def test_rekor_v1_ecdsa_checkpoint_with_extension_line_verifies() -> None:
    text = checkpoint_text(V1_ORIGIN, SIZE, ROOT, ("Timestamp: 1689177396617352539",))
    checkpoint = verify_checkpoint(v1_note(text), ecdsa_log(), root_hash=ROOT, tree_size=SIZE)
    assert checkpoint.origin == V1_ORIGIN
    assert checkpoint.extensions == ("Timestamp: 1689177396617352539",)


def test_witness_cosignatures_and_unknown_same_name_keys_are_ignored() -> None:
    text = checkpoint_text(V2_NAME, SIZE, ROOT)
    unknown_same_name = sig_line(V2_NAME, b"\xde\xad\xbe\xef", sign(OTHER_ECDSA_KEY, b"x"))
    note = _v2(text, unknown_same_name, witness_line(text), witness_line(text, "w2.example"))
    assert len(SignedNote.parse(note).signatures) == 4
    assert _verify_v2(note).tree_size == SIZE


def test_log_signature_need_not_come_first() -> None:
    text = checkpoint_text(V2_NAME, SIZE, ROOT)
    logged = _v2(text)
    body, own_line = logged[: len(text) + 1], logged[len(text) + 1 :]
    assert _verify_v2(body + witness_line(text) + own_line).origin == V2_NAME


def test_key_name_rules() -> None:
    assert key_name_for_origin("rekor.sigstore.dev - 2605736670972794746") == "rekor.sigstore.dev"
    assert key_name_for_origin("log2025-1.rekor.sigstore.dev") == "log2025-1.rekor.sigstore.dev"
    assert key_name_for_origin("a - b") == "a - b"  # not a tree id
    assert log_key_ids(ed25519_log(), V2_NAME) == {ed25519_key_id(V2_NAME, ED25519_LOG_KEY)[:4]}
    assert log_key_ids(ecdsa_log(), "anything") == {ecdsa_log().log_id[:4]}


# --- each defect, rejected for its own reason --------------------------------------


def test_missing_origin_line_is_rejected() -> None:
    text = f"{SIZE}\n{base64.b64encode(ROOT).decode()}\n"
    with pytest.raises(
        TransparencyLogError, match=r"no origin line: its first line is a tree size"
    ):
        _verify_v2(_v2(text))
    with pytest.raises(TransparencyLogError, match=r"no origin line: its first line is empty"):
        _verify_v2(_v2("\n736\n"))


def test_missing_tree_size_line_is_rejected() -> None:
    text = f"{V2_NAME}\n{base64.b64encode(ROOT).decode()}\n"
    with pytest.raises(TransparencyLogError, match=r"no tree size line: the line after the origin"):
        _verify_v2(_v2(text))
    with pytest.raises(TransparencyLogError, match=f"checkpoint for {V2_NAME} has no tree size"):
        _verify_v2(_v2(f"{V2_NAME}\n"))


@pytest.mark.parametrize("size", ["-1", "0736", "7e2", "seven", "٣", "1" * 21])
def test_invalid_tree_size_line_is_rejected(size: str) -> None:
    text = f"{V2_NAME}\n{size}\n{base64.b64encode(ROOT).decode()}\n"
    with pytest.raises(TransparencyLogError, match=r"tree size line .* is not a decimal number"):
        _verify_v2(_v2(text))


def test_missing_root_hash_line_is_rejected() -> None:
    with pytest.raises(TransparencyLogError, match=r"has no root hash line"):
        _verify_v2(_v2(f"{V2_NAME}\n{SIZE}\n"))


@pytest.mark.parametrize("line", ["not base64!", base64.b64encode(ROOT[:31]).decode(), ROOT.hex()])
def test_invalid_root_hash_line_is_rejected(line: str) -> None:
    with pytest.raises(TransparencyLogError, match=r"root hash line .* is not the base64 of 32"):
        _verify_v2(_v2(f"{V2_NAME}\n{SIZE}\n{line}\n"))


def test_no_signature_from_the_log_is_rejected() -> None:
    text = checkpoint_text(V2_NAME, SIZE, ROOT)
    note = f"{text}\n{witness_line(text)}{witness_line(text, 'w2.example')}"
    with pytest.raises(
        TransparencyLogError, match=f"no signature from {V2_NAME} among 2 signature lines"
    ):
        _verify_v2(note)


def test_signature_name_not_bound_to_the_log_key_is_rejected() -> None:
    # The log's own key ID bytes under another name (conformance case
    # rekor2-checkpoint-no-matching-signature): the Ed25519 key ID commits
    # to the name, so this line is not from the log.
    text = checkpoint_text("log2025-1.rekor.github.dev", SIZE, ROOT)
    line = sig_line(
        "log2025-1.rekor.github.dev",
        ed25519_key_id(V2_NAME, ED25519_LOG_KEY),
        sign(ED25519_LOG_KEY, text.encode()),
    )
    with pytest.raises(
        TransparencyLogError,
        match=r"no signature from log2025-1.rekor.github.dev among 1 signature lines",
    ):
        _verify_v2(f"{text}\n{line}")


def test_v1_key_name_must_match_origin() -> None:
    text = checkpoint_text(V1_ORIGIN, SIZE, ROOT)
    good = v1_note(text)
    renamed = good.replace(f"\u2014 {V1_HOST} ", "\u2014 other.example.dev ")
    with pytest.raises(TransparencyLogError, match=f"no signature from {V1_ORIGIN} among 1"):
        verify_checkpoint(renamed, ecdsa_log(), root_hash=ROOT, tree_size=SIZE)


def test_v1_origin_of_another_form_is_rejected() -> None:
    # An ECDSA key ID does not commit to the key name: a checkpoint whose
    # origin and key name are another log's, signed by the right key.
    text = checkpoint_text("log.elsewhere.test", SIZE, ROOT)
    key_id = ecdsa_log().log_id
    note = f"{text}\n{sig_line('log.elsewhere.test', key_id, sign(ECDSA_LOG_KEY, text.encode()))}"
    with pytest.raises(
        TransparencyLogError,
        match=r"origin 'log.elsewhere.test' is not of the form '<host> - <tree id>'",
    ):
        verify_checkpoint(note, ecdsa_log(), root_hash=ROOT, tree_size=SIZE)


def test_bad_signature_from_the_log_key_is_rejected() -> None:
    text = checkpoint_text(V2_NAME, SIZE, ROOT)
    signed_other = _v2(checkpoint_text(V2_NAME, SIZE + 1, ROOT))
    forged = text + signed_other[signed_other.index("\n\n") + 1 :]
    with pytest.raises(
        TransparencyLogError, match=f"checkpoint signature by {V2_NAME} .* does not verify"
    ):
        _verify_v2(forged)


def test_v1_signature_by_another_key_is_rejected() -> None:
    note = v1_note(checkpoint_text(V1_ORIGIN, SIZE, ROOT), key=OTHER_ECDSA_KEY)
    with pytest.raises(TransparencyLogError, match=f"signature by {V1_HOST} .* does not verify"):
        verify_checkpoint(note, ecdsa_log(), root_hash=ROOT, tree_size=SIZE)


def test_root_hash_different_from_proof_is_rejected() -> None:
    other = bytes(32)
    with pytest.raises(TransparencyLogError) as info:
        _verify_v2(_v2(), root=other)
    assert str(info.value) == (
        f"tlog: checkpoint root hash {ROOT.hex()} does not match inclusion proof root hash "
        f"{other.hex()}"
    )


def test_tree_size_different_from_proof_is_rejected() -> None:
    with pytest.raises(
        TransparencyLogError,
        match=f"checkpoint tree size {SIZE} does not match inclusion proof tree size 737",
    ):
        _verify_v2(_v2(), size=737)


@pytest.mark.parametrize(
    ("note", "reason"),
    [
        ("origin\n1\nAAAA\n", "no blank line"),
        ("origin\n1\n\n\u2014 x AAAAAAA=", "does not end with a newline"),
        ("origin\n1\n\n", "no signature lines"),
        ("o\n1\n\n- name AAAAAAAA\n", "does not start with an em dash"),
        ("o\n1\n\n\u2014 name\n", "is malformed"),
        ("o\n1\n\n\u2014 na+me AAAAAAAA\n", "is malformed"),
        ("o\n1\n\n\u2014 name AAAA AAAA\n", "is malformed"),
        ("o\n1\n\n\u2014 name !!!!\n", "signature is not base64"),
        ("o\n1\n\n\u2014 name AAAAAA==\n", "too short for a key ID and a signature"),
        ("o\t\n1\n\n\u2014 name AAAAAAAA\n", "control character"),
    ],
)
def test_malformed_notes_are_rejected(note: str, reason: str) -> None:
    with pytest.raises(TransparencyLogError, match=reason):
        SignedNote.parse(note)


def test_too_many_signature_lines_are_rejected() -> None:
    text = checkpoint_text(V2_NAME, SIZE, ROOT)
    note = _v2(text, *[witness_line(text, f"w{i}.example") for i in range(MAX_SIGNATURES)])
    with pytest.raises(TransparencyLogError, match=f"more than {MAX_SIGNATURES}"):
        _verify_v2(note)


def test_empty_extension_line_is_rejected() -> None:
    text = f"{V2_NAME}\n{SIZE}\n{base64.b64encode(ROOT).decode()}\n\nmore\n"
    with pytest.raises(TransparencyLogError, match=r"empty extension line"):
        Checkpoint.parse(_v2(text))


# --- property tests -----------------------------------------------------------------

_NOTE_ALPHABET = st.sampled_from(
    ["\n", "\n\n", "\u2014 ", " ", "736", "A", "=", "+", "/", "o", "-", "\t", "\u2014"]
)


@given(st.lists(_NOTE_ALPHABET, max_size=40).map("".join))
def test_property_random_notes_give_our_error_never_a_traceback(note: str) -> None:
    with contextlib.suppress(TransparencyLogError):
        Checkpoint.parse(note)


@given(st.text(max_size=300))
def test_property_arbitrary_text_gives_our_error_never_a_traceback(note: str) -> None:
    try:
        verify_checkpoint(note, ed25519_log(), root_hash=ROOT, tree_size=SIZE)
    except TransparencyLogError:
        return
    raise AssertionError("random text verified as a checkpoint")


@given(st.data())
def test_property_mutated_checkpoint_never_verifies_unless_unchanged(data: st.DataObject) -> None:
    note = _v2()
    position = data.draw(st.integers(min_value=0, max_value=len(note) - 1))
    replacement = data.draw(st.sampled_from(["A", "7", "\n", " ", "\u2014", ""]))
    mutated = note[:position] + replacement + note[position + 1 :]
    try:
        _verify_v2(mutated)
    except TransparencyLogError:
        return
    assert mutated == note


# --- real checkpoints ------------------------------------------------------------------


def _conformance_checkpoints(corpus: Path) -> list[tuple[str, str, bytes, int, LogKey | None]]:
    index = corpus / "conformance" / "cases.json"
    found = []
    for case in json.loads(index.read_text())["cases"]:
        try:
            bundle = Bundle.from_json((index.parent / case["bundle"]).read_bytes())
        except BundleFormatError:
            continue  # the malformed-bundle cases have nothing to say about checkpoints
        for entry in bundle.material.tlog_entries:
            proof = entry.inclusion_proof
            if proof is not None and proof.checkpoint is not None:
                root = TrustedRoot.from_json((index.parent / case["trusted_root"]).read_bytes())
                log = next(iter(root.tlogs_with_id(entry.log_id)), None)
                found.append((case["id"], proof.checkpoint, proof.root_hash, proof.tree_size, log))
    return found


def test_real_conformance_checkpoints(corpus: Path) -> None:
    failing = {
        "checkpoint-wrong-roothash_fail": "checkpoint root hash .* does not match inclusion",
        "invalid-checkpoint-signature_fail": "checkpoint signature by rekor.sigstore.dev",
        "rekor2-checkpoint-missing-origin_fail": "has no origin line",
        "rekor2-checkpoint-missing-root-hash_fail": "has no root hash line",
        "rekor2-checkpoint-missing-size_fail": "has no tree size line",
        "rekor2-checkpoint-no-matching-signature_fail": (
            "no signature from log2025-alpha1.rekor.github.dev among 1 signature lines"
        ),
    }
    seen = set()
    for case_id, envelope, root_hash, size, log in _conformance_checkpoints(corpus):
        if log is None:
            assert case_id == "bundle-from-wrong-instance_fail"
            continue
        if case_id in failing:
            seen.add(case_id)
            with pytest.raises(TransparencyLogError, match=failing[case_id]):
                verify_checkpoint(envelope, log, root_hash=root_hash, tree_size=size)
        else:
            checkpoint = verify_checkpoint(envelope, log, root_hash=root_hash, tree_size=size)
            assert checkpoint.tree_size == size, case_id
    assert seen == set(failing)


def test_real_cosigned_checkpoints_pass(corpus: Path) -> None:
    ids = {case_id for case_id, *_ in _conformance_checkpoints(corpus)}
    cosigned = {
        "rekor2-checkpoint-cosigned",
        "rekor2-checkpoint-two-sigs-cosigned",
        "rekor2-checkpoint-two-sigs-from-origin",
        "rekor2-dsse-happy-path",
    }
    assert cosigned <= ids
    for case_id, envelope, root_hash, size, log in _conformance_checkpoints(corpus):
        if case_id in cosigned:
            note = SignedNote.parse(envelope)
            assert len(note.signatures) >= 2, case_id
            assert log is not None
            verify_checkpoint(envelope, log, root_hash=root_hash, tree_size=size)


def test_ecdsa_log_key_fixture_is_the_one_notes_are_signed_with() -> None:
    # Guards the fixtures themselves: a v1 note signed with the log key verifies.
    text = checkpoint_text(V1_ORIGIN, 1, ROOT)
    assert ECDSA_LOG_KEY.public_key() == ecdsa_log().public_key
    verify_checkpoint(v1_note(text), ecdsa_log(), root_hash=ROOT, tree_size=1)


# --- lone surrogates: a rejection, never an encoding crash -----------------------------


def test_lone_surrogate_in_the_signed_text_is_rejected() -> None:
    good = _v2()
    text, _, signatures = good.partition("\n\n")
    note = text.replace(V2_NAME, V2_NAME + "\ud800", 1) + "\n\n" + signatures
    with pytest.raises(TransparencyLogError, match=r"not Unicode text .U\+D800, a lone surrogate"):
        _verify_v2(note)


def test_lone_surrogate_in_a_signature_line_name_is_rejected() -> None:
    text = checkpoint_text(V2_NAME, SIZE, ROOT)
    name = V2_NAME + "\udcff"
    note = f"{text}\n{sig_line(name, b'abcd', b'x' * 64)}"
    with pytest.raises(TransparencyLogError, match=r"U\+DCFF, a lone surrogate"):
        _verify_v2(note)

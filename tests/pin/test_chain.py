"""Offline TUF authentication (srcverify.pin.chain) against generated repositories.

Each attack is rejected for its own reason: the assertions match the message.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srcverify.errors import TufError
from srcverify.pin.authenticated import is_pinned_target
from srcverify.pin.chain import authenticate
from tests.support.tufrepo import T, TufRepo, expired


@pytest.fixture(scope="module")
def repo() -> TufRepo:
    return TufRepo()


def _edit(data: bytes, change: object) -> bytes:
    doc = json.loads(data)
    change(doc)  # type: ignore[operator]
    return json.dumps(doc).encode()


# --- accepted ------------------------------------------------------------------


def test_happy_path_full_pin(repo: TufRepo) -> None:
    pin = authenticate(repo.pin_files(), T)
    assert pin.fully_authenticated
    assert pin.root_chain == (1,)
    assert [(r.role, r.version) for r in pin.roles] == [
        ("root", 1),
        ("timestamp", 1),
        ("snapshot", 1),
        ("targets", 1),
    ]
    assert pin.roles[0].valid_signatures == 3 and pin.roles[0].threshold == 2
    assert all(t.tuf_authenticated for t in pin.targets)
    assert pin.trusted_root_json == repo.target_files["trusted_root.json"]
    assert any("match targets v1" in c for c in pin.checks_performed)
    # Only the root chain could not be checked against an older root.
    assert [c.split(":")[0] for c in pin.checks_not_possible] == ["root chain"]


def test_root_only_pin_says_what_it_cannot_check(repo: TufRepo) -> None:
    pin = authenticate(repo.pin_files(with_metadata=False), T)
    assert not pin.fully_authenticated
    assert pin.role("timestamp") is None
    assert not any(t.tuf_authenticated for t in pin.targets)
    text = " | ".join(pin.checks_not_possible)
    assert "the pin has no timestamp, snapshot or targets metadata" in text
    assert "not authenticated by TUF" in text and "trusted_root.json" in text
    assert "root v1 (the pinned anchor) carries 3/2 valid signatures" in pin.checks_performed[0]


def test_root_rotation_chain_with_new_online_keys() -> None:
    repo = TufRepo()
    repo.rotate_root(roles=("root", "timestamp", "snapshot"))
    repo.rotate_root(roles=("root", "targets"))
    repo.publish()
    pin = authenticate(repo.pin_files(), T)
    assert pin.root_chain == (1, 2, 3)
    assert any("root chain v1 -> v3" in c for c in pin.checks_performed)
    assert pin.role("timestamp") is not None
    # Old-key metadata no longer authenticates under the rotated root.
    old = TufRepo()
    files = repo.pin_files()
    files["metadata/timestamp.json"] = old.latest("timestamp")
    with pytest.raises(TufError, match=r"timestamp v1: threshold not met: 0 valid"):
        authenticate(files, T)


def test_signed_unknown_fields_are_accepted() -> None:
    # TUF lets repositories add fields inside "signed" (Sigstore's roots carry
    # x-tuf-on-ci-* ones); they are covered by the signatures.
    repo = TufRepo()
    repo.targets.signed.unrecognized_fields["x-custom"] = "signed"
    repo.publish()
    assert authenticate(repo.pin_files(), T).role("targets") is not None


def test_is_pinned_target() -> None:
    assert is_pinned_target("trusted_root.json")
    assert is_pinned_target("signing_config.v0.2.json")
    assert not is_pinned_target("rekor.pub")
    assert not is_pinned_target("signing_config/../../escape.json")
    assert not is_pinned_target("signing_config\\..\\x.json")


# --- rejected, each for its own reason -------------------------------------------


def test_root_rotation_not_signed_by_old_root() -> None:
    repo = TufRepo()
    repo.rotate_root(sign_with_old=False)
    with pytest.raises(TufError, match=r"root v2 signed by root v1: threshold not met: 0 valid"):
        authenticate(repo.pin_files(), T)


def test_root_rotation_not_signed_by_its_own_keys() -> None:
    repo = TufRepo()
    repo.rotate_root(sign_with_new=False)
    with pytest.raises(TufError, match=r"root v2 self-signed: threshold not met: 0 valid"):
        authenticate(repo.pin_files(), T)


def test_anchor_root_threshold_not_met() -> None:
    repo = TufRepo()
    repo.roots[1] = repo.sign(repo.root, repo.signers["root"][:1])
    with pytest.raises(TufError, match=r"root v1 self-signed: threshold not met: 1 valid .* 2"):
        authenticate(repo.pin_files(), T)


def test_timestamp_threshold_not_met() -> None:
    repo = TufRepo()
    repo.signers["timestamp"] = repo.signers["snapshot"]  # wrong key signs
    repo.publish()
    with pytest.raises(TufError, match=r"timestamp v2: threshold not met: 0 valid signature"):
        authenticate(repo.pin_files(), T)


@pytest.mark.parametrize("role", ["root", "timestamp", "snapshot", "targets"])
def test_rollback_below_pinned_version(role: str) -> None:
    repo = TufRepo()
    with pytest.raises(TufError, match=rf"rollback: {role} v1 is older than the pinned v5"):
        authenticate(repo.pin_files(), T, minimum_versions={role: 5})


def test_rollback_to_a_root_only_pin() -> None:
    repo = TufRepo()
    with pytest.raises(TufError, match=r"rollback: the new pin has no timestamp metadata"):
        authenticate(repo.pin_files(with_metadata=False), T, minimum_versions={"timestamp": 1})


def test_mix_and_match_snapshot_version() -> None:
    repo = TufRepo()
    repo.publish()
    files = repo.pin_files()
    files["metadata/snapshot.json"] = repo.history["snapshot"][1]
    with pytest.raises(
        TufError,
        match=r"mix-and-match: timestamp v2 lists snapshot v2, metadata/snapshot.json is v1",
    ):
        authenticate(files, T)


def test_mix_and_match_targets_version() -> None:
    repo = TufRepo()
    repo.publish()
    files = repo.pin_files()
    files["metadata/targets.json"] = repo.history["targets"][1]
    with pytest.raises(
        TufError, match=r"mix-and-match: snapshot v2 lists targets v2, metadata/targets.json is v1"
    ):
        authenticate(files, T)


def test_mix_and_match_snapshot_hash() -> None:
    # Same version, different (validly signed) content: only the hash tells.
    repo = TufRepo()
    files = repo.pin_files()
    repo.snapshot.signed.expires += timedelta(days=1)
    files["metadata/snapshot.json"] = repo.sign(repo.snapshot, repo.signers["snapshot"])
    with pytest.raises(
        TufError,
        match=r"metadata/snapshot.json does not match the length/hashes timestamp v1 lists",
    ):
        authenticate(files, T)


def test_tampered_target_file() -> None:
    repo = TufRepo()
    files = repo.pin_files()
    data = bytearray(files["targets/trusted_root.json"])
    data[10] ^= 0x01
    files["targets/trusted_root.json"] = bytes(data)
    with pytest.raises(
        TufError, match=r"targets/trusted_root.json does not match targets v1: Observed hash"
    ):
        authenticate(files, T)


def test_target_not_listed_in_targets_metadata() -> None:
    repo = TufRepo()
    files = repo.pin_files()
    files["targets/signing_config.extra.json"] = b"{}"
    with pytest.raises(TufError, match=r"signing_config.extra.json is not listed in targets v1"):
        authenticate(files, T)


@pytest.mark.parametrize("role", ["root", "timestamp", "snapshot", "targets"])
def test_metadata_expired_at_reference_time(role: str) -> None:
    repo = TufRepo()
    if role == "root":
        repo.root.signed.expires = expired()
        repo.roots[1] = repo.sign(repo.root, repo.signers["root"])
    else:
        repo.publish(expires={role: expired()})
    with pytest.raises(
        TufError, match=rf"{role} v\d+ expired at 2029-12-31T00:00:00Z, at or before the reference"
    ):
        authenticate(repo.pin_files(), T)


def test_expiry_is_evaluated_at_the_reference_time_not_now() -> None:
    repo = TufRepo()
    repo.publish(expires={"timestamp": T + timedelta(seconds=1)})
    assert authenticate(repo.pin_files(), T).role("timestamp") is not None
    with pytest.raises(TufError, match=r"timestamp v2 expired"):
        authenticate(repo.pin_files(), T + timedelta(seconds=1))


def test_intermediate_root_expiry_does_not_matter() -> None:
    repo = TufRepo()
    repo.root.signed.expires = expired()
    repo.roots[1] = repo.sign(repo.root, repo.signers["root"])
    repo.root.signed.expires = repo.expires
    repo.rotate_root()
    assert authenticate(repo.pin_files(), T).root_chain == (1, 2)


def test_missing_root_version_in_chain() -> None:
    repo = TufRepo()
    repo.rotate_root()
    repo.rotate_root()
    with pytest.raises(
        TufError,
        match=r"root chain: version 2 is missing between metadata/1.root.json and "
        r"metadata/3.root.json",
    ):
        authenticate(repo.pin_files(roots=[1, 3]), T)


def test_root_file_name_and_version_disagree() -> None:
    repo = TufRepo()
    files = repo.pin_files()
    files["metadata/7.root.json"] = files.pop("metadata/1.root.json")
    with pytest.raises(TufError, match=r"metadata/7.root.json contains root version 1, not 7"):
        authenticate(files, T)


def test_unknown_unsigned_top_level_field() -> None:
    repo = TufRepo()
    files = repo.pin_files()
    files["metadata/timestamp.json"] = _edit(
        files["metadata/timestamp.json"], lambda d: d.update({"x-note": "unsigned"})
    )
    with pytest.raises(
        TufError, match=r"metadata/timestamp.json: unsigned field\(s\) x-note outside 'signed'"
    ):
        authenticate(files, T)


def test_unknown_field_in_a_signature_entry() -> None:
    repo = TufRepo()
    files = repo.pin_files()
    files["metadata/1.root.json"] = _edit(
        files["metadata/1.root.json"], lambda d: d["signatures"][0].update({"extra": 1})
    )
    with pytest.raises(TufError, match=r"unsigned field\(s\) signatures\[[0-9a-f]{12}\]\.extra"):
        authenticate(files, T)


def test_unknown_field_injected_into_signed_part() -> None:
    repo = TufRepo()
    files = repo.pin_files()
    files["metadata/targets.json"] = _edit(
        files["metadata/targets.json"], lambda d: d["signed"].update({"x-injected": True})
    )
    # Injection changes the file: the hash the snapshot lists notices first.
    with pytest.raises(
        TufError, match=r"metadata/targets.json does not match the length/hashes snapshot v1"
    ):
        authenticate(files, T)


def test_unknown_field_injected_without_hashes_breaks_signature() -> None:
    repo = TufRepo()
    repo.publish(hashes_in_meta=False)
    files = repo.pin_files()
    files["metadata/targets.json"] = _edit(
        files["metadata/targets.json"], lambda d: d["signed"].update({"x-injected": True})
    )
    with pytest.raises(TufError, match=r"targets v2: threshold not met: 0 valid signature"):
        authenticate(files, T)


def test_incomplete_chain() -> None:
    repo = TufRepo()
    files = repo.pin_files()
    del files["metadata/snapshot.json"]
    with pytest.raises(TufError, match=r"incomplete TUF chain: .* but no snapshot"):
        authenticate(files, T)


def test_wrong_metadata_type() -> None:
    repo = TufRepo()
    files = repo.pin_files()
    files["metadata/timestamp.json"] = files["metadata/snapshot.json"]
    with pytest.raises(TufError, match=r"expected timestamp metadata, found snapshot"):
        authenticate(files, T)


def test_unexpected_file_and_missing_pieces() -> None:
    repo = TufRepo()
    with pytest.raises(TufError, match=r"unexpected file metadata/rekor.json"):
        authenticate({**repo.pin_files(), "metadata/rekor.json": b"{}"}, T)
    files = repo.pin_files()
    del files["targets/trusted_root.json"]
    with pytest.raises(TufError, match=r"the pin has no targets/trusted_root.json"):
        authenticate(files, T)
    with pytest.raises(TufError, match=r"no root metadata \(metadata/N.root.json\)"):
        authenticate({"targets/trusted_root.json": b"{}"}, T)


def test_naive_reference_time() -> None:
    with pytest.raises(TufError, match=r"timezone-aware"):
        authenticate(TufRepo().pin_files(), T.replace(tzinfo=None))


_REPO = TufRepo()


@settings(max_examples=60, deadline=None)
@given(
    path=st.sampled_from(
        ["metadata/1.root.json", "metadata/timestamp.json", "metadata/snapshot.json"]
    ),
    data=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)),
)
def test_malformed_metadata_gives_our_error(path: str, data: bytes) -> None:
    files = _REPO.pin_files()
    files[path] = data
    with pytest.raises(TufError):
        authenticate(files, T)


@settings(max_examples=60, deadline=None)
@given(
    doc=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=10,
    )
)
def test_malformed_json_metadata_gives_our_error(doc: object) -> None:
    files = _REPO.pin_files()
    files["metadata/1.root.json"] = json.dumps({"signed": doc, "signatures": []}).encode()
    with pytest.raises(TufError):
        authenticate(files, T)

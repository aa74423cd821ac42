"""A trusted root may list one log id more than once (the same key with two validity
windows, or under two base URLs): every entry with the id is considered, and the one
whose window covers the time being judged is used (issue 10, point 7)."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest

from srcverify.errors import CertificateError, TransparencyLogError
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.identity import Identity
from srcverify.sigstore.trustroot import TrustedRoot
from srcverify.sigstore.verify import Receipt, verify_bundle
from tests.support.instance import TestInstance
from tests.support.keys import rfc3339
from tests.support.signed import DEFAULT_IDENTITY, DEFAULT_ISSUER, NOW, SIGNED_AT, SignedBundle

POLICY = Identity(identity=DEFAULT_IDENTITY, issuer=DEFAULT_ISSUER)
CUT = SIGNED_AT - timedelta(days=30)
EXPIRED = {"start": "2024-01-01T00:00:00Z", "end": rfc3339(CUT)}
CURRENT = {"start": rfc3339(CUT)}
V2 = 1  # the test instance's trusted root lists Rekor v1, then Rekor v2


def _twice(signed: SignedBundle, kind: str, index: int, *windows: dict[str, str]) -> bytes:
    """The trusted root with entry ``kind[index]`` listed once per window, in order,
    each under its own base URL."""
    root = copy.deepcopy(signed.trusted_root)
    entry = root[kind][index]
    copies = []
    for number, window in enumerate(windows):
        duplicate = copy.deepcopy(entry)
        duplicate["publicKey"]["validFor"] = window
        duplicate["baseUrl"] = f"https://log{number}.srcverify.test"
        copies.append(duplicate)
    root[kind][index : index + 1] = copies
    return json.dumps(root).encode()


def _verify(signed: SignedBundle, root: bytes) -> Receipt:
    return verify_bundle(
        Bundle.from_json(json.dumps(signed.bundle).encode()),
        signed.digest,
        trusted_root=TrustedRoot.from_json(root),
        policy=POLICY,
        now=NOW,
    )


def _v2(instance: TestInstance) -> SignedBundle:
    if instance.tsa is None:
        pytest.skip(instance.tsa_unavailable)
    return instance.sign_artifact(b"release", log="v2", timestamp=True)


@pytest.mark.parametrize("order", ["expired first", "current first"])
def test_rekor_v1_entry_is_judged_by_the_window_that_covers_its_time(order: str) -> None:
    signed = TestInstance().sign_artifact(b"release")
    windows = (EXPIRED, CURRENT) if order == "expired first" else (CURRENT, EXPIRED)
    receipt = _verify(signed, _twice(signed, "tlogs", 0, *windows))
    expected = "https://log1.srcverify.test" if order == "expired first" else "https://log0."
    assert receipt.log_entries[0].log.startswith(expected)
    assert receipt.log_entries[0].promise_verified


def test_rekor_v2_entry_is_judged_by_the_window_that_covers_its_timestamp() -> None:
    signed = _v2(TestInstance())
    receipt = _verify(signed, _twice(signed, "tlogs", V2, EXPIRED, CURRENT))
    assert receipt.log_entries[0].log == "https://log1.srcverify.test"
    assert receipt.log_entries[0].proof_verified


def test_no_window_of_a_repeated_log_id_covers_the_time_lists_every_window() -> None:
    signed = TestInstance().sign_artifact(b"release")
    later = {"start": rfc3339(SIGNED_AT + timedelta(days=1))}
    with pytest.raises(TransparencyLogError) as info:
        _verify(signed, _twice(signed, "tlogs", 0, EXPIRED, later))
    message = str(info.value)
    assert "was not valid in any of its 2 entries at 2025-06-01T12:00:03+00:00" in message
    assert f"2024-01-01T00:00:00+00:00 .. {CUT.isoformat()}" in message
    assert f"{(SIGNED_AT + timedelta(days=1)).isoformat()} .. open" in message
    assert info.value.step == "tlog"


def test_rekor_v2_no_covering_window_lists_every_window() -> None:
    signed = _v2(TestInstance())
    later = {"start": rfc3339(SIGNED_AT + timedelta(days=1))}
    with pytest.raises(TransparencyLogError) as info:
        _verify(signed, _twice(signed, "tlogs", V2, EXPIRED, later))
    assert f"2024-01-01T00:00:00+00:00 .. {CUT.isoformat()}" in str(info.value)
    assert f"{(SIGNED_AT + timedelta(days=1)).isoformat()} .. open" in str(info.value)


def test_ct_log_sct_is_judged_by_the_window_that_covers_its_time() -> None:
    signed = TestInstance().sign_artifact(b"release")
    receipt = _verify(signed, _twice(signed, "ctlogs", 0, EXPIRED, CURRENT))
    assert receipt.signer == DEFAULT_IDENTITY


def test_ct_log_no_covering_window_lists_every_window() -> None:
    signed = TestInstance().sign_artifact(b"release")
    later = {"start": rfc3339(SIGNED_AT + timedelta(days=1))}
    with pytest.raises(CertificateError) as info:
        _verify(signed, _twice(signed, "ctlogs", 0, EXPIRED, later))
    message = str(info.value)
    assert "key not valid at SCT time" in message
    assert f"2024-01-01T00:00:00+00:00 .. {CUT.isoformat()}" in message
    assert f"{(SIGNED_AT + timedelta(days=1)).isoformat()} .. open" in message

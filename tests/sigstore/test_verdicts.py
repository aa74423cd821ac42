"""Right verdict, right reason: cases where an unverified claim chose the wrong exit code."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from srcverify.errors import StaleTrustRootError, TimestampError, VerificationError
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.identity import Identity
from srcverify.sigstore.trustroot import TrustedRoot
from srcverify.sigstore.verify import verify_bundle
from tests.support.instance import TestInstance
from tests.support.keys import b64
from tests.support.signed import DEFAULT_IDENTITY, DEFAULT_ISSUER, NOW, SIGNED_AT

POLICY = Identity(identity=DEFAULT_IDENTITY, issuer=DEFAULT_ISSUER)
PIN_TIME = SIGNED_AT - timedelta(days=30)


def _root(instance: TestInstance) -> TrustedRoot:
    signed = instance.sign_artifact(b"x")
    return TrustedRoot.from_json(json.dumps(signed.trusted_root).encode())


def test_forged_bundle_claiming_a_known_log_is_rejected_not_called_stale() -> None:
    """A self-made bundle with a log id copied from the pin, signed after the pin: the entry
    is verified against the known log and fails (exit 1), whatever its claimed time."""
    pinned = TestInstance()
    forger = TestInstance("forger")
    forged = forger.sign_artifact(b"tampered tarball")
    entry = forged.bundle["verificationMaterial"]["tlogEntries"][0]
    entry["logId"] = {"keyId": b64(pinned.rekor_v1.log_id)}
    bundle = Bundle.from_json(json.dumps(forged.bundle).encode())
    with pytest.raises(VerificationError) as info:
        verify_bundle(
            bundle,
            forged.digest,
            trusted_root=_root(pinned),
            policy=POLICY,
            now=NOW,
            trust_root_time=PIN_TIME,
        )
    assert not isinstance(info.value, StaleTrustRootError)
    assert info.value.step == "tlog"


def test_a_log_the_pin_lacks_claiming_a_future_time_is_not_called_stale() -> None:
    pinned = TestInstance()
    forger = TestInstance("forger")
    forged = forger.sign_artifact(b"tampered tarball", integrated_time=NOW + timedelta(days=400))
    bundle = Bundle.from_json(json.dumps(forged.bundle).encode())
    with pytest.raises(VerificationError, match="unknown log"):
        verify_bundle(
            bundle,
            forged.digest,
            trusted_root=_root(pinned),
            policy=POLICY,
            now=NOW,
            trust_root_time=PIN_TIME,
        )


def test_a_new_log_after_the_pin_is_still_explained_as_stale() -> None:
    """The advice the explanation exists for survives: unknown log, plausible time."""
    pinned = TestInstance()
    newer = TestInstance("rotated").sign_artifact(b"release")
    bundle = Bundle.from_json(json.dumps(newer.bundle).encode())
    with pytest.raises(StaleTrustRootError, match="update the trust root"):
        verify_bundle(
            bundle,
            newer.digest,
            trusted_root=_root(pinned),
            policy=POLICY,
            now=NOW,
            trust_root_time=PIN_TIME,
        )


def test_an_rfc3161_time_after_now_is_refused_like_a_log_time() -> None:
    instance = TestInstance()
    if instance.tsa is None:
        pytest.skip(instance.tsa_unavailable)
    signed = instance.sign_artifact(b"release", log="v2", timestamp=True)
    bundle = Bundle.from_json(json.dumps(signed.bundle).encode())
    root = TrustedRoot.from_json(json.dumps(signed.trusted_root).encode())
    before = SIGNED_AT  # the TSA time is SIGNED_AT + 2 s: "now" is earlier than the timestamp
    with pytest.raises(TimestampError, match=r"RFC 3161 timestamp by .* after now"):
        verify_bundle(bundle, signed.digest, trusted_root=root, policy=POLICY, now=before)
    verify_bundle(bundle, signed.digest, trusted_root=root, policy=POLICY, now=NOW)

"""Timestamp-only evidence (RFC 3161 timestamps, no transparency log entry): refused by
default, accepted by explicit opt-in against a trusted root that names TSAs, noted in the
receipt."""

from __future__ import annotations

import json
from typing import Any

import pytest

from srcverify.errors import BundleFormatError, CertificateError, TimestampError
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.identity import Identity
from srcverify.sigstore.trustroot import TrustedRoot
from srcverify.sigstore.verify import Receipt, verify_bundle
from tests.support.instance import DEFAULT_IDENTITY, DEFAULT_ISSUER, SignedBundle, TestInstance

ARTIFACT = b"private-5.0.tar.gz contents\n"
POLICY = Identity(identity=DEFAULT_IDENTITY, issuer=DEFAULT_ISSUER)


@pytest.fixture(scope="module")
def inst() -> TestInstance:
    instance = TestInstance()
    if instance.tsa is None:
        pytest.skip(instance.tsa_unavailable)
    return instance


def _no_logs_root(inst: TestInstance, **options: Any) -> dict[str, Any]:
    """Like GitHub's private-instance trusted root: a Fulcio CA and a TSA, no log keys."""
    return inst.trusted_root(include_v1=False, include_v2=False, **options)


def _verify(inst: TestInstance, sb: SignedBundle, root: dict[str, Any], *, allow: bool) -> Receipt:
    bundle = Bundle.from_json(json.dumps(sb.bundle).encode())
    trusted = TrustedRoot.from_json(json.dumps(root).encode())
    return verify_bundle(
        bundle,
        sb.digest,
        trusted_root=trusted,
        policy=POLICY,
        now=inst.now,
        allow_timestamp_only=allow,
    )


def test_trusted_root_without_any_log_key_loads(inst: TestInstance) -> None:
    root = TrustedRoot.from_json(json.dumps(_no_logs_root(inst, include_ctlog=False)).encode())
    assert (root.tlogs, root.ctlogs) == ((), ())
    assert root.timestamp_authorities


def test_refused_by_default(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT, timestamp=True, tlog_entry=False)
    with pytest.raises(
        BundleFormatError, match=r"needs at least one log entry .*--allow-timestamp"
    ):
        _verify(inst, sb, _no_logs_root(inst), allow=False)


@pytest.mark.parametrize("dsse", [False, True])
def test_accepted_by_opt_in_and_noted(inst: TestInstance, dsse: bool) -> None:
    sb = inst.sign_artifact(ARTIFACT, timestamp=True, tlog_entry=False, dsse=dsse)
    receipt = _verify(inst, sb, _no_logs_root(inst), allow=True)
    assert receipt.log_entries == ()
    assert receipt.promise_only is False
    assert [t.source for t in receipt.verified_times] == ["rfc3161-timestamp"]
    assert receipt.notes == (
        "no transparency log backed the signature: timestamp-only evidence, accepted by opt-in",
    )


def test_no_ct_log_in_the_root_means_no_sct_is_required(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT, timestamp=True, tlog_entry=False, sct="none")
    receipt = _verify(inst, sb, _no_logs_root(inst, include_ctlog=False), allow=True)
    assert receipt.notes[-1] == (
        "no SCT checked: timestamp-only evidence, the trusted root names no CT log"
    )
    # a root that names CT logs still requires the SCT
    with pytest.raises(CertificateError, match="SCT"):
        _verify(inst, sb, _no_logs_root(inst), allow=True)


def test_opt_in_still_needs_a_trusted_timestamp(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT, timestamp=False, tlog_entry=False)
    with pytest.raises(TimestampError, match="no verified time"):
        _verify(inst, sb, _no_logs_root(inst), allow=True)
    stamped = inst.sign_artifact(ARTIFACT, timestamp=True, tlog_entry=False)
    with pytest.raises(TimestampError):
        _verify(inst, stamped, _no_logs_root(inst, include_tsa=False), allow=True)


def test_opt_in_changes_nothing_for_logged_bundles(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT, timestamp=True)
    receipt = _verify(inst, sb, inst.trusted_root(), allow=True)
    assert receipt.notes == ()
    assert len(receipt.log_entries) == 1

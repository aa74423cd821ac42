"""The orchestrator, step by step, against the test Sigstore instance.

Valid bundles of every supported shape verify; each tampered variant (one
defect, everything else re-signed) is rejected by the step that guards it,
with that step's reason.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from srcverify.errors import (
    ArtifactMismatchError,
    BundleFormatError,
    CertificateError,
    PolicyError,
    SignatureError,
    SrcverifyError,
    StaleTrustRootError,
    TimestampError,
    TransparencyLogError,
)
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.identity import AnyOf, Identity
from srcverify.sigstore.signature import load_public_key_pem
from srcverify.sigstore.trustroot import TrustedRoot
from srcverify.sigstore.verify import ManagedKey, Receipt, verify_bundle
from tests.support import tamper
from tests.support.instance import DEFAULT_IDENTITY, DEFAULT_ISSUER, SignedBundle, TestInstance

ARTIFACT = b"upstream-1.0.tar.gz contents\n"
POLICY = Identity(identity=DEFAULT_IDENTITY, issuer=DEFAULT_ISSUER)


@pytest.fixture(scope="module")
def inst() -> TestInstance:
    return TestInstance()


def _verify(inst: TestInstance, sb: SignedBundle, policy: Any = POLICY, **kwargs: Any) -> Receipt:
    bundle = Bundle.from_json(json.dumps(sb.bundle).encode())
    root = TrustedRoot.from_json(json.dumps(sb.trusted_root).encode())
    return verify_bundle(
        bundle, sb.digest, trusted_root=root, policy=policy, now=inst.now, **kwargs
    )


SHAPES = {
    "v0.1 SET and proof": {"media_type": "v0.1"},
    "v0.1 promise only": {"media_type": "v0.1", "inclusion_proof": False},
    "v0.1 proof without checkpoint": {"media_type": "v0.1", "checkpoint": False},
    "v0.2 chain with intermediate": {"media_type": "v0.2", "chain": "leaf+intermediate"},
    "v0.3": {"media_type": "v0.3"},
    "v0.3 legacy spelling": {"media_type": "v0.3-legacy"},
    "v0.3 with timestamp": {"media_type": "v0.3", "timestamp": True},
    "rekor v2": {"log": "v2", "timestamp": True},
    "dsse rekor v1": {"dsse": True},
    "intoto rekor v1": {"dsse": True, "dsse_entry": "intoto", "media_type": "v0.2"},
    "dsse rekor v2": {"dsse": True, "log": "v2", "timestamp": True},
}


@pytest.mark.parametrize("options", SHAPES.values(), ids=SHAPES.keys())
def test_valid_shapes_verify(inst: TestInstance, options: dict[str, Any]) -> None:
    sb = inst.sign_artifact(ARTIFACT, **options)
    receipt = _verify(inst, sb)
    assert receipt.signer == DEFAULT_IDENTITY
    assert receipt.issuer == DEFAULT_ISSUER
    assert receipt.artifact_sha256 == sb.digest.hex()
    promise_only = options.get("media_type") == "v0.1" and (
        not options.get("inclusion_proof", True) or not options.get("checkpoint", True)
    )
    assert receipt.promise_only is promise_only
    sources = {t.source for t in receipt.verified_times}
    assert ("rfc3161-timestamp" in sources) is options.get("timestamp", False)
    assert ("transparency-log" in sources) is (options.get("log", "v1") == "v1")


def test_managed_key(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT, managed_key=True)
    receipt = _verify(inst, sb, ManagedKey(load_public_key_pem(inst.managed_public_key_pem())))
    assert receipt.signer.startswith("managed key sha256:")
    with pytest.raises(SignatureError, match="does not verify over artifact digest"):
        _verify(inst, sb, ManagedKey(load_public_key_pem(inst.managed_public_key_pem(other=True))))
    with pytest.raises(PolicyError, match="verify it with --key"):
        _verify(inst, sb)


def test_key_policy_refuses_certificate_bundle(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT)
    key = ManagedKey(load_public_key_pem(inst.managed_public_key_pem()))
    with pytest.raises(PolicyError, match="bundle is signed with a certificate"):
        _verify(inst, sb, key)


# tamper function -> (expected error class, regex on the message), one per defect.
REJECTIONS: dict[str, tuple[dict[str, Any], type[SrcverifyError], str]] = {
    "wrong_signature": ({}, SignatureError, r"does not verify over artifact digest"),
    "wrong_artifact": ({}, ArtifactMismatchError, r"does not match the digest the bundle signed"),
    "message_digest_mismatch": ({}, ArtifactMismatchError, r"does not match the digest"),
    "entry_for_other_artifact": ({}, TransparencyLogError, r"digest"),
    "signature_differs_from_log": ({}, TransparencyLogError, r"signature"),
    "dsse_other_subject": ({"dsse": True}, ArtifactMismatchError, r"not a subject"),
    "invalid_base64_signature": ({}, BundleFormatError, r"not valid base64"),
    "unknown_media_type": ({}, BundleFormatError, r"unsupported bundle media type"),
    "no_tlog_entries": ({}, BundleFormatError, r"at least one log entry"),
    "unknown_log_id": ({}, TransparencyLogError, r"unknown log"),
    "bad_set": ({}, TransparencyLogError, r"signed entry timestamp|SET"),
    "set_time_outside_cert_validity": ({}, CertificateError, r"not valid at"),
    "integrated_time_in_future": ({}, TransparencyLogError, r"in the future"),
    "no_inclusion_promise": ({"media_type": "v0.1"}, BundleFormatError, r"inclusion promise"),
    "no_inclusion_proof": ({}, BundleFormatError, r"requires an inclusion proof"),
    "no_checkpoint": ({}, BundleFormatError, r"with a checkpoint"),
    "bad_inclusion_proof_hash": ({}, TransparencyLogError, r"inclusion proof|root hash"),
    "checkpoint_wrong_root_hash": ({}, TransparencyLogError, r"root hash"),
    "checkpoint_missing_origin": (
        {"log": "v2", "timestamp": True},
        TransparencyLogError,
        r"origin",
    ),
    "checkpoint_missing_size": ({"log": "v2", "timestamp": True}, TransparencyLogError, r"size"),
    "checkpoint_missing_root_hash": (
        {"log": "v2", "timestamp": True},
        TransparencyLogError,
        r"root hash",
    ),
    "checkpoint_other_origin": ({}, TransparencyLogError, r"origin|no signature"),
    "checkpoint_unknown_key": ({}, TransparencyLogError, r"no signature|signature"),
    "leaf_from_untrusted_ca": ({}, CertificateError, r"trusted|chain"),
    "chain_includes_root": (
        {"media_type": "v0.2"},
        CertificateError,
        r"bundle chain includes a root CA: self-signed .*only a copy of a trusted root",
    ),
    "chain_root_before_intermediate": (
        {"media_type": "v0.2"},
        CertificateError,
        r"bundle chain includes a root CA: self-signed .*only a copy of a trusted root",
    ),
    "bad_sct": ({}, CertificateError, r"SCT"),
    "sct_from_unknown_log": ({}, CertificateError, r"SCT.*unknown|SCT"),
    "no_sct": ({}, CertificateError, r"SCT"),
    "missing_code_signing_eku": ({}, CertificateError, r"codeSigning|code signing|CODE_SIGNING"),
    "ca_window_excludes_signing_time": ({}, CertificateError, r"valid"),
    "tlog_window_excludes_log_time": ({}, TransparencyLogError, r"valid"),
    "no_timestamp": ({"log": "v2", "timestamp": True}, TimestampError, r"no verified time"),
    "timestamp_outside_cert_validity": ({"timestamp": True}, CertificateError, r"not valid at"),
    "timestamp_from_untrusted_tsa": ({"timestamp": True}, TimestampError, r"trusted"),
    "tsa_window_excludes_timestamp": ({"log": "v2", "timestamp": True}, TimestampError, r"valid"),
}


@pytest.mark.parametrize("name", REJECTIONS.keys())
def test_each_defect_is_rejected_by_its_step(inst: TestInstance, name: str) -> None:
    options, error, message = REJECTIONS[name]
    fn: Callable[..., SignedBundle] = getattr(tamper, name)
    sb = inst.sign_artifact(ARTIFACT, **options)
    takes_instance = "inst" in inspect.signature(fn).parameters
    bad = fn(inst, sb) if takes_instance else fn(sb)
    with pytest.raises(SrcverifyError) as caught:
        _verify(inst, bad)
    assert isinstance(caught.value, error), f"{name}: {type(caught.value).__name__}: {caught.value}"
    assert re.search(message, str(caught.value)), f"{name}: {caught.value}"


@pytest.mark.parametrize(
    "name", ["checkpoint_with_witness", "checkpoint_extra_signature_from_origin"]
)
def test_checkpoint_extra_signatures_still_verify(inst: TestInstance, name: str) -> None:
    for log in ("v1", "v2"):
        sb = inst.sign_artifact(ARTIFACT, log=log, timestamp=log == "v2")
        assert _verify(inst, getattr(tamper, name)(inst, sb)).signer == DEFAULT_IDENTITY


def test_wrong_identity_names_expected_and_actual(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT)
    policy = Identity(identity="someone@else.test", issuer=DEFAULT_ISSUER)
    with pytest.raises(PolicyError, match=f"someone@else.test.*{re.escape(DEFAULT_IDENTITY)}"):
        _verify(inst, sb, policy)


def test_empty_any_of_fails_closed(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT)
    with pytest.raises(PolicyError, match="empty"):
        _verify(inst, sb, AnyOf(()))


def test_stale_pin_is_explained(inst: TestInstance) -> None:
    """A signature newer than the pin, by a log the pin lacks: exit 3 advice, not 'invalid'."""
    sb = inst.sign_artifact(ARTIFACT)
    bad = tamper.unknown_log_id(inst, sb)
    pin_time = sb.options.when.replace(year=2024)
    with pytest.raises(StaleTrustRootError, match="update the trust root"):
        _verify(inst, bad, trust_root_time=pin_time)
    with pytest.raises(TransparencyLogError, match="unknown log"):
        _verify(inst, bad, trust_root_time=sb.options.when.replace(year=2026))


def test_stale_pin_check_survives_an_unrepresentable_integrated_time(inst: TestInstance) -> None:
    """The unverified integrated time is only a hint; a huge one is the log step's rejection."""
    sb = inst.sign_artifact(ARTIFACT)
    bundle = sb.copy_bundle()
    bundle["verificationMaterial"]["tlogEntries"][0]["integratedTime"] = str(10**15)
    bad = sb.with_bundle(bundle, "integrated time in the year 31 million")
    with pytest.raises(TransparencyLogError, match="inclusion promise"):
        _verify(inst, bad, trust_root_time=sb.options.when.replace(year=2024))

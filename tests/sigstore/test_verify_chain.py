"""A copy of the trusted root CA at the end of a bundle's chain is verified as if absent;
every other extra or misplaced root is still a rejection."""

from __future__ import annotations

import json

import pytest

from srcverify.errors import CertificateError
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.identity import Identity
from srcverify.sigstore.trustroot import TrustedRoot
from srcverify.sigstore.verify import Receipt, verify_bundle
from tests.support import tamper
from tests.support.instance import DEFAULT_IDENTITY, DEFAULT_ISSUER, SignedBundle, TestInstance

ARTIFACT = b"upstream-4.0.tar.gz contents\n"
POLICY = Identity(identity=DEFAULT_IDENTITY, issuer=DEFAULT_ISSUER)


@pytest.fixture(scope="module")
def inst() -> TestInstance:
    return TestInstance()


def _verify(inst: TestInstance, sb: SignedBundle) -> Receipt:
    bundle = Bundle.from_json(json.dumps(sb.bundle).encode())
    root = TrustedRoot.from_json(json.dumps(sb.trusted_root).encode())
    return verify_bundle(bundle, sb.digest, trusted_root=root, policy=POLICY, now=inst.now)


@pytest.mark.parametrize("media_type", ["v0.1", "v0.2"])
def test_trusted_root_appended_is_tolerated_and_noted(inst: TestInstance, media_type: str) -> None:
    sb = inst.sign_artifact(ARTIFACT, media_type=media_type, chain="full")
    chain = sb.bundle["verificationMaterial"]["x509CertificateChain"]["certificates"]
    assert len(chain) == 3
    receipt = _verify(inst, sb)
    assert receipt.signer == DEFAULT_IDENTITY
    (note,) = receipt.notes
    assert note.startswith("the bundle's chain ends in a copy of a trusted root CA (")
    assert note.endswith("verified as if absent")
    assert receipt.to_json()["notes"] == [note]


def test_plain_chain_has_no_note(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT, media_type="v0.2", chain="leaf+intermediate")
    assert _verify(inst, sb).notes == ()


@pytest.mark.parametrize("defect", ["chain_includes_root", "chain_root_before_intermediate"])
def test_other_roots_in_the_chain_are_still_rejected(inst: TestInstance, defect: str) -> None:
    sb = inst.sign_artifact(ARTIFACT, media_type="v0.2")
    bad = getattr(tamper, defect)(inst, sb)
    with pytest.raises(CertificateError, match=r"bundle chain includes a root CA: self-signed"):
        _verify(inst, bad)


def test_tolerated_root_must_still_chain(inst: TestInstance) -> None:
    """Dropping the copy changes nothing else: a leaf of an untrusted CA stays untrusted."""
    sb = inst.sign_artifact(ARTIFACT, media_type="v0.2", chain="full", ca="rogue")
    with pytest.raises(CertificateError, match=r"bundle chain includes a root CA"):
        _verify(inst, sb)  # the rogue root is no trusted root's copy

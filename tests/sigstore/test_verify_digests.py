"""SHA-384/512 message digests, in-toto subjects by any accepted algorithm, multi-subject
statements: through the orchestrator, against the test Sigstore instance.

Each valid shape verifies with the digests it needs; each defect is rejected with its reason.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from srcverify.errors import ArtifactMismatchError, BundleFormatError, InputError
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.identity import Identity
from srcverify.sigstore.trustroot import TrustedRoot
from srcverify.sigstore.verify import Receipt, artifact_algorithms, verify_bundle
from tests.support.instance import DEFAULT_IDENTITY, DEFAULT_ISSUER, SignedBundle, TestInstance

ARTIFACT = b"upstream-2.0.tar.gz contents\n"
OTHER = b"upstream-2.0.zip contents\n"
POLICY = Identity(identity=DEFAULT_IDENTITY, issuer=DEFAULT_ISSUER)


@pytest.fixture(scope="module")
def inst() -> TestInstance:
    return TestInstance()


def _digests(data: bytes, *algorithms: str) -> dict[str, bytes]:
    return {alg: hashlib.new(alg, data).digest() for alg in algorithms}


def _verify(inst: TestInstance, sb: SignedBundle, digests: Any, name: str | None = None) -> Receipt:
    bundle = Bundle.from_json(json.dumps(sb.bundle).encode())
    root = TrustedRoot.from_json(json.dumps(sb.trusted_root).encode())
    return verify_bundle(
        bundle, digests, trusted_root=root, policy=POLICY, now=inst.now, artifact_name=name
    )


def _bundle(sb: SignedBundle) -> Bundle:
    return Bundle.from_json(json.dumps(sb.bundle).encode())


@pytest.mark.parametrize(
    ("curve", "algorithm", "log"),
    [
        ("P-384", "sha384", "v1"),
        ("P-521", "sha512", "v1"),
        ("P-384", "sha384", "v2"),
        ("P-521", "sha512", "v2"),
    ],
)
def test_message_signature_over_sha384_and_sha512(
    inst: TestInstance, curve: str, algorithm: str, log: str
) -> None:
    sb = inst.sign_artifact(ARTIFACT, curve=curve, log=log, timestamp=log == "v2")
    assert sb.bundle["messageSignature"]["messageDigest"]["algorithm"] == f"SHA2_{algorithm[3:]}"
    assert artifact_algorithms(_bundle(sb)) == (algorithm,)
    receipt = _verify(inst, sb, _digests(ARTIFACT, algorithm))
    assert receipt.artifact_digests == {algorithm: hashlib.new(algorithm, ARTIFACT).hexdigest()}
    assert receipt.artifact_sha256 is None
    assert receipt.signer == DEFAULT_IDENTITY


def test_sha384_bundle_needs_the_sha384_digest(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT, curve="P-384")
    with pytest.raises(InputError, match="signs the artifact's sha384 digest, and only its sha256"):
        _verify(inst, sb, _digests(ARTIFACT, "sha256"))
    with pytest.raises(ArtifactMismatchError, match=r"artifact sha384 .* does not match"):
        _verify(inst, sb, _digests(OTHER, "sha384"))


def test_unsupported_message_digest_algorithm_is_rejected(inst: TestInstance) -> None:
    sb = inst.sign_artifact(ARTIFACT)
    bundle = sb.copy_bundle()
    bundle["messageSignature"]["messageDigest"]["algorithm"] = "SHA3_256"
    with pytest.raises(BundleFormatError, match="'SHA3_256' is not supported"):
        _verify(inst, sb.with_bundle(bundle), _digests(ARTIFACT, "sha256"))


@pytest.mark.parametrize(("curve", "log"), [("P-384", "v1"), ("P-521", "v2")])
def test_dsse_signed_with_p384_and_p521(inst: TestInstance, curve: str, log: str) -> None:
    sb = inst.sign_dsse(ARTIFACT, curve=curve, log=log, timestamp=log == "v2")
    assert _verify(inst, sb, _digests(ARTIFACT, "sha256")).content == "dsse"


def test_sha512_only_subject_like_npm(inst: TestInstance) -> None:
    sb = inst.sign_dsse(ARTIFACT, subject_algorithms=("sha512",))
    assert artifact_algorithms(_bundle(sb)) == ("sha512",)
    receipt = _verify(inst, sb, _digests(ARTIFACT, "sha512"))
    assert receipt.subject == "artifact.tar.gz"
    with pytest.raises(ArtifactMismatchError, match=r"artifact sha512 .* is not a subject"):
        _verify(inst, sb, _digests(OTHER, "sha512"))
    with pytest.raises(InputError, match="can only be compared with a sha512 digest"):
        _verify(inst, sb, _digests(ARTIFACT, "sha256"))


def test_weak_digests_alone_never_match(inst: TestInstance) -> None:
    """A subject naming only sha1 and md5 is not evidence, even when they are right."""
    sb = inst.sign_dsse(ARTIFACT, subject_algorithms=("sha1", "md5"))
    assert artifact_algorithms(_bundle(sb)) == ()
    with pytest.raises(ArtifactMismatchError, match="names no sha256/sha384/sha512 digest"):
        _verify(inst, sb, _digests(ARTIFACT, "sha256"))


def test_every_shared_algorithm_must_agree(inst: TestInstance) -> None:
    sb = inst.sign_dsse(ARTIFACT, subject_algorithms=("sha256", "sha512", "sha1"))
    assert artifact_algorithms(_bundle(sb)) == ("sha256", "sha512")
    assert _verify(inst, sb, _digests(ARTIFACT, "sha256", "sha512")).subject == "artifact.tar.gz"
    # the artifact's sha256 agrees, but the subject's sha512 is another file's
    forged = {"sha256": hashlib.sha256(ARTIFACT).digest(), "sha512": hashlib.sha512(OTHER).digest()}
    with pytest.raises(ArtifactMismatchError, match=r"artifact sha512 .* is not a subject"):
        _verify(inst, sb, forged)


def test_multi_subject_statement_picks_the_subject_by_name(inst: TestInstance) -> None:
    sb = inst.sign_dsse(
        ARTIFACT,
        artifact_name="upstream-2.0.tar.gz",
        extra_subjects=(("upstream-2.0.zip", OTHER), ("upstream-2.0.tar.xz", b"xz")),
    )
    receipt = _verify(inst, sb, _digests(OTHER, "sha256"), "upstream-2.0.zip")
    assert receipt.subject == "upstream-2.0.zip"
    assert _verify(inst, sb, _digests(ARTIFACT, "sha256"), "upstream-2.0.tar.gz").subject == (
        "upstream-2.0.tar.gz"
    )
    # the zip's digest under the tarball's name: the named subject is compared, no other
    with pytest.raises(ArtifactMismatchError, match=r"subject 'upstream-2\.0\.tar\.gz' .* differs"):
        _verify(inst, sb, _digests(OTHER, "sha256"), "upstream-2.0.tar.gz")
    with pytest.raises(
        ArtifactMismatchError,
        match=r"none of the statement's 3 subjects is named 'upstream-2.1.zip' "
        r"\(subjects: 'upstream-2.0.tar.gz', 'upstream-2.0.zip', 'upstream-2.0.tar.xz'\)",
    ):
        _verify(inst, sb, _digests(OTHER, "sha256"), "upstream-2.1.zip")
    # a bare digest (no name known): any subject with that digest
    assert _verify(inst, sb, _digests(OTHER, "sha256")).subject == "upstream-2.0.zip"
    with pytest.raises(ArtifactMismatchError, match="is not a subject of the in-toto statement"):
        _verify(inst, sb, _digests(b"neither", "sha256"))


def test_multi_subject_names_must_be_unique(inst: TestInstance) -> None:
    sb = inst.sign_dsse(
        ARTIFACT,
        artifact_name="upstream-2.0.tar.gz",
        extra_subjects=(("upstream-2.0.tar.gz", OTHER),),
    )
    with pytest.raises(
        BundleFormatError, match=r"names subject 'upstream-2\.0\.tar\.gz' more than once"
    ):
        _verify(inst, sb, _digests(ARTIFACT, "sha256"), "upstream-2.0.tar.gz")


def test_multi_subject_algorithms_follow_the_named_subject(inst: TestInstance) -> None:
    sb = inst.sign_dsse(
        ARTIFACT, subject_algorithms=("sha512",), extra_subjects=(("b.tar.gz", OTHER),)
    )
    assert artifact_algorithms(_bundle(sb), "b.tar.gz") == ("sha512",)
    assert _verify(inst, sb, _digests(OTHER, "sha512"), "b.tar.gz").subject == "b.tar.gz"

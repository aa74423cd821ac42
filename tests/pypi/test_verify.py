"""PEP 740 evidence against the test Sigstore: every shape verifies, every defect is named.

Each test signs real attestations with the test instance (Fulcio leaf with
Trusted Publisher claims, Rekor v1 entry with proof, checkpoint and SET)
and asserts the verdict and the reason.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from srcverify.errors import ArtifactMismatchError, BundleFormatError, PolicyError, SignatureError
from srcverify.pypi.attestation import parse_attestation, parse_provenance
from srcverify.pypi.publisher import (
    CircleCIPublisher,
    GitHubPublisher,
    GitLabPublisher,
    GooglePublisher,
    parse_publisher,
)
from srcverify.pypi.verify import PypiReceipt, verify_pypi_evidence
from srcverify.sigstore.identity import Policy
from srcverify.sigstore.trustroot import TrustedRoot
from tests.support import pep740
from tests.support.instance import TestInstance

SDIST = "example_project-1.0.tar.gz"
ARTIFACT = b"example-project 1.0 sdist bytes\n"
PUBLISHER = GitHubPublisher("example/project", "release.yml")
SERVED = {"kind": "GitHub", "repository": "example/project", "workflow": "release.yml"}


@pytest.fixture(scope="module")
def inst() -> TestInstance:
    return TestInstance()


@pytest.fixture(scope="module")
def good(inst: TestInstance) -> dict[str, Any]:
    attestation, _ = pep740.sign_attestation(inst, ARTIFACT, SDIST)
    return attestation


def _verify(
    inst: TestInstance,
    evidence: dict[str, Any],
    *,
    name: str = SDIST,
    artifact: bytes = ARTIFACT,
    policy: Policy = PUBLISHER,
    **kwargs: Any,
) -> PypiReceipt:
    import hashlib

    parsed = (
        parse_provenance(evidence)
        if "attestation_bundles" in evidence
        else parse_attestation(evidence)
    )
    root = TrustedRoot.from_json(json.dumps(inst.trusted_root()).encode())
    return verify_pypi_evidence(
        parsed,
        name,
        hashlib.sha256(artifact).digest(),
        trusted_root=root,
        policy=policy,
        now=inst.now,
        **kwargs,
    )


# --- shapes that verify ---------------------------------------------------------


def test_attestation_verifies(inst: TestInstance, good: dict[str, Any]) -> None:
    receipt = _verify(inst, good)
    assert receipt.evidence == "pep740-attestation"
    assert receipt.predicate_types == (pep740.PUBLISH,)
    assert receipt.primary.publisher["repository"] == "example/project"
    assert receipt.primary.publisher["workflow"] == "release.yml"
    assert receipt.served_publisher_matches is None
    assert receipt.to_json()["log_entries"][0]["proof_verified"] is True


def test_provenance_verifies_and_reports_the_served_publisher(
    inst: TestInstance, good: dict[str, Any]
) -> None:
    receipt = _verify(inst, pep740.provenance([good], SERVED))
    assert receipt.evidence == "pypi-provenance"
    assert receipt.served_publisher_matches is True
    assert receipt.to_json()["served_publisher"] == [SERVED]


def test_publish_and_slsa_attestations_together(inst: TestInstance, good: dict[str, Any]) -> None:
    slsa, _ = pep740.sign_attestation(
        inst, ARTIFACT, SDIST, payload=pep740.statement(SDIST, ARTIFACT, predicate_type=pep740.SLSA)
    )
    receipt = _verify(
        inst,
        pep740.provenance([slsa, good], SERVED),
        required_predicates=(pep740.PUBLISH, pep740.SLSA),
    )
    assert receipt.predicate_types == (pep740.SLSA, pep740.PUBLISH)
    assert receipt.primary.predicate_type == pep740.PUBLISH


def test_rfc3161_timestamps_field_is_used(inst: TestInstance) -> None:
    if inst.tsa is None:
        pytest.skip(inst.tsa_unavailable)
    attestation, _ = pep740.sign_attestation(inst, ARTIFACT, SDIST, timestamp=True)
    assert attestation["verification_material"]["timestamps"]
    receipt = _verify(inst, attestation)
    sources = {t.source for t in receipt.verified_times}
    assert sources == {"transparency-log", "rfc3161-timestamp"}


def test_normalised_subject_name_matches(inst: TestInstance) -> None:
    attestation, _ = pep740.sign_attestation(
        inst, ARTIFACT, SDIST, payload=pep740.statement("Example.Project-1.0.0.tar.gz", ARTIFACT)
    )
    assert _verify(inst, attestation).distribution == SDIST


def test_wheel_attestation_verifies(inst: TestInstance) -> None:
    wheel = "example_project-1.0-py3-none-any.whl"
    attestation, _ = pep740.sign_attestation(inst, ARTIFACT, wheel)
    assert _verify(inst, attestation, name=wheel).predicate_types == (pep740.PUBLISH,)


def test_extra_keys_the_spec_allows_are_ignored_and_listed(
    inst: TestInstance, good: dict[str, Any]
) -> None:
    edited = copy.deepcopy(good)
    edited["roughtime"] = "x"
    edited["verification_material"]["other_time_source"] = []
    receipt = _verify(inst, edited)
    assert receipt.ignored_keys == (
        "attestation.roughtime",
        "attestation.verification_material.other_time_source",
    )


# --- step 1: strict parsing ---------------------------------------------------


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"version": 1, "attestation_bundles": []}, "empty; the provenance attests nothing"),
        (
            {"version": 1, "attestation_bundles": [{"publisher": SERVED, "attestations": []}]},
            "attestations: empty; this bundle has no attestation",
        ),
        ({"version": 2, "attestation_bundles": []}, "provenance.version: expected the integer 1"),
        ({"version": True, "attestation_bundles": []}, "expected the integer 1, found true"),
        ({"version": 1}, "provenance.attestation_bundles: missing"),
        ({"version": 1, "attestation_bundles": [], "x": 1}, "unknown field 'x'"),
        (
            {"version": 1, "attestation_bundles": [{"attestations": [{}]}]},
            "attestation_bundles[0].publisher: missing",
        ),
    ],
)
def test_malformed_provenance_is_rejected(document: dict[str, Any], message: str) -> None:
    with pytest.raises(BundleFormatError) as caught:
        parse_provenance(document)
    assert message in caught.value.detail


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda a: a.update(version=2), "attestation.version: expected the integer 1, found 2"),
        (lambda a: a.update(version="1"), 'expected the integer 1, found "1"'),
        (
            lambda a: a["verification_material"].update(transparency_entries=[]),
            "transparency_entries: empty",
        ),
        (
            lambda a: a["verification_material"].pop("certificate"),
            "attestation.verification_material.certificate: missing",
        ),
        (lambda a: a["envelope"].update(statement="%%%"), "envelope.statement: not valid base64"),
        (lambda a: a["envelope"].update(extra=1), "envelope: unknown field 'extra'"),
        (lambda a: a.pop("envelope"), "attestation.envelope: missing"),
        (
            lambda a: a["verification_material"]["transparency_entries"][0].pop("logIndex"),
            "attestation.verification_material.transparency_entries[0].logIndex: missing",
        ),
    ],
)
def test_malformed_attestation_is_rejected(good: dict[str, Any], edit: Any, message: str) -> None:
    attestation = copy.deepcopy(good)
    edit(attestation)
    with pytest.raises(BundleFormatError) as caught:
        parse_attestation(attestation).to_bundle()
    assert message in caught.value.detail


# --- step 2: the publisher object is never policy -----------------------------


def test_edited_publisher_object_does_not_matter(inst: TestInstance, good: dict[str, Any]) -> None:
    served = {"kind": "GitHub", "repository": "evil/fork", "workflow": "x.yml", "environment": "e"}
    receipt = _verify(inst, pep740.provenance([good], served))
    assert receipt.served_publisher_matches is False
    assert receipt.primary.publisher["repository"] == "example/project"
    # and a served object that names the real publisher does not rescue a wrong policy
    with pytest.raises(PolicyError, match="source repository URI"):
        _verify(
            inst,
            pep740.provenance([good], SERVED),
            policy=GitHubPublisher("evil/fork", "release.yml"),
        )


# --- step 3: the rebuilt bundle goes through the core --------------------------


def test_tampered_statement_fails_the_signature(inst: TestInstance, good: dict[str, Any]) -> None:
    attestation = copy.deepcopy(good)
    statement = json.loads(base64.b64decode(attestation["envelope"]["statement"]))
    statement["predicate"] = {"edited": True}
    attestation["envelope"]["statement"] = base64.b64encode(json.dumps(statement).encode()).decode()
    with pytest.raises(SignatureError, match="DSSE envelope"):
        _verify(inst, attestation)


def test_attestation_in_a_provenance_names_its_path(
    inst: TestInstance, good: dict[str, Any]
) -> None:
    bad = copy.deepcopy(good)
    bad["envelope"]["signature"] = good["envelope"]["signature"][:-8] + "AAAAAAA="
    with pytest.raises(SignatureError) as caught:
        _verify(inst, pep740.provenance([good, bad], SERVED))
    assert caught.value.detail.startswith("provenance.attestation_bundles[0].attestations[1]: ")


def test_untrusted_log_entry_is_rejected(inst: TestInstance) -> None:
    other = TestInstance("elsewhere")
    attestation, _ = pep740.sign_attestation(other, ARTIFACT, SDIST)
    with pytest.raises(Exception, match=r"unknown log|no transparency log"):
        _verify(inst, attestation)


# --- step 4: the statement -------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "error", "message"),
    [
        (
            pep740.statement(SDIST, ARTIFACT, predicate_type="https://example.test/other/v1"),
            BundleFormatError,
            'predicateType "https://example.test/other/v1" is not one PEP 740 knows',
        ),
        (
            pep740.statement(SDIST, ARTIFACT, extra_subjects=["other-1.0.tar.gz"]),
            BundleFormatError,
            "exactly one subject, this one has 2",
        ),
        (
            pep740.statement("example_project-1.1.tar.gz", ARTIFACT),
            ArtifactMismatchError,
            "not 'example_project-1.0.tar.gz' (version 1.1 vs 1.0)",
        ),
        (
            pep740.statement("other_project-1.0.tar.gz", ARTIFACT),
            ArtifactMismatchError,
            "project other-project vs example-project",
        ),
        (
            pep740.statement("example_project-1.0-py3-none-any.whl", ARTIFACT),
            ArtifactMismatchError,
            "wheel vs sdist",
        ),
        (
            pep740.statement("example_project.tar.gz", ARTIFACT),
            ArtifactMismatchError,
            "is not a valid distribution file name",
        ),
        (
            pep740.statement(SDIST, ARTIFACT, statement_type="https://in-toto.io/Statement/v0.1"),
            BundleFormatError,
            "_type: expected https://in-toto.io/Statement/v1",
        ),
    ],
    ids=[
        "wrong-predicate",
        "two-subjects",
        "other-version",
        "other-project",
        "wheel-name",
        "bad-name",
        "statement-v0.1",
    ],
)
def test_statement_defects(
    inst: TestInstance, payload: bytes, error: type[Exception], message: str
) -> None:
    attestation, _ = pep740.sign_attestation(inst, ARTIFACT, SDIST, payload=payload)
    with pytest.raises(error) as caught:
        _verify(inst, attestation)
    assert message in str(caught.value)


def test_wrong_digest_is_rejected(inst: TestInstance, good: dict[str, Any]) -> None:
    with pytest.raises(ArtifactMismatchError, match="is not a subject of the in-toto statement"):
        _verify(inst, good, artifact=b"a different tarball")


def test_statement_digest_that_is_not_the_artifact(inst: TestInstance) -> None:
    payload = pep740.statement(SDIST, ARTIFACT, digest_hex="ab" * 32)
    attestation, _ = pep740.sign_attestation(inst, ARTIFACT, SDIST, payload=payload)
    with pytest.raises(ArtifactMismatchError):
        _verify(inst, attestation)


def test_renamed_artifact_is_rejected(inst: TestInstance, good: dict[str, Any]) -> None:
    with pytest.raises(ArtifactMismatchError, match=r"version 1\.0 vs 2\.0"):
        _verify(inst, good, name="example_project-2.0.tar.gz")


def test_required_predicate_missing(inst: TestInstance) -> None:
    slsa, _ = pep740.sign_attestation(
        inst, ARTIFACT, SDIST, payload=pep740.statement(SDIST, ARTIFACT, predicate_type=pep740.SLSA)
    )
    with pytest.raises(PolicyError) as caught:
        _verify(inst, slsa)
    assert caught.value.step == "predicate"
    assert "required predicate type https://docs.pypi.org/attestations/publish/v1" in str(
        caught.value
    )
    assert _verify(inst, slsa, required_predicates=(pep740.SLSA,)).predicate_types == (pep740.SLSA,)


# --- step 5: the Trusted Publisher ---------------------------------------------


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        (GitHubPublisher("example/other", "release.yml"), "source repository URI: expected"),
        (GitHubPublisher("example/project", "other.yml"), "build config URI: expected"),
        (
            GitHubPublisher("example/project", "release.yml", environment="pypi"),
            "deployment environment: expected pypi, certificate has no Deployment Environment "
            "extension (1.3.6.1.4.1.57264.1.23)",
        ),
        (
            GitHubPublisher(
                "example/project", "release.yml", ref="^refs/tags/v{version}$"
            ).for_version("2.0"),
            "source repository ref: expected a match for ^refs/tags/v2.0$, certificate has "
            "refs/tags/v1.0",
        ),
        (GooglePublisher("release@example.iam.gserviceaccount.com"), "OIDC issuer: expected"),
        (
            GitLabPublisher("example/project", "release.yml"),
            "OIDC issuer: expected https://gitlab.com",
        ),
        (CircleCIPublisher("p-1", "d-2"), "build signer URI: expected"),
    ],
    ids=["repository", "workflow", "environment", "ref", "google", "gitlab", "circleci"],
)
def test_wrong_publisher_is_rejected(
    inst: TestInstance, good: dict[str, Any], policy: Policy, message: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        _verify(inst, good, policy=policy)
    assert caught.value.step == "publisher"
    assert message in caught.value.detail


def test_environment_and_ref_pattern_pass_when_they_match(inst: TestInstance) -> None:
    attestation, _ = pep740.sign_attestation(
        inst, ARTIFACT, SDIST, claims={"environment": "pypi", "ref": "refs/tags/v1.0"}
    )
    policy = GitHubPublisher(
        "Example/Project", "release.yml", environment="pypi", ref="^refs/tags/v{version}$"
    )
    assert (
        _verify(inst, attestation, policy=policy.for_version("1.0")).primary.publisher[
            "environment"
        ]
        == "pypi"
    )
    with pytest.raises(PolicyError, match="deployment environment: expected staging"):
        _verify(
            inst,
            attestation,
            policy=GitHubPublisher("example/project", "release.yml", environment="staging"),
        )


def test_gitlab_publisher_and_self_managed_host(inst: TestInstance) -> None:
    attestation, _ = pep740.sign_attestation(
        inst,
        ARTIFACT,
        SDIST,
        forge="gitlab",
        claims={
            "repository": "group/sub/project",
            "workflow": "ci/release.yml",
            "host": "git.example.org",
        },
    )
    good = parse_publisher("gitlab@git.example.org:group/sub/project:ci/release.yml")
    receipt = _verify(inst, attestation, policy=good)
    assert receipt.primary.publisher == {
        "kind": "GitLab",
        "host": "git.example.org",
        "repository": "group/sub/project",
        "workflow_filepath": "ci/release.yml",
        "environment": None,
        "ref": "refs/tags/v1.0",
    }
    with pytest.raises(
        PolicyError,
        match=r"OIDC issuer: expected https://gitlab\.com, certificate has https://git\.example\.org",
    ):
        _verify(
            inst, attestation, policy=parse_publisher("gitlab:group/sub/project:ci/release.yml")
        )
    with pytest.raises(PolicyError, match="build config URI"):
        _verify(
            inst,
            attestation,
            policy=parse_publisher("gitlab@git.example.org:group/sub/project:.gitlab-ci.yml"),
        )


def test_google_publisher(inst: TestInstance) -> None:
    email = "release@example.iam.gserviceaccount.com"
    signed = inst.sign_dsse(
        ARTIFACT,
        statement=pep740.statement(SDIST, ARTIFACT),
        identity=email,
        issuer="https://accounts.google.com",
    )
    attestation = pep740.attestation_from_bundle(signed.bundle)
    receipt = _verify(inst, attestation, policy=parse_publisher(f"google:{email}"))
    assert receipt.primary.publisher == {"kind": "Google", "email": email}
    with pytest.raises(PolicyError, match="SAN: expected other@example"):
        _verify(inst, attestation, policy=GooglePublisher("other@example.iam.gserviceaccount.com"))


def test_circleci_publisher(inst: TestInstance) -> None:
    project, pipeline = (
        "0b6a6e5c-1f2e-4f3a-9b8c-7d6e5f4a3b2c",
        "9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
    )
    signer = f"https://circleci.com/api/v2/projects/{project}/pipeline-definitions/{pipeline}"
    signed = inst.sign_dsse(
        ARTIFACT,
        statement=pep740.statement(SDIST, ARTIFACT),
        identity=signer,
        issuer="https://oidc.circleci.com",
        claims={"build_signer_uri": signer},
    )
    attestation = pep740.attestation_from_bundle(signed.bundle)
    receipt = _verify(inst, attestation, policy=parse_publisher(f"circleci:{project}:{pipeline}"))
    assert receipt.primary.publisher["project_id"] == project
    with pytest.raises(PolicyError, match="build signer URI"):
        _verify(inst, attestation, policy=CircleCIPublisher(project, "other"))

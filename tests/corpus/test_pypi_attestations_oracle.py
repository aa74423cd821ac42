"""pypi-attestations as the oracle on the corpus' real PEP 740 files.

pypi-attestations' own ``Attestation.verify`` runs (statement checks and its
Trusted Publisher policies), with sigstore-python's verifier given the same
pinned trusted root srcverify uses instead of its unauthenticated TUF cache.
Both must agree on every real file, under its own publisher and under another
project's. The disagreements are the fail-opens srcverify exists to close,
each asserted below as the disagreement it is (and listed in the closing note
of issue 11):

* an empty provenance, or a bundle with no attestation: pypi-attestations
  verifies nothing and reports success; srcverify rejects;
* an edited ``environment`` in the served publisher object: pypi-attestations
  takes its policy from that unsigned object and never compares the
  environment; srcverify never takes policy from it, and rejects a pinned
  environment the certificate lacks.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from srcverify.errors import BundleFormatError, VerificationError
from srcverify.pypi.attestation import parse_attestation, parse_provenance
from srcverify.pypi.publisher import GitHubPublisher, GitLabPublisher
from srcverify.pypi.verify import verify_pypi_evidence
from srcverify.sigstore.identity import Identity, Policy
from srcverify.sigstore.trustroot import TrustedRoot
from tests.corpus.pypi import CASES, PypiCase

pa = pytest.importorskip("pypi_attestations", reason="pypi-attestations (oracle extra) absent")
sigstore_verify = pytest.importorskip("sigstore.verify")
sigstore_models = pytest.importorskip("sigstore.models")
sigstore_policy = pytest.importorskip("sigstore.verify.policy")

NOW = datetime(2026, 11, 21, tzinfo=UTC)


def _their_policy(policy: Policy) -> Any:
    if isinstance(policy, GitHubPublisher):
        return pa.GitHubPublisher(repository=policy.repository, workflow=policy.workflow)
    if isinstance(policy, GitLabPublisher):
        return pa.GitLabPublisher(repository=policy.repository, workflow_filepath=policy.ci_file)
    assert isinstance(policy, Identity)
    return sigstore_policy.Identity(identity=policy.identity, issuer=policy.issuer)


@pytest.fixture
def pinned_oracle(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """sigstore-python's verifiers, built on the corpus' pinned trusted roots (offline)."""

    def verifier(instance: str) -> Any:
        path = corpus / "trust" / instance / "trusted_root.json"
        root = sigstore_models.TrustedRoot.from_file(str(path))
        return sigstore_verify.Verifier(trusted_root=root)

    monkeypatch.setattr(
        sigstore_verify.Verifier, "production", classmethod(lambda cls, **_: verifier("production"))
    )
    monkeypatch.setattr(
        sigstore_verify.Verifier, "staging", classmethod(lambda cls, **_: verifier("staging"))
    )


def _oracle(corpus: Path, case: PypiCase, policy: Policy, sha256: str) -> bool:
    data = (corpus / "pypi-attestations" / case.evidence).read_text()
    document = json.loads(data)
    if "attestation_bundles" in document:
        provenance = pa.Provenance.model_validate_json(data)
        attestations = [a for b in provenance.attestation_bundles for a in b.attestations]
    else:
        attestations = [pa.Attestation.model_validate_json(data)]
    dist = pa.Distribution(name=case.distribution, digest=sha256)
    try:
        for attestation in attestations:
            attestation.verify(
                _their_policy(policy), dist, staging=case.instance == "staging", offline=True
            )
    except pa.AttestationError:
        return False
    return True


def _ours(corpus: Path, case: PypiCase, policy: Policy, sha256: str) -> bool:
    document = json.loads((corpus / "pypi-attestations" / case.evidence).read_bytes())
    evidence = (
        parse_provenance(document)
        if "attestation_bundles" in document
        else parse_attestation(document)
    )
    root = TrustedRoot.from_json(
        (corpus / "trust" / case.instance / "trusted_root.json").read_bytes()
    )
    try:
        verify_pypi_evidence(
            evidence,
            case.distribution,
            bytes.fromhex(sha256),
            trusted_root=root,
            policy=policy,
            now=NOW,
            required_predicates=(case.predicate,),
        )
    except VerificationError:
        return False
    return True


WITH_DIGEST = [c for c in CASES if c.sha256]


@pytest.mark.usefixtures("pinned_oracle")
@pytest.mark.parametrize("case", WITH_DIGEST, ids=[c.evidence for c in WITH_DIGEST])
def test_verdicts_agree_on_real_files(corpus: Path, case: PypiCase) -> None:
    assert case.sha256 is not None
    wrong = "00" * 32
    for policy, digest, expected in [
        (case.policy, case.sha256, True),
        (case.other, case.sha256, False),
        (case.policy, wrong, False),
    ]:
        ours = _ours(corpus, case, policy, digest)
        theirs = _oracle(corpus, case, policy, digest)
        assert (ours, theirs) == (expected, expected), (policy.describe(), digest)


@pytest.mark.usefixtures("pinned_oracle")
@pytest.mark.parametrize(
    "document",
    [
        {"version": 1, "attestation_bundles": []},
        {
            "version": 1,
            "attestation_bundles": [
                {
                    "publisher": {
                        "kind": "GitHub",
                        "repository": "trailofbits/pypi-attestations",
                        "workflow": "release.yml",
                    },
                    "attestations": [],
                }
            ],
        },
    ],
    ids=["no-bundle", "bundle-without-attestation"],
)
def test_disagreement_empty_provenance(document: dict[str, Any]) -> None:
    provenance = pa.Provenance.model_validate(document)
    dist = pa.Distribution(name="pypi_attestations-0.0.19.tar.gz", digest=CASES[0].sha256)
    verified = [
        a.verify(b.publisher, dist, offline=True)
        for b in provenance.attestation_bundles
        for a in b.attestations
    ]
    assert verified == []  # the oracle "verifies" nothing and raises nothing: OK
    with pytest.raises(BundleFormatError, match="empty"):
        parse_provenance(document)


@pytest.mark.usefixtures("pinned_oracle")
def test_disagreement_edited_environment(corpus: Path) -> None:
    case = CASES[0]
    document = json.loads((corpus / "pypi-attestations" / case.evidence).read_bytes())
    document["attestation_bundles"][0]["publisher"]["environment"] = "release"
    provenance = pa.Provenance.model_validate(document)
    bundle = provenance.attestation_bundles[0]
    dist = pa.Distribution(name=case.distribution, digest=case.sha256)
    bundle.attestations[0].verify(bundle.publisher, dist, offline=True)  # the oracle: OK
    pinned = GitHubPublisher("trailofbits/pypi-attestations", "release.yml", environment="release")
    assert not _ours(corpus, case, pinned, case.sha256 or "")

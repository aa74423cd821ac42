"""Every real PEP 740 attestation and provenance in the corpus, verified offline.

Each verifies with its real distribution (by digest from the corpus index,
and by file when ``pip download`` put it in :data:`~tests.corpus.pypi.PYPI_DISTS`)
under the publisher its certificate proves, and is rejected under another
project's publisher, and for a renamed or other-version file name.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from srcverify.errors import ArtifactMismatchError, PolicyError
from srcverify.pypi.attestation import Attestation, Provenance, parse_attestation, parse_provenance
from srcverify.pypi.verify import verify_pypi_evidence
from srcverify.sigstore.trustroot import TrustedRoot
from tests.corpus.pypi import CASES, PYPI_DISTS, PypiCase

NOW = datetime(2026, 11, 21, tzinfo=UTC)


def _load(corpus: Path, case: PypiCase) -> tuple[Attestation | Provenance, bytes, TrustedRoot]:
    data = json.loads((corpus / "pypi-attestations" / case.evidence).read_bytes())
    evidence = parse_provenance(data) if "attestation_bundles" in data else parse_attestation(data)
    if case.sha256 is not None:
        digest = bytes.fromhex(case.sha256)
    else:  # no independent copy of this wheel exists: the statement's own digest
        first = evidence.attestations[0] if isinstance(evidence, Provenance) else evidence
        digest = bytes.fromhex(json.loads(first.statement)["subject"][0]["digest"]["sha256"])
    root_file = corpus / "trust" / case.instance / "trusted_root.json"
    return evidence, digest, TrustedRoot.from_json(root_file.read_bytes())


@pytest.mark.parametrize("case", CASES, ids=[c.evidence for c in CASES])
def test_real_evidence_verifies_and_rejects_another_publisher(corpus: Path, case: PypiCase) -> None:
    evidence, digest, root = _load(corpus, case)
    receipt = verify_pypi_evidence(
        evidence,
        case.distribution,
        digest,
        trusted_root=root,
        policy=case.policy,
        now=NOW,
        required_predicates=(case.predicate,),
    )
    assert receipt.predicate_types == (case.predicate,)
    assert receipt.primary.receipt.log_entries[0].proof_verified
    assert receipt.primary.receipt.log_entries[0].promise_verified
    with pytest.raises(PolicyError) as caught:
        verify_pypi_evidence(
            evidence,
            case.distribution,
            digest,
            trusted_root=root,
            policy=case.other,
            now=NOW,
            required_predicates=(case.predicate,),
        )
    assert caught.value.step in ("publisher", "policy")


@pytest.mark.parametrize("case", CASES, ids=[c.evidence for c in CASES])
def test_real_evidence_rejects_another_version(corpus: Path, case: PypiCase) -> None:
    evidence, digest, root = _load(corpus, case)
    name, _, rest = case.distribution.partition("-")
    version, _, tail = rest.partition("-") if rest.endswith(".whl") else (rest[:-7], "", "")
    other = f"{name}-{version}.post9" + (f"-{tail}" if tail else ".tar.gz")
    with pytest.raises(ArtifactMismatchError, match=r"version .* vs .*\.post9"):
        verify_pypi_evidence(
            evidence,
            other,
            digest,
            trusted_root=root,
            policy=case.policy,
            now=NOW,
            required_predicates=(case.predicate,),
        )


def test_the_provenance_reports_its_served_publisher(corpus: Path) -> None:
    case = CASES[0]
    evidence, digest, root = _load(corpus, case)
    receipt = verify_pypi_evidence(
        evidence, case.distribution, digest, trusted_root=root, policy=case.policy, now=NOW
    )
    assert receipt.served_publisher_matches is True
    assert receipt.served_publishers[0]["repository"] == "trailofbits/pypi-attestations"
    assert receipt.primary.publisher["ref"] == "refs/tags/v0.0.19"


def test_edited_served_environment_does_not_change_the_verdict(corpus: Path) -> None:
    """pypi-attestations reports OK for an edited `environment`; here it only shows up as a
    mismatch in the receipt, and a pinned environment the certificate lacks is rejected."""
    case = CASES[0]
    document = json.loads((corpus / "pypi-attestations" / case.evidence).read_bytes())
    document["attestation_bundles"][0]["publisher"]["environment"] = "release"
    _, digest, root = _load(corpus, case)
    receipt = verify_pypi_evidence(
        parse_provenance(document),
        case.distribution,
        digest,
        trusted_root=root,
        policy=case.policy,
        now=NOW,
    )
    assert receipt.served_publisher_matches is False
    from srcverify.pypi.publisher import GitHubPublisher

    with pytest.raises(PolicyError, match="deployment environment: expected release"):
        verify_pypi_evidence(
            parse_provenance(document),
            case.distribution,
            digest,
            trusted_root=root,
            policy=GitHubPublisher("trailofbits/pypi-attestations", "release.yml", "release"),
            now=NOW,
        )


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c.sha256 and c.on_pypi],
    ids=[c.evidence for c in CASES if c.sha256 and c.on_pypi],
)
def test_real_distribution_file_has_the_attested_digest(case: PypiCase) -> None:
    path = PYPI_DISTS / case.distribution
    if not path.is_file():
        pytest.skip(f"{case.distribution} not downloaded into {PYPI_DISTS} (pip download)")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == case.sha256

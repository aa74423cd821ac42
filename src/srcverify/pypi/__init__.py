"""PyPI's PEP 740 evidence: attestations and provenance objects, verified offline.

:mod:`~srcverify.pypi.attestation` parses attestation and provenance
objects strictly and rebuilds each attestation as a Sigstore bundle;
:mod:`~srcverify.pypi.distribution` parses sdist and wheel file names;
:mod:`~srcverify.pypi.statement` checks the in-toto statement against the
distribution; :mod:`~srcverify.pypi.publisher` compiles a Trusted Publisher
into certificate claims and :mod:`~srcverify.pypi.proven` reads back what a
certificate proves; :mod:`~srcverify.pypi.verify` runs the steps through the
core (:mod:`srcverify.sigstore`).

It never reads files, the clock or the network, and it never takes policy
from the index's unsigned ``publisher`` object.
"""

from __future__ import annotations

from srcverify._lazy import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "Attestation": "attestation",
        "Provenance": "attestation",
        "detect_evidence_kind": "attestation",
        "parse_attestation": "attestation",
        "parse_provenance": "attestation",
        "parse_distribution_name": "distribution",
        "parse_publisher": "publisher",
        "GitHubPublisher": "publisher",
        "GitLabPublisher": "publisher",
        "GooglePublisher": "publisher",
        "CircleCIPublisher": "publisher",
        "PypiReceipt": "verify",
        "verify_pypi_evidence": "verify",
    },
)

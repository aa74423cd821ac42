"""The real PEP 740 files of ``../shared/corpus/pypi-attestations`` and who published them.

Each case names an evidence file, its distribution (digest from the corpus
index, or from the statement itself where no independent copy exists), the
trust root of the Sigstore instance it was made on, and the publisher its
certificate was confirmed to prove (read from the real certificates: see
the closing note of issue 11). Real distributions fetched with ``pip
download`` are used by file when a folder of them exists
(``SRCVERIFY_PYPI_DISTS``, default ``.ci/pypi-dists``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from srcverify.pypi.publisher import GitHubPublisher, GitLabPublisher
from srcverify.sigstore.identity import Identity, Policy

__all__ = ["CASES", "PYPI_DISTS", "PypiCase"]

PYPI_DISTS = Path(
    os.environ.get(
        "SRCVERIFY_PYPI_DISTS", Path(__file__).resolve().parents[2] / ".ci" / "pypi-dists"
    )
)

_PYPI_ATTESTATIONS = GitHubPublisher(
    "trailofbits/pypi-attestations", "release.yml", ref="^refs/tags/v{version}$"
)
_MODELS = GitHubPublisher("trailofbits/pypi-attestation-models", "release.yml")
_GITLAB = GitLabPublisher("facutuesca/gitlab-oidc-project", ".gitlab-ci.yml")
_WILLIAM = Identity(identity="william@yossarian.net", issuer="https://github.com/login/oauth")


@dataclass(frozen=True)
class PypiCase:
    """One real evidence file and what must verify it."""

    evidence: str
    distribution: str
    sha256: str | None  # None: only the statement's own digest is known
    instance: str
    policy: Policy
    other: Policy  # another project's publisher: must reject
    predicate: str = "https://docs.pypi.org/attestations/publish/v1"
    on_pypi: bool = True  # pip download can fetch the distribution


CASES = (
    PypiCase(
        "pypi_attestations-0.0.19.tar.gz.provenance",
        "pypi_attestations-0.0.19.tar.gz",
        "9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3",
        "production",
        _PYPI_ATTESTATIONS,
        _MODELS,
    ),
    PypiCase(
        "pypi_attestations-0.0.19.tar.gz.publish.attestation",
        "pypi_attestations-0.0.19.tar.gz",
        "9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3",
        "production",
        _PYPI_ATTESTATIONS,
        _GITLAB,
    ),
    PypiCase(
        "pypi_attestations-0.0.19.tar.gz.slsa.attestation",
        "pypi_attestations-0.0.19.tar.gz",
        "9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3",
        "production",
        _PYPI_ATTESTATIONS,
        _MODELS,
        predicate="https://slsa.dev/provenance/v1",
    ),
    PypiCase(
        "pypi_attestation_models-0.0.4a2.tar.gz.attestation",
        "pypi_attestation_models-0.0.4a2.tar.gz",
        "c9709ce6fd5b67b59b4a28758cf14d3f411803c4b89b6068b1f1a8e4ee94c8ef",
        "production",
        _MODELS,
        _PYPI_ATTESTATIONS,
    ),
    PypiCase(
        "gitlab_oidc_project-0.0.3.tar.gz.publish.attestation",
        "gitlab_oidc_project-0.0.3.tar.gz",
        "c1ca9b0d85df1606451098233018534497bf584362e10e4a8c21dfaea92c02a8",
        "production",
        _GITLAB,
        _PYPI_ATTESTATIONS,
        on_pypi=False,  # a GitLab test project: pip download finds no such file
    ),
    PypiCase(
        "rfc8785-0.1.2-py3-none-any.whl.attestation",
        "rfc8785-0.1.2-py3-none-any.whl",
        "c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201",
        "staging",
        _WILLIAM,
        _PYPI_ATTESTATIONS,
    ),
    PypiCase(
        "rfc8785-0.1.2-py3-none-any.whl.publish.attestation",
        "rfc8785-0.1.2-py3-none-any.whl",
        "c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201",
        "staging",
        _WILLIAM,
        _GITLAB,
    ),
    PypiCase(
        "spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl.publish.attestation",
        "spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        None,
        "staging",
        _WILLIAM,
        _PYPI_ATTESTATIONS,
    ),
)

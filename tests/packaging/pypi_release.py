"""A real PyPI sdist and its real provenance, for the packaging tests.

The sdist is ``pypi_attestations-0.0.19.tar.gz`` as ``pip download`` fetches
it into :data:`tests.corpus.pypi.PYPI_DISTS` (``.ci/run`` does); its
provenance object comes from the shared corpus. Tests that need them skip
visibly when either is absent.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import CORPUS
from tests.corpus.pypi import CASES, PYPI_DISTS

__all__ = ["PYPI_SDIST", "PYPI_SDIST_SHA256", "need_pypi_release", "place_pypi_release"]

PYPI_SDIST = "pypi_attestations-0.0.19.tar.gz"
PYPI_SDIST_SHA256 = CASES[0].sha256
PROVENANCE = CORPUS / "pypi-attestations" / f"{PYPI_SDIST}.provenance"


def need_pypi_release() -> tuple[Path, Path]:
    """(sdist, provenance), or a visible skip naming what is missing."""
    sdist = PYPI_DISTS / PYPI_SDIST
    if not PROVENANCE.is_file():
        pytest.skip(f"corpus provenance absent: {PROVENANCE}")
    if not sdist.is_file():
        pytest.skip(
            f"{PYPI_SDIST} absent from {PYPI_DISTS}: pip download --no-deps --no-binary :all: "
            "pypi-attestations==0.0.19 -d .ci/pypi-dists (what .ci/run does)"
        )
    assert hashlib.sha256(sdist.read_bytes()).hexdigest() == PYPI_SDIST_SHA256
    return sdist, PROVENANCE


def place_pypi_release(directory: Path, provenance_name: str | None = None) -> tuple[Path, Path]:
    """Copy the sdist and its provenance into ``directory`` (copies: tests may tamper)."""
    sdist, provenance = need_pypi_release()
    directory.mkdir(parents=True, exist_ok=True)
    placed_sdist = directory / PYPI_SDIST
    placed_sdist.write_bytes(sdist.read_bytes())
    placed_provenance = directory / (provenance_name or f"{PYPI_SDIST}.provenance")
    placed_provenance.write_bytes(provenance.read_bytes())
    return placed_sdist, placed_provenance

"""`srcverify verify` with PEP 740 evidence: kinds told by content, --publisher, receipts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from srcverify.cli.main import main
from tests.support import pep740
from tests.support.instance import TestInstance

SDIST = "example_project-1.0.tar.gz"
ARTIFACT = b"example-project 1.0 sdist\n"
PUBLISHER = ["--publisher", "github:example/project:release.yml"]
SERVED = {"kind": "GitHub", "repository": "example/project", "workflow": "release.yml"}


@pytest.fixture(scope="module")
def inst() -> TestInstance:
    return TestInstance()


@pytest.fixture(scope="module")
def attestation(inst: TestInstance) -> dict[str, Any]:
    return pep740.sign_attestation(inst, ARTIFACT, SDIST)[0]


@pytest.fixture
def workdir(tmp_path: Path, inst: TestInstance) -> Path:
    (tmp_path / SDIST).write_bytes(ARTIFACT)
    (tmp_path / "trusted_root.json").write_text(json.dumps(inst.trusted_root()))
    return tmp_path


def _verify(capsys: pytest.CaptureFixture[str], workdir: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["verify", "--trusted-root", str(workdir / "trusted_root.json"), *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("suffix", [".provenance", ".publish.attestation"])
def test_evidence_beside_the_artifact_is_found(
    capsys: pytest.CaptureFixture[str],
    workdir: Path,
    attestation: dict[str, Any],
    suffix: str,
) -> None:
    document = pep740.provenance([attestation], SERVED) if suffix == ".provenance" else attestation
    (workdir / (SDIST + suffix)).write_text(json.dumps(document))
    code, out, err = _verify(capsys, workdir, "--json", *PUBLISHER, str(workdir / SDIST))
    assert code == 0, err
    receipt = json.loads(out)
    kind = "pypi-provenance" if suffix == ".provenance" else "pep740-attestation"
    assert receipt["evidence"] == kind
    assert receipt["predicate_types"] == [pep740.PUBLISH]
    assert receipt["publisher"]["repository"] == "example/project"
    assert receipt["policy"] == "Trusted Publisher GitHub example/project workflow release.yml"
    if suffix == ".provenance":
        assert receipt["served_publisher"] == [SERVED]
        assert receipt["served_publisher_matches"] is True
        assert "served publisher matches" in err
    assert f"OK {workdir / SDIST}" in err and kind in err
    assert receipt["name_bound_by"] == "in-toto subject name"
    assert err.rstrip().endswith("; name bound by in-toto subject name")


def test_kind_is_told_by_content_not_name(
    capsys: pytest.CaptureFixture[str], workdir: Path, attestation: dict[str, Any]
) -> None:
    odd = workdir / "evidence.sigstore.json"
    odd.write_text(json.dumps(pep740.provenance([attestation], SERVED)))
    code, _, err = _verify(capsys, workdir, "--bundle", str(odd), *PUBLISHER, str(workdir / SDIST))
    assert code == 0, err
    assert "pypi-provenance [publish]" in err


def test_search_order_prefers_a_sigstore_bundle(
    capsys: pytest.CaptureFixture[str], workdir: Path, attestation: dict[str, Any]
) -> None:
    (workdir / (SDIST + ".sigstore")).write_text("{not json")
    (workdir / (SDIST + ".provenance")).write_text(json.dumps(attestation))
    code, _, err = _verify(capsys, workdir, *PUBLISHER, str(workdir / SDIST))
    assert code == 1
    assert "bundle: bundle is not valid JSON" in err


def test_no_evidence_names_every_place_looked(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    code, _, err = _verify(capsys, workdir, *PUBLISHER, str(workdir / SDIST))
    assert code == 3
    for suffix in (".sigstore.json", ".sigstore", ".provenance", ".publish.attestation"):
        assert SDIST + suffix in err


def test_json_of_another_kind_is_rejected(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    other = workdir / "x.json"
    other.write_text('{"hello": 1}')
    code, _, err = _verify(
        capsys, workdir, "--bundle", str(other), *PUBLISHER, str(workdir / SDIST)
    )
    assert code == 1
    assert "bundle: not a Sigstore bundle, a PEP 740 attestation or a provenance object" in err
    assert 'found top-level keys "hello"' in err


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"version": 1, "attestation_bundles": []}, "provenance: provenance.attestation_bundles"),
        (
            {"version": 1, "attestation_bundles": [{"publisher": SERVED, "attestations": []}]},
            "this bundle has no attestation",
        ),
    ],
)
def test_empty_provenance_is_rejected(
    capsys: pytest.CaptureFixture[str], workdir: Path, document: dict[str, Any], message: str
) -> None:
    """pypi-attestations reports OK for both; they attest nothing."""
    (workdir / (SDIST + ".provenance")).write_text(json.dumps(document))
    code, _, err = _verify(capsys, workdir, *PUBLISHER, str(workdir / SDIST))
    assert code == 1
    assert "REJECTED" in err and message in err


def test_wrong_publisher_is_exit_1(
    capsys: pytest.CaptureFixture[str], workdir: Path, attestation: dict[str, Any]
) -> None:
    (workdir / (SDIST + ".publish.attestation")).write_text(json.dumps(attestation))
    code, out, err = _verify(
        capsys,
        workdir,
        "--json",
        "--publisher",
        "github:example/project:release.yml:pypi",
        str(workdir / SDIST),
    )
    assert code == 1
    assert json.loads(out)["step"] == "publisher"
    assert "deployment environment: expected pypi" in err


def test_digest_with_a_distribution_name(
    capsys: pytest.CaptureFixture[str], workdir: Path, attestation: dict[str, Any]
) -> None:
    evidence = workdir / "e.json"
    evidence.write_text(json.dumps(attestation))
    import hashlib

    digest = "sha256:" + hashlib.sha256(ARTIFACT).hexdigest()
    args = ["--bundle", str(evidence), "--digest", digest, *PUBLISHER]
    assert _verify(capsys, workdir, *args, SDIST)[0] == 0
    code, _, err = _verify(capsys, workdir, *args, "example_project-1.1.tar.gz")
    assert code == 1
    assert "version 1.0 vs 1.1" in err


def test_require_predicate(
    capsys: pytest.CaptureFixture[str], workdir: Path, attestation: dict[str, Any]
) -> None:
    (workdir / (SDIST + ".publish.attestation")).write_text(json.dumps(attestation))
    code, _, err = _verify(
        capsys, workdir, *PUBLISHER, "--require-predicate", "slsa", str(workdir / SDIST)
    )
    assert code == 1
    assert "predicate: required predicate type https://slsa.dev/provenance/v1" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--publisher", "github:o/r"], "expected one of github:OWNER/REPO:WORKFLOW"),
        (
            ["--publisher", "github:o/r:x.yml", "--cert-identity", "a", "--cert-oidc-issuer", "b"],
            "--publisher names the signer",
        ),
        (["--publisher", "github:o/r:x.yml", "--key", "k.pem"], "--publisher names the signer"),
        (["--publisher", "github:o/r:x.yml", "--require-predicate", "sbom"], "unknown predicate"),
    ],
)
def test_usage_errors(
    capsys: pytest.CaptureFixture[str], workdir: Path, argv: list[str], message: str
) -> None:
    (workdir / (SDIST + ".provenance")).write_text("{}")
    with pytest.raises(SystemExit) as caught:
        _verify(capsys, workdir, *argv, str(workdir / SDIST))
    assert caught.value.code == 2
    assert message in capsys.readouterr().err

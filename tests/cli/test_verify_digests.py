"""`srcverify verify` hashes each artifact with what its evidence needs, and takes
``sha384:`` and ``sha512:`` digests wherever ``sha256:`` is taken."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from srcverify.cli.main import main
from tests.support.instance import DEFAULT_IDENTITY, DEFAULT_ISSUER, SignedBundle, TestInstance

ARTIFACT = b"upstream-3.0.tar.gz contents\n"
WHO = ["--cert-identity", DEFAULT_IDENTITY, "--cert-oidc-issuer", DEFAULT_ISSUER]


@pytest.fixture(scope="module")
def inst() -> TestInstance:
    return TestInstance()


def _run(sb: SignedBundle, tmp_path: Path, *argv: str, capsys: Any) -> tuple[int, list[Any]]:
    paths = sb.write(tmp_path, "upstream-3.0.tar.gz")
    code = main(["verify", "--trusted-root", str(paths["trusted_root"]), *WHO, "--json", *argv])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return code, out


@pytest.mark.parametrize(("curve", "algorithm"), [("P-384", "sha384"), ("P-521", "sha512")])
def test_file_is_hashed_with_the_bundles_algorithm(
    inst: TestInstance, tmp_path: Path, capsys: Any, curve: str, algorithm: str
) -> None:
    sb = inst.sign_artifact(ARTIFACT, curve=curve)
    code, (receipt,) = _run(sb, tmp_path, str(tmp_path / "upstream-3.0.tar.gz"), capsys=capsys)
    assert code == 0, receipt
    assert receipt["artifact_digests"] == {algorithm: hashlib.new(algorithm, ARTIFACT).hexdigest()}


def test_sha512_subject_by_file_and_by_digest(
    inst: TestInstance, tmp_path: Path, capsys: Any
) -> None:
    sb = inst.sign_dsse(
        ARTIFACT, subject_algorithms=("sha512",), artifact_name="upstream-3.0.tar.gz"
    )
    bundle = str(tmp_path / "upstream-3.0.tar.gz.sigstore.json")
    code, (receipt,) = _run(sb, tmp_path, str(tmp_path / "upstream-3.0.tar.gz"), capsys=capsys)
    assert code == 0, receipt
    assert receipt["subject"] == "upstream-3.0.tar.gz"
    digest = "sha512:" + hashlib.sha512(ARTIFACT).hexdigest()
    code, (receipt,) = _run(sb, tmp_path, "--bundle", bundle, digest, capsys=capsys)
    assert code == 0, receipt
    code, (receipt,) = _run(
        sb,
        tmp_path,
        "--bundle",
        bundle,
        "sha256:" + hashlib.sha256(ARTIFACT).hexdigest(),
        capsys=capsys,
    )
    assert (code, receipt["step"]) == (3, "dsse")
    assert "can only be compared with a sha512 digest" in receipt["error"]
    wrong = "sha512:" + hashlib.sha512(b"other").hexdigest()
    code, (receipt,) = _run(sb, tmp_path, "--bundle", bundle, wrong, capsys=capsys)
    assert (code, receipt["step"]) == (1, "dsse")
    assert "is not a subject of the in-toto statement" in receipt["error"]


def test_malformed_sha512_argument_is_usage(
    inst: TestInstance, tmp_path: Path, capsys: Any
) -> None:
    sb = inst.sign_artifact(ARTIFACT)
    with pytest.raises(SystemExit) as caught:
        _run(sb, tmp_path, "--bundle", "b", "sha512:abcd", capsys=capsys)
    assert caught.value.code == 2
    assert "expected sha256:<64 hex digits>, sha384:<96> or sha512:<128>" in capsys.readouterr().err


def test_timestamp_only_needs_the_flag(inst: TestInstance, tmp_path: Path, capsys: Any) -> None:
    if inst.tsa is None:
        pytest.skip(inst.tsa_unavailable)
    sb = inst.sign_artifact(ARTIFACT, timestamp=True, tlog_entry=False)
    artifact = str(tmp_path / "upstream-3.0.tar.gz")
    code, (record,) = _run(sb, tmp_path, artifact, capsys=capsys)
    assert (code, record["step"]) == (1, "bundle")
    assert "--allow-timestamp-only" in record["error"]
    code, (record,) = _run(sb, tmp_path, "--allow-timestamp-only", artifact, capsys=capsys)
    assert code == 0, record
    assert record["log_entries"] == []
    assert record["notes"] == [
        "no transparency log backed the signature: timestamp-only evidence, accepted by opt-in"
    ]

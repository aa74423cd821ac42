"""JSON-lines evidence (one bundle per line, as GitHub's attestation download writes it):
the bundle whose subject names the artifact is used."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from srcverify.cli.main import main
from tests.support import tamper
from tests.support.instance import DEFAULT_IDENTITY, DEFAULT_ISSUER, TestInstance

WHO = ["--cert-identity", DEFAULT_IDENTITY, "--cert-oidc-issuer", DEFAULT_ISSUER]
FILES = {"llvm-19.1.0.src.tar.xz": b"llvm sources\n", "clang-19.1.0.src.tar.xz": b"clang\n"}


@pytest.fixture(scope="module")
def inst() -> TestInstance:
    return TestInstance()


def _setup(inst: TestInstance, tmp_path: Path, lines: list[dict[str, Any]]) -> tuple[Path, Path]:
    for name, content in FILES.items():
        (tmp_path / name).write_bytes(content)
    jsonl = tmp_path / "attestations.jsonl"
    jsonl.write_text("".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines))
    root = tmp_path / "trusted_root.json"
    root.write_text(json.dumps(inst.trusted_root()))
    return jsonl, root


def _run(root: Path, jsonl: Path, artifact: Path, capsys: Any) -> tuple[int, dict[str, Any]]:
    argv = ["verify", "--trusted-root", str(root), *WHO, "--json", "--bundle", str(jsonl)]
    code = main([*argv, str(artifact)])
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return code, record


def test_the_bundle_naming_the_artifact_is_used(
    inst: TestInstance, tmp_path: Path, capsys: Any
) -> None:
    bundles = [
        inst.sign_dsse(content, artifact_name=name).bundle for name, content in FILES.items()
    ]
    jsonl, root = _setup(inst, tmp_path, bundles)
    for name in FILES:
        code, record = _run(root, jsonl, tmp_path / name, capsys)
        assert code == 0, record
        assert record["subject"] == name
    (tmp_path / "lld-19.1.0.src.tar.xz").write_bytes(b"lld")
    code, record = _run(root, jsonl, tmp_path / "lld-19.1.0.src.tar.xz", capsys)
    assert (code, record["step"]) == (1, "dsse")
    assert "none of the 2 bundles in" in record["error"]
    assert "has an in-toto subject named 'lld-19.1.0.src.tar.xz'" in record["error"]


def test_one_multi_subject_attestation_for_a_whole_release(
    inst: TestInstance, tmp_path: Path, capsys: Any
) -> None:
    (first, content), *others = FILES.items()
    sb = inst.sign_dsse(content, artifact_name=first, extra_subjects=tuple(others))
    unrelated = inst.sign_dsse(b"other", artifact_name="other.tar.xz").bundle
    jsonl, root = _setup(inst, tmp_path, [unrelated, sb.bundle])
    for name in FILES:
        code, record = _run(root, jsonl, tmp_path / name, capsys)
        assert code == 0, record
        assert record["subject"] == name


def test_a_failing_candidate_is_reported_with_its_line(
    inst: TestInstance, tmp_path: Path, capsys: Any
) -> None:
    name, content = next(iter(FILES.items()))
    good = inst.sign_dsse(content, artifact_name=name)
    bad = tamper.wrong_signature(inst, good)
    jsonl, root = _setup(inst, tmp_path, [bad.bundle, good.bundle])
    code, record = _run(root, jsonl, tmp_path / name, capsys)
    assert code == 0, record  # the second candidate verifies
    jsonl, root = _setup(inst, tmp_path, [bad.bundle])
    jsonl.write_text(jsonl.read_text() + json.dumps(bad.bundle) + "\n")
    code, record = _run(root, jsonl, tmp_path / name, capsys)
    assert (code, record["step"]) == (1, "signature")
    assert record["error"].startswith(f"{jsonl} line 1: ")
    assert "(1 other candidates failed too)" in record["error"]


def test_a_line_that_is_no_bundle_is_named(inst: TestInstance, tmp_path: Path, capsys: Any) -> None:
    name, content = next(iter(FILES.items()))
    jsonl, root = _setup(inst, tmp_path, [inst.sign_dsse(content, artifact_name=name).bundle, {}])
    code, record = _run(root, jsonl, tmp_path / name, capsys)
    assert (code, record["step"]) == (1, "bundle")
    assert record["error"].startswith(f"{jsonl} line 2: ")


LLVM_MAP = """\
schema: 1
projects:
  llvm:
    source: test map (one attestation over all source tarballs)
    version_pattern: '[0-9]+\\.[0-9]+\\.[0-9]+'
    artifacts:
      source:
        pattern: '^[a-z]+-{version}\\.src\\.tar\\.xz$'
        evidence: 'llvm-project-{version}.intoto.jsonl'
        examples: [llvm-19.1.0.src.tar.xz]
    series:
      "19":
        source: test
        signers:
          - identity: %s
            issuer: %s
"""


@pytest.mark.parametrize("jsonl", [False, True], ids=["one-bundle", "json-lines"])
def test_multi_subject_attestation_from_the_map_with_no_flags(
    inst: TestInstance, tmp_path: Path, capsys: Any, jsonl: bool
) -> None:
    (first, content), *others = FILES.items()
    sb = inst.sign_dsse(content, artifact_name=first, extra_subjects=tuple(others))
    evidence, root = _setup(inst, tmp_path, [sb.bundle])
    if not jsonl:
        evidence.write_text(json.dumps(sb.bundle, indent=2))
    evidence.rename(tmp_path / "llvm-project-19.1.0.intoto.jsonl")
    (tmp_path / "map.yaml").write_text(LLVM_MAP % (DEFAULT_IDENTITY, DEFAULT_ISSUER))
    argv = ["verify", "--trusted-root", str(root), "--map", str(tmp_path / "map.yaml"), "--json"]
    assert main([*argv, *(str(tmp_path / name) for name in FILES)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["subject"] for r in records] == list(FILES)
    (tmp_path / "clang-19.1.0.src.tar.xz").write_bytes(b"evil")
    assert main([*argv, str(tmp_path / "clang-19.1.0.src.tar.xz")]) == 1
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert "subject 'clang-19.1.0.src.tar.xz'" in record["error"]
    assert main(["map", "which", "--map", str(tmp_path / "map.yaml"), first]) == 0
    assert "llvm-project-19.1.0.intoto.jsonl (shared by the release's files)" in (
        capsys.readouterr().out
    )

"""`srcverify verify` through signed checksum manifests: `--manifest`, and artifact kinds
the release map authenticates through a manifest (no flags), with a `github_attestation`
signer for the manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from srcverify.cli.main import main
from tests.support.instance import GITHUB_ISSUER, TestInstance
from tests.support.pki import github_claims

TGZ = b"trivy linux tarball\n"
ZIP = b"trivy windows zip\n"
NAMES = {"trivy_0.50.0_Linux-64bit.tar.gz": TGZ, "trivy_0.50.0_windows-64bit.zip": ZIP}
MANIFEST = "trivy_0.50.0_checksums.txt"
IDENTITY, CLAIMS = github_claims(
    "aquasecurity/trivy", ".github/workflows/reusable-release.yaml", "refs/tags/v0.50.0"
)

MAP = """\
schema: 1
projects:
  trivy:
    source: test map (goreleaser layout)
    version_pattern: '[0-9]+\\.[0-9]+\\.[0-9]+'
    artifacts:
      checksums:
        pattern: '^trivy_{version}_checksums\\.txt$'
        examples: [trivy_0.50.0_checksums.txt]
      archive:
        pattern: '^trivy_{version}_(?:Linux|windows)-64bit\\.(?:tar\\.gz|zip)$'
        manifest: 'trivy_{version}_checksums.txt'
        examples: [trivy_0.50.0_Linux-64bit.tar.gz]
    series:
      "0":
        source: test
        signers:
          - github_attestation:
              repository: aquasecurity/trivy
              workflow: .github/workflows/reusable-release.yaml
              ref: refs/tags/v*
"""


@pytest.fixture(scope="module")
def inst() -> TestInstance:
    return TestInstance()


def _release(
    inst: TestInstance, tmp_path: Path, manifest: bytes | None = None, **sign: Any
) -> Path:
    """Artifacts, a signed manifest beside them, the trusted root and the map."""
    for name, content in NAMES.items():
        (tmp_path / name).write_bytes(content)
    if manifest is None:
        manifest = "".join(
            f"{hashlib.sha256(content).hexdigest()}  {name}\n" for name, content in NAMES.items()
        ).encode()
    options = {"identity": IDENTITY, "issuer": GITHUB_ISSUER, "claims": CLAIMS, **sign}
    sb = inst.sign_artifact(manifest, **options)
    paths = sb.write(tmp_path, MANIFEST)
    (tmp_path / "map.yaml").write_text(MAP)
    return paths["trusted_root"]


def _run(root: Path, *argv: str, capsys: Any) -> tuple[int, list[dict[str, Any]]]:
    code = main(["verify", "--trusted-root", str(root), "--json", *argv])
    return code, [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_map_kind_finds_and_checks_the_manifest_with_no_flags(
    inst: TestInstance, tmp_path: Path, capsys: Any
) -> None:
    root = _release(inst, tmp_path)
    artifacts = [str(tmp_path / name) for name in NAMES]
    code, records = _run(root, "--map", str(tmp_path / "map.yaml"), *artifacts, capsys=capsys)
    assert code == 0, records
    for record, (name, content) in zip(records, NAMES.items(), strict=True):
        assert record["signer"] == IDENTITY
        assert record["artifact_digests"] == {"sha256": hashlib.sha256(content).hexdigest()}
        line = 1 if name.endswith(".tar.gz") else 2
        assert record["notes"][-1].startswith(
            f"authenticated through manifest {tmp_path / MANIFEST} line {line} (sha256)"
        )
        assert record["name_bound_by"] == f"signed manifest line {line}"


def test_explicit_manifest_and_identity(inst: TestInstance, tmp_path: Path, capsys: Any) -> None:
    root = _release(inst, tmp_path)
    bundle = str(tmp_path / f"{MANIFEST}.sigstore.json")
    who = ["--cert-identity", IDENTITY, "--cert-oidc-issuer", GITHUB_ISSUER]
    argv = ["--manifest", str(tmp_path / MANIFEST), "--bundle", bundle, *who]
    code, records = _run(root, *argv, *(str(tmp_path / n) for n in NAMES), capsys=capsys)
    assert code == 0, records
    code, (record,) = _run(
        root,
        "--manifest",
        str(tmp_path / MANIFEST),
        "--cert-identity",
        "someone@else.test",
        "--cert-oidc-issuer",
        GITHUB_ISSUER,
        str(tmp_path / "trivy_0.50.0_Linux-64bit.tar.gz"),
        capsys=capsys,
    )
    assert (code, record["step"]) == (1, "policy")


def test_tampered_artifact_is_rejected_naming_the_line(
    inst: TestInstance, tmp_path: Path, capsys: Any
) -> None:
    root = _release(inst, tmp_path)
    (tmp_path / "trivy_0.50.0_windows-64bit.zip").write_bytes(b"evil")
    code, (record,) = _run(
        root,
        "--map",
        str(tmp_path / "map.yaml"),
        str(tmp_path / "trivy_0.50.0_windows-64bit.zip"),
        capsys=capsys,
    )
    assert (code, record["step"]) == (1, "manifest")
    assert f"does not match manifest {tmp_path / MANIFEST} line 2" in record["error"]


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (
            b"%s  trivy_0.50.0_Linux-64bit.tar.gz\n%s  trivy_0.50.0_Linux-64bit.tar.gz\n"
            % (hashlib.sha256(TGZ).hexdigest().encode(), hashlib.sha256(ZIP).hexdigest().encode()),
            "line 2: 'trivy_0.50.0_Linux-64bit.tar.gz' is already listed on line 1",
        ),
        (
            b"%s  linux/trivy_0.50.0_Linux-64bit.tar.gz\n"
            % hashlib.sha256(TGZ).hexdigest().encode(),
            "line 1: 'linux/trivy_0.50.0_Linux-64bit.tar.gz' is not a bare file name",
        ),
        (b"just text\n", "line 1: expected 'HEX  NAME'"),
        (
            b"%s  trivy_0.50.0_Linux-64bit.tar.gz\n" % hashlib.sha1(TGZ).hexdigest().encode(),
            "line 1: a 40-digit digest is not SHA-256",
        ),
        (
            b"%s  other.tar.gz\n" % hashlib.sha256(TGZ).hexdigest().encode(),
            "'trivy_0.50.0_Linux-64bit.tar.gz' is not listed in manifest",
        ),
    ],
)
def test_signed_but_unusable_manifests_are_rejected(
    inst: TestInstance, tmp_path: Path, capsys: Any, manifest: bytes, message: str
) -> None:
    root = _release(inst, tmp_path, manifest)
    code, (record,) = _run(
        root,
        "--map",
        str(tmp_path / "map.yaml"),
        str(tmp_path / "trivy_0.50.0_Linux-64bit.tar.gz"),
        capsys=capsys,
    )
    assert (code, record["step"]) == (1, "manifest"), record
    assert message in record["error"]


def test_manifest_signed_from_another_ref_pattern_is_rejected(
    inst: TestInstance, tmp_path: Path, capsys: Any
) -> None:
    identity, claims = github_claims(
        "aquasecurity/trivy", ".github/workflows/reusable-release.yaml", "refs/heads/main"
    )
    root = _release(inst, tmp_path, identity=identity, claims=claims)
    code, (record,) = _run(
        root,
        "--map",
        str(tmp_path / "map.yaml"),
        str(tmp_path / "trivy_0.50.0_Linux-64bit.tar.gz"),
        capsys=capsys,
    )
    assert (code, record["step"]) == (1, "policy")


def test_a_digest_argument_cannot_be_looked_up(tmp_path: Path, capsys: Any) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["verify", "--manifest", "m", "--bundle", "b", "sha256:" + "ab" * 32])
    assert caught.value.code == 2
    assert "--manifest looks artifacts up by file name" in capsys.readouterr().err


def test_map_which_explains_manifest_and_github_attestation(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "map.yaml").write_text(MAP)
    name = "trivy_0.50.0_Linux-64bit.tar.gz"
    assert main(["map", "which", "--map", str(tmp_path / "map.yaml"), name]) == 0
    out = capsys.readouterr().out
    assert "via:        manifest trivy_0.50.0_checksums.txt" in out
    assert (
        "github_attestation aquasecurity/trivy .github/workflows/reusable-release.yaml"
        "@refs/tags/v*, that is: " in out
    )
    assert "source_repository_uri" in out


def test_the_listed_files_map_facts_are_checked(
    inst: TestInstance, tmp_path: Path, capsys: Any
) -> None:
    """A known digest of a listed file, and the series' signing-time bound, after the manifest."""
    root = _release(inst, tmp_path)
    tarball = "trivy_0.50.0_Linux-64bit.tar.gz"
    other = hashlib.sha256(b"another build").hexdigest()
    facts = f"        digests:\n          {tarball}: {{sha256: {other}}}\n"
    (tmp_path / "facts.yaml").write_text(MAP + facts)
    argv = ["--map", str(tmp_path / "facts.yaml"), str(tmp_path / tarball)]
    code, (record,) = _run(root, *argv, capsys=capsys)
    assert (code, record["step"]) == (1, "name")
    assert record["error"].startswith(
        f"{tarball}: the release map knows its sha256 as {other} (series 0 of trivy), but the "
        f"artifact's sha256 is {hashlib.sha256(TGZ).hexdigest()}"
    )
    right = (
        f"        digests:\n          {tarball}: {{sha256: {hashlib.sha256(TGZ).hexdigest()}}}\n"
    )
    bound = "        not_signed_before: 2025-06-02T00:00:00Z\n"
    (tmp_path / "right.yaml").write_text(MAP + right)
    code, (record,) = _run(root, "--map", str(tmp_path / "right.yaml"), argv[-1], capsys=capsys)
    assert code == 0, record
    assert record["name_bound_by"] == (
        "signed manifest line 1 and known digest sha256 (series 0 of trivy)"
    )
    (tmp_path / "late.yaml").write_text(MAP + bound)
    code, (record,) = _run(root, "--map", str(tmp_path / "late.yaml"), argv[-1], capsys=capsys)
    assert (code, record["step"]) == (1, "name")
    assert "not signed before 2025-06-02T00:00:00Z (series 0 of trivy)" in record["error"]

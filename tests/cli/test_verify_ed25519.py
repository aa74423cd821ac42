"""`srcverify verify --key KEY.pem` with an Ed25519 key: the artifact's bytes are verified.

An Ed25519 message signature covers the artifact itself (PureEdDSA), so the
CLI reads the file whole (bounded by ``MAX_SIGNED_ARTIFACT_BYTES``) and
hashes those same bytes. Every case asserts exit code, verdict and message.
Before the fix, every Ed25519 managed-key bundle was REJECTED with "cannot
verify a signature over a digest alone; give the artifact file instead of
sha256:<hex>", although the file had been given. ECDSA and RSA managed keys
are unchanged: the file is streamed and a digest is enough.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from srcverify.cli import artifact_source
from srcverify.cli.main import main
from srcverify.sigstore.signature import load_public_key_pem
from srcverify.sigstore.verify import ManagedKey
from tests.support import tamper
from tests.support.instance import SignedBundle, TestInstance

NAME = "upstream-2.0.tar.gz"
ARTIFACT = b"upstream-2.0 release tarball\n" * 100
SIGNED_AT = "2025-06-01T12:00:03Z"
NO_BYTES = (
    "signature: the message signature was made with an Ed25519 key, which signs the "
    "artifact's bytes themselves (PureEdDSA, RFC 8032), not a digest of them: it cannot be "
    "checked from the sha256 digest alone; verify the artifact file itself, not a digest"
)


@pytest.fixture(scope="module")
def inst() -> TestInstance:
    return TestInstance()


def _fingerprint(inst: TestInstance, key_type: str, *, other: bool = False) -> str:
    pem = inst.managed_public_key_pem(key_type=key_type, other=other)
    return ManagedKey(load_public_key_pem(pem)).describe()


def _write(
    inst: TestInstance, tmp_path: Path, key_type: str = "Ed25519", **options: Any
) -> tuple[SignedBundle, dict[str, Path]]:
    sb = inst.sign_artifact(ARTIFACT, managed_key=True, managed_key_type=key_type, **options)
    paths = sb.write(tmp_path, NAME)
    return sb, paths


def _run(paths: dict[str, Path], *argv: str | Path, capsys: Any) -> tuple[int, str, list[Any]]:
    """Exit code, the verdict line (stderr, the trusted-root warning dropped), JSON records."""
    code = main(["verify", "--trusted-root", str(paths["trusted_root"]), *map(str, argv)])
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if "NOT TUF-authenticated" not in line]
    assert len(lines) == 1, lines
    records = [json.loads(line) for line in captured.out.splitlines()]
    return code, lines[0], records


def _ok(inst: TestInstance, artifact: str | Path, key_type: str = "Ed25519") -> str:
    return (
        f"OK {artifact}: signed by {_fingerprint(inst, key_type)} at {SIGNED_AT}, "
        "bundle v0.3; name bound by nothing"
    )


def test_ed25519_bundle_of_a_file_verifies(inst: TestInstance, tmp_path: Path, capsys: Any) -> None:
    _, paths = _write(inst, tmp_path)
    code, line, _ = _run(paths, "--key", paths["key"], paths["artifact"], capsys=capsys)
    assert (code, line) == (0, _ok(inst, paths["artifact"]))
    code, _, (record,) = _run(
        paths, "--json", "--key", paths["key"], paths["artifact"], capsys=capsys
    )
    assert code == 0
    assert record["artifact_digests"] == {"sha256": hashlib.sha256(ARTIFACT).hexdigest()}
    assert record["signer"] == _fingerprint(inst, "Ed25519")


@pytest.mark.parametrize(
    "options",
    [{"log": "v2", "timestamp": True}, {"media_type": "v0.1"}],
    ids=["rekor-v2", "v0.1"],
)
def test_other_shapes_verify(
    inst: TestInstance, tmp_path: Path, capsys: Any, options: dict[str, Any]
) -> None:
    _, paths = _write(inst, tmp_path, **options)
    code, line, _ = _run(paths, "--key", paths["key"], paths["artifact"], capsys=capsys)
    assert code == 0
    assert line.startswith(f"OK {paths['artifact']}: signed by {_fingerprint(inst, 'Ed25519')}")


def test_tampered_artifact_is_rejected(inst: TestInstance, tmp_path: Path, capsys: Any) -> None:
    sb, paths = _write(inst, tmp_path)
    tampered = ARTIFACT.replace(b"2.0", b"2.1", 1)
    paths["artifact"].write_bytes(tampered)
    code, line, _ = _run(paths, "--key", paths["key"], paths["artifact"], capsys=capsys)
    assert code == 1
    assert line == (
        f"REJECTED {paths['artifact']}: artifact: artifact sha256 "
        f"{hashlib.sha256(tampered).hexdigest()} does not match the digest the bundle signed, "
        f"{sb.digest.hex()}"
    )


def test_signature_over_other_bytes_is_rejected(
    inst: TestInstance, tmp_path: Path, capsys: Any
) -> None:
    """messageDigest and the log name this artifact; the signature is over another file."""
    sb, _ = _write(inst, tmp_path)
    paths = tamper.wrong_signature(inst, sb).write(tmp_path, NAME)
    code, line, _ = _run(paths, "--key", paths["key"], paths["artifact"], capsys=capsys)
    assert code == 1
    assert line == (
        f"REJECTED {paths['artifact']}: signature: Ed25519 signature does not verify over the "
        f"artifact's {len(ARTIFACT)} bytes (sha256:{sb.digest.hex()}) with the signing key"
    )


def test_wrong_ed25519_key_is_rejected(inst: TestInstance, tmp_path: Path, capsys: Any) -> None:
    sb, paths = _write(inst, tmp_path)
    other = tmp_path / "other.pem"
    other.write_bytes(inst.managed_public_key_pem(key_type="Ed25519", other=True))
    code, line, _ = _run(paths, "--key", other, paths["artifact"], capsys=capsys)
    assert code == 1
    assert line == (
        f"REJECTED {paths['artifact']}: signature: Ed25519 signature does not verify over the "
        f"artifact's {len(ARTIFACT)} bytes (sha256:{sb.digest.hex()}) with the signing key"
    )


def test_digest_instead_of_the_file_cannot_be_evaluated(
    inst: TestInstance, tmp_path: Path, capsys: Any
) -> None:
    sb, paths = _write(inst, tmp_path)
    bundle = ["--bundle", paths["bundle"]]
    code, line, _ = _run(
        paths, "--key", paths["key"], *bundle, "--digest", sb.digest_ref, NAME, capsys=capsys
    )
    assert (code, line) == (3, f"NOT EVALUATED {NAME}: {NO_BYTES}")
    code, line, _ = _run(paths, "--key", paths["key"], *bundle, sb.digest_ref, capsys=capsys)
    assert (code, line) == (3, f"NOT EVALUATED {sb.digest_ref}: {NO_BYTES}")


def test_artifact_over_the_bound_cannot_be_evaluated(
    inst: TestInstance, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, paths = _write(inst, tmp_path)
    monkeypatch.setattr(artifact_source, "MAX_SIGNED_ARTIFACT_BYTES", len(ARTIFACT) - 1)
    code, line, _ = _run(paths, "--key", paths["key"], paths["artifact"], capsys=capsys)
    assert code == 3
    assert line == (
        f"NOT EVALUATED {paths['artifact']}: input: artifact {paths['artifact']} is "
        f"{len(ARTIFACT)} bytes; an Ed25519 signature is verified over the artifact's bytes in "
        f"memory, which srcverify does only up to {len(ARTIFACT) - 1} bytes: refusing to read it"
    )
    monkeypatch.setattr(artifact_source, "MAX_SIGNED_ARTIFACT_BYTES", len(ARTIFACT))
    code, line, _ = _run(paths, "--key", paths["key"], paths["artifact"], capsys=capsys)
    assert (code, line) == (0, _ok(inst, paths["artifact"]))


@pytest.mark.parametrize("key_type", ["P-256", "RSA"])
def test_ecdsa_and_rsa_keys_are_unchanged(
    inst: TestInstance,
    tmp_path: Path,
    capsys: Any,
    monkeypatch: pytest.MonkeyPatch,
    key_type: str,
) -> None:
    """File or digest, verified from the digest; the bytes bound never applies (streamed)."""
    monkeypatch.setattr(artifact_source, "MAX_SIGNED_ARTIFACT_BYTES", 1)
    sb, paths = _write(inst, tmp_path, key_type)
    code, line, _ = _run(paths, "--key", paths["key"], paths["artifact"], capsys=capsys)
    assert (code, line) == (0, _ok(inst, paths["artifact"], key_type))
    code, line, _ = _run(
        paths,
        "--key",
        paths["key"],
        "--bundle",
        paths["bundle"],
        "--digest",
        sb.digest_ref,
        NAME,
        capsys=capsys,
    )
    assert (code, line) == (0, _ok(inst, NAME, key_type))
    other = tmp_path / "other.pem"
    other.write_bytes(inst.managed_public_key_pem(key_type=key_type, other=True))
    code, line, _ = _run(paths, "--key", other, paths["artifact"], capsys=capsys)
    assert (code, line) == (
        1,
        f"REJECTED {paths['artifact']}: signature: signature does not verify over artifact "
        f"digest sha256:{sb.digest.hex()} with the signing key",
    )


def test_ed25519_signed_manifest_verifies_over_its_bytes(
    inst: TestInstance, tmp_path: Path, capsys: Any
) -> None:
    """The manifest is the signed message: its bytes are in memory, and are what is checked."""
    (tmp_path / NAME).write_bytes(ARTIFACT)
    manifest = f"{hashlib.sha256(ARTIFACT).hexdigest()}  {NAME}\n".encode()
    sb = inst.sign_artifact(manifest, managed_key=True, managed_key_type="Ed25519")
    paths = sb.write(tmp_path, "SHA256SUMS")
    argv = ["--key", paths["key"], "--manifest", paths["artifact"], tmp_path / NAME]
    code, line, _ = _run(paths, *argv, capsys=capsys)
    assert code == 0
    assert line.startswith(
        f"OK {tmp_path / NAME}: signed by {_fingerprint(inst, 'Ed25519')} at {SIGNED_AT}"
    )
    paths["artifact"].write_bytes(manifest.replace(b"  ", b" *"))  # same listing, other bytes
    code, line, _ = _run(paths, *argv, capsys=capsys)
    assert code == 1
    assert f"does not match the digest the bundle signed, {sb.digest.hex()}" in line


def test_batch_line_with_a_digest_cannot_be_evaluated(
    inst: TestInstance, tmp_path: Path, capsys: Any
) -> None:
    sb, paths = _write(inst, tmp_path)
    listing = tmp_path / "list"
    listing.write_text(
        f"{NAME} {paths['bundle'].name}\n{NAME} {paths['bundle'].name} {sb.digest_ref}\n"
    )
    code = main(
        [
            "verify",
            "--trusted-root",
            str(paths["trusted_root"]),
            "--key",
            str(paths["key"]),
            "--batch",
            str(listing),
        ]
    )
    err = capsys.readouterr().err.splitlines()
    assert code == 3
    assert err[1:] == [
        f"{_ok(inst, NAME)} ({listing}:1)",
        f"NOT EVALUATED {NAME}: {NO_BYTES} ({listing}:2)",
    ]


def test_readme_and_help_state_the_key_types_and_the_bound(capsys: Any) -> None:
    assert artifact_source.MAX_SIGNED_ARTIFACT_BYTES == 1 << 30
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "public key: ECDSA, RSA or Ed25519" in help_text
    assert "the file is read whole, up to 1 GiB" in help_text
    assert "cannot be evaluated (exit 3)" in help_text
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text().split())
    managed = readme.split("**Managed keys.**", 1)[1].split("```", 1)[0]
    assert "ECDSA (P-256, P-384, P-521), RSA (PKCS#1 v1.5 or PSS) or Ed25519" in managed
    assert "reads the file whole into memory, once, up to 1 GiB" in managed
    assert "3 when only a digest is given" in managed and "1 when the file's digest" in managed


def test_real_tarball_signed_with_ed25519(
    inst: TestInstance, corpus: Path, tmp_path: Path, capsys: Any
) -> None:
    """The 22.8 MB Python-3.13.5.tar.xz, signed here with the test Ed25519 key, read whole."""
    tarball = corpus / "cpython" / "artifacts" / "Python-3.13.5.tar.xz"
    if not tarball.is_file():
        pytest.skip(f"{tarball} not in the corpus")
    content = tarball.read_bytes()
    sb = inst.sign_artifact(content, managed_key=True, managed_key_type="Ed25519")
    paths = sb.write(tmp_path / "signed", "Python-3.13.5.tar.xz")
    argv = ["--key", paths["key"], "--bundle", paths["bundle"]]
    code, line, _ = _run(paths, *argv, tarball, capsys=capsys)
    assert code == 0
    assert line.startswith(f"OK {tarball}: signed by {_fingerprint(inst, 'Ed25519')}")
    code, line, _ = _run(paths, *argv, "--digest", sb.digest_ref, tarball.name, capsys=capsys)
    assert (code, line) == (3, f"NOT EVALUATED {tarball.name}: {NO_BYTES}")


def test_fulcio_certificate_with_an_ed25519_key(
    inst: TestInstance, tmp_path: Path, capsys: Any
) -> None:
    """Not only --key: a certificate's Ed25519 key makes the CLI read the file too."""
    sb = inst.sign_artifact(ARTIFACT, curve="Ed25519")
    paths = sb.write(tmp_path, NAME)
    who = ["--cert-identity", sb.identity, "--cert-oidc-issuer", sb.issuer]
    code, line, _ = _run(paths, *who, paths["artifact"], capsys=capsys)
    assert code == 0
    assert line.startswith(f"OK {paths['artifact']}: signed by {sb.identity} ({sb.issuer})")
    code, line, _ = _run(
        paths, *who, "--bundle", paths["bundle"], "--digest", sb.digest_ref, NAME, capsys=capsys
    )
    assert (code, line) == (3, f"NOT EVALUATED {NAME}: {NO_BYTES}")


def test_real_bound_refuses_a_larger_file_before_reading_it(
    inst: TestInstance, tmp_path: Path, capsys: Any
) -> None:
    """A sparse file one byte over 1 GiB (no disk used) is refused from its size alone."""
    _, paths = _write(inst, tmp_path)
    with paths["artifact"].open("r+b") as file:
        file.truncate((1 << 30) + 1)
    code, line, _ = _run(paths, "--key", paths["key"], paths["artifact"], capsys=capsys)
    assert code == 3
    assert line == (
        f"NOT EVALUATED {paths['artifact']}: input: artifact {paths['artifact']} is "
        f"{(1 << 30) + 1} bytes; an Ed25519 signature is verified over the artifact's bytes in "
        "memory, which srcverify does only up to 1 GiB: refusing to read it"
    )

"""Name binding: a genuine release presented under another release's name is rejected."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest

from srcverify.cli.main import main
from tests.conftest import CORPUS
from tests.support.instance import TestInstance
from tests.support.signed import DEFAULT_IDENTITY, DEFAULT_ISSUER

TARBALL = CORPUS / "cpython" / "artifacts" / "Python-3.13.5.tar.xz"
BUNDLE = CORPUS / "cpython" / "bundles" / "Python-3.13.5.tar.xz.sigstore"

MAP = f"""\
schema: 1
projects:
  pkg:
    source: test
    version_pattern: '[0-9]+\\.[0-9]+'
    artifacts:
      sdist:
        pattern: '^pkg-{{version}}\\.tar\\.gz$'
        top_directory: 'pkg-{{version}}'
      flat:
        pattern: '^pkg-{{version}}-flat\\.zip$'
        top_directory: false
      blob:
        pattern: '^pkg-{{version}}\\.bin$'
    series:
      "1":
        source: test
        signers:
          - identity: {DEFAULT_IDENTITY}
            issuer: {DEFAULT_ISSUER}
"""


def _real(tmp_path: Path, name: str) -> Path:
    if not TARBALL.is_file():
        pytest.skip(f"corpus tarball absent: {TARBALL}")
    artifact = tmp_path / name
    shutil.copyfile(TARBALL, artifact)
    shutil.copyfile(BUNDLE, tmp_path / f"{name}.sigstore")
    return artifact


def test_real_3_13_5_presented_as_3_12_0_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The map's 3.12 signer is the same person: only the top directory tells the releases apart."""
    assert main(["verify", str(_real(tmp_path, "Python-3.12.0.tar.xz"))]) == 1
    err = capsys.readouterr().err
    assert (
        "REJECTED " in err
        and "name: Python-3.12.0.tar.xz names release 3.12.0, but the archive's top directory "
        "Python-3.13.5/ names release 3.13.5 (expected Python-3.12.0/)"
        in err
    )


def test_real_3_13_5_under_its_own_name_is_bound_by_its_top_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The shipped map also knows its digest (tests/corpus/test_map_facts.py)."""
    assert main(["verify", "--json", str(_real(tmp_path, "Python-3.13.5.tar.xz"))]) == 0
    out, err = capsys.readouterr()
    bound = "archive top directory Python-3.13.5/ and known digest sha256 (series 3.13 of cpython)"
    assert json.loads(out)["name_bound_by"] == bound
    assert err.rstrip().endswith(f"; name bound by {bound}")


def _signed_tarball(tmp_path: Path, name: str, top: str | None, **options: object) -> Path:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo(f"{top}/README" if top else "README")
        info.size = 3
        archive.addfile(info, io.BytesIO(b"hi\n"))
    signed = TestInstance().sign_artifact(buffer.getvalue(), **options)
    artifact = tmp_path / name
    artifact.write_bytes(signed.artifact)
    (tmp_path / f"{name}.sigstore.json").write_text(json.dumps(signed.bundle))
    (tmp_path / "trusted_root.json").write_text(json.dumps(signed.trusted_root))
    (tmp_path / "map.yaml").write_text(MAP)
    return artifact


def _verify(tmp_path: Path, artifact: Path, *extra: str) -> int:
    root = str(tmp_path / "trusted_root.json")
    return main(
        [
            "verify",
            "--trusted-root",
            root,
            "--map",
            str(tmp_path / "map.yaml"),
            *extra,
            str(artifact),
        ]
    )


@pytest.mark.parametrize(
    ("top", "message"),
    [
        (
            "pkg-1.0",
            "pkg-1.3.tar.gz names release 1.3, but the archive's top directory pkg-1.0/ "
            "names release 1.0 (expected pkg-1.3/)",
        ),
        ("other", "top directory other/ names no release of this kind (expected pkg-1.3/)"),
        (None, "pkg-1.3.tar.gz names release 1.3, but the archive has no top directory"),
    ],
)
def test_generated_mismatch_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], top: str | None, message: str
) -> None:
    artifact = _signed_tarball(tmp_path, "pkg-1.3.tar.gz", top)
    assert _verify(tmp_path, artifact) == 1
    assert f"REJECTED {artifact}: name: " in capsys.readouterr().err
    capsys.readouterr()
    assert _verify(tmp_path, artifact) == 1
    assert message in capsys.readouterr().err


def test_what_bound_the_name_is_said_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ok = _signed_tarball(tmp_path, "pkg-1.3.tar.gz", "pkg-1.3")
    assert _verify(tmp_path, ok, "--json") == 0
    assert json.loads(capsys.readouterr().out)["name_bound_by"] == "archive top directory pkg-1.3/"
    blob = _signed_tarball(tmp_path, "pkg-1.3.bin", None)
    assert _verify(tmp_path, blob, "--json") == 0
    assert json.loads(capsys.readouterr().out)["name_bound_by"] == (
        "nothing (the map declares no top directory for this kind)"
    )


def test_a_digest_alone_binds_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    artifact = _signed_tarball(tmp_path, "pkg-1.3.tar.gz", "pkg-1.0")
    digest = "sha256:" + hashlib.sha256(artifact.read_bytes()).hexdigest()
    bundle = f"{artifact}.sigstore.json"
    name = Path(artifact.name)  # with a digest, ARTIFACT is only a name, resolved as given
    assert _verify(tmp_path, name, "--json", "--bundle", bundle, "--digest", digest) == 0
    assert json.loads(capsys.readouterr().out)["name_bound_by"] == (
        "nothing (digest only: the archive was not read)"
    )


def test_dsse_single_subject_must_name_the_artifact_when_the_map_chose_the_signer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artifact = _signed_tarball(
        tmp_path, "pkg-1.3.tar.gz", "pkg-1.3", dsse=True, artifact_name="pkg-1.0.tar.gz"
    )
    assert _verify(tmp_path, artifact) == 1
    assert (
        "dsse: the in-toto statement's subject is 'pkg-1.0.tar.gz', but the artifact is "
        "'pkg-1.3.tar.gz', and the release map chose the signer by that name"
    ) in capsys.readouterr().err
    renamed = tmp_path / "pkg-1.0.tar.gz"  # under the subject's name it verifies ... but the
    artifact.rename(renamed)  # top directory then names 1.3: bound by the subject first
    (tmp_path / "pkg-1.3.tar.gz.sigstore.json").rename(tmp_path / "pkg-1.0.tar.gz.sigstore.json")
    assert _verify(tmp_path, renamed, "--json") == 0
    assert json.loads(capsys.readouterr().out)["name_bound_by"] == "in-toto subject name"


def test_explicit_identity_does_not_bind_the_subject_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artifact = _signed_tarball(
        tmp_path, "pkg-1.3.tar.gz", "pkg-1.3", dsse=True, artifact_name="other.tar.gz"
    )
    root = str(tmp_path / "trusted_root.json")
    flags = ["--cert-identity", DEFAULT_IDENTITY, "--cert-oidc-issuer", DEFAULT_ISSUER]
    assert main(["verify", "--json", "--trusted-root", root, *flags, str(artifact)]) == 0
    assert json.loads(capsys.readouterr().out)["name_bound_by"] == "nothing"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("'pkg'", "top_directory 'pkg' must be one directory name with {version} exactly once"),
        ("'a/{version}'", "must be one directory name with {version} exactly once"),
        ("true", "top_directory: true says nothing; give the template"),
        ("3", "top_directory: expected a string"),
    ],
)
def test_map_check_refuses_a_bad_top_directory(value: str, problem: str) -> None:
    from srcverify.releasemap.resolve import InvalidReleaseMapError, ReleaseMap

    text = MAP.replace("top_directory: 'pkg-{version}'", f"top_directory: {value}")
    with pytest.raises(InvalidReleaseMapError) as info:
        ReleaseMap.from_text(text, "m.yaml")
    assert [p for p in info.value.problems if problem in str(p)], info.value.problems


def test_the_shipped_map_binds_cpython_tarballs() -> None:
    from srcverify.releasemap.resolve import default_map, resolve

    assert resolve(default_map(), "Python-3.14.0.tgz").top_directory == "Python-{version}"
    assert resolve(default_map(), "Python-3.14.0.tar.xz").top_directory == "Python-{version}"
    assert resolve(default_map(), "python-3.14.0-embed-amd64.zip").top_directory == ""

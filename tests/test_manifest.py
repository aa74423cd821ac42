"""Checksum manifests: coreutils and BSD lines, and every malformed or ambiguous line
rejected by its number."""

from __future__ import annotations

import hashlib

import pytest

from srcverify.errors import ArtifactMismatchError, ManifestError
from srcverify.manifest import parse_manifest

TGZ = b"trivy tarball\n"
ZIP = b"trivy zip\n"
H256 = hashlib.sha256(TGZ).hexdigest()
H512 = hashlib.sha512(ZIP).hexdigest()


def test_goreleaser_checksums_txt() -> None:
    text = (
        f"{H256}  trivy_0.50.0_Linux-64bit.tar.gz\n{hashlib.sha256(ZIP).hexdigest()}  trivy.zip\n"
    )
    manifest = parse_manifest(text.encode(), "checksums.txt")
    line = manifest.check(
        "trivy_0.50.0_Linux-64bit.tar.gz", {"sha256": hashlib.sha256(TGZ).digest()}
    )
    assert (line.number, line.algorithm) == (1, "sha256")
    assert set(manifest.lines) == {"trivy_0.50.0_Linux-64bit.tar.gz", "trivy.zip"}


@pytest.mark.parametrize(
    ("row", "algorithm"),
    [
        (f"{H256} *a.tar.gz", "sha256"),
        (f"{hashlib.sha384(TGZ).hexdigest()}  a.tar.gz", "sha384"),
        (f"{hashlib.sha512(TGZ).hexdigest().upper()}  a.tar.gz", "sha512"),
        (f"SHA256 (a.tar.gz) = {H256}", "sha256"),
        (f"SHA512 (a.tar.gz) = {hashlib.sha512(TGZ).hexdigest()}", "sha512"),
        (f"SHA384 (a.tar.gz) = {hashlib.sha384(TGZ).hexdigest()}", "sha384"),
        (f"{H256}  a.tar.gz\r", "sha256"),
        (f"{H256}  name with spaces (1).tar.gz", "sha256"),
    ],
)
def test_line_forms(row: str, algorithm: str) -> None:
    name = "name with spaces (1).tar.gz" if "spaces" in row else "a.tar.gz"
    manifest = parse_manifest(f"\n{row}\n\n".encode(), "SHA256SUMS")
    line = manifest.check(name, {algorithm: hashlib.new(algorithm, TGZ).digest()})
    assert (line.number, line.algorithm) == (2, algorithm)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"{H256}  a\n{H256}  a\n", r"SUMS line 2: 'a' is already listed on line 1"),
        (f"{H256}  dir/a\n", r"SUMS line 1: 'dir/a' is not a bare file name"),
        (f"{H256}  ..\n", r"line 1: '\.\.' is not a bare file name"),
        (f"{H256}  a\\b\n", r"line 1: 'a\\\\b' is not a bare file name"),
        (f"{H256}  a\ngarbage\n", r"SUMS line 2: expected 'HEX  NAME', 'HEX \*NAME' or 'SHA256"),
        (f"{H256} a\n", r"line 1: expected"),
        (f"{hashlib.sha1(TGZ).hexdigest()}  a\n", r"line 1: a 40-digit digest is not SHA-256"),
        (f"{hashlib.md5(TGZ).hexdigest()}  a\n", r"a 32-digit digest .*never accepted"),
        (f"MD5 (a) = {hashlib.md5(TGZ).hexdigest()}\n", r"a 32-digit digest"),
        (f"SHA512 (a) = {H256}\n", r"line 1: tag 'SHA512' does not fit a 64-digit sha256"),
        (f"\\{H256}  a\\nb\n", r"line 1: backslash-escaped names are not supported"),
        (f"{H256}  a\x1b[2J\n", r"line 1: the name holds control characters"),
        ("\n\n", r"SHA256SUMS: lists no file"),
    ],
)
def test_malformed_or_ambiguous_lines_reject_the_manifest(text: str, message: str) -> None:
    with pytest.raises(ManifestError, match=message) as caught:
        parse_manifest(text.encode(), "SHA256SUMS")
    assert caught.value.step == "manifest"


def test_not_utf8_names_the_line() -> None:
    with pytest.raises(ManifestError, match="line 2: not UTF-8"):
        parse_manifest(f"{H256}  a\n{H256}  \xff\n".encode("latin-1"), "SHA256SUMS")


def test_unlisted_artifact_and_wrong_digest_are_mismatches() -> None:
    manifest = parse_manifest(f"{H256}  a.tar.gz\nSHA512 (b.zip) = {H512}\n".encode(), "SUMS")
    with pytest.raises(ArtifactMismatchError, match=r"'c.tar.gz' is not listed in manifest SUMS"):
        manifest.check("c.tar.gz", {"sha256": b"x"})
    with pytest.raises(
        ArtifactMismatchError, match=r"does not match manifest SUMS line 2, which lists"
    ):
        manifest.check("b.zip", {"sha512": hashlib.sha512(TGZ).digest()})
    assert manifest.check("b.zip", {"sha512": hashlib.sha512(ZIP).digest()}).number == 2

"""ArtifactSource: digests streamed, or computed from the one read of the bytes; the bound."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from srcverify.cli import artifact_source
from srcverify.cli.artifact_source import ArtifactSource
from srcverify.errors import InputError
from srcverify.inputs import TooLargeError, open_regular

DATA = b"release tarball bytes\n" * 64


@pytest.fixture
def artifact(tmp_path: Path) -> Path:
    path = tmp_path / "a.tar.gz"
    path.write_bytes(DATA)
    return path


def test_streamed_digests(artifact: Path) -> None:
    with open_regular(artifact, "artifact") as stream:
        source = ArtifactSource(str(artifact), stream=stream)
        assert source(("sha256", "sha512")) == {
            "sha256": hashlib.sha256(DATA).digest(),
            "sha512": hashlib.sha512(DATA).digest(),
        }


def test_bytes_first_then_digests_of_those_bytes(artifact: Path) -> None:
    with open_regular(artifact, "artifact") as stream:
        source = ArtifactSource(str(artifact), stream=stream)
        assert source.read_bytes() == DATA
        artifact.write_bytes(b"rewritten after the read")
        assert source(("sha256",)) == {"sha256": hashlib.sha256(DATA).digest()}
        assert source.read_bytes() == DATA  # read once


def test_bytes_after_streaming_is_a_programming_error(artifact: Path) -> None:
    with open_regular(artifact, "artifact") as stream:
        source = ArtifactSource(str(artifact), stream=stream)
        source(("sha256",))
        with pytest.raises(AssertionError, match="must come before the digests"):
            source.read_bytes()


def test_given_digests_have_no_bytes() -> None:
    given = {"sha256": hashlib.sha256(DATA).digest()}
    source = ArtifactSource("a.tar.gz", given=given)
    assert source.read_bytes() is None
    assert source(("sha256",)) == given


def test_bytes_in_memory() -> None:
    source = ArtifactSource.of_bytes("SHA256SUMS", DATA)
    assert source.read_bytes() == DATA
    assert source(()) == {"sha256": hashlib.sha256(DATA).digest()}


def test_exactly_one_origin() -> None:
    with pytest.raises(ValueError, match="exactly one of stream, given and data"):
        ArtifactSource("x", given={}, data=b"")


def test_over_the_bound(artifact: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(artifact_source, "MAX_SIGNED_ARTIFACT_BYTES", 1 << 20)
    artifact.write_bytes(b"\0" * ((1 << 20) + 1))
    with open_regular(artifact, "artifact") as stream, pytest.raises(TooLargeError) as caught:
        ArtifactSource(str(artifact), stream=stream).read_bytes()
    assert caught.value.detail == (
        f"artifact {artifact} is {(1 << 20) + 1} bytes; an Ed25519 signature is verified over "
        "the artifact's bytes in memory, which srcverify does only up to 1 MiB: refusing to "
        "read it"
    )
    assert artifact_source._size(1 << 30) == "1 GiB"


@pytest.mark.parametrize(("told", "shown"), [(len(DATA) - 5, "+"), (len(DATA) + 5, "")])
def test_a_file_changing_size_while_read(
    artifact: Path, monkeypatch: pytest.MonkeyPatch, told: int, shown: str
) -> None:
    """fstat says one size, the read gives another: the file changed; nothing is judged."""
    real_fstat = os.fstat

    class Told:
        def __init__(self, result: Any) -> None:
            self.st_size = told

    with open_regular(artifact, "artifact") as stream:
        monkeypatch.setattr(os, "fstat", lambda fd: Told(real_fstat(fd)))
        with pytest.raises(InputError) as caught:
            ArtifactSource(str(artifact), stream=stream).read_bytes()
        monkeypatch.undo()
    read = told + 1 if shown else len(DATA)
    assert caught.value.detail == (
        f"artifact {artifact} changed while it was read ({told} bytes when opened, "
        f"{read}{shown} read); refusing to judge it"
    )

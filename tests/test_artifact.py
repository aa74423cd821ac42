"""Artifact digests: streams and sha256:<hex> arguments."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
from typing import Any

import pytest

from srcverify.artifact import ALGORITHMS, CHUNK_SIZE, digest_stream, parse_digest, parse_sha256
from srcverify.errors import InputError


def test_digest_stream_matches_hashlib_across_buffers() -> None:
    data = bytes(range(256)) * (9 * 4096 + 7)  # more than two 1 MiB chunks, and a ragged end
    assert digest_stream(io.BytesIO(data)) == {"sha256": hashlib.sha256(data).digest()}


def test_digest_stream_computes_every_algorithm_in_one_pass() -> None:
    data = b"x" * (CHUNK_SIZE + 1)
    reads = []

    class Counting(io.BytesIO):
        def readinto(self, buffer: Any) -> int:
            count = super().readinto(buffer)
            reads.append(count)
            return count

    got = digest_stream(Counting(data), ["sha512", "sha256", "sha384", "sha256"])
    assert got == {name: hashlib.new(name, data).digest() for name in ALGORITHMS}
    assert list(got) == ["sha256", "sha384", "sha512"]
    assert reads == [CHUNK_SIZE, 1, 0]  # each byte read once, whatever the algorithm count


def test_digest_stream_of_empty_stream_and_unknown_algorithm() -> None:
    assert digest_stream(io.BytesIO(b""), ["sha384"]) == {"sha384": hashlib.sha384().digest()}
    with pytest.raises(ValueError, match="no digest algorithm"):
        digest_stream(io.BytesIO(b""), [])
    with pytest.raises(ValueError):
        digest_stream(io.BytesIO(b""), ["md5"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sha256:" + "ab" * 32, ("sha256", b"\xab" * 32)),
        ("SHA384:" + "AB" * 48, ("sha384", b"\xab" * 48)),
        ("sha512:" + "ab" * 64, ("sha512", b"\xab" * 64)),
    ],
)
def test_parse_digest(text: str, expected: tuple[str, bytes]) -> None:
    assert parse_digest(text) == expected


@pytest.mark.parametrize(
    "text",
    ["sha512:" + "ab" * 32, "sha384:" + "ab" * 64, "md5:" + "ab" * 16, "sha1:" + "ab" * 20, "x"],
)
def test_parse_digest_rejects(text: str) -> None:
    with pytest.raises(InputError, match="expected sha256:<64 hex digits>, sha384"):
        parse_digest(text)


@pytest.mark.parametrize("text", ["sha256:" + "ab" * 32, "SHA256:" + "AB" * 32])
def test_parse_sha256(text: str) -> None:
    assert parse_sha256(text) == b"\xab" * 32


@pytest.mark.parametrize(
    "text", ["sha256:abc", "sha512:" + "ab" * 32, "ab" * 32, "sha256:" + "zz" * 32]
)
def test_parse_sha256_rejects(text: str) -> None:
    with pytest.raises(InputError, match="expected sha256:<64 hex digits>"):
        parse_sha256(text)


def test_hashing_needs_no_cryptography() -> None:
    """Hashing a file must not pay for importing cryptography."""
    probe = "import sys, srcverify.artifact; print('cryptography' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"

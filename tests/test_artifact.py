"""Artifact digests: streams and sha256:<hex> arguments."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys

import pytest

from srcverify.artifact import digest_stream, parse_sha256
from srcverify.errors import InputError


def test_digest_stream_matches_hashlib_across_buffers() -> None:
    data = bytes(range(256)) * (3 * 4096 + 7)  # several of hashlib's read buffers
    assert digest_stream(io.BytesIO(data)) == hashlib.sha256(data).digest()


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

"""The artifact side of a verification: its SHA-256 digest.

An artifact is either a file, hashed as a stream in constant memory, or a
digest the caller already has, written ``sha256:<64 hex digits>``.

This module imports nothing but the standard library. It verifies nothing.
"""

from __future__ import annotations

import hashlib
import re
from io import BufferedIOBase

from srcverify.errors import InputError

__all__ = ["digest_stream", "parse_sha256"]

_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


def digest_stream(stream: BufferedIOBase) -> bytes:
    """SHA-256 of everything ``stream`` yields, in constant memory.

    ``hashlib.file_digest`` reads into one reused buffer, so memory does not
    grow with the artifact.
    """
    return hashlib.file_digest(stream, "sha256").digest()


def parse_sha256(text: str) -> bytes:
    """Parse ``sha256:<64 hex digits>``.

    Raises:
        InputError: the text is not in that form (the CLI reports usage).
    """
    algorithm, sep, value = text.partition(":")
    if not sep or algorithm.lower() != "sha256" or not _SHA256_HEX.fullmatch(value):
        raise InputError(f"expected sha256:<64 hex digits>, got {text!r}", step="digest")
    return bytes.fromhex(value)

"""The artifact side of a verification: its digests.

An artifact is either a file, hashed as a stream in constant memory with every
algorithm the evidence needs in one pass, or a digest the caller already has,
written ``sha256:<hex>``, ``sha384:<hex>`` or ``sha512:<hex>``.

Hashing reads 1 MiB at a time into one reused buffer and hands each chunk to
every hash object (OpenSSL's, through :mod:`hashlib`): the file is read once
whatever the number of algorithms, and memory does not grow with its size.

This module imports nothing but the standard library. It verifies nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Protocol

from srcverify.errors import InputError

__all__ = ["ALGORITHMS", "CHUNK_SIZE", "digest_stream", "parse_digest", "parse_sha256"]

#: The digest algorithms srcverify computes and accepts, weakest first.
ALGORITHMS = ("sha256", "sha384", "sha512")
_HEX = {
    name: re.compile(f"[0-9a-fA-F]{{{hashlib.new(name).digest_size * 2}}}") for name in ALGORITHMS
}

#: Bytes read per call: large enough that per-call overhead vanishes next to
#: the hashing, small enough to stay in cache.
CHUNK_SIZE = 1 << 20


class _ReadInto(Protocol):
    def readinto(self, buffer: bytearray | memoryview, /) -> int | None: ...


def digest_stream(stream: _ReadInto, algorithms: Iterable[str] = ("sha256",)) -> dict[str, bytes]:
    """Every requested digest of everything ``stream`` yields, in one pass.

    Args:
        stream: an open binary stream (a file opened ``rb``, ``io.BytesIO``).
        algorithms: names from :data:`ALGORITHMS`.

    Returns:
        ``{algorithm: digest}`` for each requested algorithm.

    Raises:
        ValueError: an algorithm is not one of :data:`ALGORITHMS` (a programming error).
    """
    names = sorted(set(algorithms), key=ALGORITHMS.index)
    if not names:
        raise ValueError("no digest algorithm requested")
    hashers = [hashlib.new(name) for name in names]
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    while True:
        count = stream.readinto(buffer)
        if not count:
            break
        chunk = view[:count]
        for hasher in hashers:
            hasher.update(chunk)
    return {name: hasher.digest() for name, hasher in zip(names, hashers, strict=True)}


def parse_digest(text: str) -> tuple[str, bytes]:
    """Parse ``<algorithm>:<hex>`` for an algorithm of :data:`ALGORITHMS`.

    Returns:
        ``(algorithm, digest)``, the algorithm in lower case.

    Raises:
        InputError: the text is not in that form (the CLI reports usage).
    """
    algorithm, sep, value = text.partition(":")
    algorithm = algorithm.lower()
    pattern = _HEX.get(algorithm)
    if not sep or pattern is None or not pattern.fullmatch(value):
        raise InputError(
            f"expected sha256:<64 hex digits>, sha384:<96> or sha512:<128>, got {text!r}",
            step="digest",
        )
    return algorithm, bytes.fromhex(value)


def parse_sha256(text: str) -> bytes:
    """Parse ``sha256:<64 hex digits>``.

    Raises:
        InputError: the text is not in that form (the CLI reports usage).
    """
    algorithm, sep, value = text.partition(":")
    if not sep or algorithm.lower() != "sha256" or not _HEX["sha256"].fullmatch(value):
        raise InputError(f"expected sha256:<64 hex digits>, got {text!r}", step="digest")
    return bytes.fromhex(value)

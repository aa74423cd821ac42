"""A large deterministic artifact and a test-instance bundle for it, for the RSS benchmark.

The file is written in 1 MiB chunks (a fixed pseudo-random block with the
chunk number in its first 8 bytes), hashed as it is written. The test
Sigstore instance (``tests/support/instance.py``) signs bytes in memory; we
hand it a read-only ``mmap`` of the file, which is a buffer both ``hashlib``
and ``cryptography`` accept, so the file is never copied onto this
process's heap. This module does not run or time any verification.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import random
import sys
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20
SEED = 20250601


@dataclass(frozen=True)
class SignedFile:
    """An artifact on disk with its bundle and trusted root beside it."""

    artifact: Path
    bundle: Path
    trusted_root: Path
    sha256: str
    size: int
    identity: str
    issuer: str


def write_file(path: Path, mib: int) -> str:
    """Write ``mib`` MiB of deterministic content to ``path``; return its sha256 hex."""
    block = bytearray(random.Random(SEED).randbytes(CHUNK))
    hasher = hashlib.sha256()
    with open(path, "wb") as out:
        for index in range(mib):
            block[:8] = index.to_bytes(8, "big")
            hasher.update(block)
            out.write(block)
    return hasher.hexdigest()


def sign_file(repo: Path, directory: Path, mib: int) -> SignedFile:
    """Generate ``directory/big-<mib>MiB.bin`` and sign it with the test instance.

    Raises:
        ImportError: ``tests/support/instance.py`` is missing or does not import.
    """
    if str(repo) not in sys.path:
        sys.path.insert(0, str(repo))
    from tests.support.instance import TestInstance  # the test-only fake Sigstore

    artifact = directory / f"big-{mib}MiB.bin"
    sha256 = write_file(artifact, mib)
    instance = TestInstance(tsa=False)
    with (
        open(artifact, "rb") as stream,
        mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as view,
    ):
        signed = instance.sign_artifact(view, artifact_name=artifact.name)
        bundle_json = signed.to_json()
        root_json = signed.trusted_root_json()
        identity, issuer = signed.identity, signed.issuer
        del signed  # drops the last reference to the mmap before it closes
    bundle = directory / f"{artifact.name}.sigstore.json"
    bundle.write_text(bundle_json)
    trusted_root = directory / "trusted_root.json"
    trusted_root.write_text(root_json)
    digest = json.loads(bundle_json)["messageSignature"]["messageDigest"]["digest"]
    if _b64_hex(digest) != sha256:
        raise RuntimeError(f"bundle digest {_b64_hex(digest)} is not the file's sha256 {sha256}")
    return SignedFile(artifact, bundle, trusted_root, sha256, mib * CHUNK, identity, issuer)


def _b64_hex(text: str) -> str:
    import base64

    return base64.b64decode(text).hex()

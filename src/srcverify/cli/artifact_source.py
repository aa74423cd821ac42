"""The artifact as a verification sees it: its digests, and its bytes when signed itself.

Most evidence signs a digest of the artifact, and the file is hashed in one
streaming pass (:func:`srcverify.cli.artifact_input.hash_artifact`), however
large. A message signature made with an Ed25519 key signs the artifact's
bytes themselves (PureEdDSA: :mod:`srcverify.sigstore.message`), and
``cryptography`` verifies Ed25519 over bytes in memory only, so then the
file is read whole, once, from the descriptor that
:func:`srcverify.inputs.open_regular` opened (a regular file, checked on the
open descriptor), and refused past :data:`MAX_SIGNED_ARTIFACT_BYTES`
(1 GiB; exit 3). The digest is then computed from those same bytes (the
core hashes the bytes it verifies the signature over, so the file is read
once, hashed once): what is hashed is what is verified, and a file rewritten
between the two cannot be judged as one artifact.

With a digest in place of the file (``--digest``, a ``sha256:`` ARTIFACT, a
batch line's digest) there are no bytes, and the core says the signature
cannot be evaluated. A signed manifest's evidence is checked over the
manifest's bytes, which are already in memory.

It verifies nothing and prints nothing.
"""

from __future__ import annotations

import os
from io import BufferedReader

from srcverify.cli.artifact_input import hash_artifact

__all__ = ["MAX_SIGNED_ARTIFACT_BYTES", "ArtifactSource"]

# An Ed25519 signature is verified over the artifact in memory; larger files are refused.
MAX_SIGNED_ARTIFACT_BYTES = 1 << 30


class ArtifactSource:
    """One artifact's digests on demand (call it with the algorithms); its bytes if asked first.

    Exactly one of ``stream`` (the opened file), ``given`` (digests the user
    gave instead of the file) or ``data`` (bytes already read) is set.
    """

    def __init__(
        self,
        name: str,
        *,
        stream: BufferedReader | None = None,
        given: dict[str, bytes] | None = None,
        data: bytes | None = None,
    ) -> None:
        if [stream, given, data].count(None) != 2:
            raise ValueError("ArtifactSource needs exactly one of stream, given and data")
        self.name = name
        self._stream = stream
        self._given = given
        self._data = data
        self._hashed = False
        self._also: tuple[str, ...] = ()

    @classmethod
    def of_bytes(cls, name: str, data: bytes) -> ArtifactSource:
        """An artifact already in memory (a manifest read whole)."""
        return cls(name, data=data)

    def also_hash(self, algorithms: tuple[str, ...]) -> None:
        """Compute these digests too, in the same pass (the release map's known digest)."""
        self._also = algorithms

    def __call__(self, algorithms: tuple[str, ...]) -> dict[str, bytes]:
        """The digests ``algorithms`` (default SHA-256): given, or of the bytes, or streamed."""
        from srcverify.sigstore.hashing import digest_of

        if self._given is not None:
            return self._given
        if self._also:
            algorithms = tuple(dict.fromkeys((*(algorithms or ("sha256",)), *self._also)))
        if self._data is not None:
            return {alg: digest_of(alg, self._data) for alg in algorithms or ("sha256",)}
        self._hashed = True
        return hash_artifact(self.name, self._stream, algorithms)

    def read_bytes(self) -> bytes | None:
        """The artifact's bytes, read once and whole; None when only digests were given.

        Call it before asking for digests: they are then computed from these bytes.

        Raises:
            TooLargeError: the file is larger than :data:`MAX_SIGNED_ARTIFACT_BYTES`.
            InputError: the file cannot be read, or changed size while read.
        """
        if self._data is None and self._stream is not None:
            assert not self._hashed, "read_bytes() must come before the digests"
            self._data = _read_whole(self._stream, self.name)
            self._stream = None
        return self._data


def _read_whole(stream: BufferedReader, name: str) -> bytes:
    """The whole file, sized by ``fstat`` first: memory never exceeds the bound."""
    from srcverify.errors import InputError
    from srcverify.inputs import TooLargeError

    limit = MAX_SIGNED_ARTIFACT_BYTES
    try:
        size = os.fstat(stream.fileno()).st_size
        if size > limit:
            raise TooLargeError(
                f"artifact {name} is {size} bytes; an Ed25519 signature is verified over the "
                f"artifact's bytes in memory, which srcverify does only up to {_size(limit)}: "
                "refusing to read it",
                step="input",
            )
        data = stream.read(size + 1)  # one byte more shows a file still growing
    except OSError as exc:
        raise InputError(
            f"cannot read artifact {name}: {exc.strerror or exc}", step="input"
        ) from exc
    if len(data) != size:
        raise InputError(
            f"artifact {name} changed while it was read ({size} bytes when opened, "
            f"{len(data)}{'+' if len(data) > size else ''} read); refusing to judge it",
            step="input",
        )
    return data


def _size(limit: int) -> str:
    for shift, unit in ((30, "GiB"), (20, "MiB")):
        if limit >= 1 << shift and limit % (1 << shift) == 0:
            return f"{limit >> shift} {unit}"
    return f"{limit} bytes"

"""What ``srcverify verify`` reads: the artifact (or its digest) and the small evidence files.

An ARTIFACT argument is a file or a digest (``sha256:...``); a file is hashed
in one streaming pass with every algorithm the evidence needs. Bundles,
trusted roots and keys are read whole through :mod:`srcverify.inputs`, with
a bound. It verifies nothing and prints nothing.
"""

from __future__ import annotations

from io import BufferedReader

from srcverify.cli.usage import UsageError

__all__ = ["MAX_INPUT_BYTES", "given_digest", "hash_artifact", "is_digest", "read_input"]

# Bundles, trusted roots and keys are kilobytes; a larger file is not one of them.
MAX_INPUT_BYTES = 16 << 20


def is_digest(artifact: str) -> bool:
    """Whether an ARTIFACT argument is a digest (``sha256:...``) rather than a file."""
    return artifact.partition(":")[0].lower() in ("sha256", "sha384", "sha512")


def given_digest(digest: str | None, artifact: str) -> dict[str, bytes] | None:
    """``--digest`` or a digest ARTIFACT, parsed; None when the file is to be hashed."""
    from srcverify.artifact import parse_digest
    from srcverify.errors import InputError

    given = digest or (artifact if is_digest(artifact) else None)
    if not given:
        return None
    try:
        algorithm, value = parse_digest(given)
    except InputError as exc:
        raise UsageError(exc.detail) from exc
    return {algorithm: value}


def hash_artifact(
    artifact: str, stream: BufferedReader | None, algorithms: tuple[str, ...]
) -> dict[str, bytes]:
    """Every digest the evidence needs, in one pass over the file."""
    from srcverify.artifact import digest_stream
    from srcverify.errors import InputError

    assert stream is not None  # opened when no digest was given
    try:
        return digest_stream(stream, algorithms or ("sha256",))
    except OSError as exc:
        raise InputError(f"cannot read artifact {artifact}: {exc.strerror}", step="input") from exc


def read_input(path: str, what: str) -> bytes:
    """A small input file (bundle, trusted root, key), refused past MAX_INPUT_BYTES."""
    from srcverify.errors import BundleFormatError
    from srcverify.inputs import TooLargeError, read_bounded

    try:
        return read_bounded(path, what, limit=MAX_INPUT_BYTES)
    except TooLargeError as exc:
        if what == "bundle":  # no bundle is that large: the evidence is bad
            raise BundleFormatError(exc.detail) from exc
        raise

"""The top-level directory of a source archive, read from its first entry.

A message signature commits to content and signer, never to a file name,
and the release map turns the *name* into the expected signer: a genuine
older release renamed as the new one would verify. A source archive names
its release inside, in its top-level directory (``Python-3.13.5/`` in
``Python-3.13.5.tar.xz``), so reading that binds the name to the content.

:func:`top_directory` reads as little as it can: for a tar archive (gzip,
xz, bzip2, and zstd where this Python has :mod:`compression.zstd`) the
stream is decompressed only until the first member's header; for a zip,
the central directory at the end is read. The file is opened through
:mod:`srcverify.inputs` (regular files only).

This module names no release and compares nothing; :mod:`srcverify.cli.namebind`
does, with the release map's template.
"""

from __future__ import annotations

import bz2
import gzip
import importlib
import lzma
import os
import tarfile
import zipfile
import zlib
from typing import IO, Any

from srcverify.errors import InputError
from srcverify.inputs import open_regular

__all__ = ["archive_format", "top_directory"]

# What the decompressors and readers raise on data that is not their format.
_BROKEN = (
    tarfile.TarError,
    zipfile.BadZipFile,
    lzma.LZMAError,
    zlib.error,
    OSError,
    EOFError,
    ValueError,
)

# suffix -> how to decompress the tar stream ("zip" is no tar)
_FORMATS = {
    ".tar.gz": "gz",
    ".tgz": "gz",
    ".tar.xz": "xz",
    ".txz": "xz",
    ".tar.bz2": "bz2",
    ".tbz2": "bz2",
    ".tar.zst": "zst",
    ".tar": "tar",
    ".zip": "zip",
}


def archive_format(name: str) -> str | None:
    """``gz``, ``xz``, ``bz2``, ``zst``, ``tar`` or ``zip`` by the file name; None otherwise."""
    lowered = name.lower()
    for suffix, kind in _FORMATS.items():
        if lowered.endswith(suffix):
            return kind
    return None


def top_directory(path: str | os.PathLike[str], name: str) -> str | None:
    """The first path component of the archive's first entry, or None when that
    entry lies at the top level (an archive without a top directory).

    Raises:
        InputError: ``name`` is no archive this runtime reads, or the file is
            not a readable archive of its kind.
    """
    kind = archive_format(name)
    if kind is None:
        raise InputError(f"{name} is not a tar or zip archive by its name", step="name")
    with open_regular(path, "artifact") as raw:
        try:
            first = _first_zip_entry(raw) if kind == "zip" else _first_tar_entry(raw, kind, name)
        except _BROKEN as exc:
            raise InputError(
                f"cannot read {name} as a {kind} archive to find its top directory: {exc}",
                step="name",
            ) from exc
    parts = [part for part in first.replace("\\", "/").split("/") if part not in ("", ".")]
    if not parts:
        return None
    if len(parts) == 1 and not first.endswith("/"):
        return None  # a file at the top level
    return parts[0]


def _first_tar_entry(raw: IO[bytes], kind: str, name: str) -> str:
    stream: Any = raw
    if kind == "gz":
        stream = gzip.GzipFile(fileobj=raw, mode="rb")
    elif kind == "xz":
        stream = lzma.LZMAFile(raw, "rb")  # noqa: SIM115 - raw is closed by the caller
    elif kind == "bz2":
        stream = bz2.BZ2File(raw, "rb")
    elif kind == "zst":
        stream = _zstd_reader(raw, name)
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        member = archive.next()
        if member is None:
            raise ValueError("the archive is empty")
        return member.name + ("/" if member.isdir() else "")


def _zstd_reader(raw: IO[bytes], name: str) -> Any:
    try:
        zstd = importlib.import_module("compression.zstd")  # Python 3.14+
    except ImportError:
        raise InputError(
            f"{name}: this Python cannot read zstd (compression.zstd is Python 3.14+), so the "
            "archive's top directory cannot be checked",
            step="name",
        ) from None
    return zstd.ZstdFile(raw, "rb")


def _first_zip_entry(raw: IO[bytes]) -> str:
    with zipfile.ZipFile(raw) as archive:
        names = archive.namelist()
        if not names:
            raise ValueError("the archive is empty")
        return names[0]

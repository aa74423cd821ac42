"""Checksum manifests: the ``checksums.txt`` and ``SHA256SUMS`` files upstreams sign.

One signed manifest authenticates many files: goreleaser-built projects sign
``checksums.txt``, others publish a signed ``SHA256SUMS``. This module parses
such a manifest strictly and finds the line for an artifact's name. Formats:

* coreutils (``sha256sum`` and friends): ``HEX  NAME`` (text mode) or
  ``HEX *NAME`` (binary mode); the algorithm follows from the digest's length
  (64, 96 or 128 hex digits: SHA-256, SHA-384, SHA-512);
* BSD (``sha256sum --tag``, ``shasum --tag``): ``SHA256 (NAME) = HEX``, the
  tag and the length must agree.

A manifest is evidence, so anything doubtful rejects it as a whole, naming the
line: a malformed line, a digest of another length (MD5, SHA-1 and the like
are never accepted), a name with a directory component (``/``, ``.``,
``..``), a name listed twice, coreutils' backslash-escaped names. Blank lines
are skipped and a CR before the LF is tolerated.

This module imports nothing but the standard library and :mod:`errors`. It
does not verify the manifest's signature (the caller verifies its bundle
first) and reads no files.
"""

from __future__ import annotations

import re

from srcverify._frozen import frozen
from srcverify.errors import ArtifactMismatchError, ManifestError

__all__ = ["Manifest", "ManifestLine", "parse_manifest"]

_BY_LENGTH = {64: "sha256", 96: "sha384", 128: "sha512"}
_COREUTILS = re.compile(r"(?P<hex>[0-9a-fA-F]+) (?P<mode>[ *])(?P<name>.+)")
_BSD = re.compile(r"(?P<tag>[A-Za-z0-9-]+) \((?P<name>.+)\) = (?P<hex>[0-9a-fA-F]+)")
_SHOWN = 120


@frozen
class ManifestLine:
    """One file the manifest lists: its name, digest algorithm and digest."""

    number: int
    name: str
    algorithm: str
    digest: bytes


@frozen
class Manifest:
    """A parsed manifest: every line, by file name."""

    source: str
    lines: dict[str, ManifestLine]

    def line_for(self, name: str) -> ManifestLine:
        """The line listing ``name``.

        Raises:
            ArtifactMismatchError: the manifest does not list ``name``.
        """
        line = self.lines.get(name)
        if line is None:
            raise ArtifactMismatchError(
                f"{name!r} is not listed in manifest {self.source} "
                f"({len(self.lines)} files listed)",
                step="manifest",
            )
        return line

    def check(self, name: str, digests: dict[str, bytes]) -> ManifestLine:
        """The line for ``name``, after checking ``digests`` against it.

        Raises:
            ArtifactMismatchError: not listed, or the digest differs.
        """
        line = self.line_for(name)
        ours = digests.get(line.algorithm)
        if ours != line.digest:
            shown = ours.hex() if ours is not None else f"(no {line.algorithm} digest given)"
            raise ArtifactMismatchError(
                f"artifact {line.algorithm} {shown} does not match manifest {self.source} "
                f"line {line.number}, which lists {line.digest.hex()} for {name!r}",
                step="manifest",
            )
        return line


def parse_manifest(data: bytes, source: str) -> Manifest:
    """Parse manifest bytes; ``source`` names the manifest in messages.

    Raises:
        ManifestError: the manifest is not UTF-8, or a line is malformed,
            unsupported, names a path, or repeats a name (the message gives
            the line number and the line, escaped).
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ManifestError(f"{source} line {line}: not UTF-8 text") from exc
    lines: dict[str, ManifestLine] = {}
    for number, raw in enumerate(text.split("\n"), start=1):
        row = raw[:-1] if raw.endswith("\r") else raw
        if not row.strip():
            continue
        entry = _parse_line(row, number, source)
        earlier = lines.get(entry.name)
        if earlier is not None:
            raise ManifestError(
                f"{source} line {number}: {entry.name!r} is already listed on line "
                f"{earlier.number}; a manifest must list each name once"
            )
        lines[entry.name] = entry
    if not lines:
        raise ManifestError(f"{source}: lists no file")
    return Manifest(source, lines)


def _parse_line(row: str, number: int, source: str) -> ManifestLine:
    where = f"{source} line {number}"
    shown = repr(row[:_SHOWN]) + ("..." if len(row) > _SHOWN else "")
    if row.startswith("\\"):
        raise ManifestError(f"{where}: backslash-escaped names are not supported: {shown}")
    bsd = _BSD.fullmatch(row)
    coreutils = _COREUTILS.fullmatch(row) if bsd is None else None
    match = bsd or coreutils
    if match is None:
        raise ManifestError(
            f"{where}: expected 'HEX  NAME', 'HEX *NAME' or 'SHA256 (NAME) = HEX', found {shown}"
        )
    hex_digits, name = match.group("hex"), match.group("name")
    algorithm = _BY_LENGTH.get(len(hex_digits))
    if algorithm is None:
        raise ManifestError(
            f"{where}: a {len(hex_digits)}-digit digest is not SHA-256, SHA-384 or SHA-512 "
            f"(64, 96 or 128 hex digits); weaker digests are never accepted: {shown}"
        )
    if bsd is not None and bsd.group("tag").upper().replace("-", "") != algorithm.upper():
        raise ManifestError(
            f"{where}: tag {bsd.group('tag')!r} does not fit a {len(hex_digits)}-digit "
            f"{algorithm} digest: {shown}"
        )
    if "/" in name or "\\" in name or name in (".", "..") or name != name.strip():
        raise ManifestError(
            f"{where}: {name[:_SHOWN]!r} is not a bare file name (directory component, "
            "backslash or surrounding space)"
        )
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in name):
        raise ManifestError(f"{where}: the name holds control characters: {shown}")
    return ManifestLine(number, name, algorithm, bytes.fromhex(hex_digits))

"""The pin record (``pin.json``): what a trust-root pin holds and where it came from.

The record is written by whoever builds the pin (``trust-root update``;
``trust-root/rebuild.sh`` runs it for the pin shipped in the repository) and
reviewed with it. It states the reference time T at which the pin is
authenticated, why T is what it is, the origin of the pin, and for every file
under ``metadata/`` and ``targets/``: its sha256, length and source. Format::

    {
      "format": "srcverify-trust-root-pin/1",
      "reference_time": "2026-08-21T20:00:00Z",
      "reference_time_note": "why this T",
      "origin": "where the pin as a whole came from",
      "repository": "https://tuf-repo-cdn.sigstore.dev",
      "files": {"metadata/15.root.json": {"sha256": "...", "length": 5630, "source": "..."}}
    }

Unknown keys are errors. The record is not signed: it makes a pin reviewable
and catches corruption; authenticity comes from the TUF metadata, checked by
:mod:`srcverify.pin.load`. This module only parses, writes and compares digests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from srcverify._frozen import frozen
from srcverify.errors import TufError
from srcverify.sigstore import json_text

__all__ = ["PIN_FORMAT", "PinRecord", "PinnedFile", "format_time", "parse_time"]

PIN_FORMAT = "srcverify-trust-root-pin/1"
_KEYS = {"format", "reference_time", "reference_time_note", "origin", "repository", "files"}
_FILE_KEYS = {"sha256", "length", "source"}


def format_time(when: datetime) -> str:
    """A UTC time as ``YYYY-MM-DDTHH:MM:SSZ`` (fractions kept only when present)."""
    text = when.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def parse_time(text: object, *, what: str) -> datetime:
    """Parse an RFC 3339 UTC time ending in ``Z``.

    Raises:
        TufError: not a string or not such a time.
    """
    if not isinstance(text, str) or not text.endswith("Z"):
        raise TufError(f"{what}: expected an RFC 3339 UTC time ending in Z, found {text!r}")
    try:
        return datetime.fromisoformat(text[:-1] + "+00:00")
    except ValueError as exc:
        raise TufError(f"{what}: {text!r} is not an RFC 3339 time") from exc


@frozen
class PinnedFile:
    """One file of the pin as the record lists it."""

    path: str
    sha256: str
    length: int
    source: str

    def __post_init__(self) -> None:
        if len(self.sha256) != 64 or any(c not in "0123456789abcdef" for c in self.sha256):
            raise TufError(f"pin.json: files.{self.path}.sha256 is not 64 lowercase hex digits")
        if self.length < 0:
            raise TufError(f"pin.json: files.{self.path}.length is negative")


@frozen
class PinRecord:
    """The parsed ``pin.json``."""

    reference_time: datetime
    reference_time_note: str
    origin: str
    repository: str
    files: tuple[PinnedFile, ...]

    def __post_init__(self) -> None:
        if self.reference_time.tzinfo is None:
            raise TufError("pin.json: reference_time must be timezone-aware")

    @classmethod
    def from_json(cls, data: bytes) -> PinRecord:
        """Parse ``pin.json`` bytes strictly.

        Raises:
            TufError: not JSON, wrong format, unknown or missing keys, bad values.
        """
        try:
            doc = json_text.loads(data)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise TufError(f"pin.json is not valid JSON: {exc}") from exc
        obj = _object(doc, "pin.json", _KEYS)
        if obj["format"] != PIN_FORMAT:
            raise TufError(f"pin.json: format: expected {PIN_FORMAT!r}, found {obj['format']!r}")
        files_obj = _object_any(obj["files"], "pin.json: files")
        files = []
        for path, entry in sorted(files_obj.items()):
            fobj = _object(entry, f"pin.json: files.{path}", _FILE_KEYS)
            length = fobj["length"]
            if not isinstance(length, int) or isinstance(length, bool):
                raise TufError(f"pin.json: files.{path}.length: expected an integer")
            files.append(
                PinnedFile(
                    path,
                    _text(fobj["sha256"], f"files.{path}.sha256"),
                    length,
                    _text(fobj["source"], f"files.{path}.source"),
                )
            )
        return cls(
            reference_time=parse_time(obj["reference_time"], what="pin.json: reference_time"),
            reference_time_note=_text(obj["reference_time_note"], "reference_time_note"),
            origin=_text(obj["origin"], "origin"),
            repository=_text(obj["repository"], "repository"),
            files=tuple(files),
        )

    @classmethod
    def for_files(
        cls,
        *,
        reference_time: datetime,
        reference_time_note: str,
        origin: str,
        repository: str,
        files: Mapping[str, tuple[bytes, str]],
    ) -> PinRecord:
        """Build a record for ``files``: path -> (content, source description)."""
        return cls(
            reference_time=reference_time.astimezone(UTC),
            reference_time_note=reference_time_note,
            origin=origin,
            repository=repository,
            files=tuple(
                PinnedFile(path, hashlib.sha256(data).hexdigest(), len(data), source)
                for path, (data, source) in sorted(files.items())
            ),
        )

    def to_json(self) -> bytes:
        """Serialise as stable, reviewable JSON (sorted keys, 2-space indent)."""
        doc: dict[str, Any] = {
            "format": PIN_FORMAT,
            "reference_time": format_time(self.reference_time),
            "reference_time_note": self.reference_time_note,
            "origin": self.origin,
            "repository": self.repository,
            "files": {
                f.path: {"sha256": f.sha256, "length": f.length, "source": f.source}
                for f in self.files
            },
        }
        return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()

    def source_of(self, path: str) -> str | None:
        """The recorded source of a file, or None if the record does not list it."""
        return next((f.source for f in self.files if f.path == path), None)

    def check_files(self, files: Mapping[str, bytes]) -> None:
        """Check that ``files`` are exactly the recorded files, byte for byte.

        Raises:
            TufError: a file is missing, unlisted, or its length or sha256 differs.
        """
        listed = {f.path: f for f in self.files}
        for path in sorted(set(files) - set(listed)):
            raise TufError(f"{path} is in the pin but not listed in pin.json")
        for path, entry in sorted(listed.items()):
            data = files.get(path)
            if data is None:
                raise TufError(f"pin.json lists {path} but the pin has no such file")
            if len(data) != entry.length:
                raise TufError(
                    f"{path}: length {len(data)} does not match pin.json length {entry.length}"
                )
            digest = hashlib.sha256(data).hexdigest()
            if digest != entry.sha256:
                raise TufError(
                    f"{path}: sha256 {digest} does not match pin.json sha256 {entry.sha256}"
                )


def _object_any(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TufError(f"{what}: expected a JSON object, found {type(value).__name__}")
    return value


def _object(value: object, what: str, keys: set[str]) -> dict[str, Any]:
    obj = _object_any(value, what)
    unknown = sorted(set(obj) - keys)
    if unknown:
        raise TufError(f"{what}: unknown key(s) {', '.join(map(repr, unknown))}")
    missing = sorted(keys - set(obj))
    if missing:
        raise TufError(f"{what}: missing key(s) {', '.join(map(repr, missing))}")
    return obj


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TufError(f"pin.json: {what}: expected a string, found {type(value).__name__}")
    return value

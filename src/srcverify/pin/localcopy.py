"""Reading a local copy of a TUF repository as the files of a pin.

A distribution's build machines have no network, so the ordinary way to
refresh a pin is ``srcverify trust-root update --from DIR`` with a copy of
Sigstore's TUF repository made elsewhere. Two layouts are read:

``cdn``
    as tuf-repo-cdn.sigstore.dev publishes it (TUF "consistent snapshots"):
    ``N.root.json``, ``timestamp.json``, ``V.snapshot.json``,
    ``V.targets.json`` and ``targets/<sha256>.<name>`` (unprefixed names when
    the root says ``consistent_snapshot: false``);
``git``
    as the root-signing repositories (sigstore/root-signing) keep it in git:
    ``metadata/root_history/N.root.json``, ``metadata/timestamp.json``,
    ``metadata/snapshot.json``, ``metadata/targets.json`` and
    ``targets/<name>``.

:func:`read_copy` walks the copy the way a TUF client walks a repository:
root versions after the pinned ones, consecutive, until one is missing; the
timestamp; the snapshot version the timestamp lists; the targets version the
snapshot lists; the pinned targets (``trusted_root.json``,
``signing_config*.json``) the targets metadata lists. It returns them under
the pin's own file names, each with its path inside the copy as its source.

It authenticates nothing: the caller hands the files to
:func:`srcverify.pin.chain.authenticate`, which checks every signature,
version, hash and expiry. Every file is read with
:func:`srcverify.inputs.read_bounded`: regular files only, none over
:data:`MAX_METADATA_BYTES`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tuf.api.metadata import Metadata, Root, Snapshot, Targets, Timestamp
from tuf.api.serialization import DeserializationError

from srcverify._frozen import frozen
from srcverify.errors import InputError, TufError
from srcverify.inputs import MAX_SMALL_INPUT, read_bounded
from srcverify.pin.authenticated import TOP_LEVEL_ROLES, is_pinned_target

__all__ = [
    "MAX_METADATA_BYTES",
    "MAX_ROOT_ROTATIONS",
    "RepositoryCopy",
    "detect_layout",
    "read_copy",
]

# Sigstore's largest TUF file (targets.json, trusted_root.json) is tens of kilobytes.
MAX_METADATA_BYTES = MAX_SMALL_INPUT
# Sigstore rotated its root 14 times in five years; a copy with thousands more is not a copy.
MAX_ROOT_ROTATIONS = 1024


@frozen
class RepositoryCopy:
    """The files a pin takes from a local repository copy.

    Attributes:
        layout: ``"cdn"`` or ``"git"``.
        files: pin path (``metadata/16.root.json``, ``metadata/timestamp.json``,
            ``targets/trusted_root.json`` ...) -> (content, path inside the copy).
    """

    layout: str
    files: dict[str, tuple[bytes, str]]


def detect_layout(directory: Path) -> str | None:
    """``"git"``, ``"cdn"``, or None when ``directory`` is not a TUF repository copy."""
    if (directory / "metadata" / "root_history").is_dir():
        return "git"
    if (directory / "timestamp.json").is_file() or any(directory.glob("[1-9]*.root.json")):
        return "cdn"
    return None


def read_copy(directory: Path, *, newest_pinned_root: bytes) -> RepositoryCopy:
    """Read what a TUF client would fetch from a local copy, after the pinned roots.

    Args:
        directory: the copy (either layout).
        newest_pinned_root: the newest root the pin already trusts; root
            versions after it are read from the copy.

    Raises:
        InputError: the directory is not a TUF repository copy, or a file is
            missing, unreadable, not a regular file or too large.
        TufError: a metadata file is not TUF metadata of the expected type.
    """
    layout = detect_layout(directory)
    if layout is None:
        raise InputError(
            f"{directory} is not a copy of a TUF repository: expected either the published "
            "layout (N.root.json, timestamp.json, V.snapshot.json, V.targets.json, "
            "targets/<sha256>.<name>) or the root-signing git layout "
            "(metadata/root_history/N.root.json, metadata/timestamp.json, targets/<name>)",
            step="trust-root update",
        )
    meta = "metadata/" if layout == "git" else ""
    files: dict[str, tuple[bytes, str]] = {}

    root: Root = _parse(newest_pinned_root, "the newest pinned root", Root)
    history = "metadata/root_history/" if layout == "git" else ""
    # TUF client workflow 5.3.4: fetch N+1 until it is not there. The next version
    # counts from the file names, never from a file's content (a root claiming an
    # older version must not make the walk read the same file forever); that each
    # file holds the version its name says is checked when the chain is authenticated.
    version = root.version
    for _ in range(MAX_ROOT_ROTATIONS):
        source = f"{history}{version + 1}.root.json"
        if not os.path.lexists(directory / source):
            break
        data = _read(directory, source)
        version += 1
        files[f"metadata/{version}.root.json"] = (data, source)
        root = _parse(data, source, Root)
    else:
        raise InputError(
            f"the repository copy {directory} has more than {MAX_ROOT_ROTATIONS} root versions "
            "after the pinned one; refusing to walk further",
            step="trust-root update",
        )

    consistent = bool(root.consistent_snapshot) and layout == "cdn"
    timestamp_source = f"{meta}timestamp.json"
    timestamp_data = _read(directory, timestamp_source)
    timestamp: Timestamp = _parse(timestamp_data, timestamp_source, Timestamp)
    snapshot_source = _versioned(meta, "snapshot", timestamp.snapshot_meta.version, consistent)
    snapshot_data = _read(directory, snapshot_source)
    snapshot: Snapshot = _parse(snapshot_data, snapshot_source, Snapshot)
    targets_meta = snapshot.meta.get("targets.json")
    if targets_meta is None:
        raise TufError(
            f"{snapshot_source}: snapshot v{snapshot.version} does not list targets.json"
        )
    targets_source = _versioned(meta, "targets", targets_meta.version, consistent)
    targets_data = _read(directory, targets_source)
    targets: Targets = _parse(targets_data, targets_source, Targets)
    for role, data, source in zip(
        TOP_LEVEL_ROLES,
        (timestamp_data, snapshot_data, targets_data),
        (timestamp_source, snapshot_source, targets_source),
        strict=True,
    ):
        files[f"metadata/{role}.json"] = (data, source)

    for name, info in sorted(targets.targets.items()):
        if not is_pinned_target(name):
            continue
        stored = name
        if consistent:  # TUF 5.7.3: the first listed hash prefixes the published name
            algorithm = "sha256" if "sha256" in info.hashes else next(iter(info.hashes), "")
            stored = f"{info.hashes[algorithm]}.{name}" if algorithm else name
        source = f"targets/{stored}"
        files[f"targets/{name}"] = (_read(directory, source), source)
    return RepositoryCopy(layout, files)


def _versioned(meta: str, role: str, version: int, consistent: bool) -> str:
    return f"{meta}{version}.{role}.json" if consistent else f"{meta}{role}.json"


def _parse(data: bytes, source: str, expected: type[Any]) -> Any:
    try:
        md: Metadata[Any] = Metadata.from_bytes(data)
    except (DeserializationError, ValueError, KeyError, TypeError) as exc:
        raise TufError(f"{source}: not TUF metadata ({exc})") from exc
    if not isinstance(md.signed, expected):
        raise TufError(f"{source}: expected {expected.type} metadata, found {md.signed.type}")
    return md.signed


def _read(directory: Path, relative: str) -> bytes:
    """Read one regular file of the copy, bounded (a FIFO, device or endless file is refused)."""
    path = directory / relative
    if not os.path.lexists(path):
        raise InputError(
            f"the repository copy {directory} has no {relative}", step="trust-root update"
        )
    return read_bounded(path, "mirror file", limit=MAX_METADATA_BYTES, step="trust-root")

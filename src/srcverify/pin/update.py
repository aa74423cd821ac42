"""Refreshing a trust-root pin on a connected machine, atomically.

:func:`update_pin` runs python-tuf's client (``tuf.ngclient.Updater``),
bootstrapped from the current pin's newest root and seeded with its
timestamp, snapshot and targets metadata (so the client's rollback checks
apply), against Sigstore's TUF repository or a local mirror directory in the
published layout (``N.root.json``, ``timestamp.json``, ``V.snapshot.json``,
``V.targets.json``, ``targets/<sha256>.<name>``). It downloads into a
temporary directory beside the pin, builds the new pin (old roots kept, new
roots appended), authenticates it fully with :mod:`srcverify.pin.load` and
checks that no role went back in version, writes and fsyncs it, and only then
swaps it in with two renames. Until the swap, the old pin is never touched; a
failed or interrupted update leaves it byte for byte as it was.

:func:`pin_files_from_wheel` builds the root-only pin the repository ships,
from the TUF root and targets embedded in the ``sigstore`` wheel.

This module does not decide what changed for the reader (that is
:mod:`srcverify.pin.diff`) and is never used by verification.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlparse

from tuf.api import exceptions as tuf_exceptions
from tuf.api.metadata import Metadata, Root, Snapshot, Targets
from tuf.api.serialization import DeserializationError
from tuf.ngclient.fetcher import FetcherInterface
from tuf.ngclient.updater import Updater

from srcverify._frozen import frozen
from srcverify.errors import InputError, SrcverifyError, TrustRootError, TufError
from srcverify.inputs import MAX_SMALL_INPUT, read_bounded
from srcverify.pin.load import (
    PIN_RECORD,
    TOP_LEVEL_ROLES,
    TRUSTED_ROOT,
    AuthenticatedPin,
    is_pinned_target,
    read_pin_dir,
    verify_pin,
    verify_pin_dir,
)
from srcverify.pin.record import PinRecord

__all__ = [
    "DEFAULT_REPOSITORY",
    "PinUpdate",
    "pin_files_from_wheel",
    "replace_pin_dir",
    "update_pin",
    "write_pin",
]

DEFAULT_REPOSITORY = "https://tuf-repo-cdn.sigstore.dev"
_STORE = "sigstore/_store/https%3A%2F%2Ftuf-repo-cdn.sigstore.dev/"
# Sigstore's largest TUF file (targets.json, trusted_root.json) is tens of kilobytes.
MAX_MIRROR_FILE = MAX_SMALL_INPUT


@frozen
class PinUpdate:
    """The pin before and after a successful update."""

    old: AuthenticatedPin
    new: AuthenticatedPin


class _DirectoryFetcher(FetcherInterface):
    """Serves ``file://`` URLs from a local mirror; a missing file is an HTTP 404.

    Each file must be a regular file and is read with our own bound before
    python-tuf sees a byte (its per-role limits then apply as well), so a
    mirror file that is a FIFO, a device or endless cannot hang or balloon
    the update.
    """

    def _fetch(self, url: str) -> Iterator[bytes]:
        path = Path(unquote(urlparse(url).path))
        if not os.path.lexists(path):
            raise tuf_exceptions.DownloadHTTPError(f"{path} not found", 404)
        return iter([read_bounded(path, "mirror file", limit=MAX_MIRROR_FILE, step="trust-root")])


def update_pin(pin_dir: Path, source: str, *, now: datetime) -> PinUpdate:
    """Refresh the pin in ``pin_dir`` from ``source`` (an http(s) URL or a directory).

    Args:
        pin_dir: the pin to replace; it must authenticate as it is.
        source: repository base URL, or a local mirror directory.
        now: the time of the update; it becomes the new pin's reference time.

    Raises:
        InputError: ``pin_dir`` or ``source`` cannot be used.
        TufError: the current pin or the repository's metadata does not authenticate,
            or a role went back in version.
        TrustRootError: the repository could not be reached or a download failed.
    """
    pin_dir = pin_dir.resolve()
    record_json, old_files = read_pin_dir(pin_dir)
    old = verify_pin(record_json, old_files)  # the bootstrap must itself be authentic
    old_record = PinRecord.from_json(record_json)
    base_url, fetcher = _source(source)
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{pin_dir.name}.update-", dir=pin_dir.parent))
    except OSError as exc:
        raise InputError(f"cannot write beside {pin_dir}: {exc.strerror or exc}") from exc
    aside = work / "old"
    try:
        files = {  # the old root chain stays: reviewers keep the anchor they trusted
            path: (data, old_record.source_of(path) or "")
            for path, data in old_files.items()
            if path.startswith("metadata/") and path.endswith(".root.json")
        }
        files.update(_run_client(work, base_url, fetcher, old, old_files))
        record = PinRecord.for_files(
            reference_time=now.replace(microsecond=0),
            reference_time_note=(
                "time of 'srcverify trust-root update'; the timestamp metadata was fresh then"
            ),
            origin=f"srcverify trust-root update from {source}",
            repository=source,
            files=files,
        )
        staged = work / "pin"
        file_bytes = {path: data for path, (data, _) in files.items()}
        write_pin(staged, record.to_json(), file_bytes, extra_from=pin_dir)
        # Authenticate what is on disk, at the new T, and refuse any rollback.
        new = verify_pin_dir(staged, minimum_versions=old.versions())
        replace_pin_dir(staged, pin_dir, aside=aside)
    finally:
        if aside.is_dir() and not pin_dir.exists():  # interrupted between the two renames
            with contextlib.suppress(OSError):
                os.rename(aside, pin_dir)
        if pin_dir.exists():  # never delete the only copy of the old pin
            shutil.rmtree(work, ignore_errors=True)
    return PinUpdate(old, new)


def _source(source: str) -> tuple[str, FetcherInterface | None]:
    scheme = urlparse(source).scheme
    if scheme in {"http", "https"}:
        return source.rstrip("/") + "/", None
    path = Path(source[len("file://") :] if scheme == "file" else source)
    if not path.is_dir():
        raise InputError(f"update source {source} is neither an http(s) URL nor a directory")
    return path.resolve().as_uri() + "/", _DirectoryFetcher()


def _run_client(
    work: Path,
    base_url: str,
    fetcher: FetcherInterface | None,
    old: AuthenticatedPin,
    old_files: dict[str, bytes],
) -> dict[str, tuple[bytes, str]]:
    """Run the TUF client; return pin path -> (content, URL it was published at)."""
    cache = work / "tuf"
    downloads = work / "downloads"
    cache.mkdir()
    downloads.mkdir()
    for role in TOP_LEVEL_ROLES:  # seeded, so that ngclient refuses rollbacks
        data = old_files.get(f"metadata/{role}.json")
        if data is not None:
            (cache / f"{role}.json").write_bytes(data)
    anchor = old_files[f"metadata/{old.root_chain[-1]}.root.json"]
    try:
        updater = Updater(
            str(cache), base_url, str(downloads), base_url + "targets/", fetcher, bootstrap=anchor
        )
        updater.refresh()
        meta = {role: _read_ours(cache / f"{role}.json") for role in ("root", *TOP_LEVEL_ROLES)}
        root: Metadata[Root] = Metadata.from_bytes(meta["root"])
        snapshot: Metadata[Snapshot] = Metadata.from_bytes(meta["snapshot"])
        targets: Metadata[Targets] = Metadata.from_bytes(meta["targets"])
        names = sorted(name for name in targets.signed.targets if is_pinned_target(name))
        if TRUSTED_ROOT not in names:
            raise TufError(f"targets v{targets.signed.version} does not list {TRUSTED_ROOT}")
        consistent = root.signed.consistent_snapshot
        result = {
            "metadata/timestamp.json": (meta["timestamp"], base_url + "timestamp.json"),
            "metadata/snapshot.json": (
                meta["snapshot"],
                base_url + (f"{snapshot.signed.version}." if consistent else "") + "snapshot.json",
            ),
            "metadata/targets.json": (
                meta["targets"],
                base_url + (f"{targets.signed.version}." if consistent else "") + "targets.json",
            ),
        }
        for name in names:
            info = updater.get_targetinfo(name)
            if info is None:  # pragma: no cover - listed in targets, so always found
                raise TufError(f"target {name} disappeared from the repository")
            path = Path(updater.download_target(info, str(downloads / name)))
            digest = info.hashes.get("sha256")
            published = f"{digest}.{name}" if consistent and digest else name
            result[f"targets/{name}"] = (_read_ours(path), f"{base_url}targets/{published}")
        for path in sorted((cache / "root_history").glob("*.root.json")):
            if int(path.name.split(".")[0]) > old.root_chain[-1]:
                result[f"metadata/{path.name}"] = (_read_ours(path), base_url + path.name)
    except SrcverifyError:
        raise
    except tuf_exceptions.DownloadError as exc:
        if isinstance(exc.__cause__, SrcverifyError):  # our mirror fetcher refused a file
            raise exc.__cause__ from exc
        raise TrustRootError(
            f"update: download from {base_url} failed: {type(exc).__name__}: {exc}"
        ) from exc
    except tuf_exceptions.RepositoryError as exc:
        raise TufError(f"update: the repository's metadata does not verify: {exc}") from exc
    except Exception as exc:
        # Download errors: tuf's DownloadError, OSError, and whatever the HTTP
        # stack raises while a body is streamed (urllib3's ProtocolError...).
        raise TrustRootError(
            f"update: download from {base_url} failed: {type(exc).__name__}: {exc}"
        ) from exc
    return result


def _read_ours(path: Path) -> bytes:
    """A file python-tuf wrote into our work directory (already length-checked by it)."""
    return read_bounded(path, "downloaded TUF file", limit=MAX_MIRROR_FILE, step="trust-root")


def write_pin(
    pin_dir: Path, record_json: bytes, files: dict[str, bytes], *, extra_from: Path | None = None
) -> None:
    """Write a pin into a new directory, fsyncing every file and directory.

    Files of ``extra_from`` that are not part of a pin (a README, say) are
    copied along, so an update keeps them.

    Raises:
        InputError: the directory exists or cannot be written.
    """
    try:
        pin_dir.mkdir()
        if extra_from is not None:
            for item in sorted(extra_from.iterdir()):
                if item.name not in {PIN_RECORD, "metadata", "targets"}:
                    copy = shutil.copytree if item.is_dir() else shutil.copy2
                    copy(item, pin_dir / item.name)
        for relative, data in sorted({PIN_RECORD: record_json, **files}.items()):
            target = pin_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("xb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        for directory in sorted({p for p in pin_dir.rglob("*") if p.is_dir()} | {pin_dir}):
            _fsync_dir(directory)
    except OSError as exc:
        raise InputError(f"cannot write pin {pin_dir}: {exc.strerror or exc}") from exc


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_pin_dir(staged: Path, pin_dir: Path, *, aside: Path) -> None:
    """Replace ``pin_dir`` by the fully written ``staged`` directory (same file system).

    The old pin is renamed to ``aside`` (which the caller removes), then
    ``staged`` to ``pin_dir``; if that second rename fails the old pin is
    renamed back. A crash between the two renames leaves the old pin, intact,
    at ``aside``.

    Raises:
        InputError: a rename failed; ``pin_dir`` holds the old pin, or if even
            renaming it back failed, the message says it is at ``aside``.
    """
    try:
        os.rename(pin_dir, aside)
    except OSError as exc:
        raise InputError(f"cannot replace {pin_dir}: {exc.strerror or exc}") from exc
    try:
        os.rename(staged, pin_dir)
    except OSError as exc:
        where = ""
        try:
            os.rename(aside, pin_dir)
        except OSError:
            where = f"; the old pin is kept at {aside}"
        raise InputError(f"cannot replace {pin_dir}: {exc.strerror or exc}{where}") from exc
    _fsync_dir(pin_dir.parent)


def pin_files_from_wheel(
    wheel: bytes, *, wheel_name: str, wheel_sha256: str, reference_time: datetime, note: str
) -> tuple[bytes, dict[str, bytes]]:
    """Build the root-only pin from a ``sigstore`` wheel's embedded production TUF data.

    Takes the wheel's ``root.json`` (as ``metadata/<version>.root.json``),
    ``trusted_root.json`` and ``signing_config*.json`` for
    ``tuf-repo-cdn.sigstore.dev``, and records each one's source.

    Returns:
        The ``pin.json`` bytes and path -> content of the pin's files.

    Raises:
        InputError: not a zip file, or it lacks the embedded root or trusted root.
    """
    try:
        with zipfile.ZipFile(BytesIO(wheel)) as archive:
            members = {
                name[len(_STORE) :]: archive.read(name)
                for name in archive.namelist()
                if name.startswith(_STORE) and not name.endswith("/")
            }
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{wheel_name} is not a readable wheel: {exc}") from exc
    if "root.json" not in members or TRUSTED_ROOT not in members:
        raise InputError(f"{wheel_name} has no {_STORE}root.json and {TRUSTED_ROOT}")
    try:
        root: Metadata[Root] = Metadata.from_bytes(members["root.json"])
    except (DeserializationError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{wheel_name}: embedded root.json is not TUF metadata ({exc})") from exc
    origin = f"PyPI wheel {wheel_name} (sha256 {wheel_sha256})"
    files: dict[str, tuple[bytes, str]] = {
        f"metadata/{root.signed.version}.root.json": (
            members["root.json"],
            f"{wheel_name}:{_STORE}root.json",
        )
    }
    for name, data in members.items():
        if is_pinned_target(name):
            files[f"targets/{name}"] = (data, f"{wheel_name}:{_STORE}{name}")
    record = PinRecord.for_files(
        reference_time=reference_time,
        reference_time_note=note,
        origin=origin,
        repository=DEFAULT_REPOSITORY,
        files=files,
    )
    return record.to_json(), {path: data for path, (data, _) in files.items()}

"""Refreshing a trust-root pin, or making a new one from an anchor root, atomically.

:func:`update_pin` takes the new metadata from one of two sources:

- a **local copy** of a TUF repository (:mod:`srcverify.pin.localcopy`: the
  published CDN layout or the root-signing git layout), the ordinary path on a
  distribution's machines. The copy holds the metadata as it was at some past
  time, so the caller states that time T (``--reference-time``); without it T
  is now. No TUF client runs: the new pin is authenticated by
  :func:`srcverify.pin.chain.authenticate` at T, which needs only
  ``tuf.api.metadata``.
- a **repository URL**, on a connected machine: python-tuf's client
  (``tuf.ngclient.Updater``) runs with its metadata directory seeded with the
  current pin's newest root and its timestamp, snapshot and targets (so the
  client's rollback checks apply); T is now. Seeding ``root.json`` works with
  every python-tuf from 5.1 (Debian 13's) on; ``Updater(bootstrap=)`` is 6.0+.

Either way the new pin keeps the old root chain (new roots appended), is
written and fsynced in a temporary directory beside the old one,
authenticated again from disk with no role older than before, and only then
swapped in with two renames: a failed or interrupted update leaves the old pin
byte for byte as it was.

:func:`create_pin` makes a first pin from an anchor root and a local copy, the
way the pin shipped in ``trust-root/`` is built (see ``trust-root/rebuild.sh``).

This module reads the clock nowhere (callers pass ``now``), does not decide
what changed for the reader (that is :mod:`srcverify.pin.diff`) and is never
used by verification.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

from tuf.ngclient.fetcher import FetcherInterface
from tuf.ngclient.updater import Updater

from srcverify._frozen import frozen
from srcverify.errors import InputError, SrcverifyError, TrustRootError, TufError
from srcverify.inputs import MAX_SMALL_INPUT, read_bounded
from srcverify.pin.load import (
    TOP_LEVEL_ROLES,
    TRUSTED_ROOT,
    AuthenticatedPin,
    is_pinned_target,
    read_pin_dir,
    verify_pin,
    verify_pin_dir,
)
from srcverify.pin.localcopy import read_copy
from srcverify.pin.record import PinRecord, format_time
from srcverify.pin.write import replace_pin_dir, write_pin

__all__ = ["DEFAULT_REPOSITORY", "PinUpdate", "create_pin", "update_pin"]

DEFAULT_REPOSITORY = "https://tuf-repo-cdn.sigstore.dev"

Files = dict[str, tuple[bytes, str]]


@frozen
class PinUpdate:
    """The pin before and after a successful update."""

    old: AuthenticatedPin
    new: AuthenticatedPin


@frozen
class Provenance:
    """What ``pin.json`` says about where a new pin came from and why T is T.

    ``None`` fields take defaults describing the command that ran.
    """

    reference_time: datetime | None = None
    reference_time_note: str | None = None
    origin: str | None = None


def is_url(source: str) -> bool:
    """Whether an update source is an http(s) URL rather than a local copy."""
    return urlparse(source).scheme in {"http", "https"}


def update_pin(
    pin_dir: Path, source: str, *, now: datetime, provenance: Provenance | None = None
) -> PinUpdate:
    """Refresh the pin in ``pin_dir`` from ``source`` (an http(s) URL or a local copy).

    Args:
        pin_dir: the pin to replace; it must authenticate as it is.
        source: repository base URL, or a local copy directory (either layout).
        now: the time of the update.
        provenance: the reference time T (local copies only; default ``now``)
            and what ``pin.json`` records about it.

    Raises:
        InputError: ``pin_dir`` or ``source`` cannot be used, or T is after ``now``
            or given for a URL.
        TufError: the current pin or the new metadata does not authenticate at T,
            or a role went back in version.
        TrustRootError: the repository could not be reached or a download failed.
    """
    provenance = provenance or Provenance()
    pin_dir = pin_dir.resolve()
    record_json, old_files = read_pin_dir(pin_dir)
    old = verify_pin(record_json, old_files)  # the starting point must itself be authentic
    old_record = PinRecord.from_json(record_json)
    when = _reference_time(source, provenance, now)
    files: Files = {  # the old root chain stays: reviewers keep the anchor they trusted
        path: (data, old_record.source_of(path) or "")
        for path, data in old_files.items()
        if path.startswith("metadata/") and path.endswith(".root.json")
    }
    newest_root = old_files[f"metadata/{old.root_chain[-1]}.root.json"]
    work = _workdir(pin_dir)
    aside = work / "old"
    try:
        if is_url(source):
            files.update(_run_client(work, source, old, old_files))
        else:
            files.update(read_copy(_copy_dir(source), newest_pinned_root=newest_root).files)
        record = _record(source, when, provenance, files, repository=old_record.repository)
        staged = work / "pin"
        write_pin(staged, record.to_json(), _contents(files), extra_from=pin_dir)
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


def create_pin(
    pin_dir: Path,
    anchor: Path,
    source: str,
    *,
    now: datetime,
    provenance: Provenance | None = None,
) -> AuthenticatedPin:
    """Make a new pin in ``pin_dir`` (which must not exist) from an anchor root.

    The anchor is the root version the packager decided to trust; every later
    root in the local copy ``source`` must chain to it. ``source`` must be a
    local copy: a first pin is built where it can be reviewed, not fetched live.

    Raises:
        InputError: ``pin_dir`` exists, the anchor or copy cannot be read, or T is
            after ``now``.
        TufError: the anchor or the copy's metadata does not authenticate at T.
    """
    provenance = provenance or Provenance()
    if is_url(source):
        raise InputError(
            "--anchor needs a local copy of the repository (--from DIR), not a URL",
            step="trust-root update",
        )
    if pin_dir.exists() or pin_dir.is_symlink():
        raise InputError(f"{pin_dir} already exists; --anchor makes a new pin", step="trust-root")
    copy_dir = _copy_dir(source)
    anchor_data = read_bounded(anchor, "anchor root", step="trust-root update")
    try:
        anchor_source = anchor.resolve().relative_to(copy_dir).as_posix()
    except ValueError:
        anchor_source = f"anchor file {anchor.name}"
    from tuf.api.metadata import Metadata, Root

    try:
        version = Metadata[Root].from_bytes(anchor_data).signed.version
    except Exception as exc:  # tuf raises many types for malformed metadata
        raise TufError(f"the anchor {anchor} is not TUF root metadata ({exc})") from exc
    when = _reference_time(source, provenance, now)
    files: Files = {f"metadata/{version}.root.json": (anchor_data, anchor_source)}
    files.update(read_copy(copy_dir, newest_pinned_root=anchor_data).files)
    record = _record(source, when, provenance, files, repository=DEFAULT_REPOSITORY)
    pin_dir = pin_dir.absolute()
    work = _workdir(pin_dir)
    try:
        staged = work / "pin"
        write_pin(staged, record.to_json(), _contents(files))
        pin = verify_pin_dir(staged)
        try:
            os.rename(staged, pin_dir)
        except OSError as exc:
            raise InputError(f"cannot create {pin_dir}: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return pin


def _reference_time(source: str, provenance: Provenance, now: datetime) -> datetime:
    when = provenance.reference_time
    if when is None:
        return now.replace(microsecond=0)
    if is_url(source):
        raise InputError(
            "--reference-time is for a local copy (--from DIR); a live repository is "
            "authenticated now",
            step="trust-root update",
        )
    if when > now:
        raise InputError(
            f"the reference time {format_time(when)} is in the future (now {format_time(now)})",
            step="trust-root update",
        )
    return when


def _record(
    source: str, when: datetime, provenance: Provenance, files: Files, *, repository: str
) -> PinRecord:
    if is_url(source):
        note = "time of 'srcverify trust-root update'; the timestamp metadata was fresh then"
        origin = f"srcverify trust-root update from {source}"
        repository = source
    else:
        note = (
            "stated with --reference-time: when the local copy's metadata was current"
            if provenance.reference_time is not None
            else "time of 'srcverify trust-root update' from a local copy"
        )
        origin = f"srcverify trust-root update from the local copy {source}"
    return PinRecord.for_files(
        reference_time=when,
        reference_time_note=provenance.reference_time_note or note,
        origin=provenance.origin or origin,
        repository=repository,
        files=files,
    )


def _contents(files: Files) -> dict[str, bytes]:
    return {path: data for path, (data, _) in files.items()}


def _copy_dir(source: str) -> Path:
    path = Path(source[len("file://") :] if urlparse(source).scheme == "file" else source)
    if not path.is_dir():
        raise InputError(
            f"update source {source} is neither an http(s) URL nor a directory",
            step="trust-root update",
        )
    return path.resolve()


def _workdir(pin_dir: Path) -> Path:
    try:
        return Path(tempfile.mkdtemp(prefix=f".{pin_dir.name}.update-", dir=pin_dir.parent))
    except OSError as exc:
        raise InputError(f"cannot write beside {pin_dir}: {exc.strerror or exc}") from exc


def _read_ours(path: Path) -> bytes:
    """A file python-tuf wrote into our work directory (already length-checked by it)."""
    return read_bounded(path, "downloaded TUF file", limit=MAX_SMALL_INPUT, step="trust-root")


def _updater(cache: Path, base_url: str, downloads: Path, fetcher: FetcherInterface) -> Updater:
    """python-tuf's client, trusting the ``root.json`` seeded in ``cache``.

    python-tuf 7 requires the trusted root as ``bootstrap=``, 6 accepts it, 5.1
    (Debian 13) only reads the seeded file; the same bytes go to each.
    """
    args = (str(cache), base_url, str(downloads), base_url + "targets/", fetcher)
    if "bootstrap" in inspect.signature(Updater).parameters:
        bootstrap = (cache / "root.json").read_bytes()
        return Updater(*args, bootstrap=bootstrap)
    return Updater(*args)  # type: ignore[call-arg]  # python-tuf < 6.0


def _default_fetcher() -> FetcherInterface:
    """python-tuf's own HTTP fetcher: Urllib3Fetcher from 6.0, RequestsFetcher before."""
    import tuf.ngclient

    for name in ("Urllib3Fetcher", "RequestsFetcher"):
        fetcher: type[FetcherInterface] | None = getattr(tuf.ngclient, name, None)
        if fetcher is not None:
            return fetcher()
    raise TrustRootError("update: this python-tuf has no HTTP fetcher")


class _RootRecordingFetcher(FetcherInterface):
    """python-tuf's fetcher, keeping the bytes of every ``N.root.json`` it downloads.

    python-tuf 5.x keeps only the newest root on disk; the pin keeps the whole
    chain, each version re-authenticated from the old anchor afterwards.
    """

    def __init__(self) -> None:
        self.inner = _default_fetcher()
        self.roots: dict[int, bytes] = {}

    def _fetch(self, url: str) -> Iterator[bytes]:
        data = b"".join(self.inner.fetch(url))
        name = url.rsplit("/", 1)[-1]
        version = name.removesuffix(".root.json")
        if name.endswith(".root.json") and version.isdigit():
            self.roots[int(version)] = data
        return iter([data])


def _run_client(
    work: Path, source: str, old: AuthenticatedPin, old_files: dict[str, bytes]
) -> Files:
    """Run python-tuf's client against a URL; return pin path -> (content, URL)."""
    from tuf.api import exceptions as tuf_exceptions
    from tuf.api.metadata import Metadata, Root, Snapshot, Targets

    base_url = source.rstrip("/") + "/"
    cache = work / "tuf"
    downloads = work / "downloads"
    cache.mkdir()
    downloads.mkdir()
    # The trusted root the client starts from, then the roles it must not roll back.
    (cache / "root.json").write_bytes(old_files[f"metadata/{old.root_chain[-1]}.root.json"])
    for role in TOP_LEVEL_ROLES:
        data = old_files.get(f"metadata/{role}.json")
        if data is not None:
            (cache / f"{role}.json").write_bytes(data)
    try:
        fetcher = _RootRecordingFetcher()
        updater = _updater(cache, base_url, downloads, fetcher)
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
        # Root versions the client walked through: the pin keeps every one of them.
        for version in range(old.root_chain[-1] + 1, root.signed.version + 1):
            data = fetcher.roots.get(
                version, meta["root"] if version == root.signed.version else b""
            )
            result[f"metadata/{version}.root.json"] = (data, f"{base_url}{version}.root.json")
    except SrcverifyError:
        raise
    except tuf_exceptions.DownloadError as exc:
        if isinstance(exc.__cause__, SrcverifyError):  # our fetcher refused a file
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

"""The pinned trust root: Sigstore's ``trusted_root.json`` with its TUF metadata.

A *pin* is a directory (the default one is ``trust-root/`` in the source tree,
installed as ``srcverify/data/trust-root``)::

    pin.json                 the pin record: reference time T, origin, every file's digest
    metadata/N.root.json     one or more consecutive root versions; the lowest is the anchor
    metadata/timestamp.json  \\
    metadata/snapshot.json    } all three or none (``trust-root update`` writes them)
    metadata/targets.json    /
    targets/<name>           trusted_root.json and signing_config*.json

:func:`verify_pin` checks every file against the pin record (``pin.json``,
see :mod:`srcverify.pin.record`: a review aid and corruption check, not a
signature), then authenticates the pin offline at the record's reference time
T, never the wall clock, with :func:`srcverify.pin.chain.authenticate` (root
chain, timestamp -> snapshot -> targets, target hashes, expiry at T).
:func:`load_authenticated_trusted_root` is what ``srcverify verify`` calls;
:func:`check_pin_age` applies the ``--max-trust-root-age`` policy (the "pin
older than this signature" diagnosis is
:meth:`srcverify.errors.StaleTrustRootError.signature_newer_than_pin`).

This module does not download anything (that is :mod:`srcverify.pin.update`),
does not read the clock (callers pass ``now``), and does not interpret
``trusted_root.json`` (that is :mod:`srcverify.sigstore.trustroot`). Only
:func:`read_pin_dir` touches the file system.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from srcverify._frozen import frozen, replace
from srcverify.errors import InputError, StaleTrustRootError, TufError
from srcverify.inputs import read_bounded
from srcverify.pin.authenticated import (
    TOP_LEVEL_ROLES,
    TRUSTED_ROOT,
    AuthenticatedPin,
    PinnedTarget,
    RoleState,
    is_pinned_target,
)
from srcverify.pin.chain import authenticate
from srcverify.pin.record import PinRecord, format_time

if TYPE_CHECKING:  # imported at run time only where needed, to keep the CLI quick
    from srcverify.sigstore.trustroot import TrustedRoot

__all__ = [
    "PIN_RECORD",
    "TOP_LEVEL_ROLES",
    "TRUSTED_ROOT",
    "AuthenticatedPin",
    "PinnedTarget",
    "PinnedTrustRoot",
    "RoleState",
    "authenticate",
    "check_pin_age",
    "default_pin_dir",
    "is_pinned_target",
    "load_authenticated_trusted_root",
    "read_pin_dir",
    "verify_pin",
    "verify_pin_dir",
]

PIN_RECORD = "pin.json"
_DAY = timedelta(days=1)


# --- the pin directory ---------------------------------------------------------


def verify_pin(
    record_json: bytes,
    files: Mapping[str, bytes],
    *,
    minimum_versions: Mapping[str, int] | None = None,
) -> AuthenticatedPin:
    """Check files against the pin record, then authenticate them at its time T.

    Raises:
        TufError: the record is malformed, a file does not match it, or a
            TUF check failed.
    """
    record = PinRecord.from_json(record_json)
    record.check_files(files)
    pin = authenticate(files, record.reference_time, minimum_versions=minimum_versions)
    done = (f"pin record: {len(files)} files match pin.json (sha256, length)",)
    return replace(pin, record=record, checks_performed=done + pin.checks_performed)


def read_pin_dir(pin_dir: Path) -> tuple[bytes, dict[str, bytes]]:
    """Read a pin directory: the pin record and every file under metadata/ and targets/.

    The directory itself may be a symbolic link (the default pin is one in a
    source checkout); nothing inside it may, so every byte judged lies in the
    reviewed directory.

    Raises:
        InputError: the directory, its pin.json or a file cannot be read.
        TufError: an entry is a symbolic link or not a regular file or directory.
    """
    if not pin_dir.is_dir():
        raise InputError(f"trust root pin directory {pin_dir} does not exist", step="trust-root")
    try:
        _refuse_special(pin_dir, pin_dir / PIN_RECORD)
        record = _read_pin_file(pin_dir / PIN_RECORD)
        files: dict[str, bytes] = {}
        for sub in ("metadata", "targets"):
            base = pin_dir / sub
            _refuse_special(pin_dir, base)
            if not base.is_dir():
                continue
            for path in sorted(base.rglob("*")):
                _refuse_special(pin_dir, path)
                if not path.is_dir():
                    files[path.relative_to(pin_dir).as_posix()] = _read_pin_file(path)
    except OSError as exc:
        raise InputError(
            f"cannot read trust root pin file {exc.filename or pin_dir}: {exc.strerror or exc}",
            step="trust-root",
        ) from exc
    return record, files


def _read_pin_file(path: Path) -> bytes:
    # O_NOFOLLOW and fstat on the opened file: a swap after _refuse_special cannot escape.
    return read_bounded(path, "trust root pin file", follow_symlinks=False, step="trust-root")


def _refuse_special(pin_dir: Path, path: Path) -> None:
    name = path.relative_to(pin_dir).as_posix()
    if path.is_symlink():
        raise TufError(
            f"{name} is a symbolic link (to {os.readlink(path)}); a pin holds regular files only"
        )
    if path.exists() and not path.is_file() and not path.is_dir():
        raise TufError(f"{name} is not a regular file; a pin holds regular files only")


def verify_pin_dir(
    pin_dir: Path, *, minimum_versions: Mapping[str, int] | None = None
) -> AuthenticatedPin:
    """Read and authenticate a pin directory at its own reference time.

    Raises:
        InputError: the pin cannot be read.
        TufError: the pin does not authenticate.
    """
    record, files = read_pin_dir(pin_dir)
    return verify_pin(record, files, minimum_versions=minimum_versions)


def default_pin_dir() -> Path:
    """The pin shipped with srcverify.

    ``srcverify/data/trust-root`` in the package: in a source checkout a
    symlink to the repository's ``trust-root/``, in an installed package a
    copy of it (setuptools package data follows the symlink).
    """
    return Path(__file__).resolve().parents[1] / "data" / "trust-root"


def check_pin_age(pin: AuthenticatedPin, now: datetime, max_age: timedelta | None) -> timedelta:
    """Return the pin's age at ``now``; raise when a policy maximum is exceeded.

    Raises:
        StaleTrustRootError: ``max_age`` is set and the pin is older, or its
            reference time lies after ``now`` (its age is unknown).
    """
    age = pin.age(now)
    if max_age is not None and pin.reference_time > now:
        raise StaleTrustRootError(
            f"the pinned trust root's reference time {format_time(pin.reference_time)} lies "
            f"after now ({format_time(now)}), so its age cannot be held to "
            "--max-trust-root-age; check the clock and the pin's reference time"
        )
    if max_age is not None and age > max_age:
        raise StaleTrustRootError(
            f"the pinned trust root's reference time {format_time(pin.reference_time)} is "
            f"{age / _DAY:.1f} days before now ({format_time(now)}); the policy allows at most "
            f"{max_age / _DAY:g} days (--max-trust-root-age); refresh it with "
            "'srcverify trust-root update'"
        )
    return age


@frozen
class PinnedTrustRoot:
    """An authenticated pin and its parsed trusted root, as ``srcverify verify`` uses them."""

    trusted_root: TrustedRoot
    pin: AuthenticatedPin

    @property
    def reference_time(self) -> datetime:
        """The pin's reference time T."""
        return self.pin.reference_time


def load_authenticated_trusted_root(
    pin_dir: Path | None, *, now: datetime, max_age_days: float | None = None
) -> PinnedTrustRoot:
    """Authenticate a pin (the default one if ``pin_dir`` is None) and parse its trusted root.

    The pin is authenticated at its own reference time T; ``now`` only serves
    the age policy (``--max-trust-root-age DAYS``).

    Raises:
        InputError: the pin cannot be read.
        TufError: the pin does not authenticate.
        StaleTrustRootError: the pin is older than ``max_age_days``.
        TrustRootError: the authenticated trusted_root.json cannot be parsed.
    """
    from srcverify.sigstore.trustroot import TrustedRoot

    pin = verify_pin_dir(pin_dir if pin_dir is not None else default_pin_dir())
    max_age = None if max_age_days is None else timedelta(days=max_age_days)
    check_pin_age(pin, now, max_age)
    return PinnedTrustRoot(TrustedRoot.from_json(pin.trusted_root_json), pin)

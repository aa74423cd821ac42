"""Writing a pin directory so that nothing a user keeps is ever half-written.

:func:`write_pin` writes a complete pin into a new directory and fsyncs every
file and directory; :func:`replace_pin_dir` swaps it in for the old one with
two renames, putting the old one back if the second fails. It does not decide
what goes into a pin (that is :mod:`srcverify.pin.update`) and authenticates
nothing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from srcverify.errors import InputError
from srcverify.pin.load import PIN_RECORD

__all__ = ["replace_pin_dir", "write_pin"]


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

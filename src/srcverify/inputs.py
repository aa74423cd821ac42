"""Every file srcverify reads is opened here: regular files only, read with a bound.

A build farm hands srcverify paths it did not create. A FIFO would block the
read forever, ``/dev/zero`` would fill memory, a directory is no evidence, and
a symbolic link inside a reviewed directory would let bytes from elsewhere be
judged. So each input is opened with ``O_NONBLOCK`` (opening a FIFO cannot
block), then the *opened* descriptor is checked with ``fstat``: a file swapped
for something else between a caller's check and the open cannot escape,
because the check is on what was opened. Anything but a regular file is
refused at once with :class:`~srcverify.errors.InputError` (the CLI exits 3).

Small inputs (bundles, trusted roots, keys, pin files, maps, mirror files)
are read with :func:`read_bounded`, which stops reading one byte past the
limit: memory never exceeds the bound, whatever the file claims to be. Large
inputs (artifacts) are opened with :func:`open_regular` and streamed by the
caller.

This module imports nothing but the standard library and :mod:`errors`. It
parses nothing and decides nothing about the bytes it returns.
"""

from __future__ import annotations

import os
import stat
from io import BufferedReader, FileIO

from srcverify.errors import InputError

__all__ = ["MAX_SMALL_INPUT", "TooLargeError", "open_regular", "read_bounded"]

# Bundles, trusted roots, keys and TUF metadata are kilobytes; a larger file is not one of them.
MAX_SMALL_INPUT = 16 << 20

_CHUNK = 1 << 16


class TooLargeError(InputError):
    """A small input is larger than its bound; it was not read past the bound."""


def open_regular(
    path: str | os.PathLike[str], what: str, *, follow_symlinks: bool = True, step: str = "input"
) -> BufferedReader:
    """Open ``path`` for reading, refusing anything but a regular file.

    Args:
        path: the file.
        what: what the file is, for messages (``bundle``, ``release map`` ...).
        follow_symlinks: False refuses a symbolic link as the last component
            (``O_NOFOLLOW``), for files inside a reviewed directory.
        step: the error's step.

    Raises:
        InputError: the file cannot be opened, or is a FIFO, device, socket,
            directory or (with ``follow_symlinks=False``) a symbolic link.
    """
    name = os.fspath(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    if not follow_symlinks:
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(name, flags)
    except OSError as exc:
        if not follow_symlinks and os.path.islink(name):
            raise InputError(
                f"{what} {name} is a symbolic link; only regular files are read here", step=step
            ) from exc
        raise InputError(f"cannot read {what} {name}: {exc.strerror or exc}", step=step) from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(
                f"{what} {name} is {_kind(mode)}, not a regular file; refusing to read it",
                step=step,
            )
        os.set_blocking(fd, True)
        return BufferedReader(FileIO(fd, "rb", closefd=True), _CHUNK)
    except BaseException:
        os.close(fd)
        raise


def read_bounded(
    path: str | os.PathLike[str],
    what: str,
    *,
    limit: int = MAX_SMALL_INPUT,
    follow_symlinks: bool = True,
    step: str = "input",
) -> bytes:
    """The whole content of a regular file of at most ``limit`` bytes.

    The bound is applied while reading (never more than ``limit + 1`` bytes
    are read), so a file that grows, or lies about its size, cannot balloon
    memory.

    Raises:
        InputError: as :func:`open_regular`, or a read error.
        TooLargeError: the file holds more than ``limit`` bytes.
    """
    name = os.fspath(path)
    with open_regular(name, what, follow_symlinks=follow_symlinks, step=step) as stream:
        try:
            data = stream.read(limit + 1)
        except OSError as exc:
            raise InputError(
                f"cannot read {what} {name}: {exc.strerror or exc}", step=step
            ) from exc
    if len(data) > limit:
        raise TooLargeError(
            f"{what} {name} is larger than {_size(limit)}; refusing to read it", step=step
        )
    return data


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _size(limit: int) -> str:
    if limit >= 1 << 20 and limit % (1 << 20) == 0:
        return f"{limit >> 20} MiB"
    return f"{limit} bytes"

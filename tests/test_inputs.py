"""The bounded, regular-file-only input reader (srcverify.inputs)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from srcverify.errors import InputError
from srcverify.inputs import TooLargeError, open_regular, read_bounded


def test_reads_a_regular_file_and_a_link_to_one(tmp_path: Path) -> None:
    target = tmp_path / "f"
    target.write_bytes(b"abc")
    (tmp_path / "link").symlink_to(target)
    assert read_bounded(target, "bundle") == b"abc"
    assert read_bounded(tmp_path / "link", "bundle") == b"abc"


def test_a_link_is_refused_where_links_are_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "f"
    target.write_bytes(b"abc")
    (tmp_path / "link").symlink_to(target)
    with pytest.raises(InputError, match="is a symbolic link"):
        read_bounded(tmp_path / "link", "pin file", follow_symlinks=False)


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda p: os.mkfifo(p), "a FIFO"),
        (lambda p: p.mkdir(), "a directory"),
        (lambda p: p.symlink_to("/dev/zero"), "a character device"),
    ],
)
def test_special_files_are_refused_at_once(tmp_path: Path, make: object, kind: str) -> None:
    path = tmp_path / "hostile"
    make(path)  # type: ignore[operator]
    with pytest.raises(InputError, match=re.escape(f"bundle {path} is {kind}, not a regular file")):
        read_bounded(path, "bundle")
    with pytest.raises(InputError, match=kind):
        open_regular(path, "artifact")


def test_the_bound_is_applied_while_reading(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * 11)
    assert read_bounded(path, "key", limit=11) == b"x" * 11
    with pytest.raises(TooLargeError, match=r"key .* is larger than 10 bytes; refusing"):
        read_bounded(path, "key", limit=10)


def test_a_missing_file_names_what_it_is(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"cannot read release map .*nope: No such file"):
        read_bounded(tmp_path / "nope", "release map")


def test_a_file_swapped_after_a_check_is_judged_as_opened(tmp_path: Path) -> None:
    """The check is fstat on the opened descriptor: what was checked is what is read."""
    path = tmp_path / "swap"
    path.write_bytes(b"regular")
    assert path.is_file()  # a caller's check ...
    path.unlink()
    os.mkfifo(path)  # ... then the swap
    with pytest.raises(InputError, match="is a FIFO"):
        read_bounded(path, "bundle")

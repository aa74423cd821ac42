"""The top directory of source archives (srcverify.archive), from generated archives."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from srcverify.archive import archive_format, top_directory
from srcverify.errors import InputError


def _tar(path: Path, mode: str, names: list[str]) -> Path:
    with tarfile.open(path, mode) as archive:
        for name in names:
            info = tarfile.TarInfo(name)
            if name.endswith("/"):
                info.type = tarfile.DIRTYPE
                archive.addfile(info)
            else:
                data = b"content\n"
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize(
    ("suffix", "mode"),
    [(".tar.gz", "w:gz"), (".tgz", "w:gz"), (".tar.xz", "w:xz"), (".tar.bz2", "w:bz2")],
)
def test_tar_top_directory(tmp_path: Path, suffix: str, mode: str) -> None:
    path = _tar(tmp_path / f"Pkg-1.2{suffix}", mode, ["Pkg-1.2/", "Pkg-1.2/README"])
    assert archive_format(path.name) is not None
    assert top_directory(path, path.name) == "Pkg-1.2"


def test_first_entry_may_be_a_file_inside_the_directory(tmp_path: Path) -> None:
    path = _tar(tmp_path / "Pkg-1.2.tar.gz", "w:gz", ["./Pkg-1.2/src/a.c", "Pkg-1.2/b.c"])
    assert top_directory(path, path.name) == "Pkg-1.2"


def test_pax_global_header_of_git_archive_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "Pkg-1.2.tar.gz"
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT, pax_headers={"comment": "x"}) as a:
        info = tarfile.TarInfo("Pkg-1.2/")
        info.type = tarfile.DIRTYPE
        a.addfile(info)
    assert top_directory(path, path.name) == "Pkg-1.2"


def test_archive_without_top_directory(tmp_path: Path) -> None:
    path = _tar(tmp_path / "Pkg-1.2.tar.gz", "w:gz", ["README", "Pkg-1.2/x"])
    assert top_directory(path, path.name) is None


def test_zip_top_directory_and_none(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as archive:
        archive.writestr("pkg-1.2/setup.py", "x")
    with zipfile.ZipFile(tmp_path / "b.zip", "w") as archive:
        archive.writestr("python.exe", "x")
    assert top_directory(tmp_path / "a.zip", "a.zip") == "pkg-1.2"
    assert top_directory(tmp_path / "b.zip", "b.zip") is None


@pytest.mark.parametrize(("suffix", "mode"), [(".tar.gz", "w:gz"), (".tar.xz", "w:xz")])
def test_only_the_start_of_a_tar_is_read(tmp_path: Path, suffix: str, mode: str) -> None:
    """The stream stops at the first header: a tarball cut after 64 KiB still answers."""
    path = tmp_path / f"Big-1.0{suffix}"
    with tarfile.open(path, mode) as archive:
        info = tarfile.TarInfo("Big-1.0/data")
        info.size = 1 << 20
        archive.addfile(info, io.BytesIO(os.urandom(info.size)))
    with path.open("r+b") as cut:
        cut.truncate(64 << 10)
    assert top_directory(path, path.name) == "Big-1.0"


def test_a_broken_archive_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "Pkg-1.2.tar.xz"
    path.write_bytes(b"not xz at all")
    with pytest.raises(InputError, match=r"cannot read Pkg-1.2.tar.xz as a xz archive"):
        top_directory(path, path.name)


def test_zstd_needs_a_runtime_that_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "Pkg-1.2.tar.zst"
    path.write_bytes(b"\x28\xb5\x2f\xfd")
    try:
        import compression.zstd  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        with pytest.raises(InputError, match="this Python cannot read zstd"):
            top_directory(path, path.name)
    else:  # pragma: no cover - Python 3.14+
        with pytest.raises(InputError, match=r"cannot read Pkg-1\.2\.tar\.zst"):
            top_directory(path, path.name)


def test_not_an_archive_by_name(tmp_path: Path) -> None:
    assert archive_format("python-3.13.5-amd64.exe") is None
    with pytest.raises(InputError, match="is not a tar or zip archive"):
        top_directory(tmp_path / "x.exe", "x.exe")

"""Shared pieces of the packaging tests: paths, tool checks, releases, runners.

The packaging files are run by the real tools (rpmbuild, dpkg-buildpackage,
bash for the eclass), which call a plain ``srcverify`` command. The tests put
a wrapper of that name first on PATH that runs this checkout's code with the
test interpreter (``sys.executable -m srcverify``).

Releases are signed by the test Sigstore instance (``tests.support.instance``)
and checked against its ``trusted_root.json`` (given with ``--trusted-root``:
the test instance has no TUF repository to pin) and a test release map.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
CORPUS = REPO.parent / "shared" / "corpus"
REAL_TARBALL = CORPUS / "cpython" / "artifacts" / "Python-3.13.5.tar.xz"
REAL_BUNDLE = CORPUS / "cpython" / "bundles" / "Python-3.13.5.tar.xz.sigstore"
# the sha256 python.org's bundle signs (corpus/README.md)
REAL_TARBALL_SHA256_PREFIX = "93e583f2"

# a clean PATH for the distribution tools: no virtualenv or pyenv python in front
SYSTEM_PATH = "/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin"

# what the tree copies for builds leave out
TREE_EXCLUDES = (
    ".git",
    ".venv",
    ".venv-min",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    "__pycache__",
    "build",
    "dist",
    ".pybuild",
)


def need_tool(*tools: str) -> None:
    """Skip the test, visibly, when a distribution tool is not installed."""
    for tool in tools:
        if shutil.which(tool, path=SYSTEM_PATH) is None:
            pytest.skip(f"{tool} is not installed (packaging/ci-install-tools.sh installs it)")


def need_corpus() -> None:
    """Skip the test, visibly, when the shared corpus's CPython release is absent."""
    if not (REAL_TARBALL.is_file() and REAL_BUNDLE.is_file()):
        pytest.skip(f"shared corpus not found at {CORPUS} (real CPython release tests skipped)")


def network_namespace_allowed() -> bool:
    """True when ``unshare -n`` may create a private network namespace here."""
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


def write_wrapper(bin_dir: Path) -> Path:
    """Write ``bin_dir/srcverify`` running this checkout's code with the test interpreter."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    wrapper = bin_dir / "srcverify"
    wrapper.write_text(
        "#!/bin/sh\n"
        "# srcverify from the checkout under test\n"
        f"PYTHONPATH='{REPO / 'src'}'\n"
        "PYTHONDONTWRITEBYTECODE=1\n"
        "export PYTHONPATH PYTHONDONTWRITEBYTECODE\n"
        f"exec '{sys.executable}' -m srcverify \"$@\"\n"
    )
    wrapper.chmod(0o755)
    return wrapper


def tool_env(bin_dir: Path, home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A small, explicit environment: the wrapper first on a clean PATH, a private HOME."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": f"{bin_dir}:{SYSTEM_PATH}",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TMPDIR": os.environ.get("TMPDIR", "/tmp"),
    }
    if extra:
        env.update(extra)
    return env


@dataclass(frozen=True)
class Run:
    """A finished command: exit status and the combined log a build farm would keep."""

    returncode: int
    log: str


def run(
    argv: Sequence[str | Path], *, env: Mapping[str, str], cwd: Path, timeout: float = 120
) -> Run:
    """Run a command with stderr folded into stdout, as a build log is."""
    done = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        timeout=timeout,
    )
    return Run(done.returncode, done.stdout)


# --- releases signed by the test Sigstore instance ---------------------------


def make_tarball(top: str, files: Mapping[str, bytes]) -> bytes:
    """A deterministic ``.tar.xz`` holding ``top/<name>`` for each file."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:xz") as archive:
        for directory in (top,):
            info = tarfile.TarInfo(directory)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            info.mtime = 1_700_000_000
            archive.addfile(info)
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 1_700_000_000
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@dataclass(frozen=True)
class Release:
    """One upstream release file with its bundle and the trust inputs to check it."""

    tarball: Path
    bundle: Path
    trusted_root: Path
    release_map: Path
    identity: str
    issuer: str
    key: Path


def map_yaml(identity: str, issuer: str) -> str:
    """A release map (schema 1) naming the test instance's signer for the test projects."""
    return f"""\
schema: 1
projects:
  testpython:
    source: "tests/packaging: CPython-shaped names signed by the test Sigstore instance"
    version_pattern: '[0-9]+\\.[0-9]+\\.[0-9]+'
    artifacts:
      source-xz:
        pattern: '^Python-{{version}}\\.tar\\.xz$'
    series:
      "3":
        source: "the test instance's release manager"
        signers:
          - identity: {identity}
            issuer: {issuer}
  hello-sv:
    source: "tests/packaging: the tiny Debian source package"
    version_pattern: '[0-9]+\\.[0-9]+'
    artifacts:
      source-xz:
        pattern: '^hello-sv-{{version}}\\.tar\\.xz$'
    series:
      "1":
        source: "the test instance's release manager"
        signers:
          - identity: {identity}
            issuer: {issuer}
"""


def make_release(
    directory: Path,
    name: str,
    top: str,
    *,
    content: bytes = b"the verified upstream source\n",
    bundle_suffix: str = ".sigstore",
    managed_key: bool = False,
) -> Release:
    """Sign a tiny tarball ``name`` (unpacking to ``top/``) with the test instance.

    Writes ``name``, ``name + bundle_suffix``, ``trusted_root.json``,
    ``srcverify-map.yaml`` and ``key.pub`` into ``directory``.
    """
    from tests.support.instance import TestInstance

    directory.mkdir(parents=True, exist_ok=True)
    data = make_tarball(top, {"README": content, "configure": b"#!/bin/sh\nexit 0\n"})
    signed = TestInstance().sign_artifact(data, managed_key=managed_key)
    tarball = directory / name
    tarball.write_bytes(data)
    bundle = directory / f"{name}{bundle_suffix}"
    bundle.write_text(signed.to_json())
    trusted_root = directory / "trusted_root.json"
    trusted_root.write_text(signed.trusted_root_json())
    release_map = directory / "srcverify-map.yaml"
    release_map.write_text(map_yaml(signed.identity, signed.issuer))
    key = directory / "key.pub"
    key.write_bytes(signed.public_key_pem)
    return Release(tarball, bundle, trusted_root, release_map, signed.identity, signed.issuer, key)


def flip_one_byte(path: Path) -> None:
    """Change one byte in the middle of a file (the classic tampered tarball)."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def copy_tree(destination: Path) -> Path:
    """Copy the checkout (without VCS, virtualenvs and caches) to ``destination``."""

    def ignore(directory: str, names: list[str]) -> list[str]:
        return [n for n in names if n in TREE_EXCLUDES or n.endswith(".egg-info")]

    shutil.copytree(REPO, destination, ignore=ignore, symlinks=True)
    return destination


def project_version() -> str:
    """The version in pyproject.toml."""
    import tomllib

    with open(REPO / "pyproject.toml", "rb") as stream:
        return str(tomllib.load(stream)["project"]["version"])

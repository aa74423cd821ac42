"""`make bench`, step 1: the bench's own installs, apart from the development tree.

Creates (or refreshes) under DIR (default ``build/bench``):

``venv/``  a virtualenv with srcverify installed from this checkout as a normal,
           non-editable package (pip byte-compiles it on install), reinstalled on
           every run so the bench measures the current tree, and the peer
           ``sigstore`` (sigstore-python) CLI at the version the oracle tests use;
``node/``  ``@sigstore/verify`` and the two packages its driver needs, from npm,
           at the newest version that supports the Node.js found (skipped, with
           the reason, when ``node`` or ``npm`` is absent).

It uses only the Python running it, pip (PyPI) and npm; nothing else.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIGSTORE_PYTHON = "sigstore==4.5.1"
PYPI_ATTESTATIONS = "pypi-attestations==0.0.30"
# @sigstore/verify 3.x is the newest line that supports Node 20 (4.x wants Node 22).
NODE_PACKAGES = ("@sigstore/verify@3.1.1", "@sigstore/bundle@4", "@sigstore/protobuf-specs@0.5")


def main(argv: list[str]) -> int:
    target = Path(argv[1] if len(argv) > 1 else REPO / "build" / "bench").resolve()
    target.mkdir(parents=True, exist_ok=True)
    python = target / "venv" / "bin" / "python"
    if not python.exists():
        print(f"bench: creating {target / 'venv'}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(target / "venv")
        _pip(python, "install", "--quiet", "--upgrade", "pip")
        _pip(python, "install", "--quiet", SIGSTORE_PYTHON)
    if not (python.parent / "pypi-attestations").exists():
        _pip(python, "install", "--quiet", SIGSTORE_PYTHON, PYPI_ATTESTATIONS)
    print("bench: installing srcverify from this checkout (non-editable)", flush=True)
    _pip(python, "install", "--quiet", "--force-reinstall", "--no-deps", str(REPO))
    _pip(python, "install", "--quiet", str(REPO))  # its dependencies, if new ones appeared
    _node(target / "node")
    return 0


def _pip(python: Path, *args: str) -> None:
    subprocess.run([str(python), "-m", "pip", *args], check=True)


def _node(folder: Path) -> None:
    node, npm = shutil.which("node"), shutil.which("npm")
    marker = folder / "installed.json"
    if node is None or npm is None:
        print("bench: node or npm not found; the sigstore-js rows will be skipped", flush=True)
        return
    if marker.exists() and json.loads(marker.read_text()) == list(NODE_PACKAGES):
        return
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text('{"private": true}\n')
    print(f"bench: npm install {' '.join(NODE_PACKAGES)} into {folder}", flush=True)
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder), *NODE_PACKAGES],
        check=True,
    )
    marker.write_text(json.dumps(list(NODE_PACKAGES)))


if __name__ == "__main__":
    sys.exit(main(sys.argv))

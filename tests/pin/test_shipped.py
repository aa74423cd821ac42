"""The shipped pin (trust-root/) is Sigstore's real TUF metadata, rebuilt reproducibly.

``trust-root/rebuild.sh`` rebuilds it from sigstore/root-signing @ 60cf2ce8 in
../shared/corpus/tuf/production (skipped visibly without the corpus); the
rebuild must equal the committed files byte for byte, from the git layout and
from the same metadata in the published CDN layout.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from srcverify.cli.main import main
from tests.support.tufrepo import snapshot_tree

# Sigstore's real root keys use the legacy key type name; securesystemslib warns.
pytestmark = pytest.mark.filterwarnings("ignore:keytype 'ecdsa-sha2-nistp256':DeprecationWarning")

PROJECT = Path(__file__).resolve().parents[2]
REPO_PIN = PROJECT / "trust-root"


def _pin_files(directory: Path) -> dict[str, bytes]:
    return {
        path: data
        for path, data in snapshot_tree(directory).items()
        if path == "pin.json" or path.startswith(("metadata/", "targets/"))
    }


@pytest.fixture
def production(corpus: Path) -> Path:
    return corpus / "tuf" / "production"


def test_rebuild_script_reproduces_the_shipped_pin(production: Path, tmp_path: Path) -> None:
    env = dict(os.environ, SRCVERIFY=f"{sys.executable} -m srcverify", TMPDIR=str(tmp_path))
    env["PYTHONPATH"] = os.pathsep.join([str(PROJECT / "src"), env.get("PYTHONPATH", "")])
    out = tmp_path / "rebuilt"
    result = subprocess.run(
        ["sh", str(REPO_PIN / "rebuild.sh"), str(production), str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "root chain v5 -> v6" in result.stdout and "authenticated fully" in result.stdout
    assert _pin_files(out) == _pin_files(REPO_PIN)
    # Every metadata and target file is Sigstore's own, byte for byte.
    record = json.loads((out / "pin.json").read_bytes())
    for path, entry in record["files"].items():
        assert (production / entry["source"]).read_bytes() == (REPO_PIN / path).read_bytes()


def _as_cdn_layout(production: Path, directory: Path) -> Path:
    """The same metadata as tuf-repo-cdn.sigstore.dev publishes it (consistent snapshots)."""
    (directory / "targets").mkdir(parents=True)
    for root in (production / "metadata" / "root_history").iterdir():
        shutil.copyfile(root, directory / root.name)
    shutil.copyfile(production / "metadata" / "timestamp.json", directory / "timestamp.json")
    for role in ("snapshot", "targets"):
        data = (production / "metadata" / f"{role}.json").read_bytes()
        version = json.loads(data)["signed"]["version"]
        (directory / f"{version}.{role}.json").write_bytes(data)
    for target in (production / "targets").iterdir():
        if target.is_file():
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
            shutil.copyfile(target, directory / "targets" / f"{digest}.{target.name}")
    return directory


def test_the_cdn_layout_gives_the_same_metadata(production: Path, tmp_path: Path) -> None:
    cdn = _as_cdn_layout(production, tmp_path / "cdn")
    anchor = str(cdn / "5.root.json")
    args = ["--from", str(cdn), "--reference-time", "2026-08-21T20:00:00Z", "--anchor", anchor]
    assert main(["trust-root", "update", str(tmp_path / "pin"), *args]) == 0
    rebuilt = _pin_files(tmp_path / "pin")
    shipped = _pin_files(REPO_PIN)
    assert rebuilt.keys() == shipped.keys()
    assert {p: d for p, d in rebuilt.items() if p != "pin.json"} == {
        p: d for p, d in shipped.items() if p != "pin.json"
    }


def test_updating_the_shipped_pin_from_its_own_copy(
    production: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pin_dir = shutil.copytree(REPO_PIN, tmp_path / "pin")
    before = snapshot_tree(pin_dir)
    # Without --reference-time T is now, long after root v15 and timestamp v762 expired.
    assert main(["trust-root", "update", str(pin_dir), "--from", str(production)]) == 1
    err = capsys.readouterr().err
    assert "FAILED: trust-root: root v15 expired at 2026-11-20T13:58:18Z, at or before" in err
    assert "hint: a local copy holds the metadata as it was when it was made" in err
    assert snapshot_tree(pin_dir) == before
    at_t = ["--from", str(production), "--reference-time", "2026-08-21T20:00:00Z"]
    assert main(["trust-root", "update", str(pin_dir), *at_t]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"updated {pin_dir.resolve()} from {production}")
    after = snapshot_tree(pin_dir)
    assert {p: d for p, d in after.items() if p != "pin.json"} == {  # the same metadata
        p: d for p, d in before.items() if p != "pin.json"
    }
    new_record, old_record = (json.loads(tree["pin.json"]) for tree in (after, before))
    assert new_record["files"] == old_record["files"]
    assert new_record["origin"] == f"srcverify trust-root update from the local copy {production}"
    future = ["--from", str(production), "--reference-time", "2999-01-01T00:00:00Z"]
    assert main(["trust-root", "update", str(pin_dir), *future]) == 2
    assert "--reference-time 2999-01-01T00:00:00Z is in the future" in capsys.readouterr().err

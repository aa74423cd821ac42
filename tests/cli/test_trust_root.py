"""``srcverify trust-root status|verify|update`` end to end (srcverify.cli.trust_root)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from srcverify.cli.main import main
from tests.support.tufrepo import TufRepo, snapshot_tree, trusted_root_bytes

# Sigstore's real root keys use the legacy key type name; securesystemslib warns.
pytestmark = pytest.mark.filterwarnings("ignore:keytype 'ecdsa-sha2-nistp256':DeprecationWarning")

REPO_PIN = Path(__file__).resolve().parents[2] / "trust-root"


def test_status_of_the_shipped_pin(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trust-root", "status"]) == 0
    out = capsys.readouterr().out
    assert "reference time T: 2026-08-21T20:00:00Z" in out
    assert "authentication at T: FULL (root chain, timestamp, snapshot, targets)" in out
    assert "root chain: v5 -> v6 -> v7 -> v8 -> v9 -> v10 -> v11 -> v12 -> v13 -> v14 -> v15" in out
    assert "  timestamp  v762   expires 2026-08-28T19:25:56Z" in out
    assert "  snapshot   v165   expires 2036-05-15T08:09:16Z" in out
    assert "  targets    v14    expires 2036-05-09T09:00:52Z" in out
    assert "checks not possible with this pin:\n  (none)" in out
    assert "trusted_root.json: sha256 6494e21e" in out and "via TUF targets metadata" in out
    assert "  tlog  https://rekor.sigstore.dev (log id c0d23d6ad406973f...) valid" in out
    assert "  TSA   https://timestamp.sigstore.dev/api/v1/timestamp" in out


def test_status_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trust-root", "status", str(REPO_PIN), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["reference_time"] == "2026-08-21T20:00:00Z"
    assert report["fully_authenticated"] is True
    assert report["root_chain"] == list(range(5, 16))
    assert report["roles"]["root"]["expires"] == "2026-11-20T13:58:18Z"
    assert {role: state["version"] for role, state in report["roles"].items()} == {
        "root": 15,
        "timestamp": 762,
        "snapshot": 165,
        "targets": 14,
    }
    assert report["age_days"] > 0
    assert all(t["tuf_authenticated"] for t in report["targets"])
    tlogs = report["trusted_root"]["tlogs"]
    assert {"base_url": "https://rekor.sigstore.dev", "valid_until": None}.items() <= tlogs[
        0
    ].items()
    assert report["trusted_root"]["timestamp_authorities"][0]["certificates"] >= 1
    assert report["checks_not_possible"] == []
    assert "root chain v5 -> v15: each version signed" in " ".join(report["checks_performed"])


def test_verify_the_shipped_pin(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trust-root", "verify"]) == 0
    err = capsys.readouterr().err
    assert "authenticated fully at T=2026-08-21T20:00:00Z, root v15" in err


def test_verify_flipped_byte_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pin_dir = shutil.copytree(REPO_PIN, tmp_path / "pin")
    path = pin_dir / "targets" / "trusted_root.json"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    assert main(["trust-root", "verify", str(pin_dir)]) == 1
    err = capsys.readouterr().err
    assert "FAILED: trust-root: targets/trusted_root.json: sha256" in err
    assert main(["trust-root", "status", str(pin_dir)]) == 1


def test_verify_too_old_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trust-root", "verify", "--max-trust-root-age", "1"]) == 3
    assert "the policy allows at most 1 days (--max-trust-root-age)" in capsys.readouterr().err
    assert main(["trust-root", "verify", "--max-trust-root-age", "-1"]) == 2


def test_verify_missing_pin_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trust-root", "verify", str(tmp_path / "none")]) == 3
    assert "ERROR: trust-root: trust root pin directory" in capsys.readouterr().err


def test_verify_generated_pin_tampered_with_forged_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = TufRepo()
    files = repo.pin_files()
    files["targets/trusted_root.json"] = trusted_root_bytes(second_rekor=True)
    pin_dir = repo.write_pin(tmp_path / "pin", files=files)  # pin.json matches the swap
    assert main(["trust-root", "verify", str(pin_dir)]) == 1
    assert "targets/trusted_root.json does not match targets v1" in capsys.readouterr().err


def test_update_from_mirror_prints_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = TufRepo()
    pin_dir = repo.write_pin(tmp_path / "pin")
    repo.target_files["trusted_root.json"] = trusted_root_bytes(second_rekor=True)
    repo.publish()
    mirror = repo.write_mirror(tmp_path / "mirror")
    assert main(["trust-root", "update", "--from", str(mirror), str(pin_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"updated {pin_dir.resolve()} from {mirror}")
    assert "~ targets v1 -> v2" in out and "+ tlog https://rekor2.tufrepo.test" in out
    assert main(["trust-root", "verify", str(pin_dir)]) == 0
    assert "authenticated fully" in capsys.readouterr().err


def test_update_failure_leaves_pin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = TufRepo()
    mirror = repo.write_mirror(tmp_path / "mirror")
    repo.publish()
    pin_dir = repo.write_pin(tmp_path / "pin")
    before = snapshot_tree(pin_dir)
    assert main(["trust-root", "update", "--from", str(mirror), str(pin_dir)]) == 1
    err = capsys.readouterr().err
    assert f"the pin in {pin_dir} was left unchanged" in err
    assert "rollback: timestamp v1 is older than the pinned v2" in err
    assert snapshot_tree(pin_dir) == before


def test_update_does_not_claim_an_unchanged_pin_it_could_not_put_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = TufRepo()
    pin_dir = repo.write_pin(tmp_path / "pin")
    repo.publish()
    mirror = repo.write_mirror(tmp_path / "mirror")
    real_rename = os.rename
    calls: list[str] = []

    def broken_rename(src: Any, dst: Any) -> None:
        calls.append(str(dst))
        if len(calls) >= 2:  # only moving the old pin aside works
            raise OSError(5, "Input/output error")
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", broken_rename)
    assert main(["trust-root", "update", "--from", str(mirror), str(pin_dir)]) == 3
    err = capsys.readouterr().err
    assert "the old pin is kept at " in err
    assert "left unchanged" not in err


def test_group_without_command_is_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trust-root"]) == 2
    assert "status" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["trust-root", "status", "--bogus"])
    assert exit_info.value.code == 2


def test_registered_in_the_srcverify_cli(capsys: pytest.CaptureFixture[str]) -> None:
    cli = pytest.importorskip("srcverify.cli.main")
    assert cli.main(["trust-root", "verify"]) == 0
    assert "OK " in capsys.readouterr().err


@pytest.mark.parametrize("days", ["nan", "inf", "1e12"])
def test_verify_max_age_must_be_a_usable_number(
    days: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["trust-root", "verify", "--max-trust-root-age", days])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"--max-trust-root-age: {days!r} is not a number of days" in err
    assert "internal error" not in err


def test_srcverify_verify_with_a_tampered_pin_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pin_dir = shutil.copytree(REPO_PIN, tmp_path / "pin")
    path = pin_dir / "targets" / "trusted_root.json"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    artifact = tmp_path / "source.tar.gz"
    artifact.write_bytes(b"source")
    assert main(["verify", "--trust-root", str(pin_dir), str(artifact)]) == 3
    out = capsys.readouterr()
    text = out.out + out.err
    assert f"NOT EVALUATED {artifact}: trust-root: targets/trusted_root.json: sha256" in text
    assert "does not match pin.json sha256 6494e21e" in text


def test_srcverify_verify_with_a_forged_pin_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = TufRepo()
    files = repo.pin_files()
    files["targets/trusted_root.json"] = trusted_root_bytes(second_rekor=True)
    pin_dir = repo.write_pin(tmp_path / "pin", files=files)  # pin.json matches the swap
    artifact = tmp_path / "source.tar.gz"
    artifact.write_bytes(b"source")
    assert main(["verify", "--trust-root", str(pin_dir), str(artifact)]) == 3
    out = capsys.readouterr()
    assert "targets/trusted_root.json does not match targets v1" in out.out + out.err

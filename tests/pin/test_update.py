"""Refreshing a pin (srcverify.pin.update) from generated repositories.

Local-mirror tests run offline. The HTTP tests serve a generated repository
on loopback with a local ``http.server`` started by the test; they are marked
``allow_loopback`` and connect nowhere else.
"""

from __future__ import annotations

import hashlib
import http.server
import os
import threading
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from srcverify.errors import InputError, TrustRootError, TufError
from srcverify.pin.diff import diff_pins
from srcverify.pin.load import verify_pin_dir
from srcverify.pin.record import PinRecord
from srcverify.pin.update import update_pin
from tests.support.tufrepo import T, TufRepo, snapshot_tree, trusted_root_bytes

NOW = T + timedelta(days=30)
REPO_PIN = Path(__file__).resolve().parents[2] / "trust-root"


@pytest.fixture
def setup(tmp_path: Path) -> tuple[TufRepo, Path]:
    """A repository and a pin of its first version, with a README beside the pin files."""
    repo = TufRepo()
    pin_dir = repo.write_pin(tmp_path / "trust-root")
    (pin_dir / "README.md").write_text("kept across updates\n")
    return repo, pin_dir


def _fails_leaving_pin_intact(
    pin_dir: Path, source: str, error: type[BaseException], match: str | None
) -> None:
    before = snapshot_tree(pin_dir)
    with pytest.raises(error, match=match):
        update_pin(pin_dir, source, now=NOW)
    assert snapshot_tree(pin_dir) == before
    leftovers = [p.name for p in pin_dir.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


# --- from a local mirror directory (sneakernet) ---------------------------------------


def test_update_from_mirror(setup: tuple[TufRepo, Path], tmp_path: Path) -> None:
    repo, pin_dir = setup
    repo.target_files["trusted_root.json"] = trusted_root_bytes(second_rekor=True)
    repo.publish()
    mirror = repo.write_mirror(tmp_path / "mirror")
    result = update_pin(pin_dir, str(mirror), now=NOW)
    assert result.old.versions() == {"root": 1, "timestamp": 1, "snapshot": 1, "targets": 1}
    assert result.new.versions() == {"root": 1, "timestamp": 2, "snapshot": 2, "targets": 2}
    assert result.new.reference_time == NOW
    on_disk = verify_pin_dir(pin_dir)
    assert on_disk.fully_authenticated and on_disk.reference_time == NOW
    assert on_disk.trusted_root_json == repo.target_files["trusted_root.json"]
    assert (pin_dir / "README.md").read_text() == "kept across updates\n"
    record = PinRecord.from_json((pin_dir / "pin.json").read_bytes())
    digest = hashlib.sha256(repo.target_files["trusted_root.json"]).hexdigest()
    # Sources are paths inside the copy, so the same copy gives the same pin.json anywhere.
    assert record.source_of("metadata/snapshot.json") == "2.snapshot.json"
    assert record.source_of("targets/trusted_root.json") == f"targets/{digest}.trusted_root.json"
    assert record.origin == f"srcverify trust-root update from the local copy {mirror}"
    assert record.source_of("metadata/1.root.json") == "generated"  # kept from the old pin
    diff = diff_pins(result.old, result.new)
    assert "~ targets v1 -> v2" in diff
    assert any(line.startswith("+ tlog https://rekor2.tufrepo.test") for line in diff)


def test_update_turns_a_root_only_pin_into_a_full_one(tmp_path: Path) -> None:
    repo = TufRepo()
    pin_dir = repo.write_pin(tmp_path / "pin", with_metadata=False)
    result = update_pin(pin_dir, str(repo.write_mirror(tmp_path / "mirror")), now=NOW)
    assert not result.old.fully_authenticated
    assert result.new.fully_authenticated and result.new.checks_not_possible[0].startswith("root")


def test_update_follows_a_root_rotation(setup: tuple[TufRepo, Path], tmp_path: Path) -> None:
    repo, pin_dir = setup
    repo.rotate_root(roles=("root", "timestamp", "snapshot"))
    repo.rotate_root(roles=("root", "targets"))
    repo.publish()
    result = update_pin(pin_dir, str(repo.write_mirror(tmp_path / "mirror")), now=NOW)
    assert result.new.root_chain == (1, 2, 3)
    assert sorted(p.name for p in (pin_dir / "metadata").glob("*.root.json")) == [
        "1.root.json",
        "2.root.json",
        "3.root.json",
    ]
    diff = diff_pins(result.old, result.new)
    assert "~ root v1 -> v3 (new root versions: v2, v3)" in diff
    assert any(line.startswith("+ timestamp key ") for line in diff)
    assert any(line.startswith("- root key ") for line in diff)


def test_update_refuses_a_rollback(tmp_path: Path) -> None:
    repo = TufRepo()
    mirror = repo.write_mirror(tmp_path / "stale-mirror")  # serves timestamp v1
    repo.publish()
    repo.publish()
    pin_dir = repo.write_pin(tmp_path / "pin")  # pinned timestamp v3
    _fails_leaving_pin_intact(
        pin_dir, str(mirror), TufError, "rollback: timestamp v1 is older than the pinned v3"
    )


def test_update_refuses_a_badly_signed_repository(
    setup: tuple[TufRepo, Path], tmp_path: Path
) -> None:
    repo, pin_dir = setup
    repo.signers["timestamp"] = repo.signers["snapshot"]
    repo.publish()
    mirror = repo.write_mirror(tmp_path / "mirror")
    _fails_leaving_pin_intact(
        pin_dir, str(mirror), TufError, "timestamp v2: threshold not met: 0 valid signature"
    )


def test_update_refuses_a_tampered_target(setup: tuple[TufRepo, Path], tmp_path: Path) -> None:
    repo, pin_dir = setup
    repo.publish()
    mirror = repo.write_mirror(tmp_path / "mirror")
    target = next((mirror / "targets").glob("*.trusted_root.json"))
    target.write_bytes(target.read_bytes().replace(b"rekor", b"rek0r", 1))
    _fails_leaving_pin_intact(
        pin_dir, str(mirror), TufError, "targets/trusted_root.json does not match targets v2"
    )


def test_update_needs_an_authentic_current_pin(setup: tuple[TufRepo, Path], tmp_path: Path) -> None:
    repo, pin_dir = setup
    mirror = repo.write_mirror(tmp_path / "mirror")
    (pin_dir / "targets" / "trusted_root.json").write_bytes(b"{}")
    _fails_leaving_pin_intact(pin_dir, str(mirror), TufError, "does not match pin.json")


def test_update_source_must_be_a_url_or_directory(setup: tuple[TufRepo, Path]) -> None:
    _, pin_dir = setup
    _fails_leaving_pin_intact(pin_dir, "/nonexistent/mirror", InputError, "neither an http")


def test_interrupted_swap_restores_the_old_pin(
    setup: tuple[TufRepo, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, pin_dir = setup
    repo.publish()
    mirror = repo.write_mirror(tmp_path / "mirror")
    real_rename = os.rename
    calls: list[str] = []

    def flaky_rename(src: Any, dst: Any) -> None:
        calls.append(str(dst))
        if len(calls) == 2:  # the new pin moving into place
            raise OSError(28, "No space left on device")
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", flaky_rename)
    _fails_leaving_pin_intact(pin_dir, str(mirror), InputError, "No space left on device")
    assert len(calls) == 3  # aside, (failed) swap, back


def test_interrupt_between_the_renames_keeps_the_old_pin(
    setup: tuple[TufRepo, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, pin_dir = setup
    repo.publish()
    mirror = repo.write_mirror(tmp_path / "mirror")
    real_rename = os.rename
    calls: list[str] = []

    def interrupted_rename(src: Any, dst: Any) -> None:
        calls.append(str(dst))
        if len(calls) == 2:  # Ctrl-C after the old pin moved aside, before the new one moved in
            raise KeyboardInterrupt
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", interrupted_rename)
    _fails_leaving_pin_intact(pin_dir, str(mirror), KeyboardInterrupt, None)
    assert len(calls) == 3 and calls[2] == str(pin_dir)  # the old pin was moved back


def test_failed_swap_and_failed_restore_do_not_delete_the_old_pin(
    setup: tuple[TufRepo, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, pin_dir = setup
    repo.publish()
    mirror = repo.write_mirror(tmp_path / "mirror")
    before = snapshot_tree(pin_dir)
    real_rename = os.rename
    calls: list[str] = []

    def broken_rename(src: Any, dst: Any) -> None:
        calls.append(str(dst))
        if len(calls) >= 2:  # only moving the old pin aside works
            raise OSError(5, "Input/output error")
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", broken_rename)
    with pytest.raises(InputError, match=r"Input/output error; the old pin is kept at ") as info:
        update_pin(pin_dir, str(mirror), now=NOW)
    kept = Path(str(info.value).rsplit("the old pin is kept at ", 1)[1])
    assert snapshot_tree(kept) == before


# --- over HTTP on loopback ----------------------------------------------------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    truncate_targets = False

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        if not (self.truncate_targets and self.path.startswith("/targets/")):
            super().do_GET()
            return
        data = Path(self.translate_path(self.path)).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])  # the connection drops half-way
        self.wfile.flush()
        self.close_connection = True


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(directory: Path, *, truncate_targets: bool = False) -> str:
        handler = type("Handler", (_Handler,), {"truncate_targets": truncate_targets})
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), partial(handler, directory=str(directory))
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.allow_loopback
def test_update_over_http(setup: tuple[TufRepo, Path], tmp_path: Path, serve: Any) -> None:
    repo, pin_dir = setup
    repo.rotate_root(roles=("root", "timestamp"))
    repo.target_files["trusted_root.json"] = trusted_root_bytes(rekor_end="2029-06-01T00:00:00Z")
    repo.publish()
    url = serve(repo.write_mirror(tmp_path / "mirror"))
    result = update_pin(pin_dir, url, now=NOW)
    assert result.new.root_chain == (1, 2)
    assert result.new.versions()["timestamp"] == 2
    record = PinRecord.from_json((pin_dir / "pin.json").read_bytes())
    assert record.source_of("metadata/2.root.json") == f"{url}/2.root.json"
    assert record.origin == f"srcverify trust-root update from {url}"
    diff = diff_pins(result.old, result.new)
    assert any(
        line.startswith("~ tlog https://rekor.tufrepo.test") and "validity" in line for line in diff
    )


@pytest.mark.allow_loopback
def test_update_download_failing_half_way_leaves_pin_intact(
    setup: tuple[TufRepo, Path], tmp_path: Path, serve: Any
) -> None:
    repo, pin_dir = setup
    repo.target_files["trusted_root.json"] = trusted_root_bytes(second_rekor=True)
    repo.publish()
    url = serve(repo.write_mirror(tmp_path / "mirror"), truncate_targets=True)
    _fails_leaving_pin_intact(pin_dir, url, TrustRootError, f"download from {url}/ failed")


def test_unreachable_repository_is_not_contacted_outside_loopback(
    setup: tuple[TufRepo, Path],
) -> None:
    # Without allow_loopback the suite's socket guard refuses every connection;
    # the update reports it as a failed download and leaves the pin alone.
    _, pin_dir = setup
    _fails_leaving_pin_intact(
        pin_dir, "https://tuf-repo-cdn.sigstore.dev", TrustRootError, "download from .* failed"
    )

"""The human diff between two pins (srcverify.pin.diff)."""

from __future__ import annotations

from srcverify._frozen import replace
from srcverify.pin.authenticated import AuthenticatedPin, PinnedTarget
from srcverify.pin.chain import authenticate
from srcverify.pin.diff import diff_pins
from tests.support.tufrepo import T, TufRepo, trusted_root_bytes


def _pin(repo: TufRepo) -> AuthenticatedPin:
    return authenticate(repo.pin_files(), T)


def _with_trusted_root(pin: AuthenticatedPin, data: bytes) -> AuthenticatedPin:
    targets = tuple(
        replace(t, data=data, sha256="f" * 64) if t.name == "trusted_root.json" else t
        for t in pin.targets
    )
    return replace(pin, targets=targets)


def test_no_change() -> None:
    pin = _pin(TufRepo())
    assert diff_pins(pin, pin) == (
        "~ reference time 2030-01-01T00:00:00Z -> 2030-01-01T00:00:00Z",
        "  trusted_root.json unchanged",
    )


def test_versions_keys_and_targets() -> None:
    repo = TufRepo()
    old = _pin(repo)
    repo.rotate_root(roles=("root",))
    repo.target_files["signing_config.v0.3.json"] = b"{}"
    del repo.target_files["signing_config.v0.2.json"]
    repo.publish()
    new = _pin(repo)
    lines = diff_pins(old, new)
    assert "~ root v1 -> v2 (new root versions: v2)" in lines
    assert "~ timestamp v1 -> v2" in lines and "~ targets v1 -> v2" in lines
    assert sum(line.startswith("+ root key ") for line in lines) == 3
    assert sum(line.startswith("- root key ") for line in lines) == 3
    assert any(line.startswith("+ target signing_config.v0.3.json (sha256 ") for line in lines)
    assert any(line.startswith("- target signing_config.v0.2.json (sha256 ") for line in lines)


def test_threshold_and_pinned_roles() -> None:
    repo = TufRepo()
    full = _pin(repo)
    root_only = authenticate(repo.pin_files(with_metadata=False), T)
    assert "~ timestamp metadata: not pinned -> v1" in diff_pins(root_only, full)
    raised = replace(full, roles=(replace(full.roles[0], threshold=3), *full.roles[1:]))
    assert "~ root threshold 2 -> 3" in diff_pins(full, raised)


def test_trusted_root_entries() -> None:
    pin = _pin(TufRepo())
    old = _with_trusted_root(pin, trusted_root_bytes())
    new = _with_trusted_root(
        pin, trusted_root_bytes(rekor_end="2029-06-01T00:00:00Z", second_rekor=True, tsa=True)
    )
    lines = diff_pins(old, new)
    assert any(
        line.startswith("+ tlog https://rekor2.tufrepo.test (log id ")
        and line.endswith("valid 2029-06-01T00:00:00Z .. open")
        for line in lines
    )
    assert any(
        line.startswith("~ tlog https://rekor.tufrepo.test")
        and line.endswith(
            "validity 2024-01-01T00:00:00Z .. open -> 2024-01-01T00:00:00Z .. 2029-06-01T00:00:00Z"
        )
        for line in lines
    )
    assert any(line.startswith("+ TSA https://tsa.tufrepo.test (") for line in lines)
    assert any(line.startswith("- TSA https://tsa.tufrepo.test (") for line in diff_pins(new, old))
    assert not any(" CA " in line or " ctlog " in line for line in lines)


def test_same_entries_different_bytes_and_unparsable() -> None:
    pin = _pin(TufRepo())
    old = _with_trusted_root(pin, trusted_root_bytes())
    reformatted = _with_trusted_root(pin, trusted_root_bytes() + b"\n")
    assert diff_pins(old, reformatted)[-1] == (
        "~ trusted_root.json changed bytes, same entries and validity windows"
    )
    broken = _with_trusted_root(pin, b"{")
    assert diff_pins(old, broken)[-1].startswith(
        "~ trusted_root.json changed; entries not compared: trust-root: trusted_root.json is not"
    )


def test_pinned_target_repr_hides_bytes() -> None:
    target = PinnedTarget("trusted_root.json", "0" * 64, 3, True, b"abc")
    assert "abc" not in repr(target)


def test_reissued_ca_chain() -> None:
    from tests.support import tufrepo

    pin = _pin(TufRepo())
    old = _with_trusted_root(pin, trusted_root_bytes())
    tufrepo._ca_cert.cache_clear()  # same key and subject, newly signed certificate
    new = _with_trusted_root(pin, trusted_root_bytes())
    assert diff_pins(old, new)[1:] == (
        "~ CA https://fulcio.tufrepo.test (organization=tufrepo.test, commonName=fulcio) "
        "certificate chain changed",
    )

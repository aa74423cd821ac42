"""The pin record (pin.json): strict parsing, stable writing, digest checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srcverify.errors import TufError
from srcverify.pin.record import PIN_FORMAT, PinRecord, format_time, parse_time

WHEN = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
FILES = {"metadata/1.root.json": b"root", "targets/trusted_root.json": b"tr"}


def _record() -> PinRecord:
    return PinRecord.for_files(
        reference_time=WHEN,
        reference_time_note="note",
        origin="origin",
        repository="https://tuf.test",
        files={path: (data, f"src:{path}") for path, data in FILES.items()},
    )


def _doc() -> dict[str, object]:
    doc: dict[str, object] = json.loads(_record().to_json())
    return doc


def test_round_trip_is_stable() -> None:
    data = _record().to_json()
    parsed = PinRecord.from_json(data)
    assert parsed == _record()
    assert parsed.to_json() == data
    assert data.endswith(b"\n") and json.loads(data)["format"] == PIN_FORMAT
    assert parsed.source_of("targets/trusted_root.json") == "src:targets/trusted_root.json"
    assert parsed.source_of("nope") is None


def test_check_files_accepts_exact_files() -> None:
    _record().check_files(FILES)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({**FILES, "targets/x.json": b""}, "targets/x.json is in the pin but not listed"),
        ({"metadata/1.root.json": b"root"}, "lists targets/trusted_root.json but the pin has no"),
        ({**FILES, "targets/trusted_root.json": b"t"}, "length 1 does not match pin.json length 2"),
        ({**FILES, "targets/trusted_root.json": b"TR"}, r"sha256 [0-9a-f]{64} does not match"),
    ],
)
def test_check_files_rejects(files: dict[str, bytes], message: str) -> None:
    with pytest.raises(TufError, match=message):
        _record().check_files(files)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update({"extra": 1}), "pin.json: unknown key\\(s\\) 'extra'"),
        (lambda d: d.pop("origin"), "pin.json: missing key\\(s\\) 'origin'"),
        (lambda d: d.update({"format": "v0"}), "format: expected 'srcverify-trust-root-pin/1'"),
        (lambda d: d.update({"reference_time": "2030-01-01"}), "ending in Z"),
        (lambda d: d.update({"reference_time": "yesterdayZ"}), "is not an RFC 3339 time"),
        (lambda d: d.update({"files": []}), "files: expected a JSON object"),
        (lambda d: d.update({"origin": 3}), "origin: expected a string"),
        (
            lambda d: d["files"]["metadata/1.root.json"].update({"sha256": "AB"}),
            "sha256 is not 64 lowercase hex",
        ),
        (
            lambda d: d["files"]["metadata/1.root.json"].update({"length": "4"}),
            "length: expected an integer",
        ),
        (
            lambda d: d["files"]["metadata/1.root.json"].update({"length": -1}),
            "length is negative",
        ),
        (
            lambda d: d["files"]["metadata/1.root.json"].update({"mode": 1}),
            "files.metadata/1.root.json: unknown key",
        ),
    ],
)
def test_from_json_rejects(change: object, message: str) -> None:
    doc = _doc()
    change(doc)  # type: ignore[operator]
    with pytest.raises(TufError, match=message):
        PinRecord.from_json(json.dumps(doc).encode())


def test_not_json() -> None:
    with pytest.raises(TufError, match=r"pin.json is not valid JSON"):
        PinRecord.from_json(b"\xff{")


def test_times() -> None:
    assert format_time(WHEN) == "2030-01-01T12:00:00Z"
    assert format_time(WHEN.astimezone(timezone(timedelta(hours=2)))) == "2030-01-01T12:00:00Z"
    assert parse_time("2030-01-01T12:00:00Z", what="t") == WHEN
    with pytest.raises(TufError, match=r"t: expected an RFC 3339 UTC time"):
        parse_time(5, what="t")
    with pytest.raises(TufError, match=r"timezone-aware"):
        PinRecord(WHEN.replace(tzinfo=None), "", "", "", ())


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_malformed_record_gives_our_error(data: bytes) -> None:
    with pytest.raises(TufError):
        PinRecord.from_json(data)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["format", "reference_time", "files", "origin", "x"]),
        st.none() | st.integers() | st.text(max_size=5) | st.just({}),
    )
)
def test_malformed_record_objects_give_our_error(doc: dict[str, object]) -> None:
    with pytest.raises(TufError):
        PinRecord.from_json(json.dumps(doc).encode())

"""Release-map facts (``not_signed_before``, ``digests``): read strictly, resolved per file,
kept by the compiled form."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from srcverify.releasemap import compiled
from srcverify.releasemap.facts import ALGORITHMS as FACT_ALGORITHMS
from srcverify.releasemap.model import InvalidReleaseMapError, KnownDigest
from srcverify.releasemap.resolve import ReleaseMap, resolve
from srcverify.releasemap.schema import parse_map

HEX = "ab" * 32
HEAD = """\
schema: 1
projects:
  pkg:
    source: test
    version_pattern: '[0-9]+\\.[0-9]+(?:rc[0-9]+)?'
    artifacts:
      tarball:
        pattern: '^pkg-{version}\\.tar\\.gz$'
      wheel:
        pattern: '^pkg-{version}-py3-none-any\\.whl$'
    series:
      "1":
        source: test
        signers:
          - identity: rm@example.org
            issuer: https://accounts.example.org
"""


def _map(series_extra: str = "", releases: str = "") -> str:
    return HEAD + series_extra + (f"    releases:\n{releases}" if releases else "")


def _problems(text: str) -> list[str]:
    with pytest.raises(InvalidReleaseMapError) as caught:
        ReleaseMap.from_text(text, "m.yaml")
    return [str(p) for p in caught.value.problems]


def test_facts_are_read_and_resolved_per_file() -> None:
    text = _map(
        f"        not_signed_before: 2024-10-01T00:00:00Z\n"
        f"        digests:\n          pkg-1.2.tar.gz: {{sha256: {HEX.upper()}}}\n",
        '      "1.3":\n'
        "        source: facts only\n"
        "        not_signed_before: '2025-06-11T17:46:23.5+00:00'\n"
        "        digests:\n"
        f"          pkg-1.3-py3-none-any.whl: {{sha256: {HEX}, sha512: {'cd' * 64}}}\n",
    )
    release_map = ReleaseMap.from_text(text, "m.yaml")
    older = resolve(release_map, "pkg-1.2.tar.gz")
    assert older.not_signed_before == datetime(2024, 10, 1, tzinfo=UTC)
    assert older.not_signed_before_by == "series 1 of pkg"
    assert older.known_digest == KnownDigest("pkg-1.2.tar.gz", HEX)  # lowercased
    assert older.known_digest_by == "series 1 of pkg"
    wheel = resolve(release_map, "pkg-1.3-py3-none-any.whl")
    assert wheel.not_signed_before == datetime(2025, 6, 11, 17, 46, 23, 500000, tzinfo=UTC)
    assert wheel.not_signed_before_by == "release 1.3 of pkg"
    assert wheel.known_digest == KnownDigest("pkg-1.3-py3-none-any.whl", HEX, sha512="cd" * 64)
    assert (wheel.exception, [s.identity for s in wheel.signers]) == (False, ["rm@example.org"])
    tarball = resolve(release_map, "pkg-1.3.tar.gz")
    assert (tarball.known_digest, tarball.not_signed_before_by) == (None, "release 1.3 of pkg")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (
            "2024-10-01",
            "m.yaml:17:28: series pkg 1: not_signed_before: '2024-10-01': a date alone "
            "says no time; write a UTC time such as 2024-10-01T00:00:00Z",
        ),
        ("2024-10-01T00:00:00", "'2024-10-01T00:00:00' has no time zone; write it in UTC with Z"),
        ("2024-10-01T02:00:00+02:00", "is not in UTC (+02:00); write it in UTC with Z"),
        ("2024-10-01 00:00:00Z", "not an RFC 3339 time"),
        (
            "'2024-13-01T00:00:00Z'",
            "'2024-13-01T00:00:00Z' is no such time (month must be in 1..12)",
        ),
        ("yesterday", "'yesterday': not an RFC 3339 time"),
        ("[2024]", "not_signed_before: expected a time such as 2024-10-01T00:00:00Z, found a list"),
    ],
)
def test_a_bad_time_is_a_problem_at_its_position(value: str, problem: str) -> None:
    problems = _problems(_map(f"        not_signed_before: {value}\n"))
    assert len(problems) == 1 and problem in problems[0], problems
    assert problems[0].startswith("m.yaml:17:28: series pkg 1: not_signed_before: ")


@pytest.mark.parametrize(
    ("digests", "problem"),
    [
        (f"pkg-1.2.tar.gz: {{sha256: {HEX[:-2]}}}", "sha256: 62 hex digits; sha256 has 64"),
        (f"pkg-1.2.tar.gz: {{sha256: {HEX}00}}", "sha256: 66 hex digits; sha256 has 64"),
        (
            f"pkg-1.2.tar.gz: {{sha256: {HEX}, sha512: {HEX}}}",
            "sha512: 64 hex digits; sha512 has 128 (that is a sha256 length)",
        ),
        (f"pkg-1.2.tar.gz: {{sha256: {'zz' * 32}}}", "is not hexadecimal"),
        (f"pkg-1.2.tar.gz: {{sha512: {'cd' * 64}}}", "missing required key 'sha256'"),
        (f"pkg-1.2.tar.gz: {{sha256: {HEX}, md5: {HEX[:32]}}}", "unknown key 'md5'"),
        (f"pkg-1.2.zip: {{sha256: {HEX}}}", "pkg-1.2.zip: the name matches no artifact kind"),
        (
            f"pkg-2.0.tar.gz: {{sha256: {HEX}}}",
            "is tarball version 2.0, which this entry does not cover",
        ),
        (f"pkg-1.2.tar.gz: {HEX}", "expected a mapping, found a string"),
        ("{}", "digests: empty; leave the key out instead"),
    ],
)
def test_a_bad_digest_is_a_problem_at_its_position(digests: str, problem: str) -> None:
    problems = _problems(
        _map("        digests: {}\n" if digests == "{}" else f"        digests: {{{digests}}}\n")
    )
    assert len(problems) == 1 and problem in problems[0], problems
    assert problems[0].startswith("m.yaml:17:"), problems


def test_a_release_digest_must_be_of_that_release_and_its_kinds() -> None:
    release = (
        '      "1.3":\n'
        "        source: r\n"
        "        artifacts: [wheel]\n"
        "        digests:\n"
        f"          pkg-1.2-py3-none-any.whl: {{sha256: {HEX}}}\n"
        f"          pkg-1.3.tar.gz: {{sha256: {HEX}}}\n"
    )
    assert _problems(_map(releases=release)) == [
        "m.yaml:22:11: release pkg 1.3: digests: pkg-1.2-py3-none-any.whl: is wheel version 1.2, "
        "which this entry does not cover; give a file's digest in its own release's or series' "
        "entry",
        "m.yaml:23:11: release pkg 1.3: digests: pkg-1.3.tar.gz: is a tarball file, not one of "
        "this entry's artifacts (wheel)",
    ]


def test_a_file_is_known_once() -> None:
    text = _map(
        f"        digests:\n          pkg-1.3.tar.gz: {{sha256: {HEX}}}\n"
        f"          pkg-1.3.tar.gz: {{sha256: {HEX}}}\n",
        f'      "1.3":\n        source: r\n        digests:\n'
        f"          pkg-1.3.tar.gz: {{sha256: {HEX}}}\n",
    )
    assert _problems(text) == [
        "m.yaml:19:11: series pkg 1: digests: duplicate key 'pkg-1.3.tar.gz' (first at line 18)",
        "m.yaml:24:11: release pkg 1.3: digests: pkg-1.3.tar.gz: already known in series pkg 1 "
        "(line 18); give each file's digest once",
    ]


def test_a_release_entry_needs_signers_or_facts() -> None:
    assert _problems(_map(releases='      "1.3":\n        source: r\n')) == [
        "m.yaml:19:9: release pkg 1.3: give signers (replacing its series') or facts "
        "(not_signed_before, digests), or both"
    ]


def test_a_series_entry_keeps_needing_signers() -> None:
    text = HEAD.replace(
        "        signers:\n          - identity: rm@example.org\n"
        "            issuer: https://accounts.example.org\n",
        "        not_signed_before: 2024-10-01T00:00:00Z\n",
    )
    assert _problems(text) == ["m.yaml:13:9: series pkg 1: missing required key 'signers'"]


def test_digits_only_hex_reads_as_hex_not_as_a_number() -> None:
    digits = "1" * 64
    text = _map(f"        digests:\n          pkg-1.2.tar.gz: {{sha256: {digits}}}\n")
    assert resolve(ReleaseMap.from_text(text, "m.yaml"), "pkg-1.2.tar.gz").known_digest == (
        KnownDigest("pkg-1.2.tar.gz", digits)
    )


def test_the_compiled_form_keeps_the_facts(tmp_path: Path) -> None:
    text = _map(
        f"        not_signed_before: 2024-10-01T00:00:00Z\n"
        f"        digests:\n          pkg-1.2.tar.gz: {{sha256: {HEX}, sha384: {'ef' * 48}}}\n",
        '      "1.3":\n        source: r\n        not_signed_before: 2025-06-11T00:00:00Z\n',
    )
    data = text.encode()
    document = compiled.compile_map(data, "m.yaml")
    assert b'"utc-time"' in document and b'"KnownDigest"' in document
    path = tmp_path / "m.json"
    path.write_bytes(document)
    from_json = compiled._read_compiled(path, data)
    assert from_json == parse_map(text, "m.yaml")
    assert from_json is not None
    series = from_json[1][0].series[0]
    assert series.not_signed_before == datetime(2024, 10, 1, tzinfo=UTC)
    assert series.digests[0].sha384 == "ef" * 48
    assert from_json[1][0].releases[0].signers is None


def test_a_compiled_time_outside_utc_is_not_trusted(tmp_path: Path) -> None:
    text = _map("        not_signed_before: 2024-10-01T00:00:00Z\n")
    data = text.encode()
    document = json.loads(compiled.compile_map(data, "m.yaml"))
    series = document["projects"][0]["series"][0]
    series["not_signed_before"]["iso"] = "2024-10-01T00:00:00+02:00"
    path = tmp_path / "m.json"
    path.write_text(json.dumps(document))
    assert compiled._read_compiled(path, data) is None  # then the YAML is parsed


def test_the_fact_algorithms_are_the_artifact_ones() -> None:
    from srcverify.artifact import ALGORITHMS

    assert FACT_ALGORITHMS == ALGORITHMS

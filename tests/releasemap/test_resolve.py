"""Tests for srcverify.releasemap.resolve and the release-map schema (srcverify.releasemap.*).

Table-driven: artifact names of every kind the shipped CPython map knows,
names that must not match, one malformed map per kind of schema problem with
its exact position, the real CPython corpus certificates against the policy
the map resolves, and a second, non-CPython map signed from GitHub Actions.
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srcverify.errors import InputError, PolicyError, ReleaseMapError
from srcverify.releasemap.resolve import (
    MAX_MAP_BYTES,
    InvalidReleaseMapError,
    ReleaseMap,
    default_map,
    resolve,
)
from srcverify.sigstore.bundle import Bundle

HERE = Path(__file__).resolve().parent
BEACON_MAP = HERE / "data" / "releases" / "oidc-beacon.yaml"
GITHUB = "https://github.com/login/oauth"
GOOGLE = "https://accounts.google.com"

MANAGERS = {
    "3.7": ("nad@python.org", GITHUB),
    "3.8": ("lukasz@langa.pl", GITHUB),
    "3.9": ("lukasz@langa.pl", GITHUB),
    "3.10": ("pablogsal@python.org", GOOGLE),
    "3.11": ("pablogsal@python.org", GOOGLE),
    "3.12": ("thomas@python.org", GOOGLE),
    "3.13": ("thomas@python.org", GOOGLE),
    "3.14": ("hugo@python.org", GITHUB),
    "3.15": ("hugo@python.org", GITHUB),
    "3.16": ("savannah@python.org", GITHUB),
    "3.17": ("savannah@python.org", GITHUB),
}


# --- the shipped CPython map ----------------------------------------------------

NAMES = [
    # name, artifact kind, version, series
    ("Python-3.14.0.tgz", "source-tgz", "3.14.0", "3.14"),
    ("Python-3.14.0.tar.xz", "source-xz", "3.14.0", "3.14"),
    ("Python-3.15.0a8.tar.xz", "source-xz", "3.15.0a8", "3.15"),
    ("Python-3.14.0rc3.tar.xz", "source-xz", "3.14.0rc3", "3.14"),
    ("Python-3.14.0b1.tgz", "source-tgz", "3.14.0b1", "3.14"),
    ("Python-3.7.17.tgz", "source-tgz", "3.7.17", "3.7"),
    ("Python-3.8.20.tar.xz", "source-xz", "3.8.20", "3.8"),
    ("Python-3.9.25.tar.xz", "source-xz", "3.9.25", "3.9"),
    ("Python-3.10.19.tgz", "source-tgz", "3.10.19", "3.10"),
    ("Python-3.11.14.tar.xz", "source-xz", "3.11.14", "3.11"),
    ("Python-3.12.12.tar.xz", "source-xz", "3.12.12", "3.12"),
    ("Python-3.13.5.tar.xz", "source-xz", "3.13.5", "3.13"),
    ("Python-3.16.0a1.tar.xz", "source-xz", "3.16.0a1", "3.16"),
    ("Python-3.17.2.tgz", "source-tgz", "3.17.2", "3.17"),
    ("python-3.14.0-amd64.exe", "windows-installer-amd64", "3.14.0", "3.14"),
    ("python-3.14.0-arm64.exe", "windows-installer-arm64", "3.14.0", "3.14"),
    ("python-3.13.5.exe", "windows-installer-win32", "3.13.5", "3.13"),
    ("python-3.15.0a8-amd64.exe", "windows-installer-amd64", "3.15.0a8", "3.15"),
    ("python-3.14.0-embed-amd64.zip", "windows-embed-amd64", "3.14.0", "3.14"),
    ("python-3.14.0-embed-arm64.zip", "windows-embed-arm64", "3.14.0", "3.14"),
    ("python-3.14.0-embed-win32.zip", "windows-embed-win32", "3.14.0", "3.14"),
    ("python-3.12.0rc3-embed-win32.zip", "windows-embed-win32", "3.12.0rc3", "3.12"),
    ("python-3.14.0-macos11.pkg", "macos-installer", "3.14.0", "3.14"),
    ("python-3.10.11-macos11.pkg", "macos-installer", "3.10.11", "3.10"),
    ("windows-3.14.0.json", "windows-manifest", "3.14.0", "3.14"),
    ("windows-3.16.0b2.json", "windows-manifest", "3.16.0b2", "3.16"),
    ("python-3.14.0-aarch64-linux-android.tar.gz", "android-aarch64", "3.14.0", "3.14"),
    ("python-3.14.0-x86_64-linux-android.tar.gz", "android-x86_64", "3.14.0", "3.14"),
    ("python-3.15.0b1-iOS-XCframework.tar.gz", "ios-xcframework", "3.15.0b1", "3.15"),
]


@pytest.mark.parametrize(("name", "kind", "version", "series"), NAMES)
def test_cpython_names_resolve_to_the_release_manager(
    name: str, kind: str, version: str, series: str
) -> None:
    resolution = resolve(default_map(), name)
    identity, issuer = MANAGERS[series]
    assert (resolution.project, resolution.artifact) == ("cpython", kind)
    assert (resolution.version, resolution.series) == (version, series)
    assert not resolution.exception
    assert [(s.identity, s.issuer) for s in resolution.signers] == [(identity, issuer)]
    assert resolution.policy.describe() == f"identity {identity}, issuer {issuer}"
    assert "python.org" in resolution.source or "release-tools" in resolution.source


def test_shipped_map_covers_every_series_from_3_7_to_3_17() -> None:
    project = default_map().project("cpython")
    assert {s.name: (s.signers[0].identity, s.signers[0].issuer) for s in project.series} == (
        MANAGERS
    )
    assert all(len(s.signers) == 1 for s in project.series)


def test_shipped_map_matches_the_corpus_identity_table(corpus: Path) -> None:
    rows = json.loads((corpus / "cpython" / "signing-identities.json").read_text())
    table = {
        r["Release"]: (r["Release manager"], r["OIDC Issuer"]) for r in rows if "OIDC Issuer" in r
    }
    assert len(table) == 9  # the 3.16 and 3.17 rows are malformed upstream
    project = default_map().project("cpython")
    for series in project.series:
        if series.name in table:
            assert (series.signers[0].identity, series.signers[0].issuer) == table[series.name]


NOT_MATCHING = [
    ("Python-3.14.0.tar.xz.asc", "signature or metadata file"),
    ("Python-3.14.0.tar.xz.sigstore", "signature or metadata file"),
    ("python-3.14.0-amd64.exe.sig", "signature or metadata file"),
    ("Python-3.14.0.tgz.spdx.json", "signature or metadata file"),
    ("Python-3.14.tar.xz", "matches no artifact pattern"),
    ("Python-3.14.0.tar.gz", "matches no artifact pattern"),
    ("python-3.14.0.tar.xz", "matches no artifact pattern"),
    ("Python-3.14.0-amd64.exe", "matches no artifact pattern"),
    ("Python-3.14.0c1.tar.xz", "matches no artifact pattern"),
    ("Python-3.14.0rc.tar.xz", "matches no artifact pattern"),
    ("Python-2.7.18.tgz", "matches no artifact pattern"),
    ("Python-4.0.0.tgz", "matches no artifact pattern"),
    ("windows-3.14.0.json.txt", "matches no artifact pattern"),
    ("python-3.14.0-amd64-webinstall.exe", "matches no artifact pattern"),
    ("Python-3.14.0.tar.xz ", "matches no artifact pattern"),
    ("../Python-3.14.0.tar.xz", "has directory components"),
    ("dist/Python-3.14.0.tar.xz", "has directory components"),
    ("..\\Python-3.14.0.tar.xz", "has directory components"),
    ("/srv/Python-3.14.0.tar.xz", "has directory components"),
    ("..", "has directory components"),
    ("Python-3.14.0.tar.xz\n", "control characters"),
    # non-canonical versions must not land in a series (3.014 is not 3.14)
    ("Python-3.014.0.tar.xz", "matches no artifact pattern"),
    ("Python-3.14.00.tar.xz", "matches no artifact pattern"),
    ("Python-3.14.0rc03.tar.xz", "matches no artifact pattern"),
    ("python-3.010.11-amd64.exe", "matches no artifact pattern"),
    ("Python-3.1\uff14.0.tar.xz", "matches no artifact pattern"),  # fullwidth 4
    ("Python-3.\u0661\u0664.0.tar.xz", "matches no artifact pattern"),  # Arabic-Indic 14
    ("", "artifact name is empty"),
]


@pytest.mark.parametrize(("name", "reason"), NOT_MATCHING)
def test_names_that_must_not_match(name: str, reason: str) -> None:
    with pytest.raises(ReleaseMapError, match=re.escape(reason)):
        resolve(default_map(), name)


def test_unknown_name_says_how_to_add_it() -> None:
    with pytest.raises(ReleaseMapError) as info:
        resolve(default_map(), "curl-8.10.0.tar.xz")
    message = str(info.value)
    assert message.startswith("release-map: 'curl-8.10.0.tar.xz' matches no artifact pattern")
    assert "will not guess" in message
    assert "--map FILE" in message and "--cert-identity" in message


@pytest.mark.parametrize("name", ["Python-3.18.0.tar.xz", "Python-3.6.15.tar.xz"])
def test_series_without_entry_is_refused_with_advice(name: str) -> None:
    with pytest.raises(ReleaseMapError, match="has no signer for its series: add a series entry"):
        resolve(default_map(), name)


# --- the real CPython certificates ------------------------------------------------


def _leaf(path: Path) -> x509.Certificate:
    leaf = Bundle.from_json(path.read_bytes()).material.leaf
    assert leaf is not None
    return leaf


def test_every_corpus_release_satisfies_the_map_and_fails_under_another_series(
    corpus: Path,
) -> None:
    cases = json.loads((corpus / "cpython" / "cases.json").read_text())["cases"]
    checked = 0
    for case in cases:
        if case["expected"] != "pass":
            continue
        leaf = _leaf(corpus / "cpython" / case["bundle"])
        resolution = resolve(default_map(), case["artifact_name"])
        resolution.policy.check(leaf)
        # The same certificate presented as another release manager's file.
        other = (
            "Python-3.13.0.tar.xz"
            if resolution.series in ("3.14", "3.15")
            else ("Python-3.14.0.tar.xz")
        )
        with pytest.raises(PolicyError, match=r"SAN mismatch|OIDC issuer mismatch"):
            resolve(default_map(), other).policy.check(leaf)
        checked += 1
    assert checked == 87


def test_thomas_certificate_under_a_3_14_name_says_who_was_expected(corpus: Path) -> None:
    leaf = _leaf(corpus / "cpython" / "bundles" / "Python-3.13.5.tar.xz.sigstore")
    policy = resolve(default_map(), "Python-3.14.0.tar.xz").policy
    with pytest.raises(PolicyError) as info:
        policy.check(leaf)
    assert info.value.detail == (
        "SAN mismatch: expected hugo@python.org, certificate has thomas@python.org"
    )


# --- a second, non-CPython map ------------------------------------------------------


@pytest.fixture(scope="module")
def beacon() -> ReleaseMap:
    return ReleaseMap.load(BEACON_MAP)


@pytest.fixture
def beacon_leaf(corpus: Path) -> x509.Certificate:
    return _leaf(corpus / "conformance" / "cases" / "happy-path-v0.3" / "bundle.sigstore.json")


@pytest.mark.parametrize(
    ("name", "series"),
    [
        ("oidc-beacon-1.2.0.tar.gz", "1"),
        ("oidc-beacon-1.4.2.tar.gz", "1"),
        ("oidc-beacon-2.0.0.tar.gz", "2"),
        ("oidc-beacon-2.1.0-rc.1-linux-amd64.tar.gz", "2"),
    ],
)
def test_conformance_workflow_identity_satisfies_the_beacon_map(
    beacon: ReleaseMap, beacon_leaf: x509.Certificate, name: str, series: str
) -> None:
    resolution = resolve(beacon, name)
    assert (resolution.project, resolution.series) == ("oidc-beacon", series)
    resolution.policy.check(beacon_leaf)


def test_beacon_series_2_passes_on_generic_claims_only(
    beacon: ReleaseMap, beacon_leaf: x509.Certificate
) -> None:
    first, second = resolve(beacon, "oidc-beacon-2.0.0.tar.gz").signers
    with pytest.raises(PolicyError, match="SAN mismatch"):
        first.policy.check(beacon_leaf)
    second.policy.check(beacon_leaf)
    assert second.identity is None and second.github_workflow is not None


def test_beacon_release_exception_overrides_the_series_for_its_artifact_only(
    beacon: ReleaseMap, beacon_leaf: x509.Certificate
) -> None:
    resolution = resolve(beacon, "oidc-beacon-1.4.2-linux-amd64.tar.gz")
    assert resolution.exception and resolution.series == "1"
    assert resolution.source.startswith("test fixture")
    with pytest.raises(
        PolicyError,
        match=re.escape("ref mismatch: expected refs/tags/v1.4.2, certificate has refs/heads/main"),
    ):
        resolution.policy.check(beacon_leaf)
    assert not resolve(beacon, "oidc-beacon-1.4.2.tar.gz").exception


def test_beacon_series_without_signers_is_refused(beacon: ReleaseMap) -> None:
    with pytest.raises(
        ReleaseMapError, match=r"series 0 of oidc-beacon lists no signers .*predate"
    ):
        resolve(beacon, "oidc-beacon-0.9.0.tar.gz")


def test_cpython_certificate_does_not_satisfy_the_beacon_map(
    beacon: ReleaseMap, corpus: Path
) -> None:
    leaf = _leaf(corpus / "cpython" / "bundles" / "Python-3.14.3.tar.xz.sigstore")
    with pytest.raises(PolicyError, match=r"SAN mismatch: expected https://github.com/sigstore"):
        resolve(beacon, "oidc-beacon-1.0.0.tar.gz").policy.check(leaf)
    with pytest.raises(PolicyError, match=r"no allowed signer matched .*OIDC issuer mismatch"):
        resolve(beacon, "oidc-beacon-2.0.0.tar.gz").policy.check(leaf)


def test_cpython_names_are_unknown_to_the_beacon_map(beacon: ReleaseMap) -> None:
    with pytest.raises(
        ReleaseMapError, match=r"matches no artifact pattern in release map .*oidc-beacon"
    ):
        resolve(beacon, "Python-3.14.0.tar.xz")


# --- strict schema: one case per kind of problem, with its position ----------------

VALID = r"""schema: 1
projects:
  demo:
    source: test data
    version_pattern: '\d+\.\d+\.\d+'
    artifacts:
      tarball:
        pattern: '^demo-{version}\.tar\.gz$'
        examples: [demo-1.0.0.tar.gz]
    series:
      "1":
        source: test data
        signers:
          - identity: a@example.com
            issuer: https://issuer.example
"""


def test_valid_minimal_map_loads() -> None:
    release_map = ReleaseMap.from_text(VALID, "demo.yaml")
    assert resolve(release_map, "demo-1.2.3.tar.gz").signers[0].identity == "a@example.com"


def edit(old: str, new: str) -> str:
    assert VALID.count(old) == 1, old
    return VALID.replace(old, new)


SCHEMA_CASES = [
    # (id, text, line, column, message fragment)
    (
        "yaml-syntax",
        "schema: 1\nprojects: [\n",
        3,
        1,
        "YAML syntax error: while parsing a flow node",
    ),
    ("not-utf8-char", "schema: 1\x00\n", 1, 10, "YAML error: unacceptable character #x0000"),
    ("empty", "", 1, 1, "the release map is empty"),
    ("top-is-list", "- schema: 1\n", 1, 1, "release map: expected a mapping, found a list"),
    ("schema-missing", edit("schema: 1\n", ""), 1, 1, "release map: missing required key 'schema'"),
    ("schema-unsupported", edit("schema: 1", "schema: 2"), 1, 9, "schema 2 is not supported"),
    (
        "schema-string",
        edit("schema: 1", "schema: '1'"),
        1,
        9,
        "schema: expected the integer 1, found a string",
    ),
    (
        "unknown-top-key",
        edit("projects:", "projetcs:"),
        2,
        1,
        "unknown key 'projetcs' (did you mean 'projects'?)",
    ),
    (
        "duplicate-key",
        edit(
            "    source: test data\n    version",
            "    source: test data\n    source: again\n    version",
        ),
        5,
        5,
        "project demo: duplicate key 'source' (first at line 4)",
    ),
    (
        "unknown-key",
        edit("    version_pattern", "    versoin_pattern"),
        5,
        5,
        "unknown key 'versoin_pattern' (did you mean 'version_pattern'?)",
    ),
    (
        "missing-source-project",
        edit("    source: test data\n    version", "    version"),
        4,
        5,
        "project demo: missing 'source:' note",
    ),
    (
        "missing-source-series",
        edit("        source: test data\n        signers", "        signers"),
        12,
        9,
        "series demo 1: missing 'source:' note",
    ),
    (
        "empty-source",
        edit("        source: test data\n        signers", "        source: ''\n        signers"),
        12,
        17,
        "series demo 1: source: must not be empty",
    ),
    (
        "wrong-type-signers",
        edit("        signers:\n", "        signers: {}\n        x:\n"),
        13,
        18,
        "signers: expected a list, found a mapping",
    ),
    (
        "wrong-type-identity",
        edit("identity: a@example.com", "identity: 42"),
        14,
        23,
        'identity: expected a string, found an integer (quote it: "42")',
    ),
    (
        "unquoted-series",
        edit('"1":', "1.10:"),
        11,
        7,
        'key 1.10 must be quoted ("1.10"); unquoted, YAML reads it as a number',
    ),
    (
        "series-not-numbers",
        edit('"1":', '"one":'),
        11,
        7,
        'series demo one: expected dotted numbers such as "3.14"',
    ),
    (
        "overlapping-series",
        edit(
            "    series:\n", '    series:\n      "1.2":\n        source: s\n        signers: []\n'
        ),
        14,
        7,
        'series demo 1: overlaps series "1.2" (line 11): version 1.2 would belong to both',
    ),
    (
        "unanchored-regexp",
        edit("identity: a@example.com", "identity_regexp: '.*@example\\.com'"),
        14,
        30,
        "identity_regexp '.*@example\\\\.com' must be anchored",
    ),
    (
        "escaped-dollar",
        edit("identity: a@example.com", "identity_regexp: '^a@example\\.com\\$'"),
        14,
        30,
        "must be anchored",
    ),
    (
        "broken-regexp",
        edit("identity: a@example.com", "identity_regexp: '^(a$'"),
        14,
        30,
        "is not a valid regular expression: missing )",
    ),
    (
        "identity-and-regexp",
        edit("            issuer:", "            identity_regexp: '^b$'\n            issuer:"),
        15,
        13,
        "give identity or identity_regexp, not both",
    ),
    (
        "missing-issuer",
        edit("            issuer: https://issuer.example\n", ""),
        14,
        13,
        "missing 'issuer' (the OIDC issuer URL) or 'issuer_regexp'",
    ),
    (
        "signer-without-identity",
        edit("          - identity: a@example.com\n            issuer", "          - issuer"),
        14,
        13,
        "needs identity, identity_regexp or github_workflow",
    ),
    (
        "unknown-claim",
        edit(
            "            issuer: https://issuer.example\n",
            "            issuer: https://issuer.example\n"
            "            github_workflow:\n"
            "              repositry: o/r\n",
        ),
        17,
        15,
        "unknown key 'repositry' (did you mean 'repository'?)",
    ),
    (
        "empty-claims",
        edit(
            "            issuer: https://issuer.example\n",
            "            issuer: https://issuer.example\n            github_workflow: {}\n",
        ),
        16,
        30,
        "github_workflow: give at least one claim",
    ),
    (
        "pattern-unanchored",
        edit(r"'^demo-{version}\.tar\.gz$'", r"'demo-{version}\.tar\.gz'"),
        8,
        18,
        "pattern 'demo-{version}\\\\.tar\\\\.gz' must be anchored",
    ),
    (
        "pattern-no-version",
        edit(r"'^demo-{version}\.tar\.gz$'", r"'^demo\.tar\.gz$'"),
        8,
        18,
        "must contain {version} exactly once",
    ),
    (
        "pattern-named-group",
        edit(r"'^demo-{version}\.tar\.gz$'", r"'^(?P<x>demo)-{version}\.tar\.gz$'"),
        8,
        18,
        "must not define named groups",
    ),
    (
        "version-pattern-anchored",
        edit(r"'\d+\.\d+\.\d+'", r"'^\d+\.\d+\.\d+$'"),
        5,
        22,
        "do not anchor it with ^ or $",
    ),
    (
        "version-pattern-empty-match",
        edit(r"'\d+\.\d+\.\d+'", r"'\d*'"),
        5,
        22,
        "matches the empty string",
    ),
    (
        "example-mismatch",
        edit("[demo-1.0.0.tar.gz]", "[demo-1.0.tar.gz]"),
        9,
        20,
        "example 'demo-1.0.tar.gz' does not match the pattern of demo/tarball",
    ),
    (
        "example-overlap",
        edit(
            "    series:\n", "      any:\n        pattern: '^demo-{version}\\..*$'\n    series:\n"
        ),
        9,
        20,
        "example 'demo-1.0.0.tar.gz' of demo/tarball also matches demo/any: "
        "artifact patterns overlap",
    ),
    (
        "release-bad-version",
        VALID + '    releases:\n      "1.0":\n        source: s\n        signers: []\n',
        17,
        7,
        "release demo 1.0: '1.0' does not match version_pattern",
    ),
    (
        "release-unknown-kind",
        VALID
        + '    releases:\n      "1.0.1":\n        source: s\n'
        + "        artifacts: [tarbal]\n        signers: []\n",
        19,
        21,
        "unknown artifact kind 'tarbal' (did you mean 'tarball'?)",
    ),
    (
        "custom-tag",
        edit("issuer: https://issuer.example", "issuer: !!python/name:os.system ''"),
        15,
        21,
        "issuer: expected a string, found a value tagged tag:yaml.org,2002:python/name:os.system",
    ),
    (
        "merge-key",
        edit(
            "    source: test data\n    version",
            "    <<: {source: x}\n    source: test data\n    version",
        ),
        4,
        5,
        "keys must be strings, found a merge key (<<)",
    ),
    (
        "project-not-mapping",
        edit("  demo:\n", "  demo: []\n  other:\n"),
        3,
        9,
        "project demo: expected a mapping, found a list",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [case[1:] for case in SCHEMA_CASES],
    ids=[case[0] for case in SCHEMA_CASES],
)
def test_each_schema_problem_has_its_own_message_and_position(
    text: str, line: int, column: int, message: str
) -> None:
    with pytest.raises(InvalidReleaseMapError) as info:
        ReleaseMap.from_text(text, "map.yaml")
    problems = info.value.problems
    found = [p for p in problems if message in p.message]
    assert found, [str(p) for p in problems]
    assert (found[0].line, found[0].column) == (line, column), str(found[0])
    assert str(found[0]).startswith(f"map.yaml:{line}:{column}: ")


def test_every_problem_is_reported_in_one_pass() -> None:
    text = (
        VALID.replace("projects:\n  demo:", "projects:\n  demo:\n    colour: blue")
        .replace('"1":', "1.10:")
        .replace("identity: a@example.com", "identity_regexp: 'a.*'")
    )
    with pytest.raises(InvalidReleaseMapError) as info:
        ReleaseMap.from_text(text, "many.yaml")
    lines = str(info.value).splitlines()
    assert lines[0] == "release-map: 3 problems in release map:"
    assert lines[1].startswith("many.yaml:4:5: project demo: unknown key 'colour'")
    assert lines[2].startswith("many.yaml:12:7: project demo: series: key 1.10 must be quoted")
    assert lines[3].startswith("many.yaml:15:30: series demo 1.10: signer: identity_regexp 'a.*'")


def test_overlapping_patterns_without_examples_are_refused_at_resolve_time() -> None:
    text = edit(
        "    series:\n", "      any:\n        pattern: '^demo-{version}\\..*$'\n    series:\n"
    )
    text = text.replace("        examples: [demo-1.0.0.tar.gz]\n", "")
    release_map = ReleaseMap.from_text(text, "overlap.yaml")
    with pytest.raises(
        ReleaseMapError, match=r"matches several artifact kinds .*\(demo/tarball, demo/any\)"
    ):
        resolve(release_map, "demo-1.0.0.tar.gz")


# --- loading ------------------------------------------------------------------------


def test_load_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"cannot read release map .*nope.yaml"):
        ReleaseMap.load(tmp_path / "nope.yaml")


def test_load_non_utf8_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"schema: 1\n# caf\xe9\n")
    with pytest.raises(InvalidReleaseMapError, match=r"latin1.yaml:2:1: not UTF-8 text"):
        ReleaseMap.load(path)


def test_load_reads_the_file_and_names_it(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(VALID)
    assert ReleaseMap.load(path).filename == str(path)
    path.write_text(edit("schema: 1", "schema: 3"))
    with pytest.raises(InvalidReleaseMapError, match=re.escape(f"{path}:1:9: schema 3")):
        ReleaseMap.load(path)


def test_unknown_project() -> None:
    with pytest.raises(ReleaseMapError, match=r"has no project 'cpyton' .projects: cpython."):
        default_map().project("cpyton")


# --- property tests: malformed input gives our error, never a traceback -----------


def _parse_or_our_error(text: str) -> None:
    try:
        ReleaseMap.from_text(text, "fuzz.yaml")
    except InvalidReleaseMapError as exc:
        assert exc.problems
        assert all(p.line >= 1 and p.column >= 1 for p in exc.problems)


@settings(deadline=None, max_examples=300)
@given(st.text(max_size=400))
def test_random_text_is_rejected_cleanly(text: str) -> None:
    _parse_or_our_error(text)


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(alphabet=string.printable, max_size=30),
    st.sampled_from(["^a$", "1", "3.14", "{version}", "^x-{version}$", "schema", "projects"]),
)
_keys = st.sampled_from(
    [
        "schema",
        "projects",
        "demo",
        "source",
        "version_pattern",
        "artifacts",
        "series",
        "releases",
        "pattern",
        "examples",
        "signers",
        "identity",
        "issuer",
        "identity_regexp",
        "github_workflow",
        "ref",
        "artifacts",
        "1",
        "1.2",
        "x",
    ]
)
_documents = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(_keys, children, max_size=5)
    ),
    max_leaves=30,
)


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_documents)
def test_random_yaml_structures_are_rejected_cleanly(document: object) -> None:
    _parse_or_our_error(yaml.safe_dump(document))


@settings(deadline=None, max_examples=300)
@given(st.data())
def test_mutated_valid_maps_are_rejected_cleanly(data: st.DataObject) -> None:
    text = data.draw(st.sampled_from([VALID, BEACON_MAP.read_text()]))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 5))
        insert = data.draw(st.text(alphabet=":-[]{}'\"\n #&*!|>^$.\\0123", max_size=4))
        text = text[:at] + insert + text[at + cut :]
    _parse_or_our_error(text)


@settings(deadline=None, max_examples=200)
@given(st.text(max_size=60))
def test_random_names_resolve_or_give_our_error(name: str) -> None:
    try:
        resolution = resolve(default_map(), name)
    except ReleaseMapError:
        return
    assert resolution.project == "cpython" and resolution.signers


# --- patterns that can match without a version, YAML tags and aliases ---------------

SKIPPABLE_VERSION = [
    # (pattern, a name it matches with the version group unset)
    (r"^demo-{version}\.tar\.gz$|^evil$", "evil"),
    (r"^demo-(?:{version})?\.tar\.gz$", "demo-.tar.gz"),
    (r"^(?:demo-{version}|evil)\.tar\.gz$", "evil.tar.gz"),
]


@pytest.mark.parametrize(("pattern", "name"), SKIPPABLE_VERSION)
def test_a_match_without_a_version_fails_closed_at_resolve_time(pattern: str, name: str) -> None:
    text = edit(r"'^demo-{version}\.tar\.gz$'", f"'{pattern}'")
    text = text.replace("        examples: [demo-1.0.0.tar.gz]\n", "")
    release_map = ReleaseMap.from_text(text, "skip.yaml")
    assert resolve(release_map, "demo-1.0.0.tar.gz").version == "1.0.0"
    with pytest.raises(ReleaseMapError) as info:
        resolve(release_map, name)
    assert f"{name!r} matched the pattern of demo/tarball" in str(info.value)
    assert "without a version" in str(info.value)


def test_an_example_that_matches_without_a_version_is_a_map_problem() -> None:
    text = edit(r"'^demo-{version}\.tar\.gz$'", r"'^demo-{version}\.tar\.gz$|^evil$'")
    text = text.replace("examples: [demo-1.0.0.tar.gz]", "examples: [demo-1.0.0.tar.gz, evil]")
    with pytest.raises(InvalidReleaseMapError) as info:
        ReleaseMap.from_text(text, "skip.yaml")
    assert [str(p) for p in info.value.problems] == [
        "skip.yaml:9:39: example 'evil' matches the pattern of demo/tarball without a "
        "version: the pattern must not make {version} optional"
    ]


@pytest.mark.parametrize(
    ("old", "new", "line", "column", "message"),
    [
        (
            "  demo:\n",
            "  demo: !!python/object:os.system\n",
            3,
            9,
            "project demo: expected a mapping, found a value tagged "
            "tag:yaml.org,2002:python/object:os.system",
        ),
        (
            "projects:\n",
            "projects: !!python/dict\n",
            2,
            11,
            "projects: expected a mapping, found a value tagged tag:yaml.org,2002:python/dict",
        ),
        (
            "        signers:\n",
            "        signers: !!python/tuple\n",
            13,
            18,
            "series demo 1: signers: expected a list, found a value tagged "
            "tag:yaml.org,2002:python/tuple",
        ),
        (
            "examples: [demo-1.0.0.tar.gz]",
            "examples: !!python/tuple [demo-1.0.0.tar.gz]",
            9,
            19,
            "artifact demo/tarball: examples: expected a list, found a value tagged "
            "tag:yaml.org,2002:python/tuple",
        ),
    ],
)
def test_collections_with_foreign_tags_are_refused(
    old: str, new: str, line: int, column: int, message: str
) -> None:
    with pytest.raises(InvalidReleaseMapError) as info:
        ReleaseMap.from_text(edit(old, new), "tags.yaml")
    assert f"tags.yaml:{line}:{column}: {message}" in [str(p) for p in info.value.problems]


def test_yaml_aliases_are_refused_where_they_are_used() -> None:
    text = edit("        signers:\n", "        signers: &rm\n") + (
        '      "2":\n        source: test data\n        signers: *rm\n'
    )
    with pytest.raises(InvalidReleaseMapError) as info:
        ReleaseMap.from_text(text, "alias.yaml")
    assert [str(p) for p in info.value.problems] == [
        "alias.yaml:18:18: YAML alias *rm: a release map must not use aliases or merge keys; "
        "write each entry out so that a reviewer sees it"
    ]


def test_alias_fan_out_is_refused_before_it_is_walked() -> None:
    examples = ", ".join(f"demo-1.0.{n}.tar.gz" for n in range(200))
    kinds = "".join(
        f"      k{n}:\n        pattern: '^demo{n}-{{version}}\\.tar\\.gz$'\n        examples: *ex\n"
        for n in range(200)
    )
    text = edit("examples: [demo-1.0.0.tar.gz]", f"examples: &ex [{examples}]")
    text = text.replace("    series:\n", kinds + "    series:\n")
    with pytest.raises(InvalidReleaseMapError) as info:
        ReleaseMap.from_text(text, "fan.yaml")
    assert len(info.value.problems) == 200
    assert all("YAML alias *ex" in p.message for p in info.value.problems)


def _many_series_map(names: list[str]) -> str:
    series = "".join(
        f'      "{name}":\n        source: s\n        signers:\n'
        "          - identity: a@example.org\n            issuer: https://accounts.google.com\n"
        for name in names
    )
    return (
        "schema: 1\nprojects:\n  big:\n    description: many series\n    source: generated\n"
        "    version_pattern: '[0-9]+\\.[0-9]+\\.[0-9]+'\n    artifacts:\n      src:\n"
        "        description: source\n        pattern: '^big-{version}\\.tar\\.gz$'\n"
        "        examples: [big-1.2.3.tar.gz]\n    series:\n" + series
    )


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        # a longer series after its prefix, and a prefix after a longer series
        (["7.7.1"], 'series big 7.7.1: overlaps series "7.7" (line'),
        (["29"], 'series big 29: overlaps series "29.0" (line'),
    ],
)
def test_overlaps_are_found_among_thousands_of_series(extra: list[str], expected: str) -> None:
    """Overlap checking is linear (it was pairwise: 4,000 series took minutes)."""
    names = [f"{i // 100}.{i % 100}" for i in range(3000)]
    release_map_text = _many_series_map([*names, *extra])
    with pytest.raises(InvalidReleaseMapError) as raised:
        ReleaseMap.from_text(release_map_text, "big.yaml")
    problems = [str(p) for p in raised.value.problems]
    assert len(problems) == 1, problems
    assert expected in problems[0]
    assert ReleaseMap.from_text(_many_series_map(names), "big.yaml").projects[0].name == "big"


def _map_at_the_size_limit() -> tuple[str, int]:
    """The longest `_many_series_map` within MAX_MAP_BYTES, and its series count."""
    entry = len(_many_series_map(["0.0", "0.1"])) - len(_many_series_map(["0.0"]))
    count = (MAX_MAP_BYTES - len(_many_series_map([]))) // entry
    names = [f"{i // 1000}.{i % 1000}" for i in range(count)]
    text = _many_series_map(names)
    while len(text.encode()) > MAX_MAP_BYTES:
        names.pop()
        text = _many_series_map(names)
    return text, len(names)


def test_a_map_at_the_size_limit_is_read_strictly_and_resolves(tmp_path: Path) -> None:
    """Every check of a map is linear: one at the bound is read whole, by both loaders."""
    text, count = _map_at_the_size_limit()
    assert MAX_MAP_BYTES - 200 < len(text.encode()) <= MAX_MAP_BYTES
    path = tmp_path / "big.yaml"
    path.write_text(text)
    warnings: list[object] = []
    strict = ReleaseMap.load(str(path), strict=True, warnings=warnings)
    assert (len(strict.projects[0].series), warnings) == (count, [])
    last = f"{(count - 1) // 1000}.{(count - 1) % 1000}"
    resolution = resolve(ReleaseMap.load(str(path)), f"big-{last}.7.tar.gz")
    assert resolution.series == last
    path.write_text(text + " " * (MAX_MAP_BYTES + 1 - len(text.encode())))
    with pytest.raises(ReleaseMapError, match=f"larger than {MAX_MAP_BYTES} bytes"):
        ReleaseMap.load(str(path))

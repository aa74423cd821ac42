"""The shipped CPython map's facts (known digests, not_signed_before), recomputed from the corpus.

Every value the map records about a release must come from real data: this
test derives them from ``../shared/corpus/cpython`` and compares them with the
shipped map, both ways (no fact missing, none the corpus does not give):

* a known digest for each python.org bundle in the corpus that verifies
  (by its digest, against the corpus's production trusted root, with the
  signer the shipped map names for the file), where the bundle's message
  digest, the index's ``artifact_sha256`` and the tracker's recorded sha256
  agree;
* a series' ``not_signed_before`` only where the corpus holds the series'
  first possible release (``X.Y.0a1``): the earliest verified time of its
  bundle, rounded down to the first of its month (UTC), to leave room for
  that release's other files, which the corpus does not show. Any later
  first release in the corpus would give a bound that rejects genuine
  earlier releases, so none is derived for the other series.

``python -m tests.corpus.test_map_facts`` prints the derived facts as YAML.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from srcverify.cli.main import main
from srcverify.releasemap.resolve import default_map, resolve
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.trustroot import TrustedRoot
from srcverify.sigstore.verify import verify_bundle
from tests.conftest import CORPUS

INDEX = CORPUS / "cpython" / "cases.json"


def month_floor(when: datetime) -> datetime:
    """The first instant of ``when``'s month, UTC."""
    return when.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def derive(index: Path = INDEX) -> tuple[dict[str, dict[str, str]], dict[str, datetime]]:
    """Known digests by series, ``{series: {file name: sha256}}``, and series bounds."""
    data = json.loads(index.read_text())
    roots: dict[str, TrustedRoot] = {}
    now = datetime.now(UTC)
    digests: dict[str, dict[str, str]] = {}
    earliest: dict[str, datetime] = {}
    for case in data["cases"]:
        if case["expected"] != "pass":
            continue
        name, sha256 = case["artifact_name"], case["artifact_sha256"]
        facts = case["bundle_facts"]
        recorded = {facts["message_digest_sha256"], facts.get("tracker_recorded_sha256", sha256)}
        assert recorded == {sha256}, f"{name}: the corpus's digests disagree: {recorded}"
        resolution = resolve(default_map(), name)
        bundle = Bundle.from_json((index.parent / case["bundle"]).read_bytes())
        root_path = index.parent / case["trusted_root"]
        if case["trusted_root"] not in roots:
            roots[case["trusted_root"]] = TrustedRoot.from_json(root_path.read_bytes())
        receipt = verify_bundle(
            bundle,
            {"sha256": bytes.fromhex(sha256)},
            trusted_root=roots[case["trusted_root"]],
            policy=resolution.policy,
            now=now,
            artifact_name=name,
        )
        assert resolution.series is not None
        digests.setdefault(resolution.series, {})[name] = sha256
        earliest[resolution.version] = min(t.time for t in receipt.verified_times)
    bounds = {
        series: month_floor(earliest[f"{series}.0a1"])
        for series in digests
        if f"{series}.0a1" in earliest
    }
    return digests, bounds


def _shipped() -> tuple[dict[str, dict[str, str]], dict[str, datetime]]:
    project = default_map().project("cpython")
    digests = {s.name: {d.name: d.sha256 for d in s.digests} for s in project.series if s.digests}
    bounds = {s.name: s.not_signed_before for s in project.series if s.not_signed_before}
    assert not [r for r in project.releases if r.digests or r.not_signed_before], (
        "facts on release entries: extend this test to derive them"
    )
    return digests, bounds  # type: ignore[return-value]


def _yaml(digests: dict[str, dict[str, str]], bounds: dict[str, datetime]) -> str:
    lines = []
    for series, files in digests.items():
        lines.append(f'      "{series}":')
        if series in bounds:
            lines.append(f"        not_signed_before: {bounds[series]:%Y-%m-%dT%H:%M:%SZ}")
        lines.append("        digests:")
        lines.extend(f"          {n}: {{sha256: {files[n]}}}" for n in sorted(files, key=_order))
    return "\n".join(lines)


def _order(name: str) -> tuple[Any, ...]:
    """Release order: 3.13.0a4 < 3.13.0b2 < 3.13.0rc2 < 3.13.0 < 3.13.1."""
    match = re.search(r"(\d+)\.(\d+)\.(\d+)(?:(a|b|rc)(\d+))?", name)
    assert match is not None, name
    major, minor, micro, pre, number = match.groups()
    rank = {"a": 0, "b": 1, "rc": 2, None: 3}[pre]
    return int(major), int(minor), int(micro), rank, int(number or 0), name


@pytest.fixture(scope="module")
def derived() -> tuple[dict[str, dict[str, str]], dict[str, datetime]]:
    if not INDEX.is_file():
        pytest.skip(f"corpus absent: {INDEX}")
    return derive()


def test_known_digests_are_the_corpus_ones(derived: Any) -> None:
    digests, bounds = derived
    shipped_digests, _ = _shipped()
    assert shipped_digests == digests, "derived facts:\n" + _yaml(digests, bounds)


def test_series_bounds_are_the_corpus_ones(derived: Any) -> None:
    digests, bounds = derived
    _, shipped_bounds = _shipped()
    assert shipped_bounds == bounds, "derived facts:\n" + _yaml(digests, bounds)
    assert bounds, "the corpus holds 3.14.0a1: 3.14 gets a bound"


def _case(name: str) -> dict[str, Any]:
    cases = json.loads(INDEX.read_text())["cases"]
    return next(c for c in cases if c["expected"] == "pass" and c["artifact_name"] == name)


def test_real_3_13_0_presented_as_3_13_5_is_rejected_by_the_known_digest(
    derived: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Same signer, same series: only the map's fact tells the releases apart here
    (a bare digest: no archive is read, so no top directory is checked)."""
    old = _case("Python-3.13.0.tar.xz")
    bundle = str(INDEX.parent / old["bundle"])
    digest = f"sha256:{old['artifact_sha256']}"
    assert main(["verify", "--bundle", bundle, "--digest", digest, "Python-3.13.0.tar.xz"]) == 0
    capsys.readouterr()
    assert main(["verify", "--bundle", bundle, "--digest", digest, "Python-3.13.5.tar.xz"]) == 1
    err = capsys.readouterr().err
    assert (
        "REJECTED Python-3.13.5.tar.xz: name: Python-3.13.5.tar.xz: the release map knows its "
        f"sha256 as {_case('Python-3.13.5.tar.xz')['artifact_sha256']} (series 3.13 of cpython), "
        f"but the artifact's sha256 is {old['artifact_sha256']}: the content is another file"
    ) in err


def test_real_3_13_5_tarball_presented_as_3_13_6_is_rejected_by_the_known_digest(
    derived: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real tarball's digest (hashed here), named as the next release: the shipped
    map's known digest of 3.13.6 rejects it (given the file itself, the archive's top
    directory would reject it first)."""
    tarball = INDEX.parent / "artifacts" / "Python-3.13.5.tar.xz"
    bundle = INDEX.parent / "bundles" / "Python-3.13.5.tar.xz.sigstore"
    digest = "sha256:" + hashlib.sha256(tarball.read_bytes()).hexdigest()
    argv = ["verify", "--bundle", str(bundle), "--digest", digest, "Python-3.13.6.tar.xz"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "name: Python-3.13.6.tar.xz: the release map knows its sha256 as " in err
    assert f"{_case('Python-3.13.6.tar.xz')['artifact_sha256']} (series 3.13 of cpython)" in err


def test_batch_rejects_the_swapped_line_only(
    derived: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mirror list in which 3.13.0's bundle and digest stand in for 3.13.5's."""
    old, new = _case("Python-3.13.0.tar.xz"), _case("Python-3.13.5.tar.xz")
    lines = [
        f"Python-3.13.0.tar.xz {INDEX.parent / old['bundle']} sha256:{old['artifact_sha256']}",
        f"Python-3.13.5.tar.xz {INDEX.parent / old['bundle']} sha256:{old['artifact_sha256']}",
        f"Python-3.13.5.tar.xz {INDEX.parent / new['bundle']} sha256:{new['artifact_sha256']}",
    ]
    listing = tmp_path / "list"
    listing.write_text("".join(f"{line}\n" for line in lines))
    assert main(["verify", "--json", "--batch", str(listing)]) == 1
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["exit_code"] for r in records] == [0, 1, 0]
    assert records[1]["step"] == "name"
    assert records[1]["error"].startswith(
        f"Python-3.13.5.tar.xz: the release map knows its sha256 as {new['artifact_sha256']} "
    )
    assert records[2]["name_bound_by"] == "known digest sha256 (series 3.13 of cpython)"
    assert "REJECTED Python-3.13.5.tar.xz: name: " in err and f"({listing}:2)" in err


_RELEASE_BOUND_MAP = """\
schema: 1
projects:
  cpython:
    source: a packager's own map, with a release's signing-time bound and no digests
    version_pattern: '3\\.[0-9]+\\.[0-9]+'
    artifacts:
      source-xz:
        pattern: '^Python-{{version}}\\.tar\\.xz$'
    series:
      "3.13":
        source: python.org
        signers:
          - identity: thomas@python.org
            issuer: https://accounts.google.com
    releases:
      "{version}":
        source: the day its real bundle was logged (tests/corpus/test_map_facts.py)
        not_signed_before: {bound}
"""


def _day(name: str) -> datetime:
    """The UTC day the real bundle of ``name`` was logged on (from the bundle)."""
    bundle = json.loads((INDEX.parent / _case(name)["bundle"]).read_text())
    entry = bundle["verificationMaterial"]["tlogEntries"][0]
    logged = datetime.fromtimestamp(int(entry["integratedTime"]), UTC)
    return logged.replace(hour=0, minute=0, second=0)


@pytest.mark.parametrize(
    ("old", "presented_as", "by_path"),
    [
        ("Python-3.13.0.tar.xz", "Python-3.13.5.tar.xz", False),
        ("Python-3.13.5.tar.xz", "Python-3.13.6.tar.xz", True),
    ],
)
def test_real_older_release_is_rejected_by_a_release_signing_time_bound(
    derived: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    presented_as: str,
    by_path: bool,
) -> None:
    version = presented_as.removeprefix("Python-").removesuffix(".tar.xz")
    bound = _day(presented_as)
    map_file = tmp_path / "own.yaml"
    map_file.write_text(
        _RELEASE_BOUND_MAP.format(version=version, bound=f"{bound:%Y-%m-%dT%H:%M:%SZ}")
    )
    case = _case(old)
    bundle = str(INDEX.parent / case["bundle"])
    if by_path:
        artifact = tmp_path / presented_as
        shutil.copyfile(INDEX.parent / case["artifact"], artifact)
        argv = [str(artifact)]
    else:
        argv = ["--digest", f"sha256:{case['artifact_sha256']}", presented_as]
    assert main(["verify", "--map", str(map_file), "--bundle", bundle, *argv]) == 1
    err = capsys.readouterr().err
    logged = int(case["bundle_facts"]["integrated_time"])
    assert (
        f"name: {presented_as} names release {version}, which the release map says was not "
        f"signed before {bound:%Y-%m-%dT%H:%M:%SZ} (release {version} of cpython), but the "
        f"evidence's earliest verified time is "
        f"{datetime.fromtimestamp(logged, UTC):%Y-%m-%dT%H:%M:%SZ} (transparency-log, "
    ) in err


PYPI_INDEX = CORPUS / "pypi-attestations" / "index.json"


def test_shipped_pypi_digests_are_the_attested_corpus_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each known sdist digest in maps/pypi.yaml is the corpus index's, and its real evidence
    (production instance) verifies by it through the shipped map, which it then binds."""
    if not PYPI_INDEX.is_file():
        pytest.skip(f"corpus absent: {PYPI_INDEX}")
    index = json.loads(PYPI_INDEX.read_text())
    shipped = {
        d.name: d.sha256
        for release_map in [default_map()]
        for p in release_map.projects
        if p.name != "cpython"
        for entry in (*p.series, *p.releases)
        for d in entry.digests
    }
    production = {
        a["distribution"]: a["file"]
        for a in index["attestations"]
        if a["instance"] == "production" and a["expected"] == "pass"
    }
    assert set(shipped) == set(production)
    root = str(CORPUS / "trust" / "production" / "trusted_root.json")
    for name, sha256 in shipped.items():
        assert index["distributions"][name]["sha256"] == sha256
        evidence = str(PYPI_INDEX.parent / production[name])
        argv = ["verify", "--json", "--trusted-root", root, "--bundle", evidence]
        assert main([*argv, "--digest", f"sha256:{sha256}", name]) == 0
        record = json.loads(capsys.readouterr().out)
        found = resolve(default_map(), name)
        assert record["name_bound_by"] == (
            f"in-toto subject name and known digest sha256 "
            f"(release {found.version} of {found.project})"
        )


if __name__ == "__main__":
    print(_yaml(*derive()))
    sys.exit(0)

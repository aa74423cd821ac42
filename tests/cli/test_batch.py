"""`srcverify verify --batch LIST` and `-j N`: verdicts, reasons and exit codes per line."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from srcverify.cli.batch import LONG_BATCH, Progress, read_list
from srcverify.cli.main import main
from tests.conftest import CORPUS

CPYTHON = CORPUS / "cpython"
BUNDLES = CPYTHON / "bundles"
TARBALL = CPYTHON / "artifacts" / "Python-3.13.5.tar.xz"
BUNDLE = BUNDLES / "Python-3.13.5.tar.xz.sigstore"
DIGEST = "sha256:93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640"
OTHER = "sha256:e6190f52699b534ee203d9f417bdbca05a92f23e35c19c691a50ed2942835385"  # the .tgz


@pytest.fixture
def releases(corpus: Path) -> list[tuple[str, str, str]]:
    """(name, bundle, sha256:hex) of every real CPython release bundle that should verify."""
    cases = json.loads((CPYTHON / "cases.json").read_text())["cases"]
    return [
        (c["artifact_name"], str(CPYTHON / c["bundle"]), f"sha256:{c['artifact_sha256']}")
        for c in cases
        if c["expected"] == "pass" and c["artifact_name"].startswith("Python-")
    ]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines))
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict], str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_whole_corpus_batch_verifies_every_release(
    releases: list[tuple[str, str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = _write(tmp_path / "list", [" ".join(r) for r in releases])
    code, records, err = _run(["verify", "--json", "--batch", str(listing)], capsys)
    assert code == 0, err
    assert len(records) == len(releases) >= 80
    assert all(r["verified"] and r["exit_code"] == 0 for r in records)
    assert [r["artifact"] for r in records] == [name for name, _, _ in releases]
    assert [r["line"] for r in records] == [f"{listing}:{i}" for i in range(1, len(records) + 1)]
    signers = {r["artifact"]: r["signer"] for r in records}
    assert signers["Python-3.13.5.tar.xz"] == "thomas@python.org"
    assert signers["Python-3.7.15.tar.xz"] == "nad@python.org"
    assert err.count("\nOK ") + err.startswith("OK ") == len(releases)


def test_parallel_batch_gives_the_same_verdicts(
    releases: list[tuple[str, str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [" ".join(r) for r in releases[:12]]
    lines.insert(3, f"Python-3.13.5.tar.xz {BUNDLE} {OTHER}")
    lines.insert(7, "only-one-field")
    listing = _write(tmp_path / "list", lines)
    serial = _run(["verify", "--json", "--batch", str(listing)], capsys)
    parallel = _run(["verify", "--json", "-j", "2", "--batch", str(listing)], capsys)
    assert serial[0] == parallel[0] == 1  # one rejected outranks one not evaluated
    by_line = sorted(parallel[1], key=lambda r: int(r["line"].rsplit(":", 1)[1]))
    assert by_line == serial[1]
    assert [r["exit_code"] for r in serial[1]].count(0) == 12


def test_each_bad_line_is_its_own_error(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = _write(
        tmp_path / "list",
        [
            "# a comment, then a blank line",
            "",
            f"Python-3.13.5.tar.xz {BUNDLE} {DIGEST}",
            "Python-3.13.5.tar.xz",
            f"Python-3.13.5.tar.xz {BUNDLE} sha256:12",
            f"{DIGEST} {BUNDLE}",
            "a b c d",
            f"Python-3.13.5.tar.xz {tmp_path / 'absent.sigstore'} {DIGEST}",
            f"Python-3.13.5.tar.xz {BUNDLE} {DIGEST}",
        ],
    )
    code, records, err = _run(["verify", "--json", "--batch", str(listing)], capsys)
    assert code == 3
    assert [(r["line"].rsplit(":", 1)[1], r["exit_code"]) for r in records] == [
        ("3", 0),
        ("4", 3),
        ("5", 3),
        ("6", 3),
        ("7", 3),
        ("8", 3),
        ("9", 0),
    ]
    assert records[1]["step"] == "batch"
    assert records[1]["error"] == "expected NAME EVIDENCE [ALG:HEX], found 1 field"
    assert "expected sha256:<64 hex digits>" in records[2]["error"]
    assert "NAME is a digest" in records[3]["error"]
    assert records[4]["error"] == "expected NAME EVIDENCE [ALG:HEX], found 4 fields"
    assert records[5]["step"] == "input" and "absent.sigstore" in records[5]["error"]
    assert f"NOT EVALUATED {listing}:4: batch: expected NAME EVIDENCE" in err


def test_a_wrong_digest_is_rejected(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = _write(tmp_path / "list", [f"Python-3.13.5.tar.xz {BUNDLE} {OTHER}"])
    code, _, err = _run(["verify", "--batch", str(listing)], capsys)
    assert code == 1
    assert "REJECTED Python-3.13.5.tar.xz: artifact: artifact sha256 e6190f52" in err
    assert f"({listing}:1)" in err


def test_relative_paths_are_relative_to_the_list(
    corpus: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not TARBALL.is_file():
        pytest.skip(f"corpus tarball absent: {TARBALL}")
    mirror = tmp_path / "mirror"
    (mirror / "bundles").mkdir(parents=True)
    (mirror / "Python-3.13.5.tar.xz").symlink_to(TARBALL)
    shutil.copy(BUNDLE, mirror / "bundles" / "Python-3.13.5.tar.xz.sigstore")
    _write(
        mirror / "list",
        [
            "Python-3.13.5.tar.xz bundles/Python-3.13.5.tar.xz.sigstore",
            f"Python-3.13.5.tar.xz bundles/Python-3.13.5.tar.xz.sigstore {DIGEST}",
        ],
    )
    monkeypatch.chdir(tmp_path)
    code, records, err = _run(["verify", "--json", "--batch", "mirror/list"], capsys)
    assert code == 0, err
    assert [r["artifact"] for r in records] == ["Python-3.13.5.tar.xz"] * 2
    assert records[0]["artifact_sha256"] == DIGEST.split(":")[1]


def test_batch_from_stdin_with_artifacts_and_identity_flags(corpus: Path, tmp_path: Path) -> None:
    other = tmp_path / "Python-3.13.5.tgz"
    other.write_bytes(b"not the release")
    (tmp_path / "Python-3.13.5.tgz.sigstore").symlink_to(BUNDLE)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "srcverify",
            "verify",
            "--json",
            "--cert-identity",
            "thomas@python.org",
            "--cert-oidc-issuer",
            "https://accounts.google.com",
            "--batch",
            "-",
            str(other),
        ],
        input=f"Python-3.13.5.tar.xz {BUNDLE} {DIGEST}\n",
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1, result.stderr
    assert [(r["artifact"], r["exit_code"]) for r in records] == [
        (str(other), 1),
        ("Python-3.13.5.tar.xz", 0),
    ]
    assert records[1]["line"] == "-:1"
    assert records[1]["policy"] == "identity thomas@python.org, issuer https://accounts.google.com"
    assert "\x1b" not in result.stderr  # stderr is not a terminal: no progress line


def test_identity_flags_apply_to_every_line(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = _write(tmp_path / "list", [f"Python-3.13.5.tar.xz {BUNDLE} {DIGEST}"])
    argv = [
        "--cert-identity",
        "hugo@python.org",
        "--cert-oidc-issuer",
        "https://github.com/login/oauth",
    ]
    code, _, err = _run(["verify", *argv, "--batch", str(listing)], capsys)
    assert code == 1
    assert (
        "REJECTED Python-3.13.5.tar.xz: policy: SAN mismatch: expected hugo@python.org, "
        "certificate has thomas@python.org"
    ) in err


def test_an_unusable_trust_root_is_reported_for_every_line(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = _write(tmp_path / "list", [f"Python-3.13.5.tar.xz {BUNDLE} {DIGEST}"] * 3)
    argv = [
        "verify",
        "--json",
        "-j",
        "2",
        "--trust-root",
        str(tmp_path / "no-pin"),
        "--batch",
        str(listing),
    ]
    code, records, _ = _run(argv, capsys)
    assert code == 3
    assert len(records) == 3 and {r["exit_code"] for r in records} == {3}
    assert len({r["error"] for r in records}) == 1


def test_an_empty_batch_verifies_nothing_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = _write(tmp_path / "list", ["# nothing yet"])
    code, records, err = _run(["verify", "--batch", str(listing)], capsys)
    assert (code, records) == (3, [])
    assert "names no artifact; nothing was verified" in err


def test_a_missing_list_is_not_evaluated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["verify", "--batch", str(tmp_path / "absent")])
    assert code == 3
    assert "batch list" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["verify", "-j", "0", "x"], "expected a number of processes from 1 to 256"),
        (["verify", "-j", "two", "x"], "expected a number of processes from 1 to 256"),
        (
            ["verify", "--bundle", "b", "--batch", "l"],
            "--bundle and --digest apply to one ARTIFACT",
        ),
        (["verify"], "give at least one ARTIFACT"),
    ],
)
def test_usage_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_read_list_bounds_lines_and_decodes_strictly() -> None:
    data = b"a b\n" + b"x" * (70 << 10) + b" y\n" + b"\xff b\n" + b"c d sha256:" + b"0" * 64 + b"\n"
    items = list(read_list(io.BytesIO(data), "L", "dir"))
    assert [(i.line, i.problem) for i in items] == [
        ("L:1", None),
        ("L:2", "line longer than 65536 bytes"),
        ("L:3", "not UTF-8 (byte 0)"),
        ("L:4", None),
    ]
    assert (items[0].artifact, items[0].bundle, items[0].digest) == ("dir/a", "dir/b", None)
    assert (items[3].artifact, items[3].digest) == ("c", "sha256:" + "0" * 64)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_only_on_a_terminal_for_long_batches() -> None:
    terminal = _Terminal()
    progress = Progress(LONG_BATCH, enabled=True, stream=terminal)
    progress.advance(0)
    progress.clear()
    progress.advance(1)
    assert terminal.getvalue() == (
        f"[1/{LONG_BATCH}] 1 verified, 0 rejected, 0 not evaluated\r\x1b[K"
        f"[2/{LONG_BATCH}] 1 verified, 1 rejected, 0 not evaluated"
    )
    for stream, enabled in ((io.StringIO(), True), (_Terminal(), False)):
        quiet = Progress(LONG_BATCH, enabled=enabled, stream=stream)
        quiet.advance(0)
        quiet.clear()
        assert stream.getvalue() == ""

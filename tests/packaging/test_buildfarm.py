"""README.md's build-farm one-liner and map entry, run as written; and the
rule that every file in packaging/ is exercised by some test here.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.packaging.support import (
    PACKAGING,
    REAL_BUNDLE,
    REAL_TARBALL,
    REPO,
    flip_one_byte,
    make_release,
    need_corpus,
    need_tool,
    run,
)

DOC = REPO / "README.md"
MARKER = "<!-- build-farm-one-liner"


def one_liner() -> str:
    """The shell block that follows the build-farm marker in README.md."""
    text = DOC.read_text()
    after = text[text.index(MARKER) :]
    match = re.search(r"```sh\n(.*?)\n```", after, re.DOTALL)
    assert match is not None, "no ```sh block after the build-farm marker"
    return match.group(1)


def map_example() -> str:
    packaging = DOC.read_text().split("\n## Packaging\n", 1)[-1]
    match = re.search(r"```yaml\n(schema: 1\n.*?)```", packaging, re.DOTALL)
    assert match is not None, "no release-map example in the README's Packaging section"
    return match.group(1)


def receipts(directory: Path) -> list[dict[str, object]]:
    lines = (directory / "receipts.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_one_liner_with_real_release_and_vendored_pin(tmp_path: Path, env: dict[str, str]) -> None:
    """Run exactly as documented: real CPython release, the repository's pin vendored."""
    need_corpus()
    need_tool("find", "xargs")
    (tmp_path / "sources").mkdir()
    shutil.copyfile(REAL_TARBALL, tmp_path / "sources" / REAL_TARBALL.name)
    shutil.copyfile(REAL_BUNDLE, tmp_path / "sources" / REAL_BUNDLE.name)
    shutil.copytree(REPO / "trust-root", tmp_path / "vendor" / "trust-root")
    result = run(["sh", "-c", one_liner()], env=env, cwd=tmp_path)
    assert result.returncode == 0, result.log
    (receipt,) = receipts(tmp_path)
    assert receipt["exit_code"] == 0 and receipt["verified"] is True
    assert receipt["artifact"] == "sources/Python-3.13.5.tar.xz"
    assert receipt["signer"] == "thomas@python.org"


def test_one_liner_batch_reports_each_artifact(tmp_path: Path, env: dict[str, str]) -> None:
    """Three artifacts in one process, one tampered: three receipts, non-zero status.

    The test instance has no TUF pin, so its trust root and map are given with
    --trusted-root and --map in place of the documented --trust-root; the rest
    of the line runs as written.
    """
    need_tool("find", "xargs")
    sources = tmp_path / "sources"
    for name in ("Python-3.13.4", "Python-3.13.5", "Python-3.14.0"):
        release = make_release(sources, f"{name}.tar.xz", name, content=name.encode())
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    shutil.move(sources / "trusted_root.json", vendor / "trusted_root.json")
    shutil.move(sources / "srcverify-map.yaml", vendor / "srcverify-map.yaml")
    (sources / "key.pub").unlink()
    flip_one_byte(sources / "Python-3.13.5.tar.xz")
    line = one_liner()
    assert "--trust-root vendor/trust-root" in line
    line = line.replace(
        "--trust-root vendor/trust-root",
        "--trusted-root vendor/trusted_root.json --map vendor/srcverify-map.yaml",
    )
    result = run(["sh", "-c", line], env=env, cwd=tmp_path)
    assert result.returncode == 123, result.log  # xargs: srcverify exited 1
    by_name = {str(r["artifact"]).rsplit("/", 1)[-1]: r for r in receipts(tmp_path)}
    assert sorted(by_name) == [
        "Python-3.13.4.tar.xz",
        "Python-3.13.5.tar.xz",
        "Python-3.14.0.tar.xz",
    ]
    assert by_name["Python-3.13.4.tar.xz"]["verified"] is True
    assert by_name["Python-3.14.0.tar.xz"]["signer"] == release.identity
    bad = by_name["Python-3.13.5.tar.xz"]
    assert bad["verified"] is False and bad["exit_code"] == 1 and bad["step"] == "artifact"
    assert "does not match the digest the bundle signed" in str(bad["error"])


def test_documented_map_entry_is_a_valid_map(tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "srcverify-map.yaml"
    path.write_text(map_example())
    result = run(["srcverify", "map", "check", path], env=env, cwd=tmp_path)
    assert result.returncode == 0, result.log
    assert "hello (1 artifact kinds, 1 series" in result.log


def test_ci_install_tools_script_covers_the_tools_the_tests_drive() -> None:
    script = (PACKAGING / "ci-install-tools.sh").read_text()
    for package in ("rpm", "dpkg-dev", "debhelper", "dh-python", "pybuild-plugin-pyproject"):
        assert re.search(rf"^{re.escape(package)}$", script, re.MULTILINE), package
    need_tool("sh")
    assert run(["sh", "-n", PACKAGING / "ci-install-tools.sh"], env={}, cwd=REPO).returncode == 0


def test_every_packaging_file_is_exercised_by_a_test() -> None:
    """Files in packaging/ that no test runs rot: each must be named by a test module."""
    tests = "\n".join(p.read_text() for p in Path(__file__).parent.glob("test_*.py"))
    unexercised = []
    for path in sorted(p for p in PACKAGING.rglob("*") if p.is_file()):
        relative = path.relative_to(PACKAGING)
        named = path.name in tests or relative.as_posix() in tests
        # packaging/debian/srcverify/* is copied whole as debian/ by test_debian.py
        if relative.parts[:2] == ("debian", "srcverify"):
            named = '"debian" / "srcverify"' in tests
        if not named:
            unexercised.append(relative.as_posix())
    assert not unexercised, f"no test exercises: {unexercised}"


@pytest.mark.parametrize(
    "text", ["%srcverify -s1 -d0", "dh-sequence-srcverify", "inherit srcverify"]
)
def test_doc_gives_the_one_line_for_each_ecosystem(text: str) -> None:
    assert text in DOC.read_text()

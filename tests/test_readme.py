"""The README's examples run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_block(after_heading: str) -> str:
    section = README.read_text().split(after_heading, 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None, f"no python example after {after_heading!r}"
    return match.group(1)


def test_library_example_verifies_the_real_release(corpus: Path, tmp_path: Path) -> None:
    tarball = corpus / "cpython" / "artifacts" / "Python-3.13.5.tar.xz"
    bundle = corpus / "cpython" / "bundles" / "Python-3.13.5.tar.xz.sigstore"
    (tmp_path / tarball.name).symlink_to(tarball)
    (tmp_path / bundle.name).symlink_to(bundle)
    script = tmp_path / "example.py"
    script.write_text(_python_block("### As a library"))
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("thomas@python.org 2025-06-11 17:46:23")


def test_exit_code_table_matches_the_cli() -> None:
    from srcverify import errors

    table = README.read_text().split("### Exit codes", 1)[1]
    rows = re.findall(r"^\| (\d) \| ([^|]+?) \|", table, re.MULTILINE)
    codes = {code: meaning.split(":")[0].strip("* ") for code, meaning in rows}
    assert codes == {
        str(errors.EXIT_OK): "verified",
        str(errors.EXIT_REJECTED): "rejected",
        str(errors.EXIT_USAGE): "usage error",
        str(errors.EXIT_UNEVALUATED): "could not evaluate",
    }


VERIFY_FLAGS = [
    "--bundle",
    "--digest",
    "--cert-identity",
    "--cert-identity-regexp",
    "--cert-oidc-issuer",
    "--cert-oidc-issuer-regexp",
    "--key",
    "--map",
    "--trust-root",
    "--trusted-root",
    "--max-trust-root-age",
    "--json",
    "--offline",
]


@pytest.mark.parametrize("flag", VERIFY_FLAGS)
def test_every_verify_flag_is_documented_and_exists(
    flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from srcverify.cli.main import main

    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    assert re.search(rf"\s{flag}[ \n]", capsys.readouterr().out)
    usage = README.read_text().split("## Verifying", 1)[1].split("Examples:", 1)[0]
    assert re.search(rf"[ |] {flag} ", usage), f"{flag} missing from the README's usage block"

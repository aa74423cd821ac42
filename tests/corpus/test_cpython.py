"""Real python.org CPython release bundles, through the CLI.

Every case in ``../shared/corpus/cpython/cases.json`` with the identity the
index names, given explicitly (``--cert-identity``/``--cert-oidc-issuer``),
against the index's pinned production trusted root; and the real
``Python-3.13.5.tar.xz`` hashed from disk. The derived ``_fail`` cases must be
rejected for the defect they carry.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from srcverify.cli.main import main
from tests.conftest import CORPUS
from tests.corpus.cases import index_params

INDEX = CORPUS / "cpython" / "cases.json"

FAIL_REASONS = {
    "cpython-Python-3.13.5.tar.xz-wrong-identity_fail": (
        r"policy: .*expected hugo@python\.org.*thomas@python\.org"
    ),
    "cpython-Python-3.13.5.tar.xz-wrong-issuer_fail": (
        r"policy: .*https://github\.com/login/oauth.*https://accounts\.google\.com"
    ),
    "cpython-Python-3.13.5.tar.xz-digest-of-Python-3.13.5.tgz_fail": r"artifact: .*does not match",
}


def _cases() -> list[Any]:
    return index_params(INDEX)


@pytest.mark.parametrize(("case", "form"), _cases())
def test_cpython_case(case: dict[str, Any], form: str, capsys: pytest.CaptureFixture[str]) -> None:
    base = INDEX.parent
    argv = [
        "verify",
        "--bundle",
        str(base / case["bundle"]),
        "--trusted-root",
        str(base / case["trusted_root"]),
        "--cert-identity",
        case["identity"],
        "--cert-oidc-issuer",
        case["issuer"],
    ]
    if form == "artifact-path":
        argv.append(str(base / case["artifact"]))
    else:
        argv.append("sha256:" + case["artifact_sha256"])
    code = main(argv)
    err = capsys.readouterr().err
    if case["expected"] == "pass":
        assert code == 0, f"{case['id']}: {err}"
        assert f"signed by {case['identity']} ({case['issuer']})" in err
        if case["id"].endswith("v0.1-promise-only"):
            assert "signed promise only" in err
        return
    assert code == 1, f"{case['id']} should be rejected; exit {code}: {err}"
    assert re.search(FAIL_REASONS[case["id"]], err), err


def test_every_derived_fail_case_has_a_stated_reason() -> None:
    if not INDEX.is_file():
        pytest.skip(f"corpus absent: {INDEX}")
    failing = {c["id"] for c in json.loads(INDEX.read_text())["cases"] if c["expected"] == "fail"}
    assert failing == set(FAIL_REASONS)

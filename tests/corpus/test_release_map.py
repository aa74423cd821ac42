"""Real CPython bundles verified by the release map and the shipped pin alone.

No identity flags and no trust flags: ``srcverify verify --bundle B --digest
sha256:HEX Python-X.Y.Z.tar.xz`` must resolve the release manager from the
shipped map and trust from the shipped TUF pin. The same bundle presented
under another series' name must be rejected on the identity.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from srcverify.cli.main import main
from tests.conftest import CORPUS

INDEX = CORPUS / "cpython" / "cases.json"

# A series signed by someone else, for presenting each bundle under the wrong name.
OTHER_SERIES = {"3.7": "3.14", "3.8": "3.12", "3.9": "3.12", "3.10": "3.14", "3.11": "3.14"}


def _pass_cases() -> list[Any]:
    if not INDEX.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"corpus absent: {INDEX}"))]
    cases = json.loads(INDEX.read_text())["cases"]
    return [pytest.param(c, id=c["id"]) for c in cases if c["expected"] == "pass"]


def _other_name(name: str) -> str:
    version = re.search(r"(\d+)\.(\d+)\.", name)
    assert version, name
    series = f"{version.group(1)}.{version.group(2)}"
    other = OTHER_SERIES.get(series, "3.7" if series in ("3.12", "3.13") else "3.12")
    return name.replace(f"{series}.", f"{other}.", 1)


@pytest.mark.parametrize("case", _pass_cases())
def test_map_and_pin_alone(case: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    bundle = str(INDEX.parent / case["bundle"])
    digest = "sha256:" + case["artifact_sha256"]
    code = main(["verify", "--bundle", bundle, "--digest", digest, case["artifact_name"]])
    err = capsys.readouterr().err
    assert code == 0, err
    assert f"signed by {case['identity']} ({case['issuer']})" in err
    assert "NOT TUF-authenticated" not in err

    wrong_name = _other_name(case["artifact_name"])
    code = main(["verify", "--bundle", bundle, "--digest", digest, wrong_name])
    err = capsys.readouterr().err
    assert code == 1, f"{wrong_name}: {err}"
    assert re.search(rf"policy: .*{re.escape(case['identity'])}", err), err


def test_real_tarball_by_path_with_map(corpus: object, capsys: pytest.CaptureFixture[str]) -> None:
    tarball = CORPUS / "cpython" / "artifacts" / "Python-3.13.5.tar.xz"
    bundle = CORPUS / "cpython" / "bundles" / "Python-3.13.5.tar.xz.sigstore"
    code = main(["verify", "--bundle", str(bundle), str(tarball)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "signed by thomas@python.org (https://accounts.google.com)" in err

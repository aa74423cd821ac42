"""Reading a corpus ``cases.json`` index into pytest parameters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


def index_params(index: Path) -> list[Any]:
    """One parameter per case and input form, or one visible skip when the corpus is absent."""
    if not index.is_file():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=f"corpus absent: {index}"))]
    cases = json.loads(index.read_text())["cases"]
    return [
        pytest.param(case, form, id=f"{case['id']}[{form}]")
        for case in cases
        for form in case["inputs_to_test"]
    ]

"""libyaml and the pure-Python loader read a release map the same way, problems included."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srcverify.releasemap import nodes
from srcverify.releasemap.model import InvalidReleaseMapError
from srcverify.releasemap.resolve import ReleaseMap
from tests.releasemap.test_resolve import BEACON_MAP, SCHEMA_CASES, VALID

pytestmark = pytest.mark.skipif(
    not hasattr(yaml, "CSafeLoader"), reason="PyYAML was built without libyaml"
)
SHIPPED = Path(nodes.__file__).parent / "maps" / "cpython.yaml"


def _outcome(text: str) -> object:
    try:
        return ReleaseMap.from_text(text, "m.yaml")
    except InvalidReleaseMapError as exc:
        return [str(problem) for problem in exc.problems]


def _both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    fast = _outcome(text)
    with monkeypatch.context() as patch:
        patch.setattr(nodes, "_FAST_LOADER", None)
        pure = _outcome(text)
    strict = _outcome_strict(text)
    assert strict == pure
    return fast, pure


def _outcome_strict(text: str) -> object:
    try:
        return ReleaseMap.from_text(text, "m.yaml", strict=True)
    except InvalidReleaseMapError as exc:
        return [str(problem) for problem in exc.problems]


def _agree(fast: object, pure: object) -> bool:
    """The same model or the same problems; libyaml may accept a few spellings
    PyYAML refuses (``|#``), and ``map check`` (strict) refuses those."""
    return fast == pure or (isinstance(pure, list) and isinstance(fast, ReleaseMap))


def test_the_fast_loader_is_used_where_present(monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[object] = []
    real = yaml.compose

    def spy(text: str, Loader: object) -> object:
        used.append(Loader)
        return real(text, Loader=Loader)  # type: ignore[arg-type]

    monkeypatch.setattr(yaml, "compose", spy)
    ReleaseMap.from_text(VALID, "m.yaml")
    assert used == [yaml.CSafeLoader]


@pytest.mark.parametrize(
    "text",
    [VALID, SHIPPED.read_text(encoding="utf-8"), *(case[1] for case in SCHEMA_CASES)],
)
def test_same_model_or_same_problems(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, pure = _both(text, monkeypatch)
    assert fast == pure


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_maps_read_the_same_with_both_loaders(data: st.DataObject) -> None:
    text = data.draw(st.sampled_from([VALID, BEACON_MAP.read_text()]))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 5))
        insert = data.draw(st.text(alphabet=":-[]{}'\"\n\t #&*!|>^$.\\0123\x85\u2028", max_size=4))
        text = text[:at] + insert + text[at + cut :]
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, pure = _both(text, monkeypatch)
    assert _agree(fast, pure)


def test_map_check_refuses_what_only_libyaml_tolerates(monkeypatch: pytest.MonkeyPatch) -> None:
    text = VALID.replace("    source: test data\n", "    source: |#\n      test data\n", 1)
    assert isinstance(_outcome(text), ReleaseMap)  # libyaml reads '|#' as a block scalar
    strict = _outcome_strict(text)
    assert isinstance(strict, list)
    assert "expected chomping or indentation indicators, but found '#'" in strict[0]

"""The fuzz targets run in the ordinary suite: their seeds, and simple mutations of them.

This keeps ``make fuzz`` honest (the targets import, reach the parsers and
accept valid input) and replays the cheapest mutations on every test run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.targets import TARGETS


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_target_runs_its_seeds_and_mutations(name: str) -> None:
    target = TARGETS[name]
    seeds = list(target.seeds())
    assert seeds, f"{name} has no seeds"
    for seed in seeds[:4]:
        target.run(seed)
        for cut in (0, 1, len(seed) // 2, len(seed) - 1):
            target.run(seed[:cut])
        target.run(seed.replace(b"a", b"\xff", 3))
        target.run(bytes(b ^ 0x20 for b in seed[:64]) + seed[64:])


REGRESSIONS = sorted((Path(__file__).parent / "regressions").iterdir())


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_fuzz_findings_stay_fixed(path: Path) -> None:
    """Each file is an input ``make fuzz`` once crashed on, named TARGET-what-it-guards."""
    TARGETS[path.name.split("-")[0]].run(path.read_bytes())

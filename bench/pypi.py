"""`make bench --only pypi`: srcverify vs ``pypi-attestations verify pypi --offline``.

The same real file on both sides: PyPI's ``pypi_attestations-0.0.19.tar.gz``
(``pip download``, in ``.ci/pypi-dists``) with its real provenance object
from the shared corpus. srcverify runs its default path (shipped TUF pin,
shipped ``pypi.yaml`` naming the Trusted Publisher); pypi-attestations runs
``verify pypi --offline --repository ... --provenance-file ...``, which reads
sigstore-python's embedded trust root. Paired, interleaved rounds; medians,
minimums and the median of per-round ratios. Nothing asserted, no network.
"""

from __future__ import annotations

import shutil
import statistics
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procs import Summary, run

if TYPE_CHECKING:
    from bench import Bench

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SDIST = REPO / ".ci" / "pypi-dists" / "pypi_attestations-0.0.19.tar.gz"
PROVENANCE = CORPUS / "pypi-attestations" / "pypi_attestations-0.0.19.tar.gz.provenance"
REPOSITORY = "https://github.com/trailofbits/pypi-attestations"

__all__ = ["bench_pypi", "report_pypi"]


def bench_pypi(b: Bench) -> dict[str, Any]:
    from bench import Skip

    for path in (SDIST, PROVENANCE):
        if not path.is_file():
            raise Skip(f"{path} is absent (pip download it into .ci/pypi-dists: see .ci/run)")
    tool = Path(b.python).parent / "pypi-attestations"
    if not tool.is_file():
        raise Skip(f"{tool} is absent: the bench venv lacks pypi-attestations (bench/setup_env.py)")
    work = b.tmp / "pypi"
    work.mkdir(exist_ok=True)
    sdist = work / SDIST.name
    shutil.copyfile(SDIST, sdist)
    shutil.copyfile(PROVENANCE, work / PROVENANCE.name)  # found beside the sdist
    commands = {
        "srcverify": ([*b.srcverify, "verify", str(sdist)], b.env),
        "pypi-attestations": (
            [
                str(tool),
                "verify",
                "pypi",
                "--offline",
                "--repository",
                REPOSITORY,
                "--provenance-file",
                str(PROVENANCE),
                str(sdist),
            ],
            b.sigstore_env,
        ),
    }
    names = list(commands)
    for name in names:
        run(commands[name][0], commands[name][1], what=f"{name} (warm-up)")
    runs: dict[str, list[Any]] = {name: [] for name in names}
    for index in range(b.args.runs):
        for name in names[index % 2 :] + names[: index % 2]:
            argv, env = commands[name]
            runs[name].append(run(argv, env, what=name))
    ratio = statistics.median(
        a.wall / s.wall for a, s in zip(runs["pypi-attestations"], runs["srcverify"], strict=True)
    )
    return {
        "commands": {name: argv for name, (argv, _) in commands.items()},
        "wall_seconds": {n: Summary.of([r.wall for r in rs]).to_json() for n, rs in runs.items()},
        "cpu_seconds": {n: Summary.of([r.cpu for r in rs]).to_json() for n, rs in runs.items()},
        "pypi_attestations_over_srcverify": ratio,
    }


def report_pypi(r: dict[str, Any]) -> str:
    rows = [["command", "median s", "min s", "cpu median s"]]
    for name, wall in r["wall_seconds"].items():
        cpu = r["cpu_seconds"][name]
        rows.append([name, f"{wall['median']:.3f}", f"{wall['min']:.3f}", f"{cpu['median']:.3f}"])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["pypi: pypi_attestations-0.0.19.tar.gz with its real provenance"]
    for number, row in enumerate(rows):
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        if number == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    ratio = r["pypi_attestations_over_srcverify"]
    lines.append(f"  pypi-attestations / srcverify = {ratio:.2f}x (median of paired rounds)")
    return "\n".join(lines)

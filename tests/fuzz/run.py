"""``make fuzz``: run each fuzz target under atheris (libFuzzer) for a bounded time.

    python -m tests.fuzz.run [--seconds N] [--seed N] [TARGET ...]

Each target runs in its own process for ``--seconds`` (default 60), with a
per-input timeout of 10 s and a 2 GiB memory limit, starting from its seeds
plus whatever corpus earlier runs kept in ``.fuzz/<target>/``. A finding (an
exception that is not srcverify's own, a timeout, memory growth) is saved as
``.fuzz/crashes/<target>-*`` and makes the run exit 1. The summary gives the
inputs tried per target.

atheris is a development extra (``pip install -e '.[fuzz]'``); this runner
is not part of the test suite (``tests/fuzz/test_targets.py`` is).

``--seed N`` (N > 0) fixes libFuzzer's random seed, so that a run explores
the same inputs in the same order each time: CI uses it, so that its short
budget is a repeatable gate rather than a lottery. ``make fuzz`` leaves it 0
(a new seed each run), which is what a long exploratory run wants.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".fuzz"
_DONE = re.compile(r"Done (\d+) runs in (\d+) second")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return _child(argv[1], argv[2:])
    from tests.fuzz.targets import TARGETS

    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.run")
    parser.add_argument("--seconds", type=int, default=60, help="time per target (default 60)")
    parser.add_argument(
        "--seed", type=int, default=0, help="libFuzzer seed; 0 (default) picks a new one"
    )
    parser.add_argument("targets", nargs="*", metavar="TARGET", help=", ".join(TARGETS))
    args = parser.parse_args(argv)
    unknown = sorted(set(args.targets) - set(TARGETS))
    if unknown:
        parser.error(f"unknown target {unknown[0]}; targets: {', '.join(TARGETS)}")
    results = [
        _run_target(name, args.seconds, args.seed) for name in (args.targets or list(TARGETS))
    ]
    print("\nfuzz summary:")
    for name, runs, seconds, finding in results:
        print(f"  {name:<12} {runs:>9} inputs in {seconds:>4} s  {finding or 'no finding'}")
    return 1 if any(finding for *_, finding in results) else 0


def _run_target(name: str, seconds: int, libfuzzer_seed: int) -> tuple[str, int, int, str | None]:
    from tests.fuzz.targets import TARGETS

    corpus = WORK / name
    crashes = WORK / "crashes"
    corpus.mkdir(parents=True, exist_ok=True)
    crashes.mkdir(parents=True, exist_ok=True)
    for seed in TARGETS[name].seeds():
        (corpus / f"seed-{hashlib.sha256(seed).hexdigest()[:16]}").write_bytes(seed)
    before = set(crashes.iterdir())
    command = [
        sys.executable,
        "-m",
        "tests.fuzz.run",
        "--child",
        name,
        f"-max_total_time={seconds}",
        "-timeout=10",
        "-rss_limit_mb=2048",
        "-max_len=65536",
        f"-artifact_prefix={crashes}/{name}-",
        "-print_final_stats=1",
        *([f"-seed={libfuzzer_seed}"] if libfuzzer_seed > 0 else []),
        str(corpus),
    ]
    print(f"fuzz {name}: {seconds} s", flush=True)
    log = WORK / f"{name}.log"
    with log.open("w") as out:
        code = subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT).returncode
    text = log.read_text(errors="replace")
    done = _DONE.search(text)
    runs, took = (int(done.group(1)), int(done.group(2))) if done else (_runs(text), seconds)
    new = sorted(set(crashes.iterdir()) - before)
    finding = None
    if code != 0 or new:
        finding = f"FINDING (exit {code}): {', '.join(p.name for p in new) or 'see ' + str(log)}"
        print(text[-4000:], file=sys.stderr)
    return name, runs, took, finding


def _runs(text: str) -> int:
    counts = re.findall(r"#(\d+)\s", text)
    return int(counts[-1]) if counts else 0


# Coverage feedback from the code under test and the parsers it hands bytes to.
_INSTRUMENTED = ["srcverify", "tuf", "securesystemslib", "yaml", "json"]


def _child(name: str, libfuzzer_args: list[str]) -> int:
    import importlib
    import pkgutil

    import atheris

    with atheris.instrument_imports(include=_INSTRUMENTED):
        import srcverify

        for module in pkgutil.walk_packages(srcverify.__path__, "srcverify."):
            if not module.name.endswith("__main__"):
                importlib.import_module(module.name)  # lazy imports, instrumented now
        from tests.fuzz.targets import TARGETS

        target = TARGETS[name]
        for seed in target.seeds():  # whatever else the target reaches
            target.run(seed)
    atheris.Setup([sys.argv[0], *libfuzzer_args], target.run)
    atheris.Fuzz()
    return 0  # pragma: no cover - atheris.Fuzz() exits the process


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: srcverify beside sigstore-python and beside the floor, in one run.

Sections (figures to stdout, optionally all of them to ``--json FILE``):

cli         wall time of ``srcverify verify`` on the real Python-3.13.5.tar.xz and
            its bundle, vs ``sigstore verify identity --offline`` on the same
            files, vs the floor (a fresh interpreter importing cryptography and
            hashing the file in 1 MiB chunks). Median and min of ``--runs``.
throughput  in-process digest-only verifications per second over the corpus
            CPython bundles, srcverify vs sigstore-python's ``Verifier``.
rss         peak RSS of ``srcverify verify`` on a generated 1 GiB file signed by
            the test Sigstore instance; RSS and wall time of ``srcverify --help``.

Targets are printed beside the figures; they are never asserted. The exit
status is 0 whatever the figures, 1 if a measured command failed (e.g. a
verification did not exit 0). Sections whose corpus data is absent are
skipped with the reason printed. No command here needs or uses the network.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import inproc
import procs
from procs import CommandFailed, Summary, check, run_timed, run_with_rss

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
TARBALL = CORPUS / "cpython" / "artifacts" / "Python-3.13.5.tar.xz"
TARBALL_BUNDLE = CORPUS / "cpython" / "bundles" / "Python-3.13.5.tar.xz.sigstore"
TARBALL_IDENTITY = ("thomas@python.org", "https://accounts.google.com")
CPYTHON_CASES = CORPUS / "cpython" / "cases.json"
PRODUCTION_ROOT = CORPUS / "trust" / "production" / "trusted_root.json"
INFO_ROW = "srcverify --trusted-root (info)"
MIB = 1 << 20

# The floor: what any Python verifier pays at least (interpreter, cryptography, hashing).
FLOOR_CODE = (
    "import hashlib, sys\n"
    "import cryptography.x509\n"
    "h = hashlib.sha256()\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    for chunk in iter(lambda: f.read(1 << 20), b''):\n"
    "        h.update(chunk)\n"
    "print(h.hexdigest())\n"
)

TARGETS = {
    "cli_vs_sigstore": ("sigstore-python / srcverify CLI wall time", ">=", 4.0),
    "cli_vs_floor": ("srcverify CLI / floor wall time", "<=", 1.5),
    "throughput": ("srcverify / sigstore-python verifications per second", ">=", 3.0),
    "rss": ("peak RSS of srcverify verify on 1 GiB, MiB", "<=", 40.0),
}


class Skip(Exception):
    """A section cannot run here (e.g. the corpus is absent); the reason is printed."""


class Bench:
    """Shared settings and the commands under test."""

    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.args = args
        self.tmp = tmp
        bindir = Path(sys.executable).parent
        self.python = sys.executable
        self.env = dict(os.environ)
        # Children compile bytecode once into a throwaway cache and reuse it from the warm-up on,
        # as an installed package would; the tree stays free of __pycache__.
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        script = bindir / "srcverify"
        if script.is_file():
            self.srcverify = [str(script)]
            self.srcverify_how = str(script)
        else:
            self.srcverify = [self.python, "-m", "srcverify"]
            self.srcverify_how = f"{self.python} -m srcverify (PYTHONPATH=src; no console script)"
            self.env["PYTHONPATH"] = os.pathsep.join(
                p for p in (str(REPO / "src"), self.env.get("PYTHONPATH", "")) if p
            )
        self.sigstore = [str(bindir / "sigstore")]
        home = tmp / "sigstore-home"
        self.sigstore_env = dict(self.env)
        self.sigstore_env.update(
            HOME=str(home),
            XDG_CACHE_HOME=str(home / "cache"),
            XDG_DATA_HOME=str(home / "data"),
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_STATE_HOME=str(home / "state"),
        )
        self.rss_tool = procs.rss_tool(args.rss_tool)
        self.notes: list[str] = []


# --- (a) the CLI on the real CPython tarball -----------------------------------------------


def bench_cli(b: Bench) -> dict[str, Any]:
    for path in (TARBALL, TARBALL_BUNDLE):
        if not path.is_file():
            raise Skip(f"corpus file {path} is absent")
    identity, issuer = TARBALL_IDENTITY
    who = ["--cert-identity", identity, "--cert-oidc-issuer", issuer]
    sigstore_verify = [*b.sigstore, "verify", "identity", "--offline"]
    srcverify_verify = [*b.srcverify, "verify"]
    tail = ["--bundle", str(TARBALL_BUNDLE), *who, str(TARBALL)]
    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        "srcverify": ([*srcverify_verify, *tail], b.env),
        "sigstore-python": ([*sigstore_verify, *tail], b.sigstore_env),
        "floor": ([b.python, "-c", FLOOR_CODE, str(TARBALL)], b.env),
    }
    if PRODUCTION_ROOT.is_file():  # informational: the same without authenticating the TUF pin
        commands[INFO_ROW] = (
            [*srcverify_verify, "--trusted-root", str(PRODUCTION_ROOT), *tail],
            b.env,
        )
    for name, (argv, env) in commands.items():  # warm-up: page cache, bytecode, TUF cache
        check(run_timed(argv, env), f"{name} (warm-up)")
    seeded = sorted(
        str(p.relative_to(b.tmp)) for p in (b.tmp / "sigstore-home").rglob("*") if p.is_file()
    )
    b.notes.append(
        "sigstore-python --offline needed no setup: on first use it copies its embedded "
        "trusted_root.json and signing_config.v0.2.json into its TUF target cache under the "
        "throwaway HOME/XDG dirs (" + ", ".join(seeded) + ") and never contacts the TUF repo."
    )
    offline = _offline_check(b, {k: commands[k] for k in ("srcverify", "sigstore-python")})
    runs: dict[str, list[procs.Run]] = {name: [] for name in commands}
    for _ in range(b.args.runs):  # interleaved, so drift hits all commands alike
        for name, (argv, env) in commands.items():
            runs[name].append(check(run_timed(argv, env), name))
    walls = {name: Summary.of([r.wall for r in rs]) for name, rs in runs.items()}
    cpus = {name: Summary.of([r.cpu or 0.0 for r in rs]) for name, rs in runs.items()}
    return {
        "artifact": str(TARBALL),
        "artifact_bytes": TARBALL.stat().st_size,
        "commands": {name: argv for name, (argv, _) in commands.items()},
        "offline_check": offline,
        "wall_seconds": {name: s.to_json() for name, s in walls.items()},
        "cpu_seconds": {name: s.to_json() for name, s in cpus.items()},
        "sigstore_over_srcverify": walls["sigstore-python"].median / walls["srcverify"].median,
        "srcverify_over_floor": walls["srcverify"].median / walls["floor"].median,
        "min_sigstore_over_srcverify": walls["sigstore-python"].minimum
        / walls["srcverify"].minimum,
        "min_srcverify_over_floor": walls["srcverify"].minimum / walls["floor"].minimum,
        "cpu_sigstore_over_srcverify": cpus["sigstore-python"].median / cpus["srcverify"].median,
        "cpu_srcverify_over_floor": cpus["srcverify"].median / cpus["floor"].median,
    }


def _offline_check(b: Bench, commands: dict[str, tuple[list[str], dict[str, str]]]) -> str:
    """Run each command once in an empty network namespace, when the machine allows it."""
    unshare = shutil.which("unshare")
    probe = [unshare, "-rn", "true"] if unshare else None
    if probe is None or subprocess.run(probe, capture_output=True).returncode != 0:
        return "not run (unshare -rn unavailable); commands were run with --offline only"
    for name, (argv, env) in commands.items():
        check(run_timed([unshare, "-rn", *argv], env), f"{name} (in an empty network namespace)")
    return "both CLIs exit 0 in an empty network namespace (unshare -rn)"


# --- (b) in-process throughput --------------------------------------------------------------


def bench_throughput(b: Bench) -> dict[str, Any]:
    if not CPYTHON_CASES.is_file():
        raise Skip(f"corpus index {CPYTHON_CASES} is absent")
    if str(REPO / "src") not in sys.path:
        sys.path.insert(0, str(REPO / "src"))
    cases = inproc.load_cases(CPYTHON_CASES)
    try:
        result = inproc.measure(cases, b.args.runs, b.args.min_seconds)
    except inproc.Rejected as exc:
        raise CommandFailed(str(exc)) from exc
    except ImportError as exc:
        raise CommandFailed(f"cannot import a verifier: {exc}") from exc
    ours, theirs = Summary.of(result.srcverify_rates), Summary.of(result.sigstore_rates)
    ours_cpu, theirs_cpu = (
        Summary.of(result.srcverify_cpu_rates),
        Summary.of(result.sigstore_cpu_rates),
    )
    return {
        "cases_indexed_pass": len(cases),
        "cases_used": result.cases,
        "cases_skipped": [{"id": i, "reason": r} for i, r in result.skipped],
        "per_second": {"srcverify": ours.to_json(), "sigstore-python": theirs.to_json()},
        "per_cpu_second": {
            "srcverify": ours_cpu.to_json(),
            "sigstore-python": theirs_cpu.to_json(),
        },
        "srcverify_over_sigstore": ours.median / theirs.median,
        "cpu_srcverify_over_sigstore": ours_cpu.median / theirs_cpu.median,
    }


# --- (c) peak RSS on a generated 1 GiB file ----------------------------------------------------


def bench_rss(b: Bench) -> dict[str, Any]:
    import bigfile

    help_walls, help_rss, base_walls, base_rss = [], [], [], []
    for _ in range(b.args.runs + 1):
        run = check(run_with_rss([*b.srcverify, "--help"], b.env, b.rss_tool), "srcverify --help")
        base = check(run_with_rss([b.python, "-c", "pass"], b.env, b.rss_tool), "python -c pass")
        help_walls.append(run.wall)
        help_rss.append(run.maxrss_mib or 0.0)
        base_walls.append(base.wall)
        base_rss.append(base.maxrss_mib or 0.0)
    out: dict[str, Any] = {
        "rss_tool": b.rss_tool,
        "help": {
            "wall_seconds": Summary.of(help_walls[1:]).to_json(),
            "rss_mib": max(help_rss[1:]),
        },
        "python_startup": {
            "wall_seconds": Summary.of(base_walls[1:]).to_json(),
            "rss_mib": max(base_rss[1:]),
        },
    }
    free = shutil.disk_usage(b.tmp).free
    if free < (b.args.size_mib + 64) * MIB:
        raise Skip(f"{b.tmp} has {free // MIB} MiB free; the big file needs {b.args.size_mib} MiB")
    start = time.perf_counter()
    try:
        signed = bigfile.sign_file(REPO, b.tmp, b.args.size_mib)
    except ImportError as exc:
        raise CommandFailed(f"the test Sigstore instance does not import: {exc}") from exc
    out["generate_and_sign_seconds"] = time.perf_counter() - start
    argv = [
        *b.srcverify,
        "verify",
        "--bundle",
        str(signed.bundle),
        "--trusted-root",
        str(signed.trusted_root),
        "--cert-identity",
        signed.identity,
        "--cert-oidc-issuer",
        signed.issuer,
        str(signed.artifact),
    ]
    floor = [b.python, "-c", FLOOR_CODE, str(signed.artifact)]
    verify_runs = [check(run_with_rss(argv, b.env, b.rss_tool), "srcverify verify (1 GiB)")]
    floor_runs = [check(run_with_rss(floor, b.env, b.rss_tool), "floor (1 GiB)")]
    for _ in range(b.args.rss_runs - 1):
        verify_runs.append(check(run_with_rss(argv, b.env, b.rss_tool), "srcverify verify (1 GiB)"))
        floor_runs.append(check(run_with_rss(floor, b.env, b.rss_tool), "floor (1 GiB)"))
    out.update(
        artifact_bytes=signed.size,
        command=argv,
        verify={
            "rss_mib": Summary.of([r.maxrss_mib or 0.0 for r in verify_runs]).to_json(),
            "wall_seconds": Summary.of([r.wall for r in verify_runs]).to_json(),
        },
        floor={
            "rss_mib": Summary.of([r.maxrss_mib or 0.0 for r in floor_runs]).to_json(),
            "wall_seconds": Summary.of([r.wall for r in floor_runs]).to_json(),
        },
    )
    signed.artifact.unlink()
    return out


# --- report -----------------------------------------------------------------------------------


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join("  " + line.rstrip() for line in lines)


def _verdict(key: str, value: float) -> str:
    _, op, target = TARGETS[key]
    met = value >= target if op == ">=" else value <= target
    return f"target {op} {target:g}: {'met' if met else 'MISSED'}"


def report_cli(r: dict[str, Any]) -> str:
    rows = [["command", "median s", "min s", "max s", "median CPU s"]]
    for name, s in r["wall_seconds"].items():
        cpu = r["cpu_seconds"][name]["median"]
        row = [name, f"{s['median']:.3f}", f"{s['min']:.3f}", f"{s['max']:.3f}", f"{cpu:.3f}"]
        rows.append(row)
    a, f = r["sigstore_over_srcverify"], r["srcverify_over_floor"]
    ca, cf = r["cpu_sigstore_over_srcverify"], r["cpu_srcverify_over_floor"]
    ma, mf = r["min_sigstore_over_srcverify"], r["min_srcverify_over_floor"]
    return "\n".join(
        [
            f"(a) CLI wall time, {Path(r['artifact']).name} ({r['artifact_bytes'] / 1e6:.1f} MB)",
            _table(rows),
            f"  sigstore-python / srcverify = {a:.2f}x   ({_verdict('cli_vs_sigstore', a)})"
            f"   [mins: {ma:.2f}x, CPU: {ca:.2f}x]",
            f"  srcverify / floor           = {f:.2f}x   ({_verdict('cli_vs_floor', f)})"
            f"   [mins: {mf:.2f}x, CPU: {cf:.2f}x]",
            f"  offline: {r['offline_check']}",
        ]
    )


def report_throughput(r: dict[str, Any]) -> str:
    rows = [["verifier", "median /s", "best /s", "worst /s", "median /CPU s"]]
    for name, s in r["per_second"].items():
        cpu = r["per_cpu_second"][name]["median"]
        rows.append(
            [name, f"{s['median']:.1f}", f"{s['max']:.1f}", f"{s['min']:.1f}", f"{cpu:.1f}"]
        )
    ratio, cpu_ratio = r["srcverify_over_sigstore"], r["cpu_srcverify_over_sigstore"]
    lines = [
        f"(b) in-process digest-only verifications per second, {r['cases_used']} of "
        f"{r['cases_indexed_pass']} expected-pass CPython bundles",
        _table(rows),
        f"  srcverify / sigstore-python = {ratio:.2f}x   ({_verdict('throughput', ratio)})"
        f"   [CPU time: {cpu_ratio:.2f}x]",
    ]
    lines += [f"  left out: {s['id']}: {s['reason'][:140]}" for s in r["cases_skipped"]]
    return "\n".join(lines)


def report_rss(r: dict[str, Any]) -> str:
    h, p = r["help"], r["python_startup"]
    rows = [["process", "peak RSS MiB", "median wall s"]]
    rows.append(["srcverify --help", f"{h['rss_mib']:.1f}", f"{h['wall_seconds']['median']:.3f}"])
    rows.append(["python -c pass", f"{p['rss_mib']:.1f}", f"{p['wall_seconds']['median']:.3f}"])
    lines = [f"(c) peak RSS (measured with {r['rss_tool']})"]
    if "verify" in r:
        v, fl = r["verify"], r["floor"]
        size = r["artifact_bytes"] / 2**30
        rows.insert(
            1,
            [
                f"srcverify verify ({size:g} GiB)",
                f"{v['rss_mib']['max']:.1f}",
                f"{v['wall_seconds']['median']:.3f}",
            ],
        )
        rows.insert(
            2,
            [
                f"floor ({size:g} GiB)",
                f"{fl['rss_mib']['max']:.1f}",
                f"{fl['wall_seconds']['median']:.3f}",
            ],
        )
    lines.append(_table(rows))
    if "verify" in r:
        peak = r["verify"]["rss_mib"]["max"]
        lines.append(f"  peak RSS {peak:.1f} MiB   ({_verdict('rss', peak)})")
    return "\n".join(lines)


SECTIONS: dict[str, tuple[Callable[[Bench], dict[str, Any]], Callable[[dict[str, Any]], str]]] = {
    "cli": (bench_cli, report_cli),
    "throughput": (bench_throughput, report_throughput),
    "rss": (bench_rss, report_rss),
}


def _meta(b: Bench) -> dict[str, Any]:
    def version(dist: str) -> str:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as v

        try:
            return v(dist)
        except PackageNotFoundError:
            return "not installed"

    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "srcverify_commit": commit or "unknown",
        "srcverify_invocation": b.srcverify_how,
        "python": platform.python_version(),
        "cryptography": version("cryptography"),
        "sigstore": version("sigstore"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}",
        "load_average_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "runs": b.args.runs,
    }


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure to FILE")
    parser.add_argument(
        "--only", default="cli,throughput,rss", help="comma-separated sections (default: all)"
    )
    parser.add_argument(
        "--min-seconds",
        type=float,
        default=1.0,
        help="throughput: minimum time per round and verifier (default 1.0)",
    )
    parser.add_argument("--size-mib", type=int, default=1024, help="rss: file size (default 1024)")
    parser.add_argument("--rss-runs", type=int, default=2, help="rss: runs of the big verify")
    parser.add_argument(
        "--rss-tool", choices=("auto", "time", "wrapper"), default="auto", help="RSS measurement"
    )
    parser.add_argument("--tmpdir", help="where to put the big file (default: system temp)")
    args = parser.parse_args(argv)
    unknown = set(args.only.split(",")) - set(SECTIONS)
    if unknown:
        parser.error(
            f"unknown section(s) {', '.join(sorted(unknown))}; known: {', '.join(SECTIONS)}"
        )
    if args.runs < 1 or args.rss_runs < 1:
        parser.error("--runs and --rss-runs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="srcverify-bench-", dir=args.tmpdir) as tmp:
        b = Bench(args, Path(tmp))
        results: dict[str, Any] = {"meta": _meta(b)}
        failures: list[str] = []
        print("srcverify benchmarks")
        for key, value in results["meta"].items():
            print(f"  {key}: {value}")
        for name in args.only.split(","):
            measure, render = SECTIONS[name]
            print(f"\n[{name}] running...", file=sys.stderr, flush=True)
            try:
                results[name] = measure(b)
            except Skip as exc:
                results[name] = {"skipped": str(exc)}
                print(f"\n({name}) SKIPPED: {exc}")
                continue
            except CommandFailed as exc:
                results[name] = {"failed": str(exc)}
                failures.append(f"{name}: {exc}")
                print(f"\n({name}) FAILED: {exc}")
                continue
            print("\n" + render(results[name]), flush=True)
    results["notes"] = b.notes
    results["failures"] = failures
    results["elapsed_seconds"] = time.perf_counter() - started
    for note in b.notes:
        print(f"\nnote: {note}")
    print(f"\nbench took {results['elapsed_seconds']:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    if failures:
        print(f"\nbench: {len(failures)} measured command(s) failed:", file=sys.stderr)
        for failure in failures:
            print(f"  - {failure.splitlines()[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: srcverify beside its peers and beside the floor, on installed code.

Run by ``make bench`` with the bench's own virtualenv (``bench/setup_env.py``:
srcverify installed from this checkout, non-editable and byte-compiled, plus
sigstore-python; ``@sigstore/verify`` from npm). Sections (``--only``):

single     one verification of the real 22.8 MB Python-3.13.5.tar.xz, default
           path (shipped pin + shipped map), paired and interleaved with
           sigstore-python's CLI (``sigstore --trust-config`` with the same trusted
           root, ``verify identity --offline``), sigstore-js (``@sigstore/verify``
           via bench/sigstore_js_verify.js, same trusted root) and the floor
           (python + ``import cryptography.x509`` + SHA-256 of the file in 1 MiB
           reads). Medians, minimums, and the median of per-round ratios.
batch      the 87 CPython bundles by digest: one ``verify --batch`` process vs 87
           srcverify processes vs 87 sigstore-python processes; and ``-j 2`` vs
           ``-j 1`` on the same list repeated ten times (rates).
perbundle  in one process, srcverify's cost per bundle vs the cryptographic
           floor, the primitives timed in the same run (bench/inproc.py).
big        a generated 1 GiB artifact signed by the test Sigstore instance:
           srcverify vs the floor, wall time and peak RSS; ``srcverify --help``.
pypi       a real PyPI sdist with its real PEP 740 provenance: srcverify (shipped
           pin and map) vs ``pypi-attestations verify pypi --offline``
           (bench/pypi.py).

Targets are printed beside the figures and never asserted; the exit status
is 1 only if a measured command failed. Nothing here uses the network.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import inproc
import pypi
from procs import CommandFailed, Run, Summary, run

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
CPYTHON = CORPUS / "cpython"
TARBALL = CPYTHON / "artifacts" / "Python-3.13.5.tar.xz"
TARBALL_BUNDLE = CPYTHON / "bundles" / "Python-3.13.5.tar.xz.sigstore"
TARBALL_SIGNER = ("thomas@python.org", "https://accounts.google.com")
PIN = REPO / "trust-root"
TRUSTED_ROOT = PIN / "targets" / "trusted_root.json"
MIB = 1 << 20

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
    "sigstore_python_over_srcverify": (">=", 4.0),
    "srcverify_over_floor": ("<=", 1.5),
    "sigstore_js_over_srcverify": (">", 1.0),
    "processes_over_batch": (">=", 30.0),
    "per_bundle_over_crypto_floor": ("<=", 1.3),
    "jobs2_over_jobs1": (">=", 1.7),
    "big_over_floor": ("<=", 1.15),
    "big_peak_rss_mib": ("<=", 40.0),
}


class Skip(Exception):
    """A section or row cannot run here; the reason is printed."""


class Bench:
    """The commands under test and where they run."""

    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.args = args
        self.tmp = tmp
        bindir = Path(sys.executable).parent
        self.python = sys.executable
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "PYTHONPYCACHEPREFIX")
        }
        self.srcverify = [str(bindir / "srcverify")]
        home = tmp / "home"
        self.sigstore_env = dict(self.env, HOME=str(home), XDG_CACHE_HOME=str(home / "cache"))
        self.trust_config = tmp / "trust-config.json"
        signing = sorted((PIN / "targets").glob("signing_config*.json"))
        self.trust_config.write_text(
            json.dumps(
                {
                    "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
                    "trustedRoot": json.loads(TRUSTED_ROOT.read_text()),
                    "signingConfig": json.loads(signing[-1].read_text()),
                }
            )
        )
        self.sigstore = [str(bindir / "sigstore"), "--trust-config", str(self.trust_config)]
        node_modules = Path(args.env) / "node" / "node_modules" if args.env else None
        node = shutil.which("node")
        self.node: list[str] | None = None
        self.node_env = dict(self.env)
        if node and node_modules and (node_modules / "@sigstore" / "verify").is_dir():
            self.node = [node, str(REPO / "bench" / "sigstore_js_verify.js")]
            self.node_env["NODE_PATH"] = str(node_modules)
        self.notes: list[str] = []

    def check_installed(self) -> None:
        origin = subprocess.run(
            [self.python, "-c", "import srcverify; print(srcverify.__file__)"],
            capture_output=True,
            text=True,
            env=self.env,
        ).stdout.strip()
        if not origin or Path(origin).resolve().is_relative_to(REPO / "src"):
            raise SystemExit(
                f"bench: srcverify must be installed (not the editable tree), found {origin!r}; "
                "run `make bench`"
            )
        self.notes.append(f"srcverify measured from {Path(origin).parent}")


def _rounds(
    commands: dict[str, tuple[list[str], dict[str, str]]], rounds: int, *, rss: bool = False
) -> dict[str, list[Run]]:
    """Each round runs every command once, the order rotated, so drift hits all alike."""
    names = list(commands)
    for name in names:  # warm-up: page cache, bytecode caches
        run(commands[name][0], commands[name][1], what=f"{name} (warm-up)", rss=rss)
    runs: dict[str, list[Run]] = {name: [] for name in names}
    for index in range(rounds):
        for name in names[index % len(names) :] + names[: index % len(names)]:
            argv, env = commands[name]
            runs[name].append(run(argv, env, what=name, rss=rss))
    return runs


def _paired(runs: dict[str, list[Run]], over: str, under: str) -> float:
    return statistics.median(a.wall / b.wall for a, b in zip(runs[over], runs[under], strict=True))


# --- single: one verification of the real tarball ------------------------------------------


def bench_single(b: Bench) -> dict[str, Any]:
    for path in (TARBALL, TARBALL_BUNDLE):
        if not path.is_file():
            raise Skip(f"corpus file {path} is absent")
    identity, issuer = TARBALL_SIGNER
    who = ["--cert-identity", identity, "--cert-oidc-issuer", issuer]
    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        "srcverify": (
            [*b.srcverify, "verify", "--bundle", str(TARBALL_BUNDLE), str(TARBALL)],
            b.env,
        ),
        "sigstore-python": (
            [
                *b.sigstore,
                "verify",
                "identity",
                "--offline",
                "--bundle",
                str(TARBALL_BUNDLE),
                *who,
                str(TARBALL),
            ],
            b.sigstore_env,
        ),
        "floor": ([b.python, "-c", FLOOR_CODE, str(TARBALL)], b.env),
    }
    if b.node is not None:
        commands["sigstore-js"] = (
            [*b.node, str(TRUSTED_ROOT), str(TARBALL_BUNDLE), str(TARBALL), identity, issuer],
            b.node_env,
        )
    else:
        b.notes.append("sigstore-js row skipped: node or the bench's @sigstore/verify is missing")
    runs = _rounds(commands, b.args.runs)
    result: dict[str, Any] = {
        "artifact_bytes": TARBALL.stat().st_size,
        "commands": {name: argv for name, (argv, _) in commands.items()},
        "wall_seconds": {n: Summary.of([r.wall for r in rs]).to_json() for n, rs in runs.items()},
        "cpu_seconds": {n: Summary.of([r.cpu for r in rs]).to_json() for n, rs in runs.items()},
        "sigstore_python_over_srcverify": _paired(runs, "sigstore-python", "srcverify"),
        "srcverify_over_floor": _paired(runs, "srcverify", "floor"),
        "cpu_ratios": {
            name: statistics.median(rs[i].cpu / runs["srcverify"][i].cpu for i in range(len(rs)))
            for name, rs in runs.items()
        },
    }
    if "sigstore-js" in runs:
        result["sigstore_js_over_srcverify"] = _paired(runs, "sigstore-js", "srcverify")
    return result


def report_single(r: dict[str, Any]) -> str:
    lines = [
        f"(single) one verification of Python-3.13.5.tar.xz ({r['artifact_bytes'] / 1e6:.1f} MB)"
    ]
    rows = [["command", "median s", "min s", "median CPU s"]]
    for name, s in r["wall_seconds"].items():
        rows.append(
            [
                name,
                f"{s['median']:.3f}",
                f"{s['min']:.3f}",
                f"{r['cpu_seconds'][name]['median']:.3f}",
            ]
        )
    lines.append(_table(rows))
    for key, label in (
        ("sigstore_python_over_srcverify", "sigstore-python / srcverify"),
        ("srcverify_over_floor", "srcverify / floor"),
        ("sigstore_js_over_srcverify", "sigstore-js / srcverify"),
    ):
        if key in r:
            lines.append(
                f"  {label:<28} = {r[key]:.2f}x (median of paired runs; {_verdict(key, r[key])})"
            )
    return "\n".join(lines)


# --- batch: the 87 CPython bundles ------------------------------------------------------------


def bench_batch(b: Bench) -> dict[str, Any]:
    cases_json = CPYTHON / "cases.json"
    if not cases_json.is_file():
        raise Skip(f"corpus index {cases_json} is absent")
    cases = [
        c
        for c in json.loads(cases_json.read_text())["cases"]
        if c["expected"] == "pass" and c["verification"] == "certificate-identity"
    ]
    lines = [
        f"{c['artifact_name']} {CPYTHON / c['bundle']} sha256:{c['artifact_sha256']}" for c in cases
    ]
    listing = b.tmp / "cpython.list"
    listing.write_text("\n".join(lines) + "\n")
    big_listing = b.tmp / "cpython-x10.list"
    big_listing.write_text("\n".join(lines * 10) + "\n")

    def srcverify_processes() -> float:
        start = time.perf_counter()
        for c in cases:
            run(
                [
                    *b.srcverify,
                    "verify",
                    "--bundle",
                    str(CPYTHON / c["bundle"]),
                    "--digest",
                    f"sha256:{c['artifact_sha256']}",
                    c["artifact_name"],
                ],
                b.env,
                what=f"srcverify {c['artifact_name']}",
            )
        return time.perf_counter() - start

    rejected_by_sigstore: set[str] = set()

    def sigstore_processes() -> float:
        start = time.perf_counter()
        for c in cases:
            result = run(
                [
                    *b.sigstore,
                    "verify",
                    "identity",
                    "--offline",
                    "--bundle",
                    str(CPYTHON / c["bundle"]),
                    "--cert-identity",
                    c["identity"],
                    "--cert-oidc-issuer",
                    c["issuer"],
                    f"sha256:{c['artifact_sha256']}",
                ],
                b.sigstore_env,
                check=False,
            )
            if result.returncode != 0:
                rejected_by_sigstore.add(c["artifact_name"])
        return time.perf_counter() - start

    batch = [*b.srcverify, "verify", "--batch", str(listing)]
    run(batch, b.env, what="srcverify --batch (warm-up)")
    walls: dict[str, list[float]] = {k: [] for k in ("batch", "srcverify x87", "sigstore x87")}
    jobs: dict[str, list[float]] = {"-j 1": [], "-j 2": []}
    loads = []
    for _ in range(b.args.batch_runs):
        walls["batch"].append(run(batch, b.env, what="srcverify --batch").wall)
        walls["srcverify x87"].append(srcverify_processes())
        walls["sigstore x87"].append(sigstore_processes())
        for flag in ("1", "2"):
            loads.append(os.getloadavg()[0])
            argv = [*b.srcverify, "verify", "-j", flag, "--batch", str(big_listing)]
            jobs[f"-j {flag}"].append(run(argv, b.env, what=f"srcverify -j {flag}").wall)
    ratios = [s / t for s, t in zip(walls["sigstore x87"], walls["batch"], strict=True)]
    speedups = [one / two for one, two in zip(jobs["-j 1"], jobs["-j 2"], strict=True)]
    return {
        "bundles": len(cases),
        "wall_seconds": {k: Summary.of(v).to_json() for k, v in walls.items()},
        "jobs_wall_seconds": {k: Summary.of(v).to_json() for k, v in jobs.items()},
        "jobs_verifications": len(cases) * 10,
        "processes_over_batch": statistics.median(ratios),
        "srcverify_processes_over_batch": statistics.median(
            s / t for s, t in zip(walls["srcverify x87"], walls["batch"], strict=True)
        ),
        "jobs2_over_jobs1": statistics.median(speedups),
        "load_average_during_jobs": max(loads),
        "rejected_by_sigstore_python": sorted(rejected_by_sigstore),
        "cpus": os.cpu_count(),
    }


def report_batch(r: dict[str, Any]) -> str:
    n = r["bundles"]
    lines = [f"(batch) the {n} CPython bundles by digest"]
    rows = [["run", "median s", "min s", "per bundle ms"]]
    for name, s in r["wall_seconds"].items():
        rows.append([name, f"{s['median']:.2f}", f"{s['min']:.2f}", f"{s['median'] / n * 1e3:.1f}"])
    lines.append(_table(rows))
    ratio = r["processes_over_batch"]
    lines.append(
        f"  87 sigstore-python processes / one srcverify batch = {ratio:.1f}x "
        f"({_verdict('processes_over_batch', ratio)}); 87 srcverify processes / batch = "
        f"{r['srcverify_processes_over_batch']:.1f}x"
    )
    for name in r["rejected_by_sigstore_python"]:
        lines.append(
            f"  sigstore-python rejects {name} (a v0.1 bundle without a checkpoint; srcverify "
            "accepts it on its signed promise and says so); its run still counts"
        )
    j1, j2 = r["jobs_wall_seconds"]["-j 1"], r["jobs_wall_seconds"]["-j 2"]
    m = r["jobs_verifications"]
    speedup = r["jobs2_over_jobs1"]
    lines.append(
        f"  {m} verifications: -j 1 {j1['median']:.2f} s ({m / j1['median']:.0f}/s), -j 2 "
        f"{j2['median']:.2f} s ({m / j2['median']:.0f}/s): {speedup:.2f}x "
        f"({_verdict('jobs2_over_jobs1', speedup)})"
    )
    busy = r["load_average_during_jobs"]
    free = r["cpus"] - busy
    lines.append(
        f"  {r['cpus']} CPUs, load average up to {busy:.2f} before the -j runs: "
        + (
            "two cores were free"
            if free >= 2
            else "two cores were NOT free, so -j 2 cannot reach 2x"
        )
    )
    return "\n".join(lines)


# --- perbundle: in one process, against the cryptographic floor -----------------------------------


def bench_perbundle(b: Bench) -> dict[str, Any]:
    cases_json = CPYTHON / "cases.json"
    if not cases_json.is_file():
        raise Skip(f"corpus index {cases_json} is absent")
    from srcverify.sigstore.trustroot import TrustedRoot

    root = TrustedRoot.from_json(TRUSTED_ROOT.read_bytes())
    result = inproc.measure(inproc.load_cases(cases_json), root, b.args.runs, b.args.min_seconds)
    ratios = [ours / floor for ours, floor in zip(result.srcverify, result.floor, strict=True)]
    return {
        "bundles": result.cases,
        "primitives": result.primitives,
        "srcverify_seconds": Summary.of(result.srcverify).to_json(),
        "floor_seconds": Summary.of(result.floor).to_json(),
        "per_bundle_over_crypto_floor": statistics.median(ratios),
    }


def report_perbundle(r: dict[str, Any]) -> str:
    ours, floor = r["srcverify_seconds"], r["floor_seconds"]
    ratio = r["per_bundle_over_crypto_floor"]
    prims = ", ".join(f"{name} x{count}" for name, count in r["primitives"].items())
    return "\n".join(
        [
            f"(perbundle) {r['bundles']} bundles in one process",
            f"  srcverify (Bundle.from_json + verify_bundle): {ours['median'] * 1e3:.2f} ms "
            f"per bundle (min {ours['min'] * 1e3:.2f})",
            f"  cryptographic floor:                          {floor['median'] * 1e3:.2f} ms "
            f"per bundle (min {floor['min'] * 1e3:.2f})",
            f"  srcverify / floor = {ratio:.2f}x "
            f"({_verdict('per_bundle_over_crypto_floor', ratio)})",
            f"  floor primitives over all bundles: {prims}",
        ]
    )


# --- big: 1 GiB --------------------------------------------------------------------------------


def bench_big(b: Bench) -> dict[str, Any]:
    import bigfile

    out: dict[str, Any] = {}
    helps = [
        run([*b.srcverify, "--help"], b.env, what="srcverify --help", rss=True)
        for _ in range(b.args.runs)
    ]
    bare = [
        run([b.python, "-c", "pass"], b.env, what="python -c pass", rss=True)
        for _ in range(b.args.runs)
    ]
    out["help_wall_seconds"] = Summary.of([r.wall for r in helps]).to_json()
    out["python_wall_seconds"] = Summary.of([r.wall for r in bare]).to_json()
    out["help_peak_rss_mib"] = max(r.maxrss_mib for r in helps)
    out["python_peak_rss_mib"] = max(r.maxrss_mib for r in bare)
    free = shutil.disk_usage(b.tmp).free
    if free < (b.args.size_mib + 64) * MIB:
        b.notes.append(f"big: {b.tmp} has {free // MIB} MiB free; the 1 GiB rows were skipped")
        return out
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    signed = bigfile.sign_file(REPO, b.tmp, b.args.size_mib)
    commands = {
        "srcverify": (
            [
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
            ],
            b.env,
        ),
        "floor": ([b.python, "-c", FLOOR_CODE, str(signed.artifact)], b.env),
    }
    runs = _rounds(commands, b.args.big_runs, rss=True)
    signed.artifact.unlink()
    out.update(
        artifact_bytes=signed.size,
        wall_seconds={n: Summary.of([r.wall for r in rs]).to_json() for n, rs in runs.items()},
        peak_rss_mib={n: max(r.maxrss_mib for r in rs) for n, rs in runs.items()},
        big_over_floor=_paired(runs, "srcverify", "floor"),
    )
    out["big_peak_rss_mib"] = out["peak_rss_mib"]["srcverify"]
    return out


def report_big(r: dict[str, Any]) -> str:
    h, p = r["help_wall_seconds"], r["python_wall_seconds"]
    lines = [
        "(big) hashing and memory",
        f"  srcverify --help: {h['median'] * 1e3:.0f} ms median, peak RSS "
        f"{r['help_peak_rss_mib']:.1f} MiB (python -c pass: {p['median'] * 1e3:.0f} ms, "
        f"{r['python_peak_rss_mib']:.1f} MiB)",
    ]
    if "wall_seconds" in r:
        size = r["artifact_bytes"] / 2**30
        rows = [["command", "median s", "min s", "peak RSS MiB"]]
        for name, s in r["wall_seconds"].items():
            rows.append(
                [
                    f"{name} ({size:g} GiB)",
                    f"{s['median']:.3f}",
                    f"{s['min']:.3f}",
                    f"{r['peak_rss_mib'][name]:.1f}",
                ]
            )
        lines.append(_table(rows))
        ratio, rss = r["big_over_floor"], r["big_peak_rss_mib"]
        lines.append(f"  srcverify / floor = {ratio:.2f}x ({_verdict('big_over_floor', ratio)})")
        lines.append(f"  peak RSS {rss:.1f} MiB ({_verdict('big_peak_rss_mib', rss)})")
    return "\n".join(lines)


# --- report --------------------------------------------------------------------------------------


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join("  " + line.rstrip() for line in lines)


def _verdict(key: str, value: float) -> str:
    op, target = TARGETS[key]
    met = {">=": value >= target, "<=": value <= target, ">": value > target}[op]
    return f"target {op} {target:g}: {'met' if met else 'MISSED'}"


SECTIONS: dict[str, tuple[Callable[[Bench], dict[str, Any]], Callable[[dict[str, Any]], str]]] = {
    "single": (bench_single, report_single),
    "batch": (bench_batch, report_batch),
    "perbundle": (bench_perbundle, report_perbundle),
    "big": (bench_big, report_big),
    "pypi": (pypi.bench_pypi, pypi.report_pypi),
}


def _meta(b: Bench) -> dict[str, Any]:
    from importlib.metadata import version

    try:  # a tarball of the tree has no git, and git is no tool the bench needs
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        commit = ""
    node = (
        subprocess.run([b.node[0], "--version"], capture_output=True, text=True).stdout.strip()
        if b.node
        else "absent"
    )
    return {
        "srcverify_commit": commit or "unknown",
        "python": platform.python_version(),
        "cryptography": version("cryptography"),
        "sigstore-python": version("sigstore"),
        "node": node,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "load_average_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "runs": b.args.runs,
    }


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", help="the folder bench/setup_env.py filled (for node_modules)")
    parser.add_argument("--runs", type=int, default=11, help="paired rounds (default 11)")
    parser.add_argument("--batch-runs", type=int, default=2, help="batch rounds (default 2)")
    parser.add_argument("--big-runs", type=int, default=3, help="1 GiB rounds (default 3)")
    parser.add_argument("--min-seconds", type=float, default=1.0, help="perbundle: per round")
    parser.add_argument("--size-mib", type=int, default=1024, help="big: file size in MiB")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--json", metavar="FILE", help="also write every figure to FILE")
    parser.add_argument("--tmpdir", help="where the big file goes (default: system temp)")
    args = parser.parse_args(argv)
    unknown = set(args.only.split(",")) - set(SECTIONS)
    if unknown:
        parser.error(
            f"unknown section(s) {', '.join(sorted(unknown))}; known: {', '.join(SECTIONS)}"
        )
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="srcverify-bench-", dir=args.tmpdir) as tmp:
        b = Bench(args, Path(tmp))
        b.check_installed()
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
    for failure in failures:
        print(f"bench: FAILED {failure.splitlines()[0]}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""Rebuild the shipped trust-root pin from the ``sigstore`` wheel on PyPI.

The build environment reaches PyPI but not Sigstore's TUF repository, so the
pin in the repository starts from the TUF root (v15) and the production
``trusted_root.json`` / ``signing_config.v0.2.json`` embedded in
sigstore-python's wheel. This script is reproducible: run on the same wheel it
writes byte-identical files (``git diff --exit-code trust-root/`` stays clean)::

    pip download sigstore==4.5.1 --no-deps --only-binary :all: -d build/wheel
    PYTHONPATH=src python trust-root/rebuild_from_wheel.py \\
        build/wheel/sigstore-4.5.1-py3-none-any.whl

It refuses a wheel whose sha256 is not the one recorded below. A pin made by
``srcverify trust-root update`` (full TUF metadata) supersedes this one.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from srcverify.errors import SrcverifyError
from srcverify.pin.load import verify_pin_dir
from srcverify.pin.update import pin_files_from_wheel, replace_pin_dir, write_pin

WHEEL = "sigstore-4.5.1-py3-none-any.whl"
WHEEL_SHA256 = "02e000197b34980f1d382741d6f83c2fecbcef7debf7304f36a5253f3c892cd9"
REFERENCE_TIME = datetime(2026, 8, 21, 20, 0, 0, tzinfo=UTC)
REFERENCE_TIME_NOTE = (
    "The wheel carries no time of its own. T is a time at which Sigstore's production "
    "TUF repository (sigstore/root-signing at commit 60cf2ce, 2026-08-21) served root v15 "
    "and this exact trusted_root.json (sha256 6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38"
    "c755fc3517c9e6bc0b66) under timestamp v762, valid until 2026-08-28T19:25:56Z; "
    "tests/test_tufpin.py re-checks that against the repository's metadata when it is "
    "available. Root v15 itself expires 2026-11-20T13:58:18Z."
)


def main() -> int:
    """Rebuild the pin next to this script (or in --out) from a wheel file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help=f"path to {WHEEL}")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    data = args.wheel.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if args.wheel.name != WHEEL or digest != WHEEL_SHA256:
        print(f"expected {WHEEL} with sha256 {WHEEL_SHA256}, got {args.wheel.name} {digest}")
        return 1
    record, files = pin_files_from_wheel(
        data,
        wheel_name=WHEEL,
        wheel_sha256=digest,
        reference_time=REFERENCE_TIME,
        note=REFERENCE_TIME_NOTE,
    )
    out: Path = args.out.resolve()
    work = Path(tempfile.mkdtemp(prefix=".trust-root.rebuild-", dir=out.parent))
    try:
        staged = work / "pin"
        write_pin(staged, record, files, extra_from=out if out.is_dir() else None)
        pin = verify_pin_dir(staged)
        if out.exists():
            replace_pin_dir(staged, out, aside=work / "old")
        else:
            staged.rename(out)
    except SrcverifyError as exc:
        print(f"rebuild failed: {exc}")
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {out}: root v{pin.root_chain[-1]}, T={REFERENCE_TIME.isoformat()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

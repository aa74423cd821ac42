"""One fuzz target per parser srcverify runs on untrusted bytes.

Each target is a function taking the fuzzer's bytes. It returns normally
when srcverify handled the input (accepted it, or raised one of its own
errors, :class:`~srcverify.errors.SrcverifyError`); anything else escapes
and is a finding: a traceback, a hang (the fuzzer's per-input timeout) or
memory growth (its RSS limit). Each target also names its seeds: valid
inputs from the test Sigstore instance and from ``../shared/corpus`` when
present, so the fuzzer starts from the shapes real input has.

The targets are plain functions, so ``tests/fuzz/test_targets.py`` runs
them over their seeds in the ordinary suite and they cannot rot.
"""

from __future__ import annotations

import contextlib
import functools
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from srcverify.errors import SrcverifyError
from tests.conftest import CORPUS

__all__ = ["TARGETS", "Target"]

NOW = datetime(2025, 6, 2, tzinfo=UTC)


@dataclass(frozen=True)
class Target:
    name: str
    run: Callable[[bytes], None]
    seeds: Callable[[], Iterator[bytes]]


def _ours(function: Callable[[bytes], None]) -> Callable[[bytes], None]:
    @functools.wraps(function)
    def run(data: bytes) -> None:
        with contextlib.suppress(SrcverifyError):
            function(data)

    return run


# --- bundle JSON, verified end to end ----------------------------------------------------


@functools.cache
def _instance() -> Any:
    from tests.support.instance import TestInstance

    return TestInstance()


@functools.cache
def _signed_bundles() -> tuple[Any, ...]:
    instance = _instance()
    shapes: list[dict[str, Any]] = [
        {},
        {"log": "v2", "timestamp": True},
        {"timestamp": True},
        {"media_type": "v0.1"},
        {"media_type": "v0.2"},
        {"dsse": True},
        {"dsse": True, "log": "v2", "timestamp": True},
        {"managed_key": True},
    ]
    return tuple(instance.sign_artifact(b"fuzzed artifact\n", **shape) for shape in shapes)


@functools.cache
def _trusted_root() -> Any:
    from srcverify.sigstore.trustroot import TrustedRoot

    return TrustedRoot.from_json(json.dumps(_signed_bundles()[0].trusted_root).encode())


def _bundle_seeds() -> Iterator[bytes]:
    for signed in _signed_bundles():
        yield json.dumps(signed.bundle).encode()
    for path in sorted((CORPUS / "cpython" / "bundles").glob("*.sigstore"))[:20]:
        yield path.read_bytes()


@_ours
def fuzz_bundle(data: bytes) -> None:
    import hashlib

    from srcverify.sigstore.bundle import Bundle
    from srcverify.sigstore.identity import Identity
    from srcverify.sigstore.verify import ManagedKey, verify_bundle
    from tests.support.signed import DEFAULT_IDENTITY, DEFAULT_ISSUER

    bundle = Bundle.from_json(data)
    policy: Any = Identity(identity=DEFAULT_IDENTITY, issuer=DEFAULT_ISSUER)
    if bundle.material.public_key_hint is not None:
        from srcverify.sigstore.signature import load_public_key_pem

        policy = ManagedKey(load_public_key_pem(_instance().managed_public_key_pem()))
    digest = hashlib.sha256(b"fuzzed artifact\n").digest()
    verify_bundle(bundle, digest, trusted_root=_trusted_root(), policy=policy, now=NOW)


# --- DER and RFC 3161 timestamp responses -------------------------------------------------


def _timestamp_seeds() -> Iterator[bytes]:
    from cryptography.hazmat.primitives.serialization import Encoding

    for signed in _signed_bundles():
        if signed.timestamp_response is not None:
            yield signed.timestamp_response
        if signed.certificate is not None:
            yield signed.certificate.public_bytes(Encoding.DER)


@_ours
def fuzz_timestamp(data: bytes) -> None:
    from srcverify.sigstore import der
    from srcverify.sigstore.timestamps import verify_timestamp

    with contextlib.suppress(der.DerError):
        der.parse(data, "fuzzed DER")
    signed = _signed_bundles()[2]
    verify_timestamp(data, signed.signature, _trusted_root().timestamp_authorities)


# --- checkpoints (C2SP signed notes) -------------------------------------------------------


def _checkpoint_seeds() -> Iterator[bytes]:
    for signed in _signed_bundles():
        for entry in signed.bundle["verificationMaterial"].get("tlogEntries", []):
            envelope = entry.get("inclusionProof", {}).get("checkpoint", {}).get("envelope")
            if envelope:
                yield envelope.encode()


@_ours
def fuzz_checkpoint(data: bytes) -> None:
    from srcverify.sigstore.checkpoint import Checkpoint, verify_checkpoint

    text = (
        data.decode("utf-8", errors="surrogatepass") if _utf8ish(data) else data.decode("latin-1")
    )
    Checkpoint.parse(text)
    root = _trusted_root()
    for log in root.tlogs:
        with contextlib.suppress(SrcverifyError):
            verify_checkpoint(text, log, root_hash=b"\x00" * 32, tree_size=1)


def _utf8ish(data: bytes) -> bool:
    try:
        data.decode("utf-8", errors="surrogatepass")
    except UnicodeDecodeError:
        return False
    return True


# --- release-map YAML -------------------------------------------------------------------


def _map_seeds() -> Iterator[bytes]:
    root = Path(__file__).resolve().parents[2]
    yield (root / "src" / "srcverify" / "releasemap" / "maps" / "cpython.yaml").read_bytes()
    for path in sorted((root / "tests" / "releasemap" / "data").rglob("*.yaml"))[:20]:
        yield path.read_bytes()


_NAMES = ("Python-3.13.5.tar.xz", "Python-3.12.0rc3.tgz", "python-3.14.0-amd64.exe", "x.tar.gz")


@_ours
def fuzz_release_map(data: bytes) -> None:
    from srcverify.releasemap.resolve import ReleaseMap, resolve

    text = (
        data.decode("utf-8", errors="surrogatepass") if _utf8ish(data) else data.decode("latin-1")
    )
    release_map = ReleaseMap.from_text(text, "fuzzed.yaml")
    for name in _NAMES:
        with contextlib.suppress(SrcverifyError):
            resolve(release_map, name)


# --- TUF metadata served to trust-root update ----------------------------------------------

_ROLES = ("timestamp.json", "2.root.json", "1.snapshot.json", "1.targets.json")


@functools.cache
def _tuf_setup() -> tuple[Any, Path, Path]:
    from tests.support.tufrepo import TufRepo

    work = Path(tempfile.mkdtemp(prefix="srcverify-fuzz-tuf-"))
    repo = TufRepo()
    pin = repo.write_pin(work / "pin")
    mirror = repo.write_mirror(work / "mirror")
    return repo, pin, mirror


def _tuf_seeds() -> Iterator[bytes]:
    repo, _, mirror = _tuf_setup()
    for index, name in enumerate(_ROLES):
        path = mirror / name
        if path.exists():
            yield bytes([index]) + path.read_bytes()
    yield bytes([1]) + repo.roots[max(repo.roots)]


@_ours
def fuzz_tuf_update(data: bytes) -> None:
    """The first byte picks the mirror file; the rest is its content."""
    from srcverify.pin.update import update_pin

    if not data:
        return
    _, pin, mirror = _tuf_setup()
    target = mirror / _ROLES[data[0] % len(_ROLES)]
    original = target.read_bytes() if target.exists() else None
    target.write_bytes(data[1:])
    try:
        update_pin(pin, str(mirror), now=_tuf_now())
    finally:
        if original is None:
            target.unlink()
        else:
            target.write_bytes(original)


def _tuf_now() -> datetime:
    from tests.support.tufrepo import T

    return T + timedelta(days=1)


TARGETS = {
    target.name: target
    for target in (
        Target("bundle", fuzz_bundle, _bundle_seeds),
        Target("timestamp", fuzz_timestamp, _timestamp_seeds),
        Target("checkpoint", fuzz_checkpoint, _checkpoint_seeds),
        Target("release_map", fuzz_release_map, _map_seeds),
        Target("tuf_update", fuzz_tuf_update, _tuf_seeds),
    )
}

"""Property tests: random and mutated bundles give our error, never a traceback.

Through the library (``verify_bundle`` raises only ``SrcverifyError``) and
through the CLI (exit 1 or 3 with a message on stderr).
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srcverify.cli.main import main
from srcverify.errors import SrcverifyError
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.identity import Identity
from srcverify.sigstore.trustroot import TrustedRoot
from srcverify.sigstore.verify import verify_bundle
from tests.support.instance import DEFAULT_IDENTITY, DEFAULT_ISSUER, TestInstance

INSTANCE = TestInstance()
ARTIFACT = b"property test artifact\n"
SIGNED = {
    "v0.3 v1 log": INSTANCE.sign_artifact(ARTIFACT),
    "v0.1": INSTANCE.sign_artifact(ARTIFACT, media_type="v0.1"),
    "rekor v2 dsse": INSTANCE.sign_artifact(ARTIFACT, dsse=True, log="v2", timestamp=True),
}
POLICY = Identity(identity=DEFAULT_IDENTITY, issuer=DEFAULT_ISSUER)
ROOT = TrustedRoot.from_json(json.dumps(next(iter(SIGNED.values())).trusted_root).encode())


def _leaves(node: Any, found: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        found.append((node, key))
        if isinstance(value, (dict, list)):
            _leaves(value, found)
    return found


def _mutate_b64(value: str, position: int, bit: int) -> str:
    try:
        raw = bytearray(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        return value + "x"
    if not raw:
        return base64.b64encode(b"\x00").decode()
    raw[position % len(raw)] ^= 1 << (bit % 8)
    return base64.b64encode(bytes(raw)).decode()


def _verify(doc: Any) -> None:
    try:
        bundle = Bundle.from_json(json.dumps(doc).encode())
        verify_bundle(
            bundle,
            SIGNED["v0.3 v1 log"].digest,
            trusted_root=ROOT,
            policy=POLICY,
            now=INSTANCE.now,
        )
    except SrcverifyError:
        pass


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(SIGNED)), st.data())
def test_any_value_replaced_gives_our_error(shape: str, data: st.DataObject) -> None:
    doc = copy.deepcopy(SIGNED[shape].bundle)
    parent, key = data.draw(st.sampled_from(_leaves(doc, [])))
    parent[key] = data.draw(JSON_VALUES)
    _verify(doc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(SIGNED)), st.data(), st.integers(0, 10_000), st.integers(0, 7))
def test_bit_flip_in_any_encoded_field_gives_our_error(
    shape: str, data: st.DataObject, position: int, bit: int
) -> None:
    """Flip one bit inside a base64 field: certificates, signatures, bodies, proofs, timestamps."""
    doc = copy.deepcopy(SIGNED[shape].bundle)
    strings = [(p, k) for p, k in _leaves(doc, []) if isinstance(p[k], str)]
    parent, key = data.draw(st.sampled_from(strings))
    parent[key] = _mutate_b64(parent[key], position, bit)
    _verify(doc)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=400))
def test_cli_random_bundle_bytes_exit_1_with_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes
) -> None:
    bundle = tmp_path / "b.sigstore.json"
    bundle.write_bytes(data)
    root = tmp_path / "root.json"
    root.write_text(json.dumps(SIGNED["v0.1"].trusted_root))
    code = main(
        [
            "verify",
            "--bundle",
            str(bundle),
            "--trusted-root",
            str(root),
            "--cert-identity",
            DEFAULT_IDENTITY,
            "--cert-oidc-issuer",
            DEFAULT_ISSUER,
            SIGNED["v0.1"].digest_ref,
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "REJECTED" in err and "bundle: " in err

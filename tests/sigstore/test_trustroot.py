"""trusted_root.json parsing and validity windows."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from srcverify.errors import TrustRootError
from srcverify.sigstore.trustroot import TRUSTED_ROOT_MEDIA_TYPE, TrustedRoot, ValidityWindow
from tests.conftest import CORPUS

KEY = ec.derive_private_key(424242, ec.SECP256R1()).public_key()
SPKI = KEY.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _root(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "mediaType": TRUSTED_ROOT_MEDIA_TYPE,
        "tlogs": [
            {
                "baseUrl": "https://rekor.example",
                "hashAlgorithm": "SHA2_256",
                "publicKey": {
                    "rawBytes": base64.b64encode(SPKI).decode(),
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                    "validFor": {"start": "2024-01-01T00:00:00Z", "end": "2025-01-01T00:00:00Z"},
                },
                "logId": {"keyId": base64.b64encode(b"\x07" * 32).decode()},
            }
        ],
        "certificateAuthorities": [],
        "ctlogs": [],
        "timestampAuthorities": [],
    }
    doc.update(overrides)
    return doc


def _parse(doc: Any) -> TrustedRoot:
    return TrustedRoot.from_json(json.dumps(doc).encode())


def test_log_lookup_and_window() -> None:
    root = _parse(_root())
    (log,) = root.tlogs_with_id(b"\x07" * 32)
    assert log.base_url == "https://rekor.example"
    assert root.tlogs_with_id(b"\x08" * 32) == ()
    assert log.validity.contains(datetime(2025, 1, 1, tzinfo=UTC)), "end is inclusive"
    assert not log.validity.contains(datetime(2025, 1, 1, 0, 0, 1, tzinfo=UTC))
    assert not log.validity.contains(datetime(2023, 12, 31, 23, 59, 59, tzinfo=UTC))


def test_open_ended_window_and_null_end() -> None:
    window = ValidityWindow.from_json({"start": "2024-01-01T00:00:00Z", "end": None}, what="w")
    assert window.end is None
    assert window.contains(datetime(2099, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({**_root(), "mediaType": "bad"}, "unsupported trusted root media type"),
        ({**_root(), "tlogs": {}}, "tlogs: expected a JSON array"),
        (
            _root(tlogs=[{**_root()["tlogs"][0], "publicKey": {"rawBytes": "AAAA"}}]),
            r"tlogs\[0\].publicKey: not a DER public key",
        ),
        (
            # SubjectPublicKeyInfo with an unknown algorithm (OID 1.2.3.4): cryptography
            # raises UnsupportedAlgorithm, not ValueError.
            _root(
                tlogs=[
                    {
                        **_root()["tlogs"][0],
                        "publicKey": {
                            "rawBytes": base64.b64encode(
                                bytes.fromhex("300f300506032a03040306000102030405")
                            ).decode()
                        },
                    }
                ]
            ),
            r"tlogs\[0\].publicKey: not a DER public key",
        ),
        (
            _root(certificateAuthorities=[{"certChain": {"certificates": []}, "validFor": {}}]),
            "certChain: no certificates",
        ),
    ],
)
def test_malformed_roots(doc: Any, message: str) -> None:
    with pytest.raises(TrustRootError, match=message):
        _parse(doc)


def test_window_end_before_start() -> None:
    with pytest.raises(TrustRootError, match="is before start"):
        ValidityWindow.from_json(
            {"start": "2025-01-01T00:00:00Z", "end": "2024-01-01T00:00:00Z"}, what="w"
        )


def test_bad_time() -> None:
    with pytest.raises(TrustRootError, match="is not an RFC 3339 timestamp"):
        ValidityWindow.from_json({"start": "yesterday"}, what="w")


def test_not_json() -> None:
    with pytest.raises(TrustRootError, match="not valid JSON"):
        TrustedRoot.from_json(b"{")


def test_production_root_from_corpus() -> None:
    path = CORPUS / "trust" / "production" / "trusted_root.json"
    if not path.is_file():
        pytest.skip(f"corpus absent: {path}")
    root = TrustedRoot.from_json(path.read_bytes())
    assert [log.base_url for log in root.tlogs] == [
        "https://rekor.sigstore.dev",
        "https://log2025-1.rekor.sigstore.dev",
    ]
    assert root.tlogs[0].log_id == root.tlogs[0].spki_sha256
    assert len(root.certificate_authorities) == 2
    assert len(root.timestamp_authorities) == 1


def test_deeply_nested_json_is_our_error() -> None:
    with pytest.raises(TrustRootError, match="not valid JSON"):
        TrustedRoot.from_json(b"[" * 100_000)

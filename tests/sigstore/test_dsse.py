"""DSSE PAE and in-toto subjects."""

from __future__ import annotations

import json

import pytest

from srcverify.errors import ArtifactMismatchError, BundleFormatError
from srcverify.sigstore.dsse import DsseEnvelope, DsseSignature, pae, statement_sha256_subjects


def _envelope(payload: object, payload_type: str = "application/vnd.in-toto+json") -> DsseEnvelope:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return DsseEnvelope(body, payload_type, (DsseSignature(b"s", ""),))


def test_pae_counts_utf8_bytes() -> None:
    assert pae("tÿpe", b"ab") == b"DSSEv1 5 t\xc3\xbfpe 2 ab"


def test_subjects() -> None:
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [
            {"name": "a", "digest": {"sha256": "aa" * 32}},
            {"name": "b", "digest": {"sha512": "bb" * 64}},
        ],
    }
    assert statement_sha256_subjects(_envelope(statement)) == (b"\xaa" * 32,)


@pytest.mark.parametrize(
    ("envelope", "error", "message"),
    [
        (_envelope({}, "text/plain"), BundleFormatError, "payload type: expected"),
        (_envelope(b"not json"), BundleFormatError, "not JSON"),
        (_envelope({"_type": "other"}), BundleFormatError, "not an in-toto statement"),
        (_envelope({"_type": "https://in-toto.io/Statement/v1"}), BundleFormatError, "no subject"),
        (
            _envelope({"_type": "https://in-toto.io/Statement/v1", "subject": [{"digest": {}}]}),
            ArtifactMismatchError,
            "names no sha256 subject",
        ),
        (
            _envelope(
                {
                    "_type": "https://in-toto.io/Statement/v1",
                    "subject": [{"digest": {"sha256": "zz"}}],
                }
            ),
            BundleFormatError,
            "is not hex",
        ),
    ],
)
def test_bad_statements(envelope: DsseEnvelope, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        statement_sha256_subjects(envelope)


def test_deeply_nested_payload_is_our_error() -> None:
    with pytest.raises(BundleFormatError, match="not JSON"):
        statement_sha256_subjects(_envelope(b"[" * 100_000))

"""DSSE PAE and in-toto subjects (names and accepted digests)."""

from __future__ import annotations

import json

import pytest

from srcverify.errors import BundleFormatError
from srcverify.sigstore.dsse import DsseEnvelope, DsseSignature, Subject, pae, statement_subjects


def _envelope(payload: object, payload_type: str = "application/vnd.in-toto+json") -> DsseEnvelope:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return DsseEnvelope(body, payload_type, (DsseSignature(b"s", ""),))


def test_pae_counts_utf8_bytes() -> None:
    assert pae("tÿpe", b"ab") == b"DSSEv1 5 t\xc3\xbfpe 2 ab"


def test_subjects_keep_accepted_digests_only() -> None:
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [
            {"name": "a", "digest": {"sha256": "aa" * 32, "sha1": "cc" * 20}},
            {"name": "b", "digest": {"sha512": "bb" * 64, "md5": "dd" * 16}},
            {"name": "c", "digest": {"sha384": "ee" * 48, "gitCommit": "ff" * 20}},
            {"digest": {"sha1": "cc" * 20}},
        ],
    }
    assert statement_subjects(_envelope(statement)) == (
        Subject("a", {"sha256": b"\xaa" * 32}),
        Subject("b", {"sha512": b"\xbb" * 64}),
        Subject("c", {"sha384": b"\xee" * 48}),
        Subject(None, {}),
    )


@pytest.mark.parametrize(
    ("envelope", "error", "message"),
    [
        (_envelope({}, "text/plain"), BundleFormatError, "payload type: expected"),
        (_envelope(b"not json"), BundleFormatError, "not JSON"),
        (_envelope({"_type": "other"}), BundleFormatError, "not an in-toto statement"),
        (_envelope({"_type": "https://in-toto.io/Statement/v1"}), BundleFormatError, "no subject"),
        (
            _envelope({"_type": "https://in-toto.io/Statement/v1", "subject": ["a"]}),
            BundleFormatError,
            "not an object with a digest",
        ),
        (
            _envelope(
                {
                    "_type": "https://in-toto.io/Statement/v1",
                    "subject": [{"digest": {"sha256": "zz"}}],
                }
            ),
            BundleFormatError,
            "sha256 'zz' is not 64 hex digits",
        ),
        (
            _envelope(
                {
                    "_type": "https://in-toto.io/Statement/v1",
                    "subject": [{"digest": {"sha512": "aa" * 32}}],
                }
            ),
            BundleFormatError,
            "is not 128 hex digits",
        ),
    ],
)
def test_bad_statements(envelope: DsseEnvelope, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        statement_subjects(envelope)


def test_deeply_nested_payload_is_our_error() -> None:
    with pytest.raises(BundleFormatError, match="not JSON"):
        statement_subjects(_envelope(b"[" * 100_000))

"""JSON text with Unicode strings only (srcverify.sigstore.json_text)."""

from __future__ import annotations

import json

import pytest

from srcverify.errors import BundleFormatError, TrustRootError
from srcverify.sigstore import json_text
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.trustroot import TrustedRoot
from tests.support.instance import TestInstance


def test_valid_text_and_surrogate_pairs_parse() -> None:
    assert json_text.loads(b'{"a": ["\\ud83d\\ude00", "caf\\u00e9", 1]}') == {
        "a": ["\U0001f600", "café", 1]
    }


@pytest.mark.parametrize("text", [b'["\\ud800"]', b'{"\\udfff": 1}', b'{"a": {"b": ["x\\udc00"]}}'])
def test_a_lone_surrogate_anywhere_is_refused(text: bytes) -> None:
    with pytest.raises(ValueError, match="lone surrogate"):
        json_text.loads(text)


def _with_surrogate_checkpoint() -> bytes:
    signed = TestInstance().sign_artifact(b"artifact", log="v2")
    bundle = signed.bundle
    proof = bundle["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]
    proof["checkpoint"]["envelope"] = proof["checkpoint"]["envelope"].replace("\n", "\ud800\n", 1)
    return json.dumps(bundle).encode()  # json.dumps writes the surrogate as the escape \ud800


def test_a_bundle_whose_checkpoint_holds_a_lone_surrogate_is_malformed() -> None:
    """It used to reach checkpoint.py and crash with UnicodeEncodeError (exit 3 for exit 1)."""
    with pytest.raises(BundleFormatError, match=r"bundle is not valid JSON: .*U\+D800, a lone"):
        Bundle.from_json(_with_surrogate_checkpoint())


def test_a_trusted_root_with_a_lone_surrogate_is_unusable() -> None:
    root = json.dumps({"mediaType": "x\ud800"}).encode()
    with pytest.raises(TrustRootError, match=r"not valid JSON: .*lone surrogate"):
        TrustedRoot.from_json(root)


def _snake(document: object) -> object:
    import re

    if isinstance(document, list):
        return [_snake(item) for item in document]
    if isinstance(document, dict):
        return {re.sub(r"(?<!^)([A-Z])", r"_\1", k).lower(): _snake(v) for k, v in document.items()}
    return document


@pytest.mark.parametrize("shape", [{}, {"dsse": True}, {"log": "v2", "timestamp": True}])
def test_proto_field_names_in_snake_case_verify(shape: dict[str, object]) -> None:
    """The protobuf JSON mapping requires parsers to accept the original field names."""
    from srcverify.sigstore.identity import Identity
    from srcverify.sigstore.verify import verify_bundle
    from tests.support.signed import DEFAULT_IDENTITY, DEFAULT_ISSUER, NOW

    signed = TestInstance().sign_artifact(b"artifact", **shape)
    snake = _snake(signed.bundle)
    assert "verification_material" in json.dumps(snake)
    bundle = Bundle.from_json(json.dumps(snake).encode())
    root = TrustedRoot.from_json(json.dumps(_snake(signed.trusted_root)).encode())
    policy = Identity(identity=DEFAULT_IDENTITY, issuer=DEFAULT_ISSUER)
    receipt = verify_bundle(bundle, signed.digest, trusted_root=root, policy=policy, now=NOW)
    assert receipt.signer == DEFAULT_IDENTITY


def test_a_field_in_both_spellings_is_refused() -> None:
    signed = TestInstance().sign_artifact(b"artifact")
    doc = dict(signed.bundle, media_type=signed.bundle["mediaType"])
    with pytest.raises(BundleFormatError, match="field 'mediaType' is given twice"):
        Bundle.from_json(json.dumps(doc).encode())

"""PEP 740 attestations and PyPI provenance objects, signed by the test Sigstore.

:func:`sign_attestation` signs an in-toto statement about a distribution
with a Trusted-Publisher-shaped Fulcio certificate (GitHub or GitLab claims,
optional deployment environment) through :class:`~tests.support.instance.TestInstance`
and returns the attestation object PyPI would serve; :func:`provenance` wraps
attestations with a publisher object. :func:`statement` builds statements of
every shape, good or bad (several subjects, another name, another type).

It verifies nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from .instance import GITHUB_ISSUER, SignedBundle, TestInstance
from .pki import github_claims

__all__ = [
    "PUBLISH",
    "SLSA",
    "attestation_from_bundle",
    "forge_claims",
    "provenance",
    "sign_attestation",
    "statement",
]

PUBLISH = "https://docs.pypi.org/attestations/publish/v1"
SLSA = "https://slsa.dev/provenance/v1"
STATEMENT_V1 = "https://in-toto.io/Statement/v1"


def statement(
    name: str,
    artifact: bytes,
    *,
    predicate_type: str = PUBLISH,
    extra_subjects: Sequence[str] = (),
    digest_hex: str | None = None,
    statement_type: str = STATEMENT_V1,
) -> bytes:
    """A compact in-toto statement about ``name`` (sha256 of ``artifact``)."""
    sha = digest_hex or hashlib.sha256(artifact).hexdigest()
    subjects = [{"name": name, "digest": {"sha256": sha}}]
    subjects += [{"name": other, "digest": {"sha256": sha}} for other in extra_subjects]
    return json.dumps(
        {
            "_type": statement_type,
            "subject": subjects,
            "predicateType": predicate_type,
            "predicate": None,
        },
        separators=(",", ":"),
    ).encode()


def forge_claims(
    kind: str = "github",
    *,
    repository: str = "example/project",
    workflow: str = "release.yml",
    ref: str = "refs/tags/v1.0",
    environment: str | None = None,
    host: str = "gitlab.com",
) -> tuple[str, str, dict[str, str]]:
    """(SAN identity, issuer, claims) of a GitHub workflow or a GitLab CI file."""
    if kind == "github":
        identity, claims = github_claims(repository, f".github/workflows/{workflow}", ref)
        issuer = GITHUB_ISSUER
    elif kind == "gitlab":
        sha = "72f7c63b75eb55ea80864962f0e645c93414da34"
        identity = f"https://{host}/{repository}//{workflow}@{ref}"
        issuer = f"https://{host}"
        claims = {
            "build_signer_uri": identity,
            "build_signer_digest": sha,
            "runner_environment": "gitlab-hosted",
            "source_repository_uri": f"https://{host}/{repository}",
            "source_repository_digest": sha,
            "source_repository_ref": ref,
            "build_config_uri": identity,
            "build_config_digest": sha,
            "build_trigger": "push",
        }
    else:
        raise ValueError(f"unknown forge {kind!r}")
    if environment is not None:
        claims = {**claims, "deployment_environment": environment}
    return identity, issuer, claims


def attestation_from_bundle(bundle: Mapping[str, Any]) -> dict[str, Any]:
    """The PEP 740 attestation object for a v0.3 DSSE bundle dict."""
    material = bundle["verificationMaterial"]
    envelope = bundle["dsseEnvelope"]
    out: dict[str, Any] = {
        "version": 1,
        "verification_material": {
            "certificate": material["certificate"]["rawBytes"],
            "transparency_entries": list(material["tlogEntries"]),
        },
        "envelope": {
            "statement": envelope["payload"],
            "signature": envelope["signatures"][0]["sig"],
        },
    }
    stamps = material.get("timestampVerificationData", {}).get("rfc3161Timestamps", [])
    if stamps:
        out["verification_material"]["timestamps"] = [s["signedTimestamp"] for s in stamps]
    return out


def sign_attestation(
    inst: TestInstance,
    artifact: bytes,
    name: str,
    *,
    payload: bytes | None = None,
    forge: str = "github",
    claims: Mapping[str, Any] | None = None,
    **options: Any,
) -> tuple[dict[str, Any], SignedBundle]:
    """Sign a statement about ``name`` and return (attestation object, the bundle behind it).

    ``claims`` are :func:`forge_claims` keyword arguments; other keyword
    arguments are :class:`~tests.support.signed.SignOptions` fields.
    """
    identity, issuer, cert_claims = forge_claims(forge, **(claims or {}))
    signed = inst.sign_dsse(
        artifact,
        statement=payload if payload is not None else statement(name, artifact),
        identity=identity,
        issuer=issuer,
        claims=cert_claims,
        signing_key_label=f"pep740/{name}/{forge}/{json.dumps(claims, sort_keys=True)}",
        **options,
    )
    return attestation_from_bundle(signed.bundle), signed


def provenance(
    attestations: Sequence[Mapping[str, Any]], publisher: Mapping[str, Any]
) -> dict[str, Any]:
    """A provenance object with one attestation bundle."""
    return {
        "version": 1,
        "attestation_bundles": [{"publisher": dict(publisher), "attestations": list(attestations)}],
    }

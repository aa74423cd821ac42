"""What publisher a certificate proves, and whether the index's ``publisher`` agrees.

A provenance object served by an index carries, per attestation bundle, a
``publisher`` object: the Trusted Publisher the index says it authenticated.
It is not signed, so srcverify never takes policy from it. This module reads
the publisher a *verified* certificate proves (:func:`proven_publisher`,
from the Fulcio claims) and compares the served object with it
(:func:`served_publisher_matches`) so that receipts can show both and
whether they agree. Nothing here decides a verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography import x509

from srcverify.pypi.publisher import CIRCLECI_ISSUER, GITHUB_ISSUER, GOOGLE_ISSUER
from srcverify.sigstore.fulcio import extension_value, oidc_issuer, subject_alternative_names

__all__ = ["proven_publisher", "served_publisher_matches"]

_BUILD_SIGNER_URI = 9
_SOURCE_REPOSITORY_URI = 12
_SOURCE_REF = 14
_BUILD_CONFIG_URI = 18
_DEPLOYMENT_ENVIRONMENT = 23


def _claim(certificate: x509.Certificate, arc: int) -> str | None:
    return extension_value(certificate, arc)


def _after(value: str | None, prefix: str) -> str | None:
    if value is None or not value.lower().startswith(prefix.lower()):
        return None
    return value[len(prefix) :]


def proven_publisher(certificate: x509.Certificate) -> dict[str, Any]:
    """The publisher a (verified) certificate proves, read from its claims.

    Returns a dict with ``kind`` (``GitHub``, ``GitLab``, ``Google``,
    ``CircleCI`` or None when the issuer is none of them) and the fields that
    kind has on PyPI, as the certificate states them.
    """
    issuer = oidc_issuer(certificate)
    repo_uri = _claim(certificate, _SOURCE_REPOSITORY_URI)
    config = _claim(certificate, _BUILD_CONFIG_URI) or ""
    environment = _claim(certificate, _DEPLOYMENT_ENVIRONMENT)
    if issuer == GITHUB_ISSUER:
        repository = _after(repo_uri, "https://github.com/")
        workflow = None
        if repo_uri is not None and (rest := _after(config, repo_uri + "/.github/workflows/")):
            workflow = rest.rpartition("@")[0] or None
        return {
            "kind": "GitHub",
            "repository": repository,
            "workflow": workflow,
            "environment": environment,
            "ref": _claim(certificate, _SOURCE_REF),
        }
    if issuer == GOOGLE_ISSUER:
        names = subject_alternative_names(certificate)
        return {"kind": "Google", "email": names[0] if names else None}
    if issuer == CIRCLECI_ISSUER:
        signer = _after(
            _claim(certificate, _BUILD_SIGNER_URI), "https://circleci.com/api/v2/projects/"
        )
        project, _, pipeline = (signer or "").partition("/pipeline-definitions/")
        return {
            "kind": "CircleCI",
            "project_id": project or None,
            "pipeline_definition_id": pipeline or None,
        }
    if issuer is not None and repo_uri is not None and "//" in config[len("https://") :]:
        host = _after(issuer, "https://")
        repository = _after(repo_uri, f"{issuer}/")
        ci_file = _after(config, repo_uri + "//")
        return {
            "kind": "GitLab",
            "host": host,
            "repository": repository,
            "workflow_filepath": ci_file.rpartition("@")[0] if ci_file else None,
            "environment": environment,
            "ref": _claim(certificate, _SOURCE_REF),
        }
    names = subject_alternative_names(certificate)
    return {"kind": None, "identity": ", ".join(names), "issuer": issuer}


# served key -> proven key, per kind; a served key left out of the object is not compared
_SERVED_FIELDS = {
    "github": {"repository": "repository", "workflow": "workflow", "environment": "environment"},
    "gitlab": {
        "repository": "repository",
        "workflow_filepath": "workflow_filepath",
        "environment": "environment",
    },
    "google": {"email": "email"},
    "circleci": {"project_id": "project_id", "pipeline_definition_id": "pipeline_definition_id"},
}
_CASE_BLIND = {"repository"}


def served_publisher_matches(served: Mapping[str, Any], proven: Mapping[str, Any]) -> bool:
    """Whether an index's (unsigned) publisher object agrees with what was proven.

    Reported in receipts only; the verdict never depends on it.
    """
    kind = served.get("kind")
    if not isinstance(kind, str) or proven.get("kind") is None:
        return False
    if kind.lower() != str(proven["kind"]).lower():
        return False
    for served_key, proven_key in _SERVED_FIELDS.get(kind.lower(), {}).items():
        if served_key not in served:
            if served_key == "environment":
                continue
            return False
        want, have = served[served_key] or None, proven.get(proven_key) or None
        if served_key in _CASE_BLIND and isinstance(want, str) and isinstance(have, str):
            want, have = want.lower(), have.lower()
        if want != have:
            return False
    return kind.lower() in _SERVED_FIELDS

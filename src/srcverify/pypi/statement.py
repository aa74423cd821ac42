"""The in-toto statement a PEP 740 attestation signs, checked against the distribution.

The index-hosted-attestations specification constrains the statement beyond
in-toto: it is an in-toto **Statement v1**; it has **exactly one subject**;
the subject's ``name`` is the distribution's file name, compared by parsing
both under the sdist/wheel naming rules (normalised project name and
version, see :mod:`srcverify.pypi.distribution`); its ``digest`` has a
``sha256`` equal to the distribution's; and the ``predicateType`` is one the
specification knows (PyPI publish v1, SLSA provenance v1).

:func:`check_statement` applies these to a payload whose signature has
already been verified, and returns what it found. Failures are
:class:`~srcverify.errors.VerificationError` subclasses naming the defect
with expected and actual values; nothing here touches keys or files.
"""

from __future__ import annotations

import json
import re
from typing import Any

from srcverify._frozen import frozen
from srcverify.errors import ArtifactMismatchError, BundleFormatError
from srcverify.pypi.distribution import DistributionName, parse_distribution_name

__all__ = [
    "KNOWN_PREDICATE_TYPES",
    "PUBLISH_V1",
    "SLSA_PROVENANCE_V1",
    "STATEMENT_V1",
    "CheckedStatement",
    "check_statement",
    "predicate_type_argument",
]

STATEMENT_V1 = "https://in-toto.io/Statement/v1"
PUBLISH_V1 = "https://docs.pypi.org/attestations/publish/v1"
SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1"
KNOWN_PREDICATE_TYPES = (PUBLISH_V1, SLSA_PROVENANCE_V1)
_SHORT_NAMES = {"publish": PUBLISH_V1, "slsa": SLSA_PROVENANCE_V1}
_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


@frozen
class CheckedStatement:
    """What a statement that passed every check says."""

    subject_name: str
    predicate_type: str


def predicate_type_argument(text: str) -> str:
    """``publish`` / ``slsa`` or a known predicate type URL -> the URL.

    Raises:
        ValueError: neither a short name nor a known type.
    """
    if text in _SHORT_NAMES:
        return _SHORT_NAMES[text]
    if text in KNOWN_PREDICATE_TYPES:
        return text
    known = ", ".join([*_SHORT_NAMES, *KNOWN_PREDICATE_TYPES])
    raise ValueError(f"unknown predicate type {text!r}; known: {known}")


def _format(message: str) -> BundleFormatError:
    return BundleFormatError(message, step="statement")


def check_statement(
    payload: bytes, distribution: DistributionName, artifact_sha256: bytes
) -> CheckedStatement:
    """Check a verified statement against the distribution it must be about.

    Args:
        payload: the statement bytes the DSSE signature covers.
        distribution: the parsed file name of the artifact being verified.
        artifact_sha256: the artifact's SHA-256 digest.

    Raises:
        BundleFormatError: not an in-toto v1 statement of the PEP 740 shape,
            or an unknown predicate type.
        ArtifactMismatchError: the subject names another file, another
            version, or another digest.
    """
    statement = _statement(payload)
    subjects = statement.get("subject")
    if not isinstance(subjects, list) or not subjects:
        raise _format("the statement has no subject list")
    if len(subjects) != 1:
        names = ", ".join(repr(s.get("name")) if isinstance(s, dict) else "?" for s in subjects[:5])
        raise _format(
            f"a PEP 740 statement must have exactly one subject, this one has "
            f"{len(subjects)} ({names})"
        )
    subject = subjects[0]
    if not isinstance(subject, dict):
        raise _format("subject[0] is not a JSON object")
    name = subject.get("name")
    if not isinstance(name, str) or not name:
        raise _format("subject[0].name: missing; it must be the distribution's file name")
    digest = subject.get("digest")
    sha256 = digest.get("sha256") if isinstance(digest, dict) else None
    if not isinstance(sha256, str) or not _SHA256_HEX.fullmatch(sha256):
        raise _format("subject[0].digest.sha256: missing or not 64 hex digits")
    if bytes.fromhex(sha256) != artifact_sha256:
        raise ArtifactMismatchError(
            f"artifact sha256 {artifact_sha256.hex()} is not the attested digest "
            f"{sha256.lower()} of {name!r}",
            step="statement",
        )
    try:
        attested = parse_distribution_name(name)
    except ArtifactMismatchError as exc:
        raise ArtifactMismatchError(f"subject[0].name: {exc.detail}", step="statement") from exc
    if not attested.same_distribution(distribution):
        raise ArtifactMismatchError(
            f"the attestation is for {name!r}, not {distribution.filename!r} "
            f"({attested.difference(distribution) or 'different file'})",
            step="statement",
        )
    predicate_type = statement.get("predicateType")
    if predicate_type not in KNOWN_PREDICATE_TYPES:
        raise _format(
            f"predicateType {json.dumps(predicate_type)} is not one PEP 740 knows "
            f"({', '.join(KNOWN_PREDICATE_TYPES)})"
        )
    assert isinstance(predicate_type, str)
    return CheckedStatement(subject_name=name, predicate_type=predicate_type)


def _statement(payload: bytes) -> dict[str, Any]:
    try:
        statement = json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise _format("the statement is not JSON") from exc
    if not isinstance(statement, dict):
        raise _format(f"the statement is a JSON {type(statement).__name__}, not an object")
    kind = statement.get("_type")
    if kind != STATEMENT_V1:
        raise _format(f"_type: expected {STATEMENT_V1}, found {json.dumps(kind)}")
    return statement

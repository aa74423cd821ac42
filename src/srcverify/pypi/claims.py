"""The Fulcio certificate claims Trusted Publishers are checked against, and their spelling rules.

Extension arcs (1.3.6.1.4.1.57264.1.N), the checks shared by the publisher
kinds of :mod:`srcverify.pypi.publisher` (issuer, repository, build config,
environment and ref), and the validation of the parts a publisher is written
with. A mismatch is collected in :class:`Problems`, so one rejection names
every claim that differs. Nothing here verifies a certificate's chain or
signature, and nothing here knows which publisher kinds exist.
"""

from __future__ import annotations

import re

from cryptography import x509

from srcverify.errors import PolicyError
from srcverify.sigstore.fulcio import extension_value, oidc_issuer
from srcverify.sigstore.identity import PolicySpecError

__all__ = [
    "BUILD_CONFIG_URI",
    "BUILD_SIGNER_URI",
    "DEPLOYMENT_ENVIRONMENT",
    "EMAIL_PATTERN",
    "HOST_PATTERN",
    "ID_PATTERN",
    "SOURCE_DIGEST",
    "SOURCE_REF",
    "SOURCE_REPOSITORY_URI",
    "Problems",
    "bind_ref",
    "check_environment_and_ref",
    "check_forge",
    "check_issuer",
    "check_ref",
    "claim",
    "forge_suffix",
    "need",
    "slug",
]

# Fulcio extension arcs (1.3.6.1.4.1.57264.1.N) the publishers read.
BUILD_SIGNER_URI = 9
SOURCE_DIGEST = 13
SOURCE_REPOSITORY_URI = 12
SOURCE_REF = 14
BUILD_CONFIG_URI = 18
DEPLOYMENT_ENVIRONMENT = 23

# what a missing claim is called in a rejection
_EXTENSION_OF = {
    "OIDC issuer": "issuer extension (1.3.6.1.4.1.57264.1.8 or .1.1)",
    "deployment environment": "Deployment Environment extension (1.3.6.1.4.1.57264.1.23)",
    "source repository ref": "Source Repository Ref extension (1.3.6.1.4.1.57264.1.14)",
    "source repository URI": "Source Repository URI extension (1.3.6.1.4.1.57264.1.12)",
    "build config URI": "Build Config URI extension (1.3.6.1.4.1.57264.1.18)",
    "build signer URI": "Build Signer URI extension (1.3.6.1.4.1.57264.1.9)",
    "SAN": "SAN identity",
}
_SEGMENT = re.compile(r"[A-Za-z0-9_.-]+")
HOST_PATTERN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?")
EMAIL_PATTERN = re.compile(r"[^@\s:]+@[^@\s:]+\.[^@\s:]+")
ID_PATTERN = re.compile(r"[A-Za-z0-9-]+")
# what {version} stands for in a ref pattern not yet bound to a release
_ANY_VERSION = r"[0-9][A-Za-z0-9.!+_-]*"


def need(value: str | None, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise PolicySpecError(f"{what}: expected a non-empty string")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        raise PolicySpecError(f"{what}: {value!r} contains control characters")
    return value


def slug(value: str, what: str, *, min_parts: int, max_parts: int | None) -> str:
    parts = need(value, what).split("/")
    if len(parts) < min_parts or (max_parts is not None and len(parts) > max_parts):
        shape = "OWNER/REPO" if max_parts == 2 else "NAMESPACE/PROJECT"
        raise PolicySpecError(f"{what}: expected {shape}, got {value!r}")
    for part in parts:
        if not _SEGMENT.fullmatch(part) or part in (".", ".."):
            raise PolicySpecError(f"{what}: {value!r} has an invalid path segment {part!r}")
    return value


def check_ref(pattern: str | None) -> None:
    if pattern is None:
        return
    need(pattern, "ref")
    if not (pattern.startswith("^") and pattern.endswith("$")):
        raise PolicySpecError(f"ref pattern {pattern!r} must be anchored: start with ^, end with $")
    if pattern.count("{version}") > 1:
        raise PolicySpecError(f"ref pattern {pattern!r} may contain {{version}} at most once")
    try:
        re.compile(pattern.replace("{version}", "1"))
    except (re.error, OverflowError, RecursionError) as exc:
        raise PolicySpecError(
            f"ref pattern {pattern!r} is not a valid regular expression: {exc}"
        ) from exc


def claim(certificate: x509.Certificate, arc: int) -> str | None:
    return extension_value(certificate, arc)


class Problems:
    """Collects every mismatch, so one rejection names all of them."""

    def __init__(self, publisher: str) -> None:
        self.publisher = publisher
        self.items: list[str] = []

    def add(self, what: str, expected: str, actual: str | None) -> None:
        shown = actual if actual is not None else f"no {_EXTENSION_OF.get(what, what)}"
        self.items.append(f"{what}: expected {expected}, certificate has {shown}")

    def raise_if_any(self) -> None:
        if self.items:
            raise PolicyError(
                f"Trusted Publisher {self.publisher}: " + "; ".join(self.items), step="publisher"
            )


def check_issuer(certificate: x509.Certificate, expected: str, problems: Problems) -> bool:
    actual = oidc_issuer(certificate)
    if actual != expected:
        problems.add("OIDC issuer", expected, actual)
        return False
    return True


def check_environment_and_ref(
    certificate: x509.Certificate,
    environment: str | None,
    ref: re.Pattern[str] | None,
    ref_shown: str,
    problems: Problems,
) -> None:
    if environment is not None:
        actual = claim(certificate, DEPLOYMENT_ENVIRONMENT)
        if actual != environment:
            problems.add("deployment environment", environment, actual)
    if ref is not None:
        actual = claim(certificate, SOURCE_REF)
        if actual is None or ref.fullmatch(actual) is None:
            problems.add("source repository ref", f"a match for {ref_shown}", actual)


def bind_ref(ref: str | None, version: str | None) -> tuple[re.Pattern[str] | None, str]:
    """The ref pattern with ``{version}`` bound (to any version when None), and how to show it."""
    if ref is None:
        return None, ""
    if version is None:
        return re.compile(ref.replace("{version}", _ANY_VERSION)), ref
    return re.compile(ref.replace("{version}", re.escape(version))), ref.replace(
        "{version}", version
    )


def forge_suffix(environment: str | None, ref_shown: str) -> str:
    parts = []
    if environment is not None:
        parts.append(f"environment {environment}")
    if ref_shown:
        parts.append(f"ref matching {ref_shown}")
    return (", " + ", ".join(parts)) if parts else ""


def _build_config_matches(certificate: x509.Certificate, repo_uri: str, rest: str) -> bool:
    """Build Config URI is ``repo_uri + rest + "@" + (source ref or digest)``.

    The repository part compares case-insensitively, the rest exactly.
    """
    actual = claim(certificate, BUILD_CONFIG_URI)
    if actual is None:
        return False
    head, tail = actual[: len(repo_uri)], actual[len(repo_uri) :]
    if head.lower() != repo_uri.lower():
        return False
    suffixes = (claim(certificate, SOURCE_REF), claim(certificate, SOURCE_DIGEST))
    return any(suffix and tail == f"{rest}@{suffix}" for suffix in suffixes)


def check_forge(
    certificate: x509.Certificate,
    problems: Problems,
    *,
    issuer: str,
    repo_uri: str,
    config_rest: str,
) -> None:
    check_issuer(certificate, issuer, problems)
    actual = claim(certificate, SOURCE_REPOSITORY_URI)
    if actual is None or actual.lower() != repo_uri.lower():
        problems.add("source repository URI", repo_uri, actual)
    if not _build_config_matches(certificate, repo_uri, config_rest):
        problems.add(
            "build config URI",
            f"{repo_uri}{config_rest}@<the certificate's source ref or digest>",
            claim(certificate, BUILD_CONFIG_URI),
        )

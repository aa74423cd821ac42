"""What a Trusted Publisher requires of a certificate, spelled out for people.

``srcverify map which`` prints these lines under a ``trusted_publisher``
signer so a reviewer sees the exact claims that will be compared; they
restate :mod:`srcverify.pypi.publisher`'s checks and decide nothing.
"""

from __future__ import annotations

from srcverify.pypi.publisher import (
    CIRCLECI_ISSUER,
    GITHUB_ISSUER,
    GOOGLE_ISSUER,
    CircleCIPublisher,
    GitHubPublisher,
    GitLabPublisher,
    TrustedPublisher,
)

__all__ = ["requirements"]


def requirements(publisher: TrustedPublisher) -> tuple[str, ...]:
    """One line per certificate claim the publisher requires."""
    if isinstance(publisher, GitHubPublisher | GitLabPublisher):
        if isinstance(publisher, GitHubPublisher):
            issuer = GITHUB_ISSUER
            repo = f"https://github.com/{publisher.repository}"
            config = f"{repo}/.github/workflows/{publisher.workflow}"
        else:
            issuer = publisher.issuer
            repo = f"https://{publisher.host}/{publisher.repository}"
            config = f"{repo}//{publisher.ci_file}"
        lines = [
            f"OIDC issuer (1.3.6.1.4.1.57264.1.8): {issuer}",
            f"Source Repository URI (.12): {repo} (case-insensitive)",
            f"Build Config URI (.18): {config}@<its Source Repository Ref or Digest>",
        ]
        if publisher.environment is not None:
            lines.append(f"Deployment Environment (.23): {publisher.environment} (must be present)")
        if publisher.ref is not None:
            ref = publisher.ref
            if publisher.version is not None:
                ref = ref.replace("{version}", publisher.version)
            lines.append(f"Source Repository Ref (.14): a full match for {ref}")
        return tuple(lines)
    if isinstance(publisher, CircleCIPublisher):
        return (
            f"OIDC issuer (1.3.6.1.4.1.57264.1.8): {CIRCLECI_ISSUER}",
            f"Build Signer URI (.9): {publisher.build_signer_uri}",
        )
    return (
        f"OIDC issuer (1.3.6.1.4.1.57264.1.8): {GOOGLE_ISSUER}",
        f"SAN e-mail: {publisher.email}",
    )

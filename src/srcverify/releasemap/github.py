"""The ``github_attestation`` signer form: a repository, a workflow and a ref pattern.

GitHub Actions signs with a Fulcio certificate whose identity (SAN) is
``https://github.com/OWNER/REPO/WORKFLOW_PATH@REF`` and whose claims name the
repository that was built. Instead of spelling out an identity regular
expression, a map may say::

    - github_attestation:
        repository: aquasecurity/trivy
        workflow: .github/workflows/reusable-release.yaml
        ref: refs/tags/v*

which compiles into an ordinary :class:`~srcverify.releasemap.model.Signer`:
issuer ``https://token.actions.githubusercontent.com``, an identity regular
expression for that workflow file *of that repository* at a ref matching the
pattern (``*`` matches any run of characters, everything else is literal),
and the claim ``source_repository_uri`` = ``https://github.com/OWNER/REPO``.
A workflow reused from another repository is not this form: write
``identity_regexp`` and ``github_workflow`` claims for it.

This module builds signers; it reads no YAML.
"""

from __future__ import annotations

import re

from srcverify.releasemap.model import Signer
from srcverify.sigstore.identity import GitHubWorkflow, PolicySpecError

__all__ = ["GITHUB_ISSUER", "github_attestation_signer"]

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
_REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+")
_WORKFLOW = re.compile(r"\.github/workflows/[A-Za-z0-9._-]+\.ya?ml")
_REF = re.compile(r"refs/(?:heads|tags)/[A-Za-z0-9._/*+-]+")


def github_attestation_signer(repository: str, workflow: str, ref: str | None) -> Signer:
    """The signer a ``github_attestation`` entry stands for.

    Args:
        repository: ``OWNER/REPO``.
        workflow: the workflow file's path in that repository
            (``.github/workflows/NAME.yml``).
        ref: a ``refs/tags/...`` or ``refs/heads/...`` pattern, ``*`` for any
            characters; None allows any tag or branch.

    Raises:
        PolicySpecError: a field has the wrong shape.
    """
    if not _REPOSITORY.fullmatch(repository) or ".." in repository:
        raise PolicySpecError(f"repository {repository!r}: expected OWNER/REPO")
    if not _WORKFLOW.fullmatch(workflow):
        raise PolicySpecError(
            f"workflow {workflow!r}: expected .github/workflows/NAME.yml of that repository"
        )
    if ref is not None and not _REF.fullmatch(ref):
        raise PolicySpecError(
            f"ref {ref!r}: expected refs/tags/PATTERN or refs/heads/PATTERN ('*' for any run)"
        )
    ref_regexp = (
        r"refs/(?:heads|tags)/[^\s@]+"
        if ref is None
        else "".join(
            "[^\\s@]*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", ref)
        )
    )
    identity = re.escape(f"https://github.com/{repository}/{workflow}@") + ref_regexp
    origin = f"github_attestation {repository} {workflow}@{ref or '(any ref)'}"
    return Signer(
        issuer=GITHUB_ISSUER,
        identity_regexp=f"^{identity}$",
        github_workflow=GitHubWorkflow(source_repository_uri=f"https://github.com/{repository}"),
        origin=origin,
    )

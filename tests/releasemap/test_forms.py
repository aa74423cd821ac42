"""Release-map fields for manifests, timestamp-only evidence and the
``github_attestation`` signer form: valid maps resolve, every mistake is a problem
with its position."""

from __future__ import annotations

import re

import pytest

from srcverify.errors import PolicyError
from srcverify.releasemap.model import InvalidReleaseMapError
from srcverify.releasemap.resolve import ReleaseMap, resolve
from tests.support.instance import TestInstance
from tests.support.pki import github_claims

HEAD = """\
schema: 1
projects:
  tool:
    source: test
    version_pattern: '[0-9]+\\.[0-9]+'
    artifacts:
      sums:
        pattern: '^tool-{version}-SHA256SUMS$'
        examples: [tool-1.2-SHA256SUMS]
      tarball:
        pattern: '^tool-{version}\\.tar\\.gz$'
        examples: [tool-1.2.tar.gz]
"""
SIGNER = """\
    series:
      "1":
        source: test
        signers:
%s
"""
ATTESTATION = """\
          - github_attestation:
              repository: owner/tool
              workflow: .github/workflows/release.yml
              ref: refs/tags/v*"""


def _map(kind_extra: str = "", signer: str = ATTESTATION) -> str:
    return HEAD + kind_extra + SIGNER % signer


def test_manifest_timestamp_only_and_attestation_resolve() -> None:
    text = _map("        manifest: 'tool-{version}-SHA256SUMS'\n        timestamp_only: true\n")
    resolution = resolve(ReleaseMap.from_text(text, "m.yaml"), "tool-1.2.tar.gz")
    assert (resolution.manifest, resolution.timestamp_only) == ("tool-1.2-SHA256SUMS", True)
    sums = resolve(ReleaseMap.from_text(text, "m.yaml"), "tool-1.2-SHA256SUMS")
    assert (sums.manifest, sums.timestamp_only) == (None, False)


def test_attestation_policy_accepts_its_workflow_and_refs_only() -> None:
    inst = TestInstance(tsa=False)
    policy = resolve(ReleaseMap.from_text(_map(), "m.yaml"), "tool-1.2.tar.gz").policy
    for ref, repository, ok in [
        ("refs/tags/v1.2", "owner/tool", True),
        ("refs/heads/main", "owner/tool", False),
        ("refs/tags/v1.2", "fork/tool", False),
    ]:
        identity, claims = github_claims(repository, ".github/workflows/release.yml", ref)
        leaf = inst.sign_artifact(
            b"x",
            identity=identity,
            issuer="https://token.actions.githubusercontent.com",
            claims=claims,
        ).certificate
        assert leaf is not None
        if ok:
            policy.check(leaf)
        else:
            with pytest.raises(PolicyError):
                policy.check(leaf)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            _map("        manifest: 'tool-SHA256SUMS'\n"),
            "must be a file name with {version} exactly once",
        ),
        (_map("        manifest: 'dir/tool-{version}-SUMS'\n"), "must be a file name"),
        (
            _map("        manifest: 'tool-{version}.sha256'\n"),
            "its manifest 'tool-1.2.sha256' matches no artifact kind of project tool",
        ),
        (_map("        timestamp_only: yes-please\n"), "timestamp_only: expected true or false"),
        (
            _map(
                "        manifest: 'tool-{version}-SHA256SUMS'\n"
                "        evidence: 'tool-{version}.jsonl'\n"
            ),
            "give manifest or evidence, not both",
        ),
        (_map("        evidence: 'tool.jsonl'\n"), "evidence 'tool.jsonl' must be a file name"),
        (
            _map(signer=ATTESTATION + "\n            issuer: https://x.test"),
            "github_attestation sets issuer and identity itself",
        ),
        (
            _map(signer=ATTESTATION.replace("owner/tool", "owner")),
            "repository 'owner': expected OWNER/REPO",
        ),
        (
            _map(signer=ATTESTATION.replace(".github/workflows/release.yml", "release.yml@main")),
            "workflow 'release.yml@main': expected .github/workflows/NAME.yml",
        ),
        (
            _map(signer=ATTESTATION.replace("refs/tags/v*", "v1.*")),
            "ref 'v1.*': expected refs/tags/PATTERN",
        ),
    ],
)
def test_mistakes_are_problems_with_positions(text: str, message: str) -> None:
    with pytest.raises(InvalidReleaseMapError) as caught:
        ReleaseMap.from_text(text, "m.yaml")
    assert re.search(r"m\.yaml:\d+:\d+: .*" + re.escape(message), str(caught.value)), caught.value


def test_manifest_of_a_manifest_kind_is_refused() -> None:
    text = (
        HEAD.replace(
            "        examples: [tool-1.2-SHA256SUMS]\n",
            "        examples: [tool-1.2-SHA256SUMS]\n"
            "        manifest: 'tool-{version}-SHA256SUMS'\n",
        )
        + "        manifest: 'tool-{version}-SHA256SUMS'\n"
        + SIGNER % ATTESTATION
    )
    with pytest.raises(InvalidReleaseMapError, match="is itself authenticated through a manifest"):
        ReleaseMap.from_text(text, "m.yaml")

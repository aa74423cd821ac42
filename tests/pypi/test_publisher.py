"""The ``--publisher`` forms, and what a policy says about itself."""

from __future__ import annotations

import pytest

from srcverify.pypi.proven import served_publisher_matches
from srcverify.pypi.publisher import (
    CircleCIPublisher,
    GitHubPublisher,
    GitLabPublisher,
    GooglePublisher,
    parse_publisher,
)
from srcverify.sigstore.identity import PolicySpecError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("github:o/r:release.yml", GitHubPublisher("o/r", "release.yml")),
        ("github:o/r:release.yml:pypi", GitHubPublisher("o/r", "release.yml", "pypi")),
        ("gitlab:g/s/p:.gitlab-ci.yml", GitLabPublisher("g/s/p", ".gitlab-ci.yml")),
        (
            "gitlab@git.example.org:g/p:ci/x.yml:release",
            GitLabPublisher("g/p", "ci/x.yml", "release", host="git.example.org"),
        ),
        ("google:a@b.iam.gserviceaccount.com", GooglePublisher("a@b.iam.gserviceaccount.com")),
        ("circleci:abc-1:def-2", CircleCIPublisher("abc-1", "def-2")),
    ],
)
def test_forms(text: str, expected: object) -> None:
    assert parse_publisher(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("github:o/r", "expected one of github:OWNER/REPO:WORKFLOW[:ENVIRONMENT]"),
        ("github:o:release.yml", "GitHub repository: expected OWNER/REPO"),
        ("github:o/r/x:release.yml", "GitHub repository: expected OWNER/REPO"),
        ("github:o/r:.github/workflows/release.yml", "give the file name in .github/workflows"),
        ("github:o/r:release.yml:", "environment: expected a non-empty string"),
        ("github:o/..:release.yml", "invalid path segment '..'"),
        ("gitlab:p:.gitlab-ci.yml", "expected NAMESPACE/PROJECT"),
        ("gitlab@:g/p:x.yml", "GitLab host"),
        ("gitlab:g/p:../x.yml", "must be relative to the project"),
        ("google:not-an-email", "is not an e-mail address"),
        ("circleci:a", "expected one of"),
        ("circleci:a b:c", "is not an ID"),
        ("bitbucket:o/r:x", "expected one of"),
        ("github:o/r:release.yml:env:more", "expected one of"),
    ],
)
def test_bad_forms(text: str, message: str) -> None:
    with pytest.raises(PolicySpecError) as caught:
        parse_publisher(text)
    assert message in caught.value.detail


def test_ref_pattern_must_be_anchored_and_valid() -> None:
    with pytest.raises(PolicySpecError, match="must be anchored"):
        GitHubPublisher("o/r", "release.yml", ref="refs/tags/v{version}")
    with pytest.raises(PolicySpecError, match="not a valid regular expression"):
        GitHubPublisher("o/r", "release.yml", ref="^refs/tags/(v{version}$")
    bound = GitHubPublisher("o/r", "r.yml", "pypi", "^refs/tags/v{version}$").for_version("1.2")
    assert bound.describe() == (
        "Trusted Publisher GitHub o/r workflow r.yml, environment pypi, "
        "ref matching ^refs/tags/v1.2$"
    )


def test_served_publisher_comparison() -> None:
    proven = {"kind": "GitHub", "repository": "Org/Repo", "workflow": "r.yml", "environment": None}
    assert served_publisher_matches(
        {"kind": "GitHub", "repository": "org/repo", "workflow": "r.yml", "environment": None},
        proven,
    )
    assert not served_publisher_matches(
        {"kind": "GitHub", "repository": "org/repo", "workflow": "r.yml", "environment": "x"},
        proven,
    )
    assert not served_publisher_matches({"kind": "GitLab", "repository": "org/repo"}, proven)
    assert not served_publisher_matches({"repository": "org/repo"}, proven)
    assert not served_publisher_matches({"kind": "ActiveState"}, {"kind": None})

"""The release map's PyPI forms: ``format: sdist|wheel`` kinds, ``trusted_publisher`` signers,
the shipped ``pypi.yaml``, and maps combined."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from srcverify.cli.main import main
from srcverify.errors import PolicyError, ReleaseMapError
from srcverify.pypi.attestation import parse_provenance
from srcverify.pypi.publisher import GitHubPublisher, GitLabPublisher
from srcverify.pypi.verify import verify_pypi_evidence
from srcverify.releasemap.model import InvalidReleaseMapError
from srcverify.releasemap.resolve import ReleaseMap, default_map, load_maps, resolve
from srcverify.sigstore.trustroot import TrustedRoot

MAPS = Path(__file__).resolve().parents[2] / "src" / "srcverify" / "releasemap" / "maps"

GOOD = """\
schema: 1
projects:
  Example.Project:
    source: https://pypi.org/project/example-project/
    artifacts:
      sdist: {format: sdist, examples: [example_project-1.2.tar.gz]}
      wheel: {format: wheel, examples: [example_project-1.2-py3-none-any.whl]}
    series:
      "1":
        source: reviewed provenance of 1.2
        signers:
          - trusted_publisher:
              kind: github
              repository: example/project
              workflow: release.yml
              environment: pypi
              ref: '^refs/tags/v{version}$'
          - trusted_publisher:
              {kind: gitlab, repository: g/p, ci_file: ci.yml, host: git.example.org}
          - trusted_publisher: {kind: google, email: r@p.iam.gserviceaccount.com}
          - trusted_publisher: {kind: circleci, project_id: a-1, pipeline_definition_id: b-2}
"""


def test_trusted_publisher_signers_resolve_bound_to_the_version() -> None:
    release_map = ReleaseMap.from_text(GOOD, "good.yaml")
    resolution = resolve(release_map, "Example_Project-1.3.tar.gz")
    assert resolution.artifact == "sdist" and resolution.version == "1.3"
    first = resolution.policy.describe().split("; [2]")[0]
    assert first == (
        "any of: [1] Trusted Publisher GitHub example/project workflow release.yml, "
        "environment pypi, ref matching ^refs/tags/v1.3$"
    )
    assert resolve(release_map, "example_project-1.3-cp311-cp311-linux_x86_64.whl").artifact == (
        "wheel"
    )
    signer = resolution.signers[1]
    assert signer.trusted_publisher == GitLabPublisher("g/p", "ci.yml", host="git.example.org")


@pytest.mark.parametrize(
    "name",
    ["example_project_evil-1.3.tar.gz", "example-project-1.3.zip", "example_project-1.3.tar.xz"],
)
def test_other_names_do_not_match(name: str) -> None:
    with pytest.raises(ReleaseMapError, match="matches no artifact pattern"):
        resolve(ReleaseMap.from_text(GOOD, "good.yaml"), name)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("              kind: github\n", "              kind: bitbucket\n"),
            "kind 'bitbucket' is not one of github, gitlab, google, circleci",
        ),
        (
            ("              workflow: release.yml\n", ""),
            "a github publisher needs 'workflow'",
        ),
        (
            ("              environment: pypi\n", "              email: x@y.z\n"),
            "'email' is not a field of a github publisher",
        ),
        (
            ("'^refs/tags/v{version}$'", "'refs/tags/v{version}'"),
            "must be anchored: start with ^, end with $",
        ),
        (
            (
                "          - trusted_publisher:\n              kind: github\n",
                "          - issuer: https://x\n"
                "            trusted_publisher:\n              kind: github\n",
            ),
            "'issuer' cannot accompany trusted_publisher",
        ),
        (
            ("{format: sdist,", "{format: egg,"),
            "format 'egg' is not one of sdist, wheel",
        ),
        (
            ("{format: sdist,", "{format: sdist, pattern: '^x-{version}$',"),
            "give exactly one of 'pattern' and 'format'",
        ),
        (
            ("      wheel: {format: wheel,", "      wheel: {pattern: '^w-{version}\\\\.whl$',"),
            "missing required key 'version_pattern'",
        ),
        (
            ("repository: example/project", "repository: example"),
            "GitHub repository: expected OWNER/REPO",
        ),
    ],
)
def test_map_problems(edit: tuple[str, str], message: str) -> None:
    old, new = edit
    assert old in GOOD
    with pytest.raises(InvalidReleaseMapError) as caught:
        ReleaseMap.from_text(GOOD.replace(old, new), "bad.yaml")
    assert any(message in problem.message for problem in caught.value.problems), caught.value


def test_the_shipped_maps_are_combined() -> None:
    release_map = default_map()
    names = {project.name for project in release_map.projects}
    assert {"cpython", "pypi-attestations", "gitlab-oidc-project"} <= names
    assert resolve(release_map, "Python-3.13.5.tar.xz").project == "cpython"
    resolution = resolve(release_map, "pypi_attestations-0.0.19.tar.gz")
    assert resolution.signers[0].trusted_publisher == GitHubPublisher(
        "trailofbits/pypi-attestations", "release.yml", ref="^refs/tags/v{version}$"
    )
    with pytest.raises(ReleaseMapError, match="has no signer for its series"):
        resolve(release_map, "pypi_attestations-0.0.20.tar.gz")


def test_combining_maps_that_share_a_project_is_refused(tmp_path: Path) -> None:
    one = tmp_path / "one.yaml"
    one.write_text(GOOD)
    with pytest.raises(ReleaseMapError, match=r"'Example\.Project' is defined in both"):
        load_maps([str(one), str(one)])
    combined = load_maps([str(one), str(MAPS / "pypi.yaml")])
    assert combined.filename == f"{one} + {MAPS / 'pypi.yaml'}"


def test_map_check_and_which_on_the_shipped_pypi_map(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["map", "check", str(MAPS / "pypi.yaml")]) == 0
    assert "pypi-attestations (2 artifact kinds" in capsys.readouterr().out
    assert main(["map", "which", "pypi_attestations-0.0.19.tar.gz"]) == 0
    out = capsys.readouterr().out
    assert "ref matching ^refs/tags/v0.0.19$" in out
    assert "Build Config URI (.18): https://github.com/trailofbits/pypi-attestations/" in out
    assert main(["map", "which", "--json", "gitlab_oidc_project-0.0.3.tar.gz"]) == 0
    signer = json.loads(capsys.readouterr().out)["signers"][0]
    assert signer == {
        "trusted_publisher": {
            "kind": "gitlab",
            "repository": "facutuesca/gitlab-oidc-project",
            "ci_file": ".gitlab-ci.yml",
            "host": "gitlab.com",
        }
    }


def test_the_shipped_entry_verifies_the_real_provenance(corpus: Path) -> None:
    document = json.loads(
        (corpus / "pypi-attestations" / "pypi_attestations-0.0.19.tar.gz.provenance").read_bytes()
    )
    root = TrustedRoot.from_json((corpus / "trust/production/trusted_root.json").read_bytes())
    digest = bytes.fromhex("9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3")
    from datetime import UTC, datetime

    now = datetime(2026, 11, 21, tzinfo=UTC)
    policy = resolve(default_map(), "pypi_attestations-0.0.19.tar.gz").policy
    receipt = verify_pypi_evidence(
        parse_provenance(document),
        "pypi_attestations-0.0.19.tar.gz",
        digest,
        trusted_root=root,
        policy=policy,
        now=now,
    )
    assert receipt.primary.publisher["repository"] == "trailofbits/pypi-attestations"
    # another project's map entry must reject it
    other = resolve(default_map(), "gitlab_oidc_project-0.0.3.tar.gz").policy
    with pytest.raises(PolicyError, match=r"OIDC issuer: expected https://gitlab\.com"):
        verify_pypi_evidence(
            parse_provenance(document),
            "pypi_attestations-0.0.19.tar.gz",
            digest,
            trusted_root=root,
            policy=other,
            now=now,
        )

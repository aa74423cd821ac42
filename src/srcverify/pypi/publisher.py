"""PyPI Trusted Publishers, compiled into the Fulcio certificate claims they imply.

A Trusted Publisher is how PyPI names the CI identity allowed to upload a
project: a GitHub workflow, a GitLab CI file (gitlab.com or a self-managed
instance), a Google service account, a CircleCI pipeline definition. Fulcio
copies the same identity into the signing certificate, so each publisher
becomes a :class:`~srcverify.sigstore.identity.Policy` over those claims:

* GitHub: issuer ``https://token.actions.githubusercontent.com``; Source
  Repository URI ``https://github.com/OWNER/REPO``; Build Config URI
  ``https://github.com/OWNER/REPO/.github/workflows/WORKFLOW@REF`` where REF
  is the certificate's own source ref or digest;
* GitLab: issuer ``https://HOST``; Source Repository URI
  ``https://HOST/NAMESPACE/PROJECT``; Build Config URI
  ``https://HOST/NAMESPACE/PROJECT//CI_FILE_PATH@REF``;
* both: when an environment is pinned, the Deployment Environment extension
  (1.3.6.1.4.1.57264.1.23) must be present and equal it; when a ref pattern
  is pinned, the Source Repository Ref must fully match it, with
  ``{version}`` standing for the release's version;
* Google: SAN e-mail of the service account, issuer ``https://accounts.google.com``;
* CircleCI: issuer ``https://oidc.circleci.com``; Build Signer URI
  ``https://circleci.com/api/v2/projects/PROJECT/pipeline-definitions/PIPELINE``.

GitHub and GitLab compare host, owner and repository case-insensitively, as
those services do; everything else is exact.

:func:`parse_publisher` reads the command line's ``--publisher`` forms. The
claims themselves, and the checks the kinds share, are
:mod:`srcverify.pypi.claims`.
What a certificate proves, and whether an index's publisher object agrees,
is :mod:`srcverify.pypi.proven`'s. Nothing here verifies a certificate's
chain or signature.
"""

from __future__ import annotations

from cryptography import x509

from srcverify._frozen import frozen, replace
from srcverify.pypi.claims import (
    BUILD_SIGNER_URI,
    EMAIL_PATTERN,
    HOST_PATTERN,
    ID_PATTERN,
    Problems,
    bind_ref,
    check_environment_and_ref,
    check_forge,
    check_issuer,
    check_ref,
    claim,
    forge_suffix,
    need,
    slug,
)
from srcverify.sigstore.fulcio import subject_alternative_names
from srcverify.sigstore.identity import PolicySpecError

__all__ = [
    "CIRCLECI_ISSUER",
    "GITHUB_ISSUER",
    "GITLAB_DEFAULT_HOST",
    "GOOGLE_ISSUER",
    "CircleCIPublisher",
    "GitHubPublisher",
    "GitLabPublisher",
    "GooglePublisher",
    "TrustedPublisher",
    "parse_publisher",
]

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GOOGLE_ISSUER = "https://accounts.google.com"
CIRCLECI_ISSUER = "https://oidc.circleci.com"
GITLAB_DEFAULT_HOST = "gitlab.com"


@frozen
class GitHubPublisher:
    """A GitHub Actions workflow file ``workflow`` in ``repository`` (``OWNER/REPO``).

    ``environment`` pins the deployment environment; ``ref`` is an anchored
    pattern for the source ref, in which ``{version}`` stands for ``version``
    (any version while ``version`` is None: bind it with :meth:`for_version`).
    """

    repository: str
    workflow: str
    environment: str | None = None
    ref: str | None = None
    version: str | None = None
    kind = "GitHub"

    def __post_init__(self) -> None:
        slug(self.repository, "GitHub repository", min_parts=2, max_parts=2)
        if "/" in need(self.workflow, "GitHub workflow"):
            raise PolicySpecError(
                "GitHub workflow: give the file name in .github/workflows, "
                f"not a path: {self.workflow!r}"
            )
        if self.environment is not None:
            need(self.environment, "environment")
        check_ref(self.ref)

    def check(self, certificate: x509.Certificate) -> None:
        """Require issuer, repository, workflow, and environment and ref when pinned."""
        problems = Problems(self._name())
        repo_uri = f"https://github.com/{self.repository}"
        check_forge(
            certificate,
            problems,
            issuer=GITHUB_ISSUER,
            repo_uri=repo_uri,
            config_rest=f"/.github/workflows/{self.workflow}",
        )
        ref, shown = bind_ref(self.ref, self.version)
        check_environment_and_ref(certificate, self.environment, ref, shown, problems)
        problems.raise_if_any()

    def _name(self) -> str:
        return f"GitHub {self.repository} workflow {self.workflow}"

    def describe(self) -> str:
        """E.g. ``Trusted Publisher GitHub owner/repo workflow release.yml, environment pypi``."""
        return f"Trusted Publisher {self._name()}" + forge_suffix(
            self.environment, bind_ref(self.ref, self.version)[1]
        )

    def for_version(self, version: str) -> GitHubPublisher:
        """This publisher with ``{version}`` in the ref pattern bound to ``version``."""
        return replace(self, version=version)


@frozen
class GitLabPublisher:
    """A GitLab CI file ``ci_file`` in ``repository`` (``NAMESPACE/PROJECT``) on ``host``.

    ``host`` is gitlab.com unless a self-managed instance is named; its OIDC
    issuer is ``https://HOST``. ``environment``, ``ref`` and ``version`` as
    for :class:`GitHubPublisher`.
    """

    repository: str
    ci_file: str
    environment: str | None = None
    ref: str | None = None
    version: str | None = None
    host: str = GITLAB_DEFAULT_HOST
    kind = "GitLab"

    def __post_init__(self) -> None:
        slug(self.repository, "GitLab project", min_parts=2, max_parts=None)
        need(self.ci_file, "GitLab CI file path")
        if self.ci_file.startswith("/") or ".." in self.ci_file.split("/"):
            raise PolicySpecError(
                f"GitLab CI file path: {self.ci_file!r} must be relative to the project"
            )
        if not HOST_PATTERN.fullmatch(need(self.host, "GitLab host")):
            raise PolicySpecError(f"GitLab host: {self.host!r} is not a host name")
        if self.environment is not None:
            need(self.environment, "environment")
        check_ref(self.ref)

    @property
    def issuer(self) -> str:
        """The instance's OIDC issuer: ``https://HOST``."""
        return f"https://{self.host}"

    def check(self, certificate: x509.Certificate) -> None:
        """Require issuer (the host), project, CI file, and environment and ref when pinned."""
        problems = Problems(self._name())
        check_forge(
            certificate,
            problems,
            issuer=self.issuer,
            repo_uri=f"https://{self.host}/{self.repository}",
            config_rest=f"//{self.ci_file}",
        )
        ref, shown = bind_ref(self.ref, self.version)
        check_environment_and_ref(certificate, self.environment, ref, shown, problems)
        problems.raise_if_any()

    def _name(self) -> str:
        where = "" if self.host == GITLAB_DEFAULT_HOST else f" on {self.host}"
        return f"GitLab {self.repository}{where} CI file {self.ci_file}"

    def describe(self) -> str:
        """E.g. ``Trusted Publisher GitLab group/project CI file .gitlab-ci.yml``."""
        return f"Trusted Publisher {self._name()}" + forge_suffix(
            self.environment, bind_ref(self.ref, self.version)[1]
        )

    def for_version(self, version: str) -> GitLabPublisher:
        """This publisher with ``{version}`` in the ref pattern bound to ``version``."""
        return replace(self, version=version)


@frozen
class GooglePublisher:
    """A Google Cloud service account, by its e-mail address."""

    email: str
    kind = "Google"

    def __post_init__(self) -> None:
        if not EMAIL_PATTERN.fullmatch(need(self.email, "Google service account")):
            raise PolicySpecError(
                f"Google service account: {self.email!r} is not an e-mail address"
            )

    def check(self, certificate: x509.Certificate) -> None:
        """Require the SAN e-mail and Google's issuer."""
        problems = Problems(f"Google {self.email}")
        check_issuer(certificate, GOOGLE_ISSUER, problems)
        names = subject_alternative_names(certificate)
        if self.email not in names:
            problems.add("SAN", self.email, ", ".join(names) or None)
        problems.raise_if_any()

    def describe(self) -> str:
        """E.g. ``Trusted Publisher Google release@project.iam.gserviceaccount.com``."""
        return f"Trusted Publisher Google {self.email}"

    def for_version(self, version: str) -> GooglePublisher:
        """Versions do not change a Google publisher."""
        return self


@frozen
class CircleCIPublisher:
    """A CircleCI project and pipeline definition, by their IDs."""

    project_id: str
    pipeline_definition_id: str
    kind = "CircleCI"

    def __post_init__(self) -> None:
        for what, value in (
            ("CircleCI project ID", self.project_id),
            ("CircleCI pipeline definition ID", self.pipeline_definition_id),
        ):
            if not ID_PATTERN.fullmatch(need(value, what)):
                raise PolicySpecError(f"{what}: {value!r} is not an ID (letters, digits, '-')")

    @property
    def build_signer_uri(self) -> str:
        """The Build Signer URI CircleCI's token yields."""
        return (
            f"https://circleci.com/api/v2/projects/{self.project_id}"
            f"/pipeline-definitions/{self.pipeline_definition_id}"
        )

    def check(self, certificate: x509.Certificate) -> None:
        """Require CircleCI's issuer and the pipeline definition's Build Signer URI."""
        problems = Problems(f"CircleCI project {self.project_id}")
        check_issuer(certificate, CIRCLECI_ISSUER, problems)
        actual = claim(certificate, BUILD_SIGNER_URI)
        if actual != self.build_signer_uri:
            problems.add("build signer URI", self.build_signer_uri, actual)
        problems.raise_if_any()

    def describe(self) -> str:
        """E.g. ``Trusted Publisher CircleCI project P pipeline definition D``."""
        return (
            f"Trusted Publisher CircleCI project {self.project_id} "
            f"pipeline definition {self.pipeline_definition_id}"
        )

    def for_version(self, version: str) -> CircleCIPublisher:
        """Versions do not change a CircleCI publisher."""
        return self


TrustedPublisher = GitHubPublisher | GitLabPublisher | GooglePublisher | CircleCIPublisher

_FORMS = (
    "github:OWNER/REPO:WORKFLOW[:ENVIRONMENT], "
    "gitlab[@HOST]:NAMESPACE/PROJECT:CI_FILE_PATH[:ENVIRONMENT], "
    "google:SERVICE_ACCOUNT_EMAIL, circleci:PROJECT_ID:PIPELINE_DEFINITION_ID"
)


def parse_publisher(text: str) -> TrustedPublisher:
    """Parse the ``--publisher`` forms.

    Raises:
        PolicySpecError: ``text`` is not one of them (the CLI reports usage).
    """
    kind, sep, rest = text.partition(":")
    if not sep or not rest:
        raise PolicySpecError(f"--publisher {text!r}: expected one of {_FORMS}")
    parts = rest.split(":")
    if kind == "github" and len(parts) in (2, 3):
        return GitHubPublisher(parts[0], parts[1], parts[2] if len(parts) == 3 else None)
    if (kind == "gitlab" or kind.startswith("gitlab@")) and len(parts) in (2, 3):
        host = kind.partition("@")[2] if "@" in kind else GITLAB_DEFAULT_HOST
        environment = parts[2] if len(parts) == 3 else None
        return GitLabPublisher(parts[0], parts[1], environment, host=host)
    if kind == "google" and len(parts) == 1:
        return GooglePublisher(parts[0])
    if kind == "circleci" and len(parts) == 2:
        return CircleCIPublisher(parts[0], parts[1])
    raise PolicySpecError(f"--publisher {text!r}: expected one of {_FORMS}")

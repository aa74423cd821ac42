"""Who signed: Fulcio certificate identities and the policies that judge them.

Checks what a Fulcio leaf certificate says about its signer (read by
:mod:`srcverify.sigstore.fulcio`) against a :class:`Policy`:

* :class:`Identity` -- an exact or anchored-regex SAN plus an exact or
  anchored-regex OIDC issuer (what ``--cert-identity`` and
  ``--cert-oidc-issuer`` mean);
* :class:`Issuer` -- only the OIDC issuer, to pair with claims;
* :class:`GitHubWorkflow` -- GitHub Actions claims (repository, workflow,
  ref, ... and the provider-generic build claims);
* :class:`AnyOf` / :class:`AllOf` -- combinations; both fail closed when empty.

A failed check raises :class:`~srcverify.errors.PolicyError` saying what was
expected and what the certificate has, decoded. A policy that cannot be
built (two identities, a regex that does not compile) raises
:class:`PolicySpecError`.

This module does not verify the certificate: chain, validity window, SCT and
signature are ``certs.py``'s job, and a policy must only be applied to a
certificate that has passed them. It never reads files or the clock.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

from cryptography import x509

from srcverify._frozen import field, fields, frozen
from srcverify.errors import PolicyError, SrcverifyError, VerificationError
from srcverify.sigstore.fulcio import (
    CLAIM_EXTENSIONS,
    FULCIO_OID,
    extension_value,
    oidc_issuer,
    subject_alternative_names,
)

__all__ = [
    "AllOf",
    "AnyOf",
    "GitHubWorkflow",
    "Identity",
    "Issuer",
    "Policy",
    "PolicySpecError",
]


class PolicySpecError(SrcverifyError):
    """A policy was specified wrongly (not a verdict about any certificate).

    The CLI reports this as a usage error (exit 2); the release map turns it
    into a :class:`~srcverify.errors.ReleaseMapError` with the file position.
    """

    default_step = "policy"


class Policy(Protocol):
    """Something that accepts or rejects a signing certificate's identity."""

    def check(self, certificate: x509.Certificate) -> None:
        """Return if the certificate's identity is allowed.

        Raises:
            PolicyError: it is not; the message shows expected and actual.
            CertificateError: an extension the policy needs is malformed.
        """
        ...

    def describe(self) -> str:
        """One line saying what the policy allows."""
        ...


# --- building blocks --------------------------------------------------------


@frozen
class _Matcher:
    """One value to match: exactly, or by an anchored (fullmatch) regex."""

    what: str
    exact: str | None
    regexp: str | None
    compiled: re.Pattern[str] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def build(cls, exact: str | None, regexp: str | None, what: str) -> _Matcher:
        if (exact is None) == (regexp is None):
            raise PolicySpecError(f"give exactly one of {what} and {what}_regexp")
        value = exact if exact is not None else regexp
        if not isinstance(value, str) or not value:
            raise PolicySpecError(f"{what}: expected a non-empty string, got {value!r}")
        if regexp is None:
            return cls(what, exact, None)
        try:
            return cls(what, None, regexp, re.compile(regexp))
        except (re.error, OverflowError, RecursionError) as exc:
            raise PolicySpecError(
                f"{what}_regexp {regexp!r} is not a valid regular expression: {exc}"
            ) from exc

    def matches(self, value: str) -> bool:
        if self.compiled is not None:
            return self.compiled.fullmatch(value) is not None
        return value == self.exact

    def expected(self) -> str:
        return self.exact if self.exact is not None else f"a match for {self.regexp}"

    def describe(self) -> str:
        if self.exact is not None:
            return f"{self.what} {self.exact}"
        return f"{self.what} matching {self.regexp}"


def _check_issuer(certificate: x509.Certificate, matcher: _Matcher) -> None:
    actual = oidc_issuer(certificate)
    if actual is None:
        raise PolicyError(
            f"OIDC issuer mismatch: expected {matcher.expected()}, certificate has no issuer "
            f"extension ({FULCIO_OID}.8 or {FULCIO_OID}.1)"
        )
    if not matcher.matches(actual):
        raise PolicyError(
            f"OIDC issuer mismatch: expected {matcher.expected()}, certificate has {actual}"
        )


@frozen
class Identity:
    """A SAN identity and OIDC issuer, each exact or an anchored regex.

    Regular expressions must match the whole value (``re.fullmatch``); they
    are compiled on construction.

    Raises:
        PolicySpecError: not exactly one of identity/identity_regexp, or
            of issuer/issuer_regexp, or a regex that does not compile.
    """

    identity: str | None = None
    identity_regexp: str | None = None
    issuer: str | None = None
    issuer_regexp: str | None = None
    _san: _Matcher = field(init=False, repr=False, compare=False)
    _issuer: _Matcher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        san = _Matcher.build(self.identity, self.identity_regexp, "identity")
        object.__setattr__(self, "_san", san)
        object.__setattr__(
            self, "_issuer", _Matcher.build(self.issuer, self.issuer_regexp, "issuer")
        )

    def check(self, certificate: x509.Certificate) -> None:
        """Require the SAN and then the OIDC issuer to match."""
        names = subject_alternative_names(certificate)
        if not any(self._san.matches(name) for name in names):
            shown = ", ".join(names) if names else "no SAN identity"
            raise PolicyError(
                f"SAN mismatch: expected {self._san.expected()}, certificate has {shown}"
            )
        _check_issuer(certificate, self._issuer)

    def describe(self) -> str:
        """E.g. ``identity hugo@python.org, issuer https://github.com/login/oauth``."""
        return f"{self._san.describe()}, {self._issuer.describe()}"


@frozen
class Issuer:
    """Only the OIDC issuer (exact or anchored regex); pair it with claims."""

    issuer: str | None = None
    issuer_regexp: str | None = None
    _issuer: _Matcher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_issuer", _Matcher.build(self.issuer, self.issuer_regexp, "issuer")
        )

    def check(self, certificate: x509.Certificate) -> None:
        """Require the OIDC issuer to match."""
        _check_issuer(certificate, self._issuer)

    def describe(self) -> str:
        """E.g. ``issuer https://token.actions.githubusercontent.com``."""
        return self._issuer.describe()


def _claim(arc: int, legacy: int | None = None) -> Any:
    """A GitHubWorkflow field read from extension ``arc``, else ``legacy``."""
    return field(default=None, metadata={"arcs": (arc, legacy)})


@frozen
class GitHubWorkflow:
    """GitHub Actions claims the certificate must carry, each compared exactly.

    ``repository`` (``owner/name``) and ``workflow`` (the workflow's name)
    exist only as the deprecated extensions .1.5 and .1.4. ``ref``,
    ``trigger`` and ``sha`` read the provider-generic extension (.1.14,
    .1.20, .1.13) and fall back to the deprecated one (.1.6, .1.2, .1.3) for
    older certificates. The other fields are the generic extensions .1.9 to
    .1.23 by their names in Fulcio's oid-info.md.

    Raises:
        PolicySpecError: no claim given, or an empty or non-string value.
    """

    repository: str | None = _claim(5)
    workflow: str | None = _claim(4)
    ref: str | None = _claim(14, legacy=6)
    trigger: str | None = _claim(20, legacy=2)
    sha: str | None = _claim(13, legacy=3)
    build_signer_uri: str | None = _claim(9)
    build_signer_digest: str | None = _claim(10)
    runner_environment: str | None = _claim(11)
    source_repository_uri: str | None = _claim(12)
    source_repository_digest: str | None = _claim(13, legacy=3)
    source_repository_ref: str | None = _claim(14, legacy=6)
    source_repository_identifier: str | None = _claim(15)
    source_repository_owner_uri: str | None = _claim(16)
    source_repository_owner_identifier: str | None = _claim(17)
    build_config_uri: str | None = _claim(18)
    build_config_digest: str | None = _claim(19)
    build_trigger: str | None = _claim(20, legacy=2)
    run_invocation_uri: str | None = _claim(21)
    source_repository_visibility_at_signing: str | None = _claim(22)
    deployment_environment: str | None = _claim(23)

    def __post_init__(self) -> None:
        if not self.claims():
            raise PolicySpecError("a GitHub workflow policy needs at least one claim")
        for name, value in self.claims():
            if not isinstance(value, str) or not value:
                raise PolicySpecError(f"claim {name}: expected a non-empty string")

    @staticmethod
    def claim_names() -> tuple[str, ...]:
        """Every claim this policy knows, in declaration order."""
        return tuple(f.name for f in fields(GitHubWorkflow))

    def claims(self) -> tuple[tuple[str, str], ...]:
        """The (name, expected value) pairs that were given."""
        return tuple(
            (f.name, getattr(self, f.name))
            for f in fields(self)
            if getattr(self, f.name) is not None
        )

    def check(self, certificate: x509.Certificate) -> None:
        """Require every given claim; report every mismatch at once."""
        problems = []
        arcs_of = {f.name: f.metadata["arcs"] for f in fields(self)}
        for name, expected in self.claims():
            preferred, legacy = arcs_of[name]
            actual = extension_value(certificate, preferred)
            if actual is None and legacy is not None:
                actual = extension_value(certificate, legacy)
            if actual is None:
                arcs = [a for a in (preferred, legacy) if a is not None]
                where = " or ".join(f"{FULCIO_OID}.{a} ({CLAIM_EXTENSIONS[a]})" for a in arcs)
                problems.append(f"{name}: expected {expected}, certificate has no {where}")
            elif actual != expected:
                problems.append(f"{name} mismatch: expected {expected}, certificate has {actual}")
        if problems:
            raise PolicyError("GitHub workflow claims: " + "; ".join(problems))

    def describe(self) -> str:
        """E.g. ``GitHub workflow repository=owner/name, ref=refs/heads/main``."""
        return "GitHub workflow " + ", ".join(f"{k}={v}" for k, v in self.claims())


@frozen
class AnyOf:
    """Allowed if at least one policy allows; an empty AnyOf allows nobody."""

    policies: tuple[Policy, ...]

    def __init__(self, policies: Sequence[Policy]) -> None:
        object.__setattr__(self, "policies", tuple(policies))

    def check(self, certificate: x509.Certificate) -> None:
        """Try each alternative; if none allows, list why each one failed."""
        if not self.policies:
            raise PolicyError("empty policy: no signer is allowed (AnyOf with no alternatives)")
        if len(self.policies) == 1:
            self.policies[0].check(certificate)
            return
        reasons = []
        for number, policy in enumerate(self.policies, 1):
            try:
                policy.check(certificate)
            except VerificationError as exc:
                reasons.append(f"[{number}] {policy.describe()}: {exc.detail}")
            else:
                return
        raise PolicyError(
            f"no allowed signer matched ({len(self.policies)} alternatives): " + "; ".join(reasons)
        )

    def describe(self) -> str:
        """The alternatives, numbered."""
        if not self.policies:
            return "nobody (empty policy)"
        if len(self.policies) == 1:
            return self.policies[0].describe()
        return "any of: " + "; ".join(
            f"[{n}] {p.describe()}" for n, p in enumerate(self.policies, 1)
        )


@frozen
class AllOf:
    """Allowed if every policy allows; an empty AllOf allows nobody."""

    policies: tuple[Policy, ...]

    def __init__(self, policies: Sequence[Policy]) -> None:
        object.__setattr__(self, "policies", tuple(policies))

    def check(self, certificate: x509.Certificate) -> None:
        """Check each policy in order; the first failure is the answer."""
        if not self.policies:
            raise PolicyError("empty policy: no signer is allowed (AllOf with no policies)")
        for policy in self.policies:
            policy.check(certificate)

    def describe(self) -> str:
        """The policies joined with ``and``."""
        if not self.policies:
            return "nobody (empty policy)"
        return " and ".join(p.describe() for p in self.policies)

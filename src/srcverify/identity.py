"""Who signed: Fulcio certificate identities and the policies that judge them.

Reads what a Fulcio leaf certificate says about its signer -- the Subject
Alternative Name (email, URI or Sigstore otherName), the OIDC issuer and the
CI claims Fulcio copies from the identity token into its extensions under
1.3.6.1.4.1.57264.1 (see Fulcio's ``docs/oid-info.md``) -- and checks it
against a :class:`Policy`:

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
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

from cryptography import x509
from cryptography.x509.oid import ObjectIdentifier

from srcverify.errors import CertificateError, PolicyError, SrcverifyError, VerificationError

__all__ = [
    "CLAIM_EXTENSIONS",
    "FULCIO_OID",
    "AllOf",
    "AnyOf",
    "GitHubWorkflow",
    "Identity",
    "Issuer",
    "Policy",
    "PolicySpecError",
    "certificate_identity",
    "certificate_issuer",
    "extension_value",
    "oidc_issuer",
    "subject_alternative_names",
]

FULCIO_OID = "1.3.6.1.4.1.57264.1"
_OTHERNAME_SAN = ObjectIdentifier(f"{FULCIO_OID}.7")

# Extension arc -> its name in Fulcio's oid-info.md. Arcs 1-6 (deprecated,
# GitHub-specific) hold raw bytes; 8 and later a DER UTF8String.
CLAIM_EXTENSIONS: dict[int, str] = {
    1: "Issuer (deprecated)",
    2: "GitHub Workflow Trigger",
    3: "GitHub Workflow SHA",
    4: "GitHub Workflow Name",
    5: "GitHub Workflow Repository",
    6: "GitHub Workflow Ref",
    8: "Issuer (V2)",
    9: "Build Signer URI",
    10: "Build Signer Digest",
    11: "Runner Environment",
    12: "Source Repository URI",
    13: "Source Repository Digest",
    14: "Source Repository Ref",
    15: "Source Repository Identifier",
    16: "Source Repository Owner URI",
    17: "Source Repository Owner Identifier",
    18: "Build Config URI",
    19: "Build Config Digest",
    20: "Build Trigger",
    21: "Run Invocation URI",
    22: "Source Repository Visibility At Signing",
    23: "Deployment Environment",
}


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


# --- reading the certificate ------------------------------------------------


def _extensions(certificate: x509.Certificate) -> x509.Extensions:
    try:
        return certificate.extensions
    except (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType) as exc:
        raise CertificateError(f"cannot read certificate extensions: {exc}") from exc


def _der_utf8(data: bytes, what: str) -> str:
    """Decode one DER UTF8String (tag 0x0C) that must fill ``data`` exactly."""
    if len(data) < 2 or data[0] != 0x0C:
        raise CertificateError(f"{what}: expected a DER UTF8String, found {data[:4].hex()}...")
    length, offset = data[1], 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or len(data) < 2 + count:
            raise CertificateError(f"{what}: bad DER length in UTF8String")
        length = int.from_bytes(data[2 : 2 + count], "big")
        offset = 2 + count
        if length < 0x80 or data[2] == 0:
            raise CertificateError(f"{what}: non-minimal DER length in UTF8String")
    if offset + length != len(data):
        raise CertificateError(
            f"{what}: UTF8String length {length} does not match the "
            f"{len(data) - offset} bytes present"
        )
    return _utf8(data[offset:], what)


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CertificateError(f"{what}: not valid UTF-8 ({exc.reason})") from exc


def extension_value(certificate: x509.Certificate, arc: int) -> str | None:
    """The decoded value of Fulcio extension ``1.3.6.1.4.1.57264.1.<arc>``.

    Args:
        certificate: the leaf certificate.
        arc: the last OID arc, a key of :data:`CLAIM_EXTENSIONS`.

    Returns:
        The string value, or None if the certificate lacks the extension.

    Raises:
        CertificateError: the extension is present but not correctly encoded.
    """
    name = CLAIM_EXTENSIONS[arc]
    oid = ObjectIdentifier(f"{FULCIO_OID}.{arc}")
    try:
        ext = _extensions(certificate).get_extension_for_oid(oid)
    except x509.ExtensionNotFound:
        return None
    value = ext.value
    if not isinstance(value, x509.UnrecognizedExtension):
        raise CertificateError(f"extension {oid.dotted_string} ({name}) has an unexpected type")
    what = f"extension {oid.dotted_string} ({name})"
    return _der_utf8(value.value, what) if arc >= 8 else _utf8(value.value, what)


def oidc_issuer(certificate: x509.Certificate) -> str | None:
    """The OIDC issuer: extension ``.1.8`` if present, else legacy ``.1.1``."""
    issuer = extension_value(certificate, 8)
    return issuer if issuer is not None else extension_value(certificate, 1)


def certificate_issuer(certificate: x509.Certificate) -> str | None:
    """The OIDC issuer, as :func:`oidc_issuer` (the name verify.py uses)."""
    return oidc_issuer(certificate)


def certificate_identity(certificate: x509.Certificate) -> str:
    """The SAN identities for a receipt: one, or several joined by ``", "``.

    Returns an empty string if the certificate has no SAN identity.
    """
    return ", ".join(subject_alternative_names(certificate))


def subject_alternative_names(certificate: x509.Certificate) -> tuple[str, ...]:
    """Every identity in the SAN: emails, URIs, DNS names, Sigstore otherNames."""
    try:
        san = _extensions(certificate).get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return ()
    names: list[str] = []
    for general_name in san.value:
        if isinstance(
            general_name, x509.RFC822Name | x509.UniformResourceIdentifier | x509.DNSName
        ):
            names.append(general_name.value)
        elif isinstance(general_name, x509.OtherName) and general_name.type_id == _OTHERNAME_SAN:
            names.append(_der_utf8(general_name.value, "SAN otherName 1.3.6.1.4.1.57264.1.7"))
    return tuple(names)


# --- building blocks --------------------------------------------------------


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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

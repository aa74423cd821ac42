"""The whole srcverify exception tree, split by what the caller should do.

Two families, because a build log must let a packager tell a tampered tarball
from a missing file:

* :class:`VerificationError` -- *the evidence is bad*. The bundle is malformed
  or unsupported, a signature, proof, timestamp, SCT or chain does not verify,
  the identity is not the one required, or the artifact is not the one signed.
  This may be an attack. The CLI exits 1.
* :class:`EvaluationError` -- *we could not evaluate*. A file is missing or
  unreadable, the trust root or release map is unusable, or the pinned trust
  root is too old for this signature. Nothing was learnt about the artifact.
  The CLI exits 3.

Every error carries ``step``: the short name of the verification step (or
input) that failed, so messages read ``tlog: inclusion proof ...``. Messages
show expected and actual values, decoded, never an object repr.

This module holds no logic beyond formatting.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = [
    "EXIT_OK",
    "EXIT_REJECTED",
    "EXIT_UNEVALUATED",
    "EXIT_USAGE",
    "ArtifactMismatchError",
    "BundleFormatError",
    "CertificateError",
    "EvaluationError",
    "InputError",
    "ManifestError",
    "PolicyError",
    "ReleaseMapError",
    "SignatureError",
    "SrcverifyError",
    "StaleTrustRootError",
    "TimestampError",
    "TransparencyLogError",
    "TrustRootError",
    "TufError",
    "VerificationError",
]


# The command line's exit codes, a documented contract (README, "Exit codes").
EXIT_OK = 0  # verified / the check passed
EXIT_REJECTED = 1  # the evidence does not verify (VerificationError, or a failed pin check)
EXIT_USAGE = 2  # the arguments cannot work
EXIT_UNEVALUATED = 3  # could not evaluate (EvaluationError)


class SrcverifyError(Exception):
    """Base of every error srcverify raises on purpose.

    Args:
        step: short name of the step or input that failed (``bundle``,
            ``tlog``, ``certificate`` ...).
        message: what went wrong, with expected and actual values.
    """

    default_step = "srcverify"

    def __init__(self, message: str, *, step: str | None = None) -> None:
        self.step = step or self.default_step
        self.detail = message
        super().__init__(f"{self.step}: {message}")


# --- the evidence is bad (exit 1) -------------------------------------------


class VerificationError(SrcverifyError):
    """The evidence does not verify; the artifact must not be trusted."""

    default_step = "verify"


class BundleFormatError(VerificationError):
    """The bundle is not well-formed JSON of a supported bundle version."""

    default_step = "bundle"


class SignatureError(VerificationError):
    """The artifact or envelope signature does not verify."""

    default_step = "signature"


class TransparencyLogError(VerificationError):
    """A transparency log entry, proof, checkpoint or promise does not verify."""

    default_step = "tlog"


class TimestampError(VerificationError):
    """An RFC 3161 timestamp does not verify, or no verified time exists."""

    default_step = "timestamp"


class CertificateError(VerificationError):
    """The signing certificate, its chain, profile or SCT does not verify."""

    default_step = "certificate"


class PolicyError(VerificationError):
    """The signer is not one the policy allows."""

    default_step = "policy"


class ManifestError(VerificationError):
    """A signed checksum manifest is malformed or ambiguous; the line is named."""

    default_step = "manifest"


class ArtifactMismatchError(VerificationError):
    """The artifact is not the one that was signed."""

    default_step = "artifact"


# --- we could not evaluate (exit 3) -----------------------------------------


class EvaluationError(SrcverifyError):
    """The verification could not be carried out; nothing was decided."""

    default_step = "input"


class InputError(EvaluationError):
    """A file named on the command line is missing or unreadable."""

    default_step = "input"


class TrustRootError(EvaluationError):
    """The trusted root is missing, malformed or unusable."""

    default_step = "trust-root"


class TufError(TrustRootError):
    """The pinned TUF metadata does not authenticate the trust root.

    ``srcverify trust-root verify`` reports this as a failed check (exit 1);
    ``srcverify verify`` treats it as an unusable trust root (exit 3).
    """

    default_step = "trust-root"


class StaleTrustRootError(EvaluationError):
    """The pinned trust root is older than the signature it must judge."""

    default_step = "trust-root"

    @classmethod
    def signature_newer_than_pin(
        cls, pin_time: datetime, signature_time: datetime
    ) -> StaleTrustRootError:
        """The advice for a signature made after the pin by a key the pin lacks."""
        return cls(
            f"the pinned trust root ({_utc(pin_time)}) is older than this signature "
            f"(time {_utc(signature_time)}); update the trust root"
        )


def _utc(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ReleaseMapError(EvaluationError):
    """The release map is malformed, or has no signer for this artifact."""

    default_step = "release-map"

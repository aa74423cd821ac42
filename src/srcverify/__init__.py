"""srcverify: offline Sigstore verification of upstream sources.

The public API, re-exported lazily so that ``import srcverify`` (and with it
``srcverify --help``) does not load cryptography until it is used::

    from srcverify import Bundle, TrustedRoot, verify_bundle

The packages below show the layers; imports flow one way, from the top down:

- :mod:`srcverify.cli`: the ``srcverify`` command (argument parsing, files, clock, output);
- :mod:`srcverify.pin` and :mod:`srcverify.releasemap`: the TUF-pinned trust root and the
  release map (who must have signed which upstream file);
- :mod:`srcverify.sigstore`: the pure verification core (bundle in, receipt or error out);
- :mod:`srcverify.errors` and :mod:`srcverify.artifact`: the exception tree and digests.
"""

from __future__ import annotations

from srcverify._lazy import lazy_exports

__version__ = "0.1.0"

_all, __getattr__ = lazy_exports(
    __name__,
    {
        "Bundle": "sigstore.bundle",
        "TrustedRoot": "sigstore.trustroot",
        "verify_bundle": "sigstore.verify",
        "needs_artifact_bytes": "sigstore.verify",
        "Receipt": "sigstore.receipt",
        "ManagedKey": "sigstore.receipt",
        "Identity": "sigstore.identity",
        "AnyOf": "sigstore.identity",
        "AllOf": "sigstore.identity",
        "GitHubWorkflow": "sigstore.identity",
        "ReleaseMap": "releasemap.resolve",
    },
)
__all__ = ["__version__", *_all]

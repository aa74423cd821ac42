"""The pure Sigstore verification core: one module per specification noun.

It takes bytes or parsed objects, an explicit trusted root, an explicit
policy and an explicit time, and returns a :class:`Receipt` or raises an
error from :mod:`srcverify.errors`. It never opens a file, reads the clock or
the environment, or touches a socket; and it knows nothing of TUF pins,
release maps or the command line (those packages build on this one).

The orchestrator is :mod:`srcverify.sigstore.verify`, written as the client
specification's numbered steps; :mod:`~srcverify.sigstore.bundle` parses,
:mod:`~srcverify.sigstore.trustroot` models ``trusted_root.json``,
:mod:`~srcverify.sigstore.certs`, :mod:`~srcverify.sigstore.sct`,
:mod:`~srcverify.sigstore.tlog` and :mod:`~srcverify.sigstore.timestamps`
check one kind of evidence each, and :mod:`~srcverify.sigstore.identity`
holds the signer policies.
"""

from __future__ import annotations

from srcverify._lazy import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "Bundle": "bundle",
        "TrustedRoot": "trustroot",
        "verify_bundle": "verify",
        "needs_artifact_bytes": "verify",
        "Receipt": "receipt",
        "ManagedKey": "receipt",
        "Identity": "identity",
        "Issuer": "identity",
        "AnyOf": "identity",
        "AllOf": "identity",
        "GitHubWorkflow": "identity",
        "Policy": "identity",
    },
)

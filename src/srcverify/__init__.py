"""srcverify: offline Sigstore verification of upstream sources.

The public API, re-exported lazily so that ``import srcverify`` (and with it
``srcverify --help``) does not load cryptography until it is used::

    from srcverify import Bundle, TrustedRoot, verify_bundle
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Bundle": "srcverify.bundle",
    "TrustedRoot": "srcverify.trustroot",
    "verify_bundle": "srcverify.verify",
    "Receipt": "srcverify.verify",
    "ManagedKey": "srcverify.verify",
    "Identity": "srcverify.identity",
    "AnyOf": "srcverify.identity",
    "AllOf": "srcverify.identity",
    "GitHubWorkflow": "srcverify.identity",
    "ReleaseMap": "srcverify.releases",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'srcverify' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)

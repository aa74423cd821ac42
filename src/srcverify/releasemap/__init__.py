"""The release map: which upstream file is which release, and who must have signed it.

:mod:`~srcverify.releasemap.model` is the data model,
:mod:`~srcverify.releasemap.nodes` the strict YAML node reader,
:mod:`~srcverify.releasemap.schema` the schema-1 parser built on it (with
:mod:`~srcverify.releasemap.kinds`, :mod:`~srcverify.releasemap.series`,
:mod:`~srcverify.releasemap.signers` and :mod:`~srcverify.releasemap.forms`
for the parts of a project), and
:mod:`~srcverify.releasemap.resolve` turns an artifact file name into the
signer policy to enforce. ``maps/`` holds the shipped, reviewed maps.

It builds policies from :mod:`srcverify.sigstore.identity`; it verifies
nothing itself and reads no file but the map it is given.
"""

from __future__ import annotations

from srcverify._lazy import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "ReleaseMap": "resolve",
        "Resolution": "resolve",
        "default_map": "resolve",
        "resolve": "resolve",
        "InvalidReleaseMapError": "model",
        "MapProblem": "model",
    },
)

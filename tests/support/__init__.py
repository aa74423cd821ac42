"""Test support: a small, deterministic Sigstore built in code.

Modules:

* ``instance`` -- ``TestInstance``: fixed-key Fulcio CA, CT log, Rekor v1/v2
  logs (+ the TSA from ``tsa``); ``trusted_root()`` and ``sign_artifact()``
  producing bundle dicts of every supported shape.
* ``signed`` -- ``SignOptions`` (what a bundle looks like) and ``SignedBundle``
  (the bundle dict and the raw pieces), fixed times, media types.
* ``tamper`` -- one-defect variants of a valid ``SignedBundle``.
* ``pki`` / ``rekor`` / ``merkle`` / ``keys`` -- the CA and CT log, the
  transparency logs (bodies, SET, signed-note checkpoints), RFC 6962 trees,
  and fixed keys.
* ``tsa`` / ``der_encode`` -- the RFC 3161 test TSA and its DER writer.

Nothing here is imported by ``src/srcverify``; nothing here verifies.
"""

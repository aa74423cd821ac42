"""The TUF-pinned trust root: a directory of Sigstore's signed TUF metadata.

:mod:`~srcverify.pin.record` reads and writes ``pin.json``;
:mod:`~srcverify.pin.chain` authenticates the metadata offline at the pin's
reference time, into an :mod:`~srcverify.pin.authenticated` pin;
:mod:`~srcverify.pin.load` turns a pin directory into an authenticated
:class:`~srcverify.sigstore.trustroot.TrustedRoot`;
:mod:`~srcverify.pin.localcopy` reads a local copy of a TUF repository (CDN or
git layout); :mod:`~srcverify.pin.update` refreshes a pin from such a copy or a
URL, or makes one from an anchor root; :mod:`~srcverify.pin.write` writes it
atomically; :mod:`~srcverify.pin.diff` tells a reviewer what an update changed;
:mod:`~srcverify.pin.report` describes what a pin's authentication covered.

It does not verify bundles (that is :mod:`srcverify.sigstore`), and only
:mod:`~srcverify.pin.update` ever uses the network.
"""

from __future__ import annotations

from srcverify._lazy import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "AuthenticatedPin": "authenticated",
        "PinnedTrustRoot": "load",
        "check_pin_age": "load",
        "default_pin_dir": "load",
        "load_authenticated_trusted_root": "load",
        "verify_pin_dir": "load",
        "PinRecord": "record",
        "update_pin": "update",
        "diff_pins": "diff",
    },
)

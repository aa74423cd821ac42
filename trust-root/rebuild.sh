#!/bin/sh
# Rebuild the shipped pin (trust-root/pin.json, metadata/, targets/) from a copy of
# Sigstore's production TUF repository, sigstore/root-signing at commit 60cf2ce8 in its
# git layout. The result is byte for byte the same on every run: tests/pin/test_shipped.py
# rebuilds it from the test corpus and compares.
#
#   trust-root/rebuild.sh [COPY [OUT]]
#
# COPY defaults to ../shared/corpus/tuf/production beside the source tree. Without OUT
# the pin files in trust-root/ are replaced; with OUT (which must not exist) the new pin
# is written there. SRCVERIFY names the command (default: srcverify).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
copy=${1:-$here/../../shared/corpus/tuf/production}
out=${2:-}
srcverify=${SRCVERIFY:-srcverify}
work=$(mktemp -d "${TMPDIR:-/tmp}/srcverify-pin.XXXXXX")
trap 'rm -rf "$work"' EXIT

$srcverify trust-root update "$work/pin" \
    --anchor "$copy/metadata/root_history/5.root.json" \
    --from "$copy" \
    --reference-time 2026-08-21T20:00:00Z \
    --origin "https://github.com/sigstore/root-signing at commit 60cf2ce8b2e45d600dc17c4421e8c751e75772be (2026-08-21), git layout (metadata/root_history/N.root.json, metadata/*.json, targets/), files byte for byte; anchor: root v5, see trust-root/README.md" \
    --reference-time-note "At commit 60cf2ce8 (2026-08-21) the repository served root v15, timestamp v762 (valid until 2026-08-28T19:25:56Z), snapshot v165 and targets v14. T lies after the commit and before that timestamp expired, and is the T of the earlier root-only pin, so receipts made with either pin state the same time. Root v15 itself expires 2026-11-20T13:58:18Z."

if [ -n "$out" ]; then
    mv "$work/pin" "$out"
else
    rm -rf "$here/metadata" "$here/targets"
    cp -R "$work/pin/metadata" "$work/pin/targets" "$here/"
    cp "$work/pin/pin.json" "$here/pin.json"
fi

#!/bin/sh
# Install the distribution tools that tests/packaging/ drives for real:
# rpmbuild (package "rpm"), dpkg-buildpackage + debhelper + pybuild, and the
# Debian packages srcverify itself depends on (so its .deb can be built and,
# where the release has them, run from its installed location).
#
# Called by .ci/run on Debian/Ubuntu machines as root. Packages the release
# does not have (python3-tuf is absent from Debian 12 "bookworm") are listed
# and skipped; the tests that need them skip with that reason.
#
# Usage: sh packaging/ci-install-tools.sh        (no arguments; idempotent)
set -eu

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ci-install-tools: no apt-get on this machine; packaging tests will skip" >&2
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "ci-install-tools: not root and no sudo; packaging tests will skip" >&2
        exit 0
    fi
fi

WANTED="
rpm
dpkg-dev
fakeroot
build-essential
debhelper
dh-python
pybuild-plugin-pyproject
python3-all
python3-setuptools
python3-wheel
python3-cryptography
python3-yaml
python3-tuf
xz-utils
util-linux
"

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq

AVAILABLE=""
MISSING=""
for pkg in $WANTED; do
    # A package with a candidate version can be installed from this release.
    candidate=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [ -n "$candidate" ] && [ "$candidate" != "(none)" ]; then
        AVAILABLE="$AVAILABLE $pkg"
    else
        MISSING="$MISSING $pkg"
    fi
done

if [ -n "$MISSING" ]; then
    echo "ci-install-tools: not available in this release, skipped:$MISSING" >&2
fi
# shellcheck disable=SC2086  # word splitting of the package list is intended
$SUDO apt-get install -y -qq --no-install-recommends $AVAILABLE >/dev/null
echo "ci-install-tools: installed or already present:$AVAILABLE" >&2

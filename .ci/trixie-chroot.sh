#!/usr/bin/env bash
# CI step: srcverify on Debian 13 "trixie", with Debian's own packages only.
#
# Builds a trixie chroot with debootstrap --variant=minbase from Debian's
# archive, and inside it:
#   1. builds srcverify's .deb from packaging/debian/srcverify with
#      dpkg-buildpackage and installs it with `apt install ./srcverify_*.deb`
#      (python3-tuf 5.1.0, python3-cryptography 43.0.0, python3-yaml 6.0.2);
#   2. verifies the real Python-3.13.5.tar.xz with the installed command, the
#      shipped map and pin, under `unshare -n` (no network), and rejects a copy
#      with one byte changed (exit 1);
#   3. builds a minimal source package with `Build-Depends: dh-sequence-srcverify`
#      with plain `dpkg-buildpackage -us -uc`, then fails it on a swapped tarball
#      (the same tar stream recompressed: other bytes, same files);
#   4. runs `srcverify trust-root verify` and `status` on the installed pin.
# It skips, saying why, only where debootstrap or chroot cannot run (not root,
# no debootstrap and no apt-get to install it, chroot refused, Debian's archive
# unreachable) or the corpus tarball is absent. Any failed check fails the step.
#
# Usage: bash .ci/trixie-chroot.sh   (from .ci/run; needs root)
# Environment: SRCVERIFY_CORPUS (default ../shared/corpus beside the tree),
#   TRIXIE_MIRROR (default http://deb.debian.org/debian),
#   TRIXIE_CACHE (debootstrap's package cache and the debootstrapped chroot kept
#   for the next run, default /var/cache/srcverify-ci/trixie).
set -euo pipefail
cd "$(dirname "$0")/.."
project=$(pwd)
corpus=${SRCVERIFY_CORPUS:-$project/../shared/corpus}
mirror=${TRIXIE_MIRROR:-http://deb.debian.org/debian}
cache=${TRIXIE_CACHE:-/var/cache/srcverify-ci/trixie}
started=$(date +%s)
tarball=$corpus/cpython/artifacts/Python-3.13.5.tar.xz
bundle=$corpus/cpython/bundles/Python-3.13.5.tar.xz.sigstore

say() { printf 'trixie: %s\n' "$*"; }
elapsed() { echo "$(($(date +%s) - started)) s"; }
skip() {
    say "SKIPPED: $*"
    exit 0
}
fail() {
    say "FAILED: $*"
    exit 1
}

[ "$(id -u)" -eq 0 ] || skip "not root: debootstrap and chroot need root"
[ -f "$tarball" ] && [ -f "$bundle" ] || skip "corpus tarball or bundle absent ($tarball)"
if ! command -v debootstrap >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || skip "no debootstrap and no apt-get to install it"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap \
        >/dev/null || skip "debootstrap could not be installed"
fi
chroot / true 2>/dev/null || skip "chroot is not permitted here"

root=$(mktemp -d /var/tmp/srcverify-trixie.XXXXXX)
cleanup() {
    umount "$root/dev/pts" 2>/dev/null || true
    umount "$root/proc" 2>/dev/null || true
    rm -rf --one-file-system "$root"
}
trap cleanup EXIT

# Debian's packages only: the runtime Depends of the .deb, what pybuild and
# debhelper need to build it, and build-essential, which dpkg-buildpackage
# checks for. python3-cffi-backend: python3-cryptography fails to configure
# without it under --variant=minbase.
packages=python3-cffi-backend,python3-cryptography,python3-yaml,python3-tuf
packages=$packages,debhelper,dh-python,pybuild-plugin-pyproject,python3-all,python3-setuptools
packages=$packages,dpkg-dev,build-essential,xz-utils
mkdir -p "$cache"
# A chroot already built with exactly these packages on this machine is reused
# (unpacking it takes seconds; debootstrap takes minutes); a fresh machine builds it.
key=$(printf '%s %s' "$mirror" "$packages" | sha256sum | cut -c1-16)
saved=$cache/chroot-$key.tar
if [ -f "$saved" ] && tar -xf "$saved" -C "$root" 2>/dev/null; then
    say "reusing the chroot debootstrapped earlier ($saved)"
else
    rm -rf --one-file-system "${root:?}"/* 2>/dev/null || true
    say "debootstrap --variant=minbase trixie from $mirror"
    if ! debootstrap --variant=minbase --cache-dir="$cache" --include="$packages" \
        trixie "$root" "$mirror" >"$root.debootstrap.log" 2>&1; then
        tail -5 "$root.debootstrap.log"
        rm -f "$root.debootstrap.log"
        skip "debootstrap of trixie failed (is Debian's archive reachable?)"
    fi
    rm -f "$root.debootstrap.log"
    tar -cf "$saved.part" -C "$root" . && mv "$saved.part" "$saved" || rm -f "$saved.part"
fi
say "chroot ready after $(elapsed)"
mount -t proc proc "$root/proc"
mount -t devpts -o newinstance devpts "$root/dev/pts" 2>/dev/null || true
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 "$@"; }
offline() { unshare -n chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 "$@"; }
in_root sh -c 'dpkg-query -W -f "  \${Package} \${Version}\n" python3 python3-tuf python3-cryptography python3-yaml debhelper'

# 1. srcverify's own .deb, built from the committed tree and installed with apt.
mkdir -p "$root/build/srcverify"
git -C "$project" archive --format=tar HEAD | tar -x -C "$root/build/srcverify"
cp -r "$root/build/srcverify/packaging/debian/srcverify" "$root/build/srcverify/debian"
offline sh -c 'cd /build/srcverify && dpkg-buildpackage -us -uc -b' >"$root/build/srcverify.log" 2>&1 ||
    { tail -30 "$root/build/srcverify.log"; fail "dpkg-buildpackage of srcverify"; }
deb=$(cd "$root/build" && ls srcverify_*_all.deb)
say "built $deb"
offline apt-get install -y -q "/build/$deb" >"$root/build/apt.log" 2>&1 ||
    { tail -30 "$root/build/apt.log"; fail "apt install ./$deb"; }
say "installed: $(in_root srcverify --version)"

# 2. The real release, offline, with the installed command, shipped map and pin.
mkdir -p "$root/work"
cp "$tarball" "$bundle" "$root/work/"
set +e
offline srcverify verify /work/Python-3.13.5.tar.xz
code=$?
set -e
[ "$code" -eq 0 ] || fail "verify Python-3.13.5.tar.xz exited $code, expected 0"
mkdir -p "$root/work/tampered"
cp "$root/work/Python-3.13.5.tar.xz" "$bundle" "$root/work/tampered/"
printf '\001' | dd of="$root/work/tampered/Python-3.13.5.tar.xz" bs=1 seek=11428008 conv=notrunc status=none
set +e
offline srcverify verify /work/tampered/Python-3.13.5.tar.xz
code=$?
set -e
[ "$code" -eq 1 ] || fail "verify of the one-byte-changed copy exited $code, expected 1"
say "one-byte-changed copy rejected with exit 1"

# 3. A minimal source package using the dh sequence addon, built with plain
#    dpkg-buildpackage -us -uc; then the same build with a swapped orig tarball.
src=$root/build/python3.13-5
mkdir -p "$src"
cp "$tarball" "$root/build/python3.13_3.13.5.orig.tar.xz"
tar -xf "$tarball" -C "$src" --strip-components=1
mkdir -p "$src/debian/source" "$src/debian/upstream"
cp "$bundle" "$src/debian/upstream/"
echo "3.0 (quilt)" >"$src/debian/source/format"
cat >"$src/debian/changelog" <<'EOF'
python3.13 (3.13.5-1) unstable; urgency=medium

  * Minimal package: verifies the upstream tarball with dh-sequence-srcverify.

 -- srcverify CI <ci@srcverify.invalid>  Sat, 21 Nov 2026 12:00:00 +0000
EOF
cat >"$src/debian/control" <<'EOF'
Source: python3.13
Section: python
Priority: optional
Maintainer: srcverify CI <ci@srcverify.invalid>
Build-Depends: debhelper-compat (= 13), dh-sequence-srcverify
Standards-Version: 4.7.0
Rules-Requires-Root: no

Package: python3.13-srcverify-ci
Architecture: all
Description: CPython 3.13.5 sources, verified by srcverify (CI test package)
 Nothing is built: the package exists to run dh_srcverify in a real build.
EOF
cat >"$src/debian/rules" <<'EOF'
#!/usr/bin/make -f
%:
	dh $@

# Only the verification is under test: do not configure or build CPython
# (dh_srcverify still runs first, before dh_update_autotools_config).
override_dh_update_autotools_config override_dh_autoreconf override_dh_auto_configure:
override_dh_auto_build override_dh_auto_test override_dh_auto_install:
EOF
chmod +x "$src/debian/rules"
build_source() { offline sh -c 'cd /build/python3.13-5 && dpkg-buildpackage -us -uc'; }
build_source >"$root/build/source.log" 2>&1 || { tail -30 "$root/build/source.log"; fail "dpkg-buildpackage -us -uc of the minimal source package"; }
grep -E '^(   dh_srcverify|OK )' "$root/build/source.log" | sed 's/^/  /'
say "minimal source package built with dh-sequence-srcverify"
rm -f "$root"/build/python3.13_3.13.5-1* "$root"/build/python3.13-srcverify-ci_*
# Same files, other bytes: dpkg-source is content, dh_srcverify must not be.
xz -dc "$tarball" | xz -0 -T2 >"$root/build/python3.13_3.13.5.orig.tar.xz"
set +e
build_source >"$root/build/swapped.log" 2>&1
code=$?
set -e
[ "$code" -ne 0 ] || fail "the build with a swapped orig tarball succeeded"
grep -q "REJECTED" "$root/build/swapped.log" || { tail -30 "$root/build/swapped.log"; fail "the swapped-tarball build failed, but not on srcverify's verdict"; }
grep -E 'REJECTED|dh_srcverify: error' "$root/build/swapped.log" | sed 's/^/  /'
say "swapped orig tarball fails the build (dpkg-buildpackage exit $code)"

# 4. The installed pin.
offline srcverify trust-root verify
offline srcverify trust-root status >"$root/build/status.txt"
grep -q '^authentication at T: FULL' "$root/build/status.txt" || { cat "$root/build/status.txt"; fail "trust-root status does not say FULL"; }
sed -n '/^authentication at T/,/^checks performed/p' "$root/build/status.txt" | sed 's/^/  /'
say "all checks passed in $(elapsed)"

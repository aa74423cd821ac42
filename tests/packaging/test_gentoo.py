"""packaging/gentoo/: srcverify.eclass and the example ebuild, run by bash.

There is no Portage here, so a small harness plays its part: it defines the
ebuild helpers the eclass calls (die, einfo, use, unpack, inherit,
EXPORT_FUNCTIONS, debug-print-function) the way Portage's do, sets A,
DISTDIR and WORKDIR, sources the example ebuild (which inherits the eclass)
and calls the exported src_unpack in WORKDIR.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.packaging.support import (
    PACKAGING,
    REAL_BUNDLE,
    REAL_TARBALL,
    Release,
    Run,
    flip_one_byte,
    make_release,
    need_corpus,
    need_tool,
    run,
)

ECLASS_DIR = PACKAGING / "gentoo"
EBUILD = PACKAGING / "gentoo" / "dev-lang" / "python" / "python-3.13.5.ebuild"

HARNESS = r"""
die() { echo "die: $*" >&2; exit 1; }
einfo() { echo " * $*" >&2; }
ewarn() { echo " * WARNING: $*" >&2; }
eerror() { echo " * ERROR: $*" >&2; }
debug-print-function() { :; }
use() { [[ " ${USE} " == *" ${1} "* ]]; }
unpack() {
	local f
	for f in "$@"; do
		echo ">>> Unpacking ${f} to ${PWD}" >&2
		[[ ${f} == *.tar.* ]] || die "unpack: don't know how to unpack ${f}"
		if [[ ${UNPACK_RECORD_ONLY} == 1 ]]; then continue; fi
		tar -xf "${DISTDIR}/${f}" || die "unpack: failed to unpack ${f}"
	done
}
inherit() {
	local ECLASS
	for ECLASS in "$@"; do
		source "${ECLASSDIR}/${ECLASS}.eclass" || die "inherit ${ECLASS} failed"
	done
}
EXPORT_FUNCTIONS() {
	local phase
	for phase in "$@"; do
		eval "${phase}() { ${ECLASS}_${phase} \"\$@\"; }"
	done
}
source "${EBUILD}" || die "sourcing ${EBUILD} failed"
if [[ ${BESIDE_VERIFY_SIG} == 1 ]]; then
	# the documented pattern for an ebuild that also inherits verify-sig
	verify-sig_src_unpack() {
		echo "verify-sig_src_unpack" >&2
		unpack Python-3.13.5.tar.xz
	}
	src_unpack() {
		use verify-sig && srcverify_verify_distfiles
		verify-sig_src_unpack
	}
fi
echo "SRC_URI=${SRC_URI}"
echo "IUSE=${IUSE}"
echo "BDEPEND=${BDEPEND}"
cd "${WORKDIR}" || die "no WORKDIR"
src_unpack
[[ -d ${S} ]] && echo "S exists"
echo "src_unpack done"
"""


@pytest.fixture(autouse=True)
def _bash() -> None:
    need_tool("bash", "tar", "xz")


def src_unpack(
    tmp_path: Path,
    env: dict[str, str],
    distfiles: list[str],
    *,
    use: str = "verify-sig",
    extra: dict[str, str] | None = None,
) -> Run:
    workdir = tmp_path / "work"
    workdir.mkdir()
    variables = {
        "EBUILD": str(EBUILD),
        "ECLASSDIR": str(ECLASS_DIR),
        "P": "python-3.13.5",
        "PN": "python",
        "PV": "3.13.5",
        "A": " ".join(distfiles),
        "DISTDIR": str(tmp_path / "distfiles"),
        "WORKDIR": str(workdir),
        "USE": use,
        **(extra or {}),
    }
    return run(["bash", "-c", HARNESS], env={**env, **variables}, cwd=tmp_path)


@pytest.fixture
def distfiles(tmp_path: Path) -> Release:
    return make_release(tmp_path / "distfiles", "Python-3.13.5.tar.xz", "Python-3.13.5")


def trust(release: Release) -> dict[str, str]:
    return {
        "SRCVERIFY_MAP": str(release.release_map),
        "SRCVERIFY_TRUSTED_ROOT": str(release.trusted_root),
    }


BOTH = ["Python-3.13.5.tar.xz", "Python-3.13.5.tar.xz.sigstore"]


def test_ebuild_declares_bundle_and_tool() -> None:
    text = EBUILD.read_text()
    assert "inherit srcverify" in text
    assert re.search(r"verify-sig\? \(\s*\S+/\$\{MY_P\}\.tar\.xz\.sigstore\s*\)", text)


def test_src_unpack_verifies_then_unpacks(
    tmp_path: Path, env: dict[str, str], distfiles: Release
) -> None:
    result = src_unpack(tmp_path, env, BOTH, extra=trust(distfiles))
    assert result.returncode == 0, result.log
    assert "IUSE=verify-sig" in result.log
    assert "BDEPEND=verify-sig? ( app-crypt/srcverify )" in result.log
    assert "https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tar.xz.sigstore" in result.log
    assert "Verifying Python-3.13.5.tar.xz against Python-3.13.5.tar.xz.sigstore" in result.log
    assert f"signed by {distfiles.identity}" in result.log
    # the bundle is not handed to unpack; the tarball is, after verification
    assert ">>> Unpacking Python-3.13.5.tar.xz to" in result.log
    assert "Unpacking Python-3.13.5.tar.xz.sigstore" not in result.log
    assert result.log.index("signed by") < result.log.index(">>> Unpacking")
    assert "S exists" in result.log
    assert (tmp_path / "work" / "Python-3.13.5" / "README").is_file()


def test_src_unpack_dies_on_tampered_distfile(
    tmp_path: Path, env: dict[str, str], distfiles: Release
) -> None:
    flip_one_byte(distfiles.tarball)
    result = src_unpack(tmp_path, env, BOTH, extra=trust(distfiles))
    assert result.returncode != 0
    assert re.search(
        r"REJECTED \S*/Python-3\.13\.5\.tar\.xz: artifact: .* does not match", result.log
    )
    died = "die: srcverify.eclass: Python-3.13.5.tar.xz failed Sigstore verification"
    assert f"{died} (srcverify exit 1)" in result.log
    assert ">>> Unpacking" not in result.log
    assert not (tmp_path / "work" / "Python-3.13.5").exists()


def test_explicit_identity_overrides_the_map(
    tmp_path: Path, env: dict[str, str], distfiles: Release
) -> None:
    extra = {
        "SRCVERIFY_TRUSTED_ROOT": str(distfiles.trusted_root),
        "SRCVERIFY_IDENTITY": "someone-else@example.org",
        "SRCVERIFY_OIDC_ISSUER": distfiles.issuer,
    }
    result = src_unpack(tmp_path, env, BOTH, extra=extra)
    assert result.returncode != 0
    assert "REJECTED" in result.log and "someone-else@example.org" in result.log, result.log
    assert "die: srcverify.eclass: Python-3.13.5.tar.xz failed Sigstore verification" in result.log


def test_identity_without_issuer_dies(
    tmp_path: Path, env: dict[str, str], distfiles: Release
) -> None:
    extra = {**trust(distfiles), "SRCVERIFY_IDENTITY": distfiles.identity}
    result = src_unpack(tmp_path, env, BOTH, extra=extra)
    assert result.returncode != 0
    assert (
        "die: srcverify.eclass: SRCVERIFY_IDENTITY and SRCVERIFY_OIDC_ISSUER go together"
        in result.log
    )


def test_no_bundle_in_A_dies_rather_than_passing(
    tmp_path: Path, env: dict[str, str], distfiles: Release
) -> None:
    result = src_unpack(tmp_path, env, ["Python-3.13.5.tar.xz"], extra=trust(distfiles))
    assert result.returncode != 0
    assert "die: srcverify.eclass: no distfile in A has evidence" in result.log


def test_without_verify_sig_only_unpacks(
    tmp_path: Path, env: dict[str, str], distfiles: Release
) -> None:
    flip_one_byte(distfiles.bundle)  # not looked at
    result = src_unpack(tmp_path, env, ["Python-3.13.5.tar.xz"], use="", extra=trust(distfiles))
    assert result.returncode == 0, result.log
    assert "Verifying" not in result.log
    assert "S exists" in result.log


def test_src_unpack_verifies_real_cpython_release_with_shipped_map_and_pin(
    tmp_path: Path, env: dict[str, str]
) -> None:
    need_corpus()
    distdir = tmp_path / "distfiles"
    distdir.mkdir()
    (distdir / "Python-3.13.5.tar.xz").symlink_to(REAL_TARBALL)
    shutil.copyfile(REAL_BUNDLE, distdir / "Python-3.13.5.tar.xz.sigstore")
    result = src_unpack(tmp_path, env, BOTH, extra={"UNPACK_RECORD_ONLY": "1"})
    assert result.returncode == 0, result.log
    assert "signed by thomas@python.org (https://accounts.google.com)" in result.log
    assert ">>> Unpacking Python-3.13.5.tar.xz to" in result.log


@pytest.mark.parametrize("tamper", [False, True])
def test_beside_verify_sig(
    tmp_path: Path, env: dict[str, str], distfiles: Release, tamper: bool
) -> None:
    if tamper:
        flip_one_byte(distfiles.tarball)
    extra = {**trust(distfiles), "BESIDE_VERIFY_SIG": "1"}
    result = src_unpack(tmp_path, env, BOTH, extra=extra)
    if tamper:
        assert result.returncode != 0
        assert "die: srcverify.eclass: Python-3.13.5.tar.xz failed Sigstore" in result.log
        assert "verify-sig_src_unpack" not in result.log
    else:
        assert result.returncode == 0, result.log
        assert result.log.index("signed by") < result.log.index("verify-sig_src_unpack")
        assert "S exists" in result.log


def test_distfiles_verified_through_a_signed_checksum_manifest(
    tmp_path: Path, env: dict[str, str], distfiles: Release
) -> None:
    """SRCVERIFY_MANIFEST: the manifest's bundle authenticates it, it lists the tarball."""
    import hashlib

    from tests.support.instance import TestInstance

    sha256 = hashlib.sha256(distfiles.tarball.read_bytes()).hexdigest()
    manifest = distfiles.tarball.parent / "SHA256SUMS"
    manifest.write_text(f"{sha256}  Python-3.13.5.tar.xz\n")
    signed = TestInstance().sign_artifact(manifest.read_bytes())
    (manifest.parent / "SHA256SUMS.sigstore.json").write_text(signed.to_json())
    files = ["Python-3.13.5.tar.xz", "SHA256SUMS", "SHA256SUMS.sigstore.json"]
    extra = {
        "SRCVERIFY_MANIFEST": "SHA256SUMS",
        "SRCVERIFY_TRUSTED_ROOT": str(distfiles.trusted_root),
        "SRCVERIFY_IDENTITY": distfiles.identity,
        "SRCVERIFY_OIDC_ISSUER": distfiles.issuer,
    }
    result = src_unpack(tmp_path, env, files, extra=extra)
    assert result.returncode == 0, result.log
    assert "authenticated through manifest" in result.log and "SHA256SUMS line 1" in result.log
    assert ">>> Unpacking Python-3.13.5.tar.xz to" in result.log
    assert "Unpacking SHA256SUMS" not in result.log
    flip_one_byte(distfiles.tarball)
    (tmp_path / "work").rename(tmp_path / "work-1")
    result = src_unpack(tmp_path, env, files, extra=extra)
    assert result.returncode != 0
    assert "does not match manifest" in result.log
    assert ">>> Unpacking" not in result.log


# --- a real PyPI sdist with its real provenance ------------------------------------

PYPI_EBUILD = ECLASS_DIR / "dev-python" / "pypi-attestations" / "pypi-attestations-0.0.19.ebuild"


def _pypi_unpack(tmp_path: Path, env: dict[str, str], **extra: str) -> Run:
    from tests.packaging.pypi_release import PYPI_SDIST, place_pypi_release

    place_pypi_release(tmp_path / "distfiles")
    variables = {
        "EBUILD": str(PYPI_EBUILD),
        "P": "pypi-attestations-0.0.19",
        "PN": "pypi-attestations",
        "PV": "0.0.19",
        "UNPACK_RECORD_ONLY": "1",
        **extra,
    }
    return src_unpack(tmp_path, env, [PYPI_SDIST, f"{PYPI_SDIST}.provenance"], extra=variables)


def test_pypi_ebuild_verifies_a_real_sdist_with_its_provenance(
    tmp_path: Path, env: dict[str, str]
) -> None:
    result = _pypi_unpack(tmp_path, env)
    assert result.returncode == 0, result.log
    uri = (
        "https://pypi.org/integrity/pypi-attestations/0.0.19/pypi_attestations-0.0.19.tar.gz/"
        "provenance -> pypi_attestations-0.0.19.tar.gz.provenance"
    )
    assert uri in result.log  # the SRC_URI the eclass helper wrote
    assert "pypi-provenance [publish], served publisher matches" in result.log
    assert ">>> Unpacking pypi_attestations-0.0.19.tar.gz to" in result.log
    assert "Unpacking pypi_attestations-0.0.19.tar.gz.provenance" not in result.log


def test_pypi_ebuild_publisher_variable(tmp_path: Path, env: dict[str, str]) -> None:
    wrong = "github:trailofbits/pypi-attestations:release.yml:pypi"
    result = _pypi_unpack(tmp_path, env, SRCVERIFY_PUBLISHER=wrong)
    assert result.returncode != 0
    assert "deployment environment: expected pypi" in result.log
    assert "die: srcverify.eclass: pypi_attestations-0.0.19.tar.gz failed" in result.log

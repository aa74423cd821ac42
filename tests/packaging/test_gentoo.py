"""packaging/gentoo/: srcverify.eclass and the example ebuild, run by bash.

There is no Portage here, so a small harness plays its part: it defines the
ebuild helpers the eclass calls (die, einfo, use, has, unpack,
default_src_unpack, inherit, EXPORT_FUNCTIONS, debug-print-function) the way
Portage's do, sets A, DISTDIR and WORKDIR, sources the ebuild and calls the
exported src_unpack in WORKDIR.

Beside verify-sig: tests/packaging/gentoo/verify-sig.eclass is a test double of
Gentoo's verify-sig.eclass, modelled on gentoo/gentoo eclass/verify-sig.eclass at
commit 560065ba2fa37bcf46398e1b758d9df99013e0ca (its function names, its
distfile/signature pairing and "Unsigned distfiles"/"Unused signatures" deaths)
plus the sigstore method of the later upstream revisions (suffix .sigstore,
VERIFY_SIG_METHOD=sigstore, VERIFY_SIG_CERT_IDENTITY/VERIFY_SIG_CERT_OIDC_ISSUER);
see its header for what it models and what it could not.
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
    make_tarball,
    need_corpus,
    need_tool,
    run,
)

ECLASS_DIR = PACKAGING / "gentoo"
EBUILD = PACKAGING / "gentoo" / "dev-lang" / "python" / "python-3.13.5.ebuild"

VERIFY_SIG_DOUBLE_DIR = Path(__file__).resolve().parent / "gentoo"

HARNESS = r"""
die() { echo "die: $*" >&2; exit 1; }
has() {
	local needle=${1} x
	shift
	for x in "$@"; do [[ ${x} == "${needle}" ]] && return 0; done
	return 1
}
einfo() { echo " * $*" >&2; }
ewarn() { echo " * WARNING: $*" >&2; }
eerror() { echo " * ERROR: $*" >&2; }
debug-print-function() { :; }
use() { [[ " ${USE} " == *" ${1} "* ]]; }
unpack() {
	local f
	for f in "$@"; do
		echo ">>> Unpacking ${f} to ${PWD}" >&2
		if [[ ${f} != *.tar.xz && ${f} != *.tar.gz ]]; then  # as Portage's unpack does
			echo "unpack ${f}: file format not recognized. Ignoring." >&2
			continue
		fi
		if [[ ${UNPACK_RECORD_ONLY} == 1 ]]; then continue; fi
		tar -xf "${DISTDIR}/${f}" || die "unpack: failed to unpack ${f}"
	done
}
default_src_unpack() { [[ -z ${A} ]] || unpack ${A}; }
inherit() {
	local ECLASS dir
	for ECLASS in "$@"; do
		for dir in ${ECLASSDIR} ${EXTRA_ECLASSDIR}; do
			[[ -f ${dir}/${ECLASS}.eclass ]] && break
		done
		source "${dir}/${ECLASS}.eclass" || die "inherit ${ECLASS} failed"
	done
}
EXPORT_FUNCTIONS() {
	local phase
	for phase in "$@"; do
		eval "${phase}() { ${ECLASS}_${phase} \"\$@\"; }"
	done
}
source "${EBUILD}" || die "sourcing ${EBUILD} failed"
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
    ebuild: Path = EBUILD,
) -> Run:
    workdir = tmp_path / "work"
    workdir.mkdir()
    variables = {
        "EBUILD": str(ebuild),
        "ECLASSDIR": str(ECLASS_DIR),
        "EXTRA_ECLASSDIR": str(VERIFY_SIG_DOUBLE_DIR),
        "VERIFY_SIG_LOG": str(tmp_path / "verify-sig.log"),
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


# --- beside verify-sig.eclass (the test double in tests/packaging/gentoo/) -------------


def beside_ebuild(tmp_path: Path, *, pre_inherit: str = "") -> Path:
    """The example ebuild, inheriting verify-sig first and srcverify after it."""
    text = EBUILD.read_text().replace(
        "inherit srcverify", f"{pre_inherit}inherit verify-sig srcverify"
    )
    ebuild = tmp_path / "python-3.13.5-beside.ebuild"
    ebuild.write_text(text)
    return ebuild


def verify_sig_calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "verify-sig.log"
    return log.read_text().splitlines() if log.exists() else []


def test_the_double_hands_a_bundle_to_openpgp_without_srcverify(
    tmp_path: Path, env: dict[str, str], distfiles: Release
) -> None:
    # Why the eclass must keep bundles away: verify-sig alone pairs the tarball with
    # its .sigstore and gives it to its OpenPGP check, which fails.
    ebuild = tmp_path / "verify-sig-only.ebuild"
    ebuild.write_text(EBUILD.read_text().replace("inherit srcverify", "inherit verify-sig"))
    extra = {"VERIFY_SIG_OPENPGP_KEY_PATH": "/dev/null"}
    result = src_unpack(tmp_path, env, BOTH, extra=extra, ebuild=ebuild)
    assert result.returncode != 0
    assert verify_sig_calls(tmp_path) == [
        "verify-sig: openpgp Python-3.13.5.tar.xz Python-3.13.5.tar.xz.sigstore"
    ]
    assert "die: PGP signature verification failed" in result.log


@pytest.mark.parametrize("tamper", [False, True])
def test_beside_verify_sig_bundles_never_reach_openpgp(
    tmp_path: Path, env: dict[str, str], distfiles: Release, tamper: bool
) -> None:
    if tamper:
        flip_one_byte(distfiles.tarball)
    result = src_unpack(tmp_path, env, BOTH, extra=trust(distfiles), ebuild=beside_ebuild(tmp_path))
    assert verify_sig_calls(tmp_path) == []
    if tamper:
        assert result.returncode != 0
        assert "die: srcverify.eclass: Python-3.13.5.tar.xz failed Sigstore" in result.log
        assert ">>> Unpacking" not in result.log
    else:
        assert result.returncode == 0, result.log
        assert "BDEPEND=verify-sig? ( app-crypt/srcverify )" in result.log
        assert result.log.index("signed by") < result.log.index(">>> Unpacking Python-3.13.5")
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


def test_beside_verify_sig_openpgp_signatures_still_go_to_verify_sig(
    tmp_path: Path, env: dict[str, str], distfiles: Release
) -> None:
    patches = tmp_path / "distfiles" / "gentoo-patches-3.13.5.tar.xz"
    patches.write_bytes(make_tarball("patches", {"0001-fix.patch": b"--- a\n+++ b\n"}))
    (patches.parent / f"{patches.name}.asc").write_text(f"good signature for {patches.name}")
    distfile_names = [*BOTH, patches.name, f"{patches.name}.asc"]
    extra = {**trust(distfiles), "VERIFY_SIG_OPENPGP_KEY_PATH": "/dev/null"}
    result = src_unpack(tmp_path, env, distfile_names, extra=extra, ebuild=beside_ebuild(tmp_path))
    assert result.returncode == 0, result.log
    assert verify_sig_calls(tmp_path) == [f"verify-sig: openpgp {patches.name} {patches.name}.asc"]
    assert "signed by" in result.log
    assert f">>> Unpacking {patches.name}" in result.log
    assert ">>> Unpacking Python-3.13.5.tar.xz" in result.log
    # A bad OpenPGP signature is still verify-sig's to reject.
    (patches.parent / f"{patches.name}.asc").write_text("forged")
    (tmp_path / "work").rename(tmp_path / "work-1")
    result = src_unpack(tmp_path, env, distfile_names, extra=extra, ebuild=beside_ebuild(tmp_path))
    assert result.returncode != 0
    assert "die: PGP signature verification failed" in result.log


SIGSTORE_METHOD = "VERIFY_SIG_METHOD=sigstore\n"


def test_verify_sig_cert_identity_is_honoured(
    tmp_path: Path, env: dict[str, str], distfiles: Release
) -> None:
    extra = {
        "SRCVERIFY_TRUSTED_ROOT": str(distfiles.trusted_root),
        "VERIFY_SIG_CERT_IDENTITY": distfiles.identity,
        "VERIFY_SIG_CERT_OIDC_ISSUER": distfiles.issuer,
    }
    ebuild = beside_ebuild(tmp_path, pre_inherit=SIGSTORE_METHOD)
    result = src_unpack(tmp_path, env, BOTH, extra=extra, ebuild=ebuild)
    assert result.returncode == 0, result.log
    assert f"signed by {distfiles.identity}" in result.log
    assert verify_sig_calls(tmp_path) == []  # srcverify, offline, not sigstore-python


def test_verify_sig_cert_identity_is_never_replaced_by_the_map(
    tmp_path: Path, env: dict[str, str]
) -> None:
    # The trial's case: an ebuild pinning hugo@python.org, a 3.13 tarball signed by
    # thomas@python.org (whom the shipped map names for 3.13): rejected, not passed.
    need_corpus()
    distdir = tmp_path / "distfiles"
    distdir.mkdir()
    (distdir / "Python-3.13.5.tar.xz").symlink_to(REAL_TARBALL)
    shutil.copyfile(REAL_BUNDLE, distdir / "Python-3.13.5.tar.xz.sigstore")
    extra = {
        "VERIFY_SIG_CERT_IDENTITY": "hugo@python.org",
        "VERIFY_SIG_CERT_OIDC_ISSUER": "https://github.com/login/oauth",
        "UNPACK_RECORD_ONLY": "1",
    }
    ebuild = beside_ebuild(tmp_path, pre_inherit=SIGSTORE_METHOD)
    result = src_unpack(tmp_path, env, BOTH, extra=extra, ebuild=ebuild)
    assert result.returncode != 0
    assert "expected hugo@python.org, certificate has thomas@python.org" in result.log
    assert "die: srcverify.eclass: Python-3.13.5.tar.xz failed Sigstore verification" in result.log
    assert ">>> Unpacking" not in result.log


@pytest.mark.parametrize(
    ("settings", "pre_inherit", "message"),
    [
        (
            {
                "SRCVERIFY_IDENTITY": "a@example.org",
                "SRCVERIFY_OIDC_ISSUER": "https://i.test",
                "VERIFY_SIG_CERT_IDENTITY": "b@example.org",
                "VERIFY_SIG_CERT_OIDC_ISSUER": "https://i.test",
            },
            SIGSTORE_METHOD,
            "disagree with VERIFY_SIG_CERT_IDENTITY/VERIFY_SIG_CERT_OIDC_ISSUER (b@example.org",
        ),
        (
            {
                "VERIFY_SIG_CERT_IDENTITY": "b@example.org",
                "VERIFY_SIG_CERT_OIDC_ISSUER": "https://i.test",
            },
            "",  # verify-sig's default method, openpgp
            "are for VERIFY_SIG_METHOD=sigstore, but VERIFY_SIG_METHOD=openpgp",
        ),
        (
            {"VERIFY_SIG_CERT_IDENTITY": "b@example.org"},
            SIGSTORE_METHOD,
            "VERIFY_SIG_CERT_IDENTITY and VERIFY_SIG_CERT_OIDC_ISSUER go together",
        ),
        (
            {
                "VERIFY_SIG_CERT_IDENTITY": "b@example.org",
                "VERIFY_SIG_CERT_OIDC_ISSUER": "https://i.test",
                "SRCVERIFY_MAP": "/nonexistent/map.yaml",
            },
            SIGSTORE_METHOD,
            "an explicit identity (b@example.org) and SRCVERIFY_MAP conflict",
        ),
    ],
)
def test_conflicting_signer_settings_die(
    tmp_path: Path,
    env: dict[str, str],
    distfiles: Release,
    settings: dict[str, str],
    pre_inherit: str,
    message: str,
) -> None:
    extra = {"SRCVERIFY_TRUSTED_ROOT": str(distfiles.trusted_root), **settings}
    ebuild = beside_ebuild(tmp_path, pre_inherit=pre_inherit)
    result = src_unpack(tmp_path, env, BOTH, extra=extra, ebuild=ebuild)
    assert result.returncode != 0
    assert "die: srcverify.eclass: " in result.log and message in result.log, result.log
    assert "Verifying Python-3.13.5.tar.xz against" not in result.log
    assert ">>> Unpacking" not in result.log

"""packaging/rpm/: the %srcverify macro and both specs, run by the real rpmbuild.

``rpmbuild -bp --nodeps`` runs %prep only; ``--nodeps`` because the rpm
database of a Debian CI machine holds no ``srcverify`` package to satisfy
BuildRequires. The macro file is loaded with ``--load`` exactly as it would be
read from %{_rpmmacrodir}.
"""

from __future__ import annotations

import re
import shutil
import tarfile
from pathlib import Path

import pytest

from tests.packaging.support import (
    PACKAGING,
    REAL_BUNDLE,
    REAL_TARBALL,
    REPO,
    Release,
    Run,
    copy_tree,
    flip_one_byte,
    make_release,
    need_corpus,
    need_tool,
    network_namespace_allowed,
    project_version,
    run,
)

MACROS = PACKAGING / "rpm" / "macros.srcverify"
EXAMPLE_SPEC = PACKAGING / "rpm" / "python3.13-example.spec"
SELF_SPEC = PACKAGING / "rpm" / "python-srcverify.spec"
# srcverify's verdict on a changed byte: rejected at the artifact step, digests shown
TAMPERED = (
    r"REJECTED \S*/Python-3\.13\.5\.tar\.xz: artifact: artifact sha256 [0-9a-f]{64} "
    r"does not match the digest the bundle signed"
)


@pytest.fixture(autouse=True)
def _rpmbuild() -> None:
    need_tool("rpmbuild", "rpmspec")


def rpmbuild_prep(
    spec: Path,
    topdir: Path,
    env: dict[str, str],
    defines: dict[str, str] | None = None,
    prefix: tuple[str, ...] = (),
) -> Run:
    argv: list[str | Path] = [*prefix, "rpmbuild", "-bp", "--nodeps", "--load", MACROS]
    for name, value in {"_topdir": str(topdir), **(defines or {})}.items():
        argv += ["--define", f"{name} {value}"]
    argv.append(spec)
    return run(argv, env=env, cwd=topdir.parent)


@pytest.fixture
def topdir(tmp_path: Path) -> Path:
    top = tmp_path / "rpmbuild"
    for sub in ("SOURCES", "SPECS", "BUILD"):
        (top / sub).mkdir(parents=True)
    return top


@pytest.fixture
def cpython_release(topdir: Path) -> Release:
    """A fake Python-3.13.5.tar.xz + .sigstore from the test instance, in SOURCES."""
    return make_release(topdir / "SOURCES", "Python-3.13.5.tar.xz", "Python-3.13.5")


def trust_defines(release: Release) -> dict[str, str]:
    """--define options pointing the macro at the test trust root and map."""
    return {
        "_srcverify_trusted_root": str(release.trusted_root),
        "_srcverify_map": str(release.release_map),
    }


# --- the example CPython spec ---------------------------------------------------


def test_example_spec_prep_verifies_release_then_unpacks(
    topdir: Path, cpython_release: Release, env: dict[str, str]
) -> None:
    result = rpmbuild_prep(EXAMPLE_SPEC, topdir, env, trust_defines(cpython_release))
    assert result.returncode == 0, result.log
    # the identity came from the map: no identity flags on the command line
    assert "--cert-identity" not in result.log
    # (rpm's shell trace prints the command without the macro's quotes)
    assert re.search(
        r"\+ srcverify verify --map \S*/srcverify-map\.yaml --trusted-root ", result.log
    )
    assert f"signed by {cpython_release.identity}" in result.log
    assert (topdir / "BUILD" / "Python-3.13.5" / "README").is_file()


def test_example_spec_prep_fails_on_one_changed_byte(
    topdir: Path, cpython_release: Release, env: dict[str, str]
) -> None:
    flip_one_byte(cpython_release.tarball)
    result = rpmbuild_prep(EXAMPLE_SPEC, topdir, env, trust_defines(cpython_release))
    assert result.returncode != 0
    assert re.search(TAMPERED, result.log), result.log
    assert "Bad exit status from" in result.log and "(%prep)" in result.log
    # %setup never ran: nothing was unpacked from the bad tarball
    assert not (topdir / "BUILD" / "Python-3.13.5").exists()


def test_example_spec_prep_without_network(
    topdir: Path, cpython_release: Release, env: dict[str, str]
) -> None:
    if not network_namespace_allowed():
        pytest.skip("unshare -n is not permitted on this machine")
    result = rpmbuild_prep(
        EXAMPLE_SPEC, topdir, env, trust_defines(cpython_release), prefix=("unshare", "-n")
    )
    assert result.returncode == 0, result.log
    assert f"signed by {cpython_release.identity}" in result.log


def test_example_spec_prep_fails_without_network_on_tampering(
    topdir: Path, cpython_release: Release, env: dict[str, str]
) -> None:
    if not network_namespace_allowed():
        pytest.skip("unshare -n is not permitted on this machine")
    flip_one_byte(cpython_release.tarball)
    result = rpmbuild_prep(
        EXAMPLE_SPEC, topdir, env, trust_defines(cpython_release), prefix=("unshare", "-n")
    )
    assert result.returncode != 0
    assert re.search(TAMPERED, result.log), result.log


def test_example_spec_prep_verifies_real_cpython_release_with_shipped_map_and_pin(
    topdir: Path, env: dict[str, str]
) -> None:
    need_corpus()
    sources = topdir / "SOURCES"
    (sources / "Python-3.13.5.tar.xz").symlink_to(REAL_TARBALL)
    (sources / "Python-3.13.5.tar.xz.sigstore").symlink_to(REAL_BUNDLE)
    result = rpmbuild_prep(EXAMPLE_SPEC, topdir, env)
    assert result.returncode == 0, result.log[-3000:]
    # no map, trust root or identity on the command line: the shipped defaults
    assert re.search(
        r"\+ srcverify verify --bundle \S+\.sigstore \S+/Python-3\.13\.5\.tar\.xz\n", result.log
    )
    assert "signed by thomas@python.org (https://accounts.google.com)" in result.log
    assert (topdir / "BUILD" / "Python-3.13.5" / "configure").is_file()


# --- the macro's options, through a tiny spec ---------------------------------------


def tiny_spec(topdir: Path, prep: str, sources: list[str]) -> Path:
    lines = [
        "Name: srcverify-macro-test",
        "Version: 1",
        "Release: 1",
        "Summary: %%srcverify options",
        "License: MIT",
        *(f"Source{n}: {name}" for n, name in enumerate(sources)),
        "%description",
        "Exercises %%srcverify.",
        "%prep",
        prep,
        "",
    ]
    spec = topdir / "SPECS" / "macro-test.spec"
    spec.write_text("\n".join(lines))
    return spec


def test_macro_explicit_identity_and_trusted_root_source(
    topdir: Path, cpython_release: Release, env: dict[str, str]
) -> None:
    spec = tiny_spec(
        topdir,
        f"%srcverify -d0 -s1 -r2 -i {cpython_release.identity} -o {cpython_release.issuer}",
        ["Python-3.13.5.tar.xz", "Python-3.13.5.tar.xz.sigstore", "trusted_root.json"],
    )
    result = rpmbuild_prep(spec, topdir, env)
    assert result.returncode == 0, result.log
    assert f"--cert-identity {cpython_release.identity} " in result.log
    assert "--trusted-root" in result.log and "NOT TUF-authenticated" in result.log
    assert "--map" not in result.log


def test_macro_explicit_identity_rejects_another_signer(
    topdir: Path, cpython_release: Release, env: dict[str, str]
) -> None:
    spec = tiny_spec(
        topdir,
        f"%srcverify -s1 -r2 -i someone-else@example.org -o {cpython_release.issuer}",
        ["Python-3.13.5.tar.xz", "Python-3.13.5.tar.xz.sigstore", "trusted_root.json"],
    )
    result = rpmbuild_prep(spec, topdir, env)
    assert result.returncode != 0
    assert "REJECTED" in result.log and "someone-else@example.org" in result.log, result.log


def test_macro_map_source(topdir: Path, cpython_release: Release, env: dict[str, str]) -> None:
    spec = tiny_spec(
        topdir,
        "%srcverify -s1 -m2 -r3",
        [
            "Python-3.13.5.tar.xz",
            "Python-3.13.5.tar.xz.sigstore",
            "srcverify-map.yaml",
            "trusted_root.json",
        ],
    )
    result = rpmbuild_prep(spec, topdir, env)
    assert result.returncode == 0, result.log
    assert re.search(r"--map \S*/SOURCES/srcverify-map\.yaml ", result.log)
    assert f"signed by {cpython_release.identity}" in result.log


def test_macro_managed_key_source(topdir: Path, env: dict[str, str]) -> None:
    release = make_release(
        topdir / "SOURCES",
        "tool-1.0.tar.xz",
        "tool-1.0",
        bundle_suffix=".sigstore.json",
        managed_key=True,
    )
    spec = tiny_spec(
        topdir,
        "%srcverify -s1 -k2 -r3",
        ["tool-1.0.tar.xz", "tool-1.0.tar.xz.sigstore.json", "key.pub", "trusted_root.json"],
    )
    result = rpmbuild_prep(spec, topdir, env)
    assert result.returncode == 0, result.log
    assert re.search(r"--key \S*/SOURCES/key\.pub ", result.log)
    flip_one_byte(release.tarball)
    assert rpmbuild_prep(spec, topdir, env).returncode != 0


def test_macro_trust_root_pin_source_with_real_release(topdir: Path, env: dict[str, str]) -> None:
    """-t N: the shipped pin, vendored as a tarball Source, authenticated offline."""
    need_corpus()
    sources = topdir / "SOURCES"
    (sources / "Python-3.13.5.tar.xz").symlink_to(REAL_TARBALL)
    (sources / "Python-3.13.5.tar.xz.sigstore").symlink_to(REAL_BUNDLE)
    with tarfile.open(sources / "sigstore-pin.tar.xz", "w:xz") as archive:
        archive.add(REPO / "trust-root", arcname="trust-root")
    spec = tiny_spec(
        topdir,
        "%srcverify -s1 -t2",
        ["Python-3.13.5.tar.xz", "Python-3.13.5.tar.xz.sigstore", "sigstore-pin.tar.xz"],
    )
    result = rpmbuild_prep(spec, topdir, env)
    assert result.returncode == 0, result.log
    assert re.search(r"--trust-root \S*/BUILD/\.srcverify-trust-root-2 ", result.log)
    assert "signed by thomas@python.org" in result.log


@pytest.mark.parametrize(
    ("prep", "message"),
    [
        ("%srcverify -d0", "%srcverify: -s N is required"),
        ("%srcverify -s7", "%srcverify: -s 7: the spec has no Source7"),
        ("%srcverify -s1 -d x", "%srcverify: -d takes a Source number, not 'x'"),
        ("%srcverify -s1 -i a@b.c", "%srcverify: -i IDENTITY and -o ISSUER must be given together"),
        ("%srcverify -s1 -k0 -i a@b.c -o https://x", "%srcverify: -k (managed key) excludes"),
        ("%srcverify -s1 -t0 -r0", "%srcverify: -t (trust-root pin) and -r (trusted_root.json)"),
        (
            "%srcverify -s0 -d1",
            "%srcverify: -d 1 names a Sigstore bundle (a.tar.xz.sigstore) and -s 0 does not: "
            "-s and -d swapped? Write %srcverify -s1 -d0",
        ),
    ],
)
def test_macro_usage_errors_stop_the_build(
    topdir: Path, env: dict[str, str], prep: str, message: str
) -> None:
    spec = tiny_spec(topdir, prep, ["a.tar.xz", "a.tar.xz.sigstore"])
    result = rpmbuild_prep(spec, topdir, env)
    assert result.returncode != 0
    assert message in result.log, result.log


def test_macro_quotes_values_for_the_shell(topdir: Path, env: dict[str, str]) -> None:
    spec = tiny_spec(topdir, "%srcverify -s1 -i it's@example.org -o https://x", ["a", "a.sig"])
    result = run(
        ["rpmspec", "-P", "--load", MACROS, "--define", f"_topdir {topdir}", spec],
        env=env,
        cwd=topdir,
    )
    assert result.returncode == 0, result.log
    assert "--cert-identity 'it'\\''s@example.org'" in result.log


def test_macro_distribution_settings(topdir: Path, env: dict[str, str]) -> None:
    spec = tiny_spec(topdir, "%srcverify -s1", ["a", "a.sigstore"])
    argv: list[str | Path] = ["rpmspec", "-P", "--load", MACROS, "--define", f"_topdir {topdir}"]
    argv += ["--define", "_srcverify_trust_root /usr/share/distro/sigstore-pin"]
    argv += ["--define", "_srcverify_args --max-trust-root-age 400", spec]
    result = run(argv, env=env, cwd=topdir)
    assert result.returncode == 0, result.log
    assert (
        "srcverify verify --trust-root '/usr/share/distro/sigstore-pin' --max-trust-root-age 400 "
        f"--bundle '{topdir}/SOURCES/a.sigstore' '{topdir}/SOURCES/a'"
    ) in result.log


# --- python-srcverify.spec -------------------------------------------------------


def test_self_spec_version_matches_the_project() -> None:
    text = SELF_SPEC.read_text()
    match = re.search(r"^Version:\s+(\S+)$", text, re.MULTILINE)
    assert match is not None
    assert match.group(1) == project_version()


def test_self_spec_prep_unpacks_the_source_tree(
    topdir: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    """%prep of python-srcverify.spec on a tarball of this tree (git-archive layout).

    Debian has no pyproject-rpm-macros, so %build/%install/%check are not run
    here; %prep proves Source0's name and layout and that the files %install
    takes from the tree (pyproject.toml, the macro file) are in it.
    """
    version = project_version()
    tree = copy_tree(tmp_path / f"srcverify-{version}")
    with tarfile.open(topdir / "SOURCES" / f"srcverify-{version}.tar.gz", "w:gz") as archive:
        archive.add(tree, arcname=f"srcverify-{version}")
    shutil.rmtree(tree)
    result = rpmbuild_prep(SELF_SPEC, topdir, env)
    assert result.returncode == 0, result.log
    unpacked = topdir / "BUILD" / f"srcverify-{version}"
    assert (unpacked / "pyproject.toml").is_file()
    assert (unpacked / "packaging" / "rpm" / "macros.srcverify").is_file()
    parsed = run(["rpmspec", "-P", SELF_SPEC], env=env, cwd=topdir)
    assert "%{_rpmmacrodir}/macros.srcverify" in parsed.log or "/macros.srcverify" in parsed.log


def test_macro_checksum_manifest_source(topdir: Path, env: dict[str, str]) -> None:
    """-c N: Source N is a signed manifest listing Source0; -s names the manifest's bundle."""
    import hashlib

    from tests.support.instance import TestInstance

    release = make_release(topdir / "SOURCES", "tool-1.0.tar.gz", "tool-1.0")
    sha384 = hashlib.sha384(release.tarball.read_bytes()).hexdigest()
    manifest = topdir / "SOURCES" / "tool-1.0-checksums.txt"
    manifest.write_text(f"SHA384 (tool-1.0.tar.gz) = {sha384}\n")
    signed = TestInstance().sign_artifact(manifest.read_bytes())
    (manifest.parent / "tool-1.0-checksums.txt.sigstore.json").write_text(signed.to_json())
    sources = [
        "tool-1.0.tar.gz",
        "tool-1.0-checksums.txt.sigstore.json",
        "tool-1.0-checksums.txt",
        "trusted_root.json",
    ]
    prep = f"%srcverify -s1 -c2 -r3 -i {release.identity} -o {release.issuer}"
    result = rpmbuild_prep(tiny_spec(topdir, prep, sources), topdir, env)
    assert result.returncode == 0, result.log
    assert re.search(r"--manifest \S*/SOURCES/tool-1\.0-checksums\.txt ", result.log)
    assert "authenticated through manifest" in result.log and "line 1 (sha384)" in result.log
    flip_one_byte(release.tarball)
    result = rpmbuild_prep(tiny_spec(topdir, prep, sources), topdir, env)
    assert result.returncode != 0
    assert "does not match manifest" in result.log


# --- a real PyPI sdist with its real provenance ----------------------------------------


def test_macro_verifies_a_real_pypi_sdist_with_its_provenance(
    topdir: Path, env: dict[str, str]
) -> None:
    """%srcverify -s1 -d0 with Source1 the provenance of %{pypi_source}: shipped map and pin."""
    from tests.packaging.pypi_release import PYPI_SDIST, place_pypi_release

    sdist, _ = place_pypi_release(topdir / "SOURCES")
    spec = tiny_spec(topdir, "%srcverify -s1 -d0", [PYPI_SDIST, f"{PYPI_SDIST}.provenance"])
    result = rpmbuild_prep(spec, topdir, env)
    assert result.returncode == 0, result.log
    assert f"OK {sdist}" in result.log and "pypi-provenance [publish]" in result.log
    assert "--map" not in result.log and "--trusted-root" not in result.log
    flip_one_byte(sdist)
    result = rpmbuild_prep(spec, topdir, env)
    assert result.returncode != 0
    assert "REJECTED" in result.log and "is not a subject of the in-toto statement" in result.log


def test_macro_publisher_option(topdir: Path, env: dict[str, str]) -> None:
    from tests.packaging.pypi_release import PYPI_SDIST, place_pypi_release

    place_pypi_release(topdir / "SOURCES")
    sources = [PYPI_SDIST, f"{PYPI_SDIST}.provenance"]
    good = "github:trailofbits/pypi-attestations:release.yml"
    spec = tiny_spec(topdir, f"%srcverify -s1 -p {good}", sources)
    result = rpmbuild_prep(spec, topdir, env)
    assert result.returncode == 0, result.log
    assert f"--publisher {good} " in result.log
    spec = tiny_spec(topdir, f"%srcverify -s1 -p {good}:pypi", sources)
    result = rpmbuild_prep(spec, topdir, env)
    assert result.returncode != 0
    assert "deployment environment: expected pypi" in result.log

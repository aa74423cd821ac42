"""packaging/debian/: dh_srcverify and its dh addon in real dpkg-buildpackage runs,
and the srcverify package itself built with pybuild.

The tiny source package ``hello-sv`` carries its upstream tarball's bundle as
``debian/upstream/hello-sv-1.0.tar.xz.sigstore`` and its map entry as
``debian/upstream/srcverify-map.yaml``. The helper and the addon are used from
the checkout: dh_srcverify on PATH, the addon on PERL5LIB.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packaging.support import (
    PACKAGING,
    REAL_BUNDLE,
    REAL_TARBALL,
    SYSTEM_PATH,
    Release,
    copy_tree,
    make_release,
    make_tarball,
    need_corpus,
    need_tool,
    project_version,
    run,
)

DH_SRCVERIFY = PACKAGING / "debian" / "dh_srcverify"
ADDON = PACKAGING / "debian" / "srcverify.pm"
SELF_DEBIAN = PACKAGING / "debian" / "srcverify"

CHANGELOG = """\
hello-sv (1.0-1) unstable; urgency=medium

  * Test package for dh_srcverify.

 -- Test Packager <test@srcverify.test>  Sat, 21 Nov 2026 12:00:00 +0000
"""


@pytest.fixture(autouse=True)
def _dpkg_tools() -> None:
    need_tool("dpkg-buildpackage", "dpkg-source", "dh")


@pytest.fixture
def deb_env(env: dict[str, str], tmp_path: Path, wrapper_bin: Path) -> dict[str, str]:
    """The tool environment plus dh_srcverify on PATH and the addon on PERL5LIB."""
    helper_bin = tmp_path / "helper-bin"
    helper_bin.mkdir()
    (helper_bin / "dh_srcverify").symlink_to(DH_SRCVERIFY)
    perl = tmp_path / "perl5"
    sequence = perl / "Debian" / "Debhelper" / "Sequence"
    sequence.mkdir(parents=True)
    (sequence / "srcverify.pm").symlink_to(ADDON)
    return {
        **env,
        "PATH": f"{wrapper_bin}:{helper_bin}:{SYSTEM_PATH}",
        "PERL5LIB": str(perl),
        "DEB_BUILD_OPTIONS": "nocheck",
    }


def hello_source(
    work: Path, release: Release, *, rules: str, build_depends: str, with_map: bool = True
) -> Path:
    """Unpack ``hello-sv`` 1.0 from the release tarball as dpkg-source -x would lay it out."""
    orig = work / "hello-sv_1.0.orig.tar.xz"
    shutil.copyfile(release.tarball, orig)
    subprocess.run(["tar", "-xf", orig, "-C", work], check=True)
    tree = work / "hello-sv-1.0"
    debian = tree / "debian"
    (debian / "source").mkdir(parents=True)
    (debian / "upstream").mkdir()
    (debian / "source" / "format").write_text("3.0 (quilt)\n")
    (debian / "changelog").write_text(CHANGELOG)
    (debian / "control").write_text(
        "Source: hello-sv\n"
        "Section: misc\n"
        "Priority: optional\n"
        "Maintainer: Test Packager <test@srcverify.test>\n"
        f"Build-Depends: {build_depends}\n"
        "Standards-Version: 4.6.2\n"
        "Rules-Requires-Root: no\n"
        "\n"
        "Package: hello-sv\n"
        "Architecture: all\n"
        "Description: tiny package whose upstream tarball is verified\n"
        " Built by srcverify's packaging tests.\n"
    )
    (debian / "rules").write_text(rules)
    (debian / "rules").chmod(0o755)
    shutil.copyfile(release.bundle, debian / "upstream" / "hello-sv-1.0.tar.xz.sigstore")
    shutil.copyfile(release.trusted_root, debian / "upstream" / "test-trusted-root.json")
    if with_map:
        shutil.copyfile(release.release_map, debian / "upstream" / "srcverify-map.yaml")
    return tree


ADDON_RULES = """\
#!/usr/bin/make -f
%:
\tdh $@

# the test Sigstore instance is a private one: its trusted_root.json is not TUF-pinned
override_dh_srcverify:
\tdh_srcverify --trusted-root debian/upstream/test-trusted-root.json
"""

EXPLICIT_RULES = """\
#!/usr/bin/make -f
%:
\tdh $@

execute_before_dh_update_autotools_config:
\tdh_srcverify --trusted-root debian/upstream/test-trusted-root.json \\
\t\t--cert-identity {identity} --cert-oidc-issuer {issuer}
"""


def dpkg_buildpackage(tree: Path, env: dict[str, str], *extra: str) -> tuple[int, str]:
    result = run(
        ["dpkg-buildpackage", "-us", "-uc", "--no-check-builddeps", *extra], env=env, cwd=tree
    )
    return result.returncode, result.log


def test_addon_verifies_orig_tarball_with_map_from_debian_upstream(
    tmp_path: Path, deb_env: dict[str, str]
) -> None:
    release = make_release(tmp_path / "upstream", "hello-sv-1.0.tar.xz", "hello-sv-1.0")
    tree = hello_source(
        tmp_path,
        release,
        rules=ADDON_RULES,
        build_depends="debhelper-compat (= 13), dh-sequence-srcverify",
    )
    code, log = dpkg_buildpackage(tree, deb_env)
    assert code == 0, log
    # the addon put dh_srcverify first in the build sequence
    assert re.search(r"dh_srcverify .*\n(.*\n)*?\s+dh_update_autotools_config", log), log
    assert "../hello-sv_1.0.orig.tar.xz is upstream's hello-sv-1.0.tar.xz" in log
    assert "--map debian/upstream/srcverify-map.yaml" in log
    assert f"signed by {release.identity}" in log
    # a full build: source package (with the bundle in debian/upstream) and binary
    assert (tmp_path / "hello-sv_1.0-1.dsc").is_file()
    assert (tmp_path / "hello-sv_1.0-1_all.deb").is_file()
    listing = run(
        ["tar", "-tf", tmp_path / "hello-sv_1.0-1.debian.tar.xz"], env=deb_env, cwd=tmp_path
    ).log
    assert "debian/upstream/hello-sv-1.0.tar.xz.sigstore" in listing


def test_addon_stops_build_on_substituted_upstream_tarball(
    tmp_path: Path, deb_env: dict[str, str]
) -> None:
    release = make_release(tmp_path / "upstream", "hello-sv-1.0.tar.xz", "hello-sv-1.0")
    # the attack: a well-formed tarball with one byte of content changed,
    # consistent with the source package, so dpkg-source is happy with it
    release.tarball.write_bytes(
        make_tarball(
            "hello-sv-1.0",
            {"README": b"the verified upstream sourcE\n", "configure": b"#!/bin/sh\nexit 0\n"},
        )
    )
    tree = hello_source(
        tmp_path,
        release,
        rules=ADDON_RULES,
        build_depends="debhelper-compat (= 13), dh-sequence-srcverify",
    )
    code, log = dpkg_buildpackage(tree, deb_env)
    assert code != 0
    assert re.search(r"REJECTED hello-sv-1\.0\.tar\.xz: artifact: .* does not match", log), log
    assert "dh_srcverify: error: srcverify rejected or could not check" in log
    assert not (tmp_path / "hello-sv_1.0-1_all.deb").exists()


def test_rules_fragment_with_explicit_identity(tmp_path: Path, deb_env: dict[str, str]) -> None:
    release = make_release(tmp_path / "upstream", "hello-sv-1.0.tar.xz", "hello-sv-1.0")
    rules = EXPLICIT_RULES.format(identity=release.identity, issuer=release.issuer)
    tree = hello_source(
        tmp_path, release, rules=rules, build_depends="debhelper-compat (= 13)", with_map=False
    )
    code, log = dpkg_buildpackage(tree, deb_env, "-b")
    assert code == 0, log
    assert f"--cert-identity {release.identity}" in log
    assert f"signed by {release.identity}" in log


def test_rules_fragment_rejects_another_signer(tmp_path: Path, deb_env: dict[str, str]) -> None:
    release = make_release(tmp_path / "upstream", "hello-sv-1.0.tar.xz", "hello-sv-1.0")
    rules = EXPLICIT_RULES.format(identity="mallory@example.org", issuer=release.issuer)
    tree = hello_source(
        tmp_path, release, rules=rules, build_depends="debhelper-compat (= 13)", with_map=False
    )
    code, log = dpkg_buildpackage(tree, deb_env, "-b")
    assert code != 0
    assert "REJECTED hello-sv-1.0.tar.xz" in log and "mallory@example.org" in log, log


def test_dh_srcverify_refuses_to_guess_without_a_bundle(
    tmp_path: Path, deb_env: dict[str, str]
) -> None:
    release = make_release(tmp_path / "upstream", "hello-sv-1.0.tar.xz", "hello-sv-1.0")
    tree = hello_source(
        tmp_path, release, rules=ADDON_RULES, build_depends="debhelper-compat (= 13)"
    )
    (tree / "debian" / "upstream" / "hello-sv-1.0.tar.xz.sigstore").unlink()
    result = run(["dh_srcverify"], env=deb_env, cwd=tree)
    assert result.returncode == 2
    assert "expected one Sigstore bundle in debian/upstream/" in result.log
    assert "found 0" in result.log


def test_addon_builds_when_changelog_names_the_upstream_release_with_repack_suffix(
    tmp_path: Path, deb_env: dict[str, str]
) -> None:
    """1:1.0+dfsg-2 is upstream release 1.0: epoch, Debian revision and +dfsg are dropped."""
    release = make_release(tmp_path / "upstream", "hello-sv-1.0.tar.xz", "hello-sv-1.0")
    tree = hello_source(
        tmp_path,
        release,
        rules=ADDON_RULES,
        build_depends="debhelper-compat (= 13), dh-sequence-srcverify",
    )
    (tmp_path / "hello-sv_1.0.orig.tar.xz").rename(tmp_path / "hello-sv_1.0+dfsg.orig.tar.xz")
    changelog = tree / "debian" / "changelog"
    changelog.write_text(CHANGELOG.replace("(1.0-1)", "(1:1.0+dfsg-2)"))
    code, log = dpkg_buildpackage(tree, deb_env, "-b")
    assert code == 0, log
    assert "../hello-sv_1.0+dfsg.orig.tar.xz is upstream's hello-sv-1.0.tar.xz" in log
    assert f"signed by {release.identity}" in log


def test_addon_stops_build_when_changelog_names_another_upstream_release(
    tmp_path: Path, deb_env: dict[str, str]
) -> None:
    """A genuine, correctly signed 1.0 tarball and bundle must not build as 1.1."""
    release = make_release(tmp_path / "upstream", "hello-sv-1.0.tar.xz", "hello-sv-1.0")
    tree = hello_source(
        tmp_path,
        release,
        rules=ADDON_RULES,
        build_depends="debhelper-compat (= 13), dh-sequence-srcverify",
    )
    (tmp_path / "hello-sv_1.0.orig.tar.xz").rename(tmp_path / "hello-sv_1.1.orig.tar.xz")
    (tree / "debian" / "changelog").write_text(CHANGELOG.replace("(1.0-1)", "(1.1-1)"))
    code, log = dpkg_buildpackage(tree, deb_env, "-b")
    assert code != 0
    assert (
        "dh_srcverify: error: upstream's name hello-sv-1.0.tar.xz is release 1.0, but "
        "debian/changelog's version 1.1-1 is upstream release 1.1" in log
    ), log
    assert "srcverify verify" not in log
    assert not list(tmp_path.glob("hello-sv_1.1-1_*.deb"))


@pytest.mark.parametrize(
    ("name", "changelog", "code"),
    [
        ("Python-3.13.0a7.tar.xz", "3.13.0~a7-1", 0),
        ("hello-1.0-rc1.tar.gz", "1.0~rc1+ds1-1", 0),
        ("tool_1.2.3_linux_amd64.tar.gz", "2:1.2.3-4", 0),
        ("Python-3.13.5.tar.xz", "3.13.6-1", 1),
        ("Python-3.13.0a7.tar.xz", "3.13.0-1", 1),
        ("source.tar.gz", "1.0-1", 1),
    ],
)
def test_dh_srcverify_compares_upstream_name_with_changelog_version(
    tmp_path: Path, deb_env: dict[str, str], name: str, changelog: str, code: int
) -> None:
    """--no-act: the comparison happens before srcverify runs, so no real bundle is needed."""
    tree = tmp_path / "pkg-1"
    (tree / "debian" / "upstream").mkdir(parents=True)
    (tree / "debian" / "control").write_text("Source: pkg\n")
    (tree / "debian" / "changelog").write_text(
        CHANGELOG.replace("hello-sv (1.0-1)", f"pkg ({changelog})")
    )
    (tree / "debian" / "upstream" / f"{name}.sigstore").write_text("{}")
    tarball = tmp_path / "upstream.tar.gz"
    tarball.write_bytes(b"not read in --no-act")
    result = run(["dh_srcverify", "--no-act", "--tarball", tarball], env=deb_env, cwd=tree)
    assert result.returncode == code, result.log
    if code == 0:
        assert f"is upstream's {name}; checking it" in result.log
    elif name == "source.tar.gz":
        assert "upstream's name source.tar.gz carries no version" in result.log
    else:
        assert f"upstream's name {name} is release " in result.log
        assert f"debian/changelog's version {changelog} is upstream release" in result.log


def test_dh_srcverify_real_cpython_orig_tarball(tmp_path: Path, deb_env: dict[str, str]) -> None:
    """python3.13_3.13.5.orig.tar.xz is python.org's Python-3.13.5.tar.xz: shipped map and pin."""
    need_corpus()
    (tmp_path / "python3.13_3.13.5.orig.tar.xz").symlink_to(REAL_TARBALL)
    tree = tmp_path / "python3.13-3.13.5"
    (tree / "debian" / "upstream").mkdir(parents=True)
    (tree / "debian" / "control").write_text("Source: python3.13\n")
    (tree / "debian" / "changelog").write_text(
        CHANGELOG.replace("hello-sv (1.0-1)", "python3.13 (3.13.5-1)")
    )
    shutil.copyfile(REAL_BUNDLE, tree / "debian" / "upstream" / "Python-3.13.5.tar.xz.sigstore")
    result = run(["dh_srcverify"], env=deb_env, cwd=tree)
    assert result.returncode == 0, result.log
    assert "is upstream's Python-3.13.5.tar.xz" in result.log
    assert "--digest sha256:93e583f2" in result.log
    assert "signed by thomas@python.org" in result.log


# --- the srcverify package itself ---------------------------------------------------


@pytest.fixture(scope="module")
def srcverify_deb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build srcverify's .deb from this tree with packaging/debian/srcverify/ as debian/."""
    need_tool("dpkg-buildpackage", "dh", "pybuild")
    work = tmp_path_factory.mktemp("srcverify-deb")
    version = project_version()
    tree = copy_tree(work / f"srcverify-{version}")
    shutil.copytree(SELF_DEBIAN, tree / "debian")
    env = {"PATH": SYSTEM_PATH, "HOME": str(work), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    result = run(["dpkg-buildpackage", "-us", "-uc", "-b"], env=env, cwd=tree, timeout=300)
    assert result.returncode == 0, result.log[-5000:]
    debs = sorted(work.glob("srcverify_*_all.deb"))
    assert len(debs) == 1, result.log[-3000:]
    return debs[0]


def test_self_package_version_matches_the_project() -> None:
    top = (SELF_DEBIAN / "changelog").read_text().splitlines()[0]
    assert top.startswith(f"srcverify ({project_version()}-")


def test_self_package_contents_and_dependencies(srcverify_deb: Path, env: dict[str, str]) -> None:
    fields = run(["dpkg-deb", "-f", srcverify_deb], env=env, cwd=srcverify_deb.parent).log
    assert f"Version: {project_version()}-1" in fields
    depends = re.search(r"^Depends: (.*)$", fields, re.MULTILINE)
    assert depends is not None
    for needed in (
        "python3-cryptography (>= 43)",
        "python3-yaml (>= 6.0.1)",
        "python3-tuf (>= 5.1)",
    ):
        assert needed in depends.group(1)
    assert "dh-sequence-srcverify" in fields
    listing = run(["dpkg-deb", "-c", srcverify_deb], env=env, cwd=srcverify_deb.parent).log
    for path in (
        "./usr/bin/srcverify",
        "./usr/bin/dh_srcverify",
        "./usr/share/perl5/Debian/Debhelper/Sequence/srcverify.pm",
        "./usr/lib/python3/dist-packages/srcverify/cli/main.py",
        "./usr/lib/python3/dist-packages/srcverify/__main__.py",
    ):
        assert re.search(rf" {re.escape(path)}$", listing, re.MULTILINE), path
    # whatever data the package ships (default map, pin) is in the .deb too
    package = PACKAGING.parent / "src" / "srcverify"
    shipped = []
    for data in (package / "data", package / "releasemap" / "maps"):
        for directory, _, files in os.walk(data, followlinks=True):
            shipped += [Path(directory, name).relative_to(package).as_posix() for name in files]
    assert shipped, "the package ships no data (map, pin)?"
    for relative in shipped:
        assert f"./usr/lib/python3/dist-packages/srcverify/{relative}" in listing, relative


def _missing_runtime_packages() -> list[str]:
    """Debian packages the .deb depends on that this system cannot satisfy, with why."""
    missing = []
    probe = (
        "import importlib.metadata as m\n"
        "for dist, floor in (('cryptography', 43), ('tuf', 5), ('PyYAML', 6)):\n"
        "    try:\n"
        "        v = m.version(dist)\n"
        "    except m.PackageNotFoundError:\n"
        "        print(dist, 'absent'); continue\n"
        "    if int(v.split('.')[0]) < floor: print(dist, v)\n"
    )
    out = subprocess.run(["/usr/bin/python3", "-c", probe], capture_output=True, text=True)
    names = {"cryptography": "python3-cryptography", "tuf": "python3-tuf", "PyYAML": "python3-yaml"}
    for line in out.stdout.splitlines():
        dist, found = line.split(" ", 1)
        missing.append(f"{names[dist]} ({'not installed' if found == 'absent' else found})")
    return missing


def test_installed_package_runs_version(
    srcverify_deb: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    """The installed files run: /usr/bin/srcverify --version with Debian's python3.

    Installed into a throwaway root with ``dpkg-deb -x`` (the files dpkg -i
    would place; no maintainer scripts, no dpkg database), on Debian's own
    interpreter; ``--version`` needs only the standard library, so this runs
    even where the runtime Depends are not installable.
    """
    root = tmp_path / "root"
    run(["dpkg-deb", "-x", srcverify_deb, root], env=env, cwd=tmp_path)
    dist_packages = root / "usr" / "lib" / "python3" / "dist-packages"
    script = root / "usr" / "bin" / "srcverify"
    assert script.read_text().startswith("#!/usr/bin/python3")
    result = run(
        [script, "--version"],
        env={**env, "PATH": SYSTEM_PATH, "PYTHONPATH": str(dist_packages)},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.log
    assert result.log.strip() == f"srcverify {project_version()}"


def test_installed_package_verifies_a_release(
    srcverify_deb: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    missing = _missing_runtime_packages()
    if missing:
        pytest.skip(
            "this Debian release cannot satisfy the package's Depends: "
            + ", ".join(missing)
            + " (Debian 13 or later: python3-cryptography >= 43, python3-tuf >= 5.1;"
            + " .ci/run checks it in a trixie chroot)"
        )
    root = tmp_path / "root"
    run(["dpkg-deb", "-x", srcverify_deb, root], env=env, cwd=tmp_path)
    release = make_release(tmp_path / "release", "Python-3.13.5.tar.xz", "Python-3.13.5")
    result = run(
        [
            root / "usr" / "bin" / "srcverify",
            "verify",
            "--trusted-root",
            release.trusted_root,
            "--map",
            release.release_map,
            release.tarball,
        ],
        env={
            **env,
            "PATH": SYSTEM_PATH,
            "PYTHONPATH": str(root / "usr" / "lib" / "python3" / "dist-packages"),
        },
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.log
    assert f"signed by {release.identity}" in result.log


def test_dh_srcverify_missing_bundle_message_and_exit_code(
    tmp_path: Path, deb_env: dict[str, str]
) -> None:
    release = make_release(tmp_path / "upstream", "hello-sv-1.0.tar.xz", "hello-sv-1.0")
    tree = hello_source(
        tmp_path, release, rules=ADDON_RULES, build_depends="debhelper-compat (= 13)"
    )
    result = run(
        ["dh_srcverify", "--bundle", "debian/upstream/gone.sigstore"], env=deb_env, cwd=tree
    )
    assert result.returncode == 3
    assert "dh_srcverify: error: bundle debian/upstream/gone.sigstore does not exist\n" in (
        result.log
    ), result.log


def test_dh_srcverify_through_a_signed_checksum_manifest(
    tmp_path: Path, deb_env: dict[str, str]
) -> None:
    """--manifest: the bundle is the manifest's, the tarball is looked up by --name (sha512)."""
    import hashlib

    from tests.support.instance import TestInstance

    release = make_release(tmp_path / "upstream", "hello-sv-1.0.tar.xz", "hello-sv-1.0")
    tree = hello_source(
        tmp_path, release, rules=ADDON_RULES, build_depends="debhelper-compat (= 13)"
    )
    upstream = tree / "debian" / "upstream"
    (upstream / "hello-sv-1.0.tar.xz.sigstore").unlink()
    sha512 = hashlib.sha512(release.tarball.read_bytes()).hexdigest()
    manifest = (
        f"{hashlib.sha512(b'zip').hexdigest()}  hello-sv-1.0.zip\n{sha512}  hello-sv-1.0.tar.xz\n"
    )
    (upstream / "SHA512SUMS").write_text(manifest)
    signed = TestInstance().sign_artifact(manifest.encode())
    (upstream / "SHA512SUMS.sigstore.json").write_text(signed.to_json())
    argv = ["dh_srcverify", "--manifest", "debian/upstream/SHA512SUMS"]
    argv += ["--trusted-root", "debian/upstream/test-trusted-root.json"]
    argv += ["--cert-identity", release.identity, "--cert-oidc-issuer", release.issuer]
    result = run([*argv, "--name", "hello-sv-1.0.tar.xz"], env=deb_env, cwd=tree)
    assert result.returncode == 0, result.log
    assert "authenticated through manifest debian/upstream/SHA512SUMS line 2 (sha512)" in result.log
    result = run(argv, env=deb_env, cwd=tree)
    assert result.returncode == 2
    assert "--manifest needs --name UPSTREAM-NAME" in result.log
    orig = tmp_path / "hello-sv_1.0.orig.tar.xz"
    orig.write_bytes(orig.read_bytes() + b"\0")
    result = run([*argv, "--name", "hello-sv-1.0.tar.xz"], env=deb_env, cwd=tree)
    assert result.returncode == 1, result.log
    assert "does not match manifest debian/upstream/SHA512SUMS line 2" in result.log


def test_dh_srcverify_real_pypi_sdist_with_its_provenance(
    tmp_path: Path, deb_env: dict[str, str]
) -> None:
    """debian/upstream/NAME.provenance: PyPI's provenance, found, named, verified by the map."""
    from tests.packaging.pypi_release import PYPI_SDIST, place_pypi_release

    tree = tmp_path / "python-pypi-attestations-0.0.19"
    sdist, _ = place_pypi_release(tree / "debian" / "upstream")
    orig = tmp_path / "python-pypi-attestations_0.0.19.orig.tar.gz"
    sdist.rename(orig)
    (tree / "debian" / "control").write_text("Source: python-pypi-attestations\n")
    (tree / "debian" / "changelog").write_text(
        CHANGELOG.replace("hello-sv (1.0-1)", "python-pypi-attestations (0.0.19-1)")
    )
    result = run(["dh_srcverify"], env=deb_env, cwd=tree)
    assert result.returncode == 0, result.log
    assert f"is upstream's {PYPI_SDIST}; checking it against debian/upstream/" in result.log
    assert "pypi-provenance [publish], served publisher matches" in result.log
    result = run(
        ["dh_srcverify", "--publisher", "github:trailofbits/pypi-attestations:release.yml:pypi"],
        env=deb_env,
        cwd=tree,
    )
    assert result.returncode == 1
    assert "deployment environment: expected pypi" in result.log

"""What binds an artifact's file name to the content the evidence signed.

The release map chooses the signer by the file name, and a message
signature commits only to content: a genuine older release renamed as the
new one would verify. After the evidence verifies, :func:`bind_name` says
what ties the name to the content, or rejects:

* the in-toto subject name (compared by the core). When the release map
  chose the signer by the name, a single subject naming another file is a
  rejection (exit 1); with explicit identity flags the name chose nothing and
  the receipt only says it is unbound (as the Sigstore conformance suite
  expects: its statements name other files);
* the archive's top directory, when the map's artifact kind declares a
  template such as ``Python-{version}``: the directory must name the same
  release as the file name, or the artifact is REJECTED (exit 1) naming both;
* (elsewhere) a PEP 740 statement's subject (:mod:`srcverify.pypi.verify`)
  and a signed checksum manifest's line (:mod:`srcverify.cli.manifest`),
  which always name the file;
* nothing (no DSSE subject, the kind declares no template or declares none,
  identity flags instead of the map, or a bare digest): said plainly.

It reads the archive through :mod:`srcverify.archive`; it decides no
signer and verifies no signature.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from srcverify.errors import ArtifactMismatchError

if TYPE_CHECKING:
    from srcverify.releasemap.resolve import Resolution
    from srcverify.sigstore.receipt import Receipt

__all__ = ["bind_name"]


def bind_name(
    path: str | None, name: str | None, receipt: Receipt, resolution: Resolution | None
) -> str:
    """How the name is bound: by the statement's subject, else the archive's check.

    Args:
        path: the artifact file, or None when only its digest was given.
        name: the artifact's file name, or None for a bare digest.
        receipt: the core's receipt (its subject and ``name_bound_by``).
        resolution: the release map's answer for ``name``, or None.

    Raises:
        ArtifactMismatchError: the statement's subject or the archive's top
            directory names another file, and the name chose the signer.
        InputError: the archive cannot be read to find its top directory.
    """
    bound_by = receipt.name_bound_by
    if bound_by != "nothing" or name is None or resolution is None:
        return bound_by
    if receipt.content == "dsse" and not (receipt.subject or "").startswith("pkg:"):
        raise ArtifactMismatchError(
            f"the in-toto statement's subject is {receipt.subject!r}, but the artifact is "
            f"{name!r}, and the release map chose the signer by that name: the evidence is "
            "about another file",
            step="dsse",
        )
    template = resolution.top_directory
    if template is None:
        return "nothing (the map declares no top directory for this kind)"
    if template == "":
        return "nothing (the map says this kind has no top directory)"
    if path is None:
        return "nothing (digest only: the archive was not read)"
    from srcverify.archive import top_directory

    expected = template.replace("{version}", resolution.version)
    found = top_directory(path, name)
    if found == expected:
        return f"archive top directory {found}/"
    if found is None:
        raise ArtifactMismatchError(
            f"{name} names release {resolution.version}, but the archive has no top "
            f"directory (expected {expected}/)",
            step="name",
        )
    raise ArtifactMismatchError(
        f"{name} names release {resolution.version}, but the archive's top directory "
        f"{found}/ {_names(found, template)} (expected {expected}/): the content is "
        "another release",
        step="name",
    )


def _names(found: str, template: str) -> str:
    prefix, _, suffix = template.partition("{version}")
    if found.startswith(prefix) and found.endswith(suffix) and len(found) > len(prefix + suffix):
        return f"names release {found[len(prefix) : len(found) - len(suffix)]}"
    return "names no release of this kind"

"""``srcverify map check|show|which``: the release map on the command line.

``check FILE`` validates a map and lists every problem as
``file:line:column: message``; ``show [PROJECT]`` prints what a map says;
``which ARTIFACT-NAME`` prints the project, version, series and signers the
map requires for one file name, or why it has none. ``show`` and ``which``
read the shipped CPython map unless ``--map FILE`` names another. Exit
codes: 0 ok, 2 usage, 3 the map is unusable or has no signer for the name.
Reports go to stdout (``--json`` for machines), errors to stderr.

This module only parses arguments and prints; the work is in
:mod:`srcverify.releasemap.resolve`, imported inside the handlers so ``--help`` stays
quick.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from srcverify.cli.display import print_json, print_line
from srcverify.cli.usage import print_usage
from srcverify.errors import EXIT_OK, EXIT_UNEVALUATED, SrcverifyError

if TYPE_CHECKING:
    from srcverify.releasemap.resolve import (
        Project,
        ReleaseException,
        ReleaseMap,
        Resolution,
        SeriesEntry,
        Signer,
    )

__all__ = ["add_parser"]


def add_parser(subparsers: Any) -> None:
    """Register the ``map`` command group on an argparse subparsers object.

    Each leaf command sets ``handler``: a callable taking the parsed
    arguments and returning the exit code.
    """
    group = subparsers.add_parser(
        "map",
        help="check, show or query a release map (artifact name -> required signer)",
        description="The release map: which identity must have signed which upstream file.",
    )
    group.set_defaults(handler=lambda _args: print_usage(group))
    commands = group.add_subparsers(title="map commands", metavar="COMMAND")
    map_help = (
        "release map to use (repeatable: the maps are combined; default: the CPython and "
        "PyPI maps shipped with srcverify)"
    )

    check = commands.add_parser("check", help="validate a map; list every problem (exit 3)")
    check.add_argument("file", metavar="FILE", help="the release map (YAML)")
    check.set_defaults(handler=_run_check)

    show = commands.add_parser("show", help="print the projects, artifact kinds and signers")
    show.add_argument("project", nargs="?", metavar="PROJECT", help="only this project")
    show.add_argument("--map", metavar="FILE", action="append", help=map_help)
    show.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    show.set_defaults(handler=_run_show)

    which = commands.add_parser("which", help="who must have signed ARTIFACT-NAME, or why none")
    which.add_argument("name", metavar="ARTIFACT-NAME", help="a bare file name")
    which.add_argument("--map", metavar="FILE", action="append", help=map_help)
    which.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    which.set_defaults(handler=_run_which)


def _error(command: str, exc: SrcverifyError) -> int:
    print_line(f"srcverify map {command}: ERROR: {exc}", stderr=True)
    return EXIT_UNEVALUATED


def _load(paths: list[str] | None) -> ReleaseMap:
    from srcverify.releasemap.resolve import load_maps

    return load_maps(paths)


def _run_check(args: argparse.Namespace) -> int:
    from srcverify.releasemap.model import MapProblem
    from srcverify.releasemap.resolve import InvalidReleaseMapError, ReleaseMap

    warnings: list[MapProblem] = []
    try:
        release_map = ReleaseMap.load(args.file, strict=True, warnings=warnings)
    except InvalidReleaseMapError as exc:
        for problem in exc.problems:
            print_line(problem, stderr=True)
        count = len(exc.problems)
        print_line(
            f"srcverify map check: {args.file}: {count} problem{'s' if count != 1 else ''}",
            stderr=True,
        )
        return EXIT_UNEVALUATED
    except SrcverifyError as exc:
        return _error("check", exc)
    for warning in warnings:
        print_line(
            f"{warning.filename}:{warning.line}:{warning.column}: warning: {warning.message}",
            stderr=True,
        )
    if warnings:
        count = len(warnings)
        print_line(
            f"srcverify map check: {args.file}: {count} warning{'s' if count != 1 else ''} "
            "(a signer whose broad pattern is meant says 'lint: permit-broad-pattern')",
            stderr=True,
        )
    parts = [
        f"{p.name} ({len(p.artifacts)} artifact kinds, {len(p.series)} series, "
        f"{len(p.releases)} release exceptions{_facts_count(p)})"
        for p in release_map.projects
    ]
    print_line(f"{args.file}: OK, schema {release_map.schema}: {'; '.join(parts)}")
    return EXIT_OK


def _run_show(args: argparse.Namespace) -> int:
    try:
        release_map = _load(args.map)
        projects = (release_map.project(args.project),) if args.project else release_map.projects
    except SrcverifyError as exc:
        return _error("show", exc)
    if args.json:
        document = {
            "map": release_map.filename,
            "schema": release_map.schema,
            "projects": [_project_json(p) for p in projects],
        }
        print_json(document, indent=2)
        return EXIT_OK
    print_line(f"release map {release_map.filename} (schema {release_map.schema})")
    for project in projects:
        _print_project(project)
    return EXIT_OK


def _run_which(args: argparse.Namespace) -> int:
    from srcverify.releasemap.resolve import resolve

    try:
        release_map = _load(args.map)
        resolution = resolve(release_map, args.name)
    except SrcverifyError as exc:
        return _error("which", exc)
    if args.json:
        print_json(_resolution_json(args.name, resolution), indent=2)
        return EXIT_OK
    print_line(args.name)
    rows = [
        ("project", resolution.project),
        ("artifact", resolution.artifact),
        ("version", resolution.version),
        ("series", resolution.series or "(none)"),
        ("decided by", "a per-release exception" if resolution.exception else "the series entry"),
        ("source", resolution.source),
    ]
    if resolution.manifest is not None:
        rows.append(("via", f"manifest {resolution.manifest} (its own kind says who signs it)"))
    if resolution.evidence is not None:
        rows.append(("evidence", f"{resolution.evidence} (shared by the release's files)"))
    if resolution.timestamp_only:
        rows.append(("evidence", "timestamp-only accepted (WEAKER: no transparency log needed)"))
    if resolution.not_signed_before is not None:
        when = _utc(resolution.not_signed_before)
        rows.append(("not before", f"{when} ({resolution.not_signed_before_by})"))
    if resolution.known_digest is not None:
        digest = resolution.known_digest
        rows.append(("digest", f"sha256:{digest.sha256} ({resolution.known_digest_by})"))
    for label, value in rows:
        print_line(f"  {label + ':':<12}{value}")
    print_line("  signers (any one of):")
    for signer in resolution.signers:
        if signer.trusted_publisher is None:
            print_line(f"    - {signer.describe()}")
            continue
        from srcverify.pypi.explain import requirements

        bound = signer.trusted_publisher.for_version(resolution.version)
        print_line(f"    - {bound.describe()}")
        for line in requirements(bound):
            print_line(f"        {line}")
    return EXIT_OK


def _print_project(project: Project) -> None:
    print_line()
    print_line(f"{project.name}: {project.description}" if project.description else project.name)
    print_line(f"  source: {project.source}")
    print_line(f"  version pattern: {project.version_pattern}")
    print_line("  artifacts:")
    width = max(len(kind.name) for kind in project.artifacts)
    for kind in project.artifacts:
        print_line(f"    {kind.name:<{width}}  {kind.pattern}  {kind.description}".rstrip())
    print_line("  series:")
    for series in project.series:
        print_line(f"    {series.name}: {_signers_line(series.signers)}")
        print_line(f"      source: {series.source}")
        _print_facts(series)
    if project.releases:
        print_line("  release exceptions:")
    for release in project.releases:
        kinds = ", ".join(release.artifacts) if release.artifacts else "every artifact"
        signers = (
            "its series' signers (the entry records facts only)"
            if release.signers is None
            else _signers_line(release.signers)
        )
        print_line(f"    {release.version} ({kinds}): {signers}")
        print_line(f"      source: {release.source}")
        _print_facts(release)


def _facts_count(project: Project) -> str:
    entries: list[SeriesEntry | ReleaseException] = [*project.series, *project.releases]
    bounds = len([entry for entry in entries if entry.not_signed_before is not None])
    digests = sum(len(entry.digests) for entry in entries)
    if not bounds and not digests:
        return ""
    return f"; facts: {bounds} not_signed_before, {digests} known digests"


def _print_facts(entry: SeriesEntry | ReleaseException) -> None:
    if entry.not_signed_before is not None:
        print_line(f"      not signed before: {_utc(entry.not_signed_before)}")
    for digest in entry.digests:
        values = ", ".join(f"{alg}:{value}" for alg, value in digest.digests().items())
        print_line(f"      known digest: {digest.name} {values}")


def _utc(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _facts_json(entry: SeriesEntry | ReleaseException) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if entry.not_signed_before is not None:
        result["not_signed_before"] = _utc(entry.not_signed_before)
    if entry.digests:
        result["digests"] = {digest.name: digest.digests() for digest in entry.digests}
    return result


def _signers_line(signers: tuple[Signer, ...]) -> str:
    if not signers:
        return "NO SIGNER (verification of this series exits 3)"
    return " | ".join(signer.describe() for signer in signers)


def _signer_json(signer: Signer) -> dict[str, Any]:
    fields = ("identity", "identity_regexp", "issuer", "issuer_regexp")
    result: dict[str, Any] = {k: getattr(signer, k) for k in fields if getattr(signer, k)}
    if signer.github_workflow is not None:
        result["github_workflow"] = dict(signer.github_workflow.claims())
    if signer.origin is not None:
        result["written_as"] = signer.origin
    if signer.trusted_publisher is not None:
        from srcverify._frozen import fields as record_fields

        publisher = signer.trusted_publisher
        described = {
            f.name: getattr(publisher, f.name)
            for f in record_fields(publisher)
            if getattr(publisher, f.name) is not None and f.name != "version"
        }
        result["trusted_publisher"] = {"kind": publisher.kind.lower(), **described}
    return result


def _project_json(project: Project) -> dict[str, Any]:
    return {
        "name": project.name,
        "description": project.description,
        "source": project.source,
        "version_pattern": project.version_pattern,
        "artifacts": {
            kind.name: {"pattern": kind.pattern, "description": kind.description}
            for kind in project.artifacts
        },
        "series": {
            s.name: {
                "source": s.source,
                "signers": [_signer_json(x) for x in s.signers],
                **_facts_json(s),
            }
            for s in project.series
        },
        "releases": {
            r.version: {
                "source": r.source,
                "artifacts": list(r.artifacts),
                # null: the entry records facts only, its series' signers apply
                "signers": None if r.signers is None else [_signer_json(x) for x in r.signers],
                **_facts_json(r),
            }
            for r in project.releases
        },
    }


def _resolution_json(name: str, resolution: Resolution) -> dict[str, Any]:
    return {
        "artifact_name": name,
        "project": resolution.project,
        "artifact": resolution.artifact,
        "version": resolution.version,
        "series": resolution.series,
        "exception": resolution.exception,
        "source": resolution.source,
        "signers": [_signer_json(signer) for signer in resolution.signers],
        "policy": resolution.policy.describe(),
        "manifest": resolution.manifest,
        "timestamp_only": resolution.timestamp_only,
        "evidence": resolution.evidence,
        "not_signed_before": None
        if resolution.not_signed_before is None
        else _utc(resolution.not_signed_before),
        "not_signed_before_by": resolution.not_signed_before_by,
        "known_digest": None
        if resolution.known_digest is None
        else resolution.known_digest.digests(),
        "known_digest_by": resolution.known_digest_by,
    }

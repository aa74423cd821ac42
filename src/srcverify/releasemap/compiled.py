"""The shipped release maps in compiled form, read at run time without YAML.

Each reviewed map ``maps/NAME.yaml`` has a generated twin ``maps/NAME.json``:
the model that :func:`srcverify.releasemap.schema.parse_map` builds from the
YAML, written as JSON, together with the SHA-256 of the YAML bytes it was
built from. :func:`load_shipped` returns the compiled model only while that
digest matches the YAML beside it; on any mismatch (YAML edited since,
compiled file missing, unreadable or malformed) it parses the YAML, with
every check of the schema, as it would without a compiled form. The
compiled form is therefore never a second source of truth: it only saves
importing PyYAML and parsing, validating and resolving the YAML again in
every run (about a third of a verification's start-up).

Regenerate after editing a shipped map: ``make maps`` (which runs
``python -m srcverify.releasemap.compiled``); ``tests/releasemap/test_compiled.py``
fails, naming that command, while a compiled form is stale, and checks that
both forms give the same model.

The JSON holds records as ``{"@": class name, field: value...}``, tuples as
lists, compiled regular expressions as ``{"@": "regex", "pattern": ...}`` and
UTC times (``not_signed_before``) as ``{"@": "utc-time", "iso": ...}``;
only the classes in :data:`RECORDS` may appear. This module reads only the
shipped map files; it does not validate maps (the schema does) and does not
resolve names.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from srcverify._frozen import fields
from srcverify.errors import ReleaseMapError, SrcverifyError
from srcverify.inputs import read_bounded
from srcverify.pypi.publisher import (
    CircleCIPublisher,
    GitHubPublisher,
    GitLabPublisher,
    GooglePublisher,
)
from srcverify.releasemap.model import (
    ArtifactKind,
    KnownDigest,
    Project,
    ReleaseException,
    SeriesEntry,
    Signer,
)
from srcverify.sigstore.identity import GitHubWorkflow

__all__ = [
    "FORMAT",
    "MAPS_DIR",
    "RECORDS",
    "compile_map",
    "compiled_path",
    "load_shipped",
    "main",
]

FORMAT = "srcverify compiled release map 1"
MAPS_DIR = Path(__file__).resolve().parent / "maps"
RECORDS: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Project,
        ArtifactKind,
        SeriesEntry,
        ReleaseException,
        KnownDigest,
        Signer,
        GitHubWorkflow,
        GitHubPublisher,
        GitLabPublisher,
        GooglePublisher,
        CircleCIPublisher,
    )
}
_REGEX = "regex"
_TIME = "utc-time"
# The shipped YAML is bounded as any map is (resolve.MAX_MAP_BYTES); its compiled
# form spells every record out and is about twice the YAML's size.
_MAX_YAML_BYTES = 1 << 20
_MAX_JSON_BYTES = 2 << 20


def compiled_path(yaml_path: Path) -> Path:
    """``maps/NAME.yaml`` -> ``maps/NAME.json``."""
    return yaml_path.with_suffix(".json")


def load_shipped(yaml_path: Path) -> tuple[int, tuple[Project, ...]]:
    """The schema version and projects of a shipped map, compiled form first.

    Raises:
        ReleaseMapError: the YAML cannot be read, or (when the compiled form
            does not apply) it is malformed.
    """
    try:
        data = read_bounded(yaml_path, "shipped release map", limit=_MAX_YAML_BYTES)
    except SrcverifyError as exc:
        raise ReleaseMapError(f"the shipped release map {yaml_path} cannot be read: {exc}") from exc
    compiled = _read_compiled(compiled_path(yaml_path), data)
    if compiled is not None:
        return compiled
    from srcverify.releasemap.schema import parse_map

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReleaseMapError(f"the shipped release map {yaml_path} is not UTF-8: {exc}") from exc
    return parse_map(text, str(yaml_path))


def _read_compiled(path: Path, yaml_bytes: bytes) -> tuple[int, tuple[Project, ...]] | None:
    """The compiled model if ``path`` was compiled from exactly ``yaml_bytes``, else None."""
    try:
        document = json.loads(read_bounded(path, "compiled release map", limit=_MAX_JSON_BYTES))
        if (
            document["format"] != FORMAT
            or document["yaml_sha256"] != hashlib.sha256(yaml_bytes).hexdigest()
        ):
            return None
        schema = document["schema"]
        projects = tuple(_decode(project) for project in document["projects"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, re.error, SrcverifyError):
        return None  # json errors are ValueErrors; a model's own checks raise SrcverifyErrors
    if type(schema) is not int or not all(isinstance(p, Project) for p in projects):
        return None
    return schema, projects


def compile_map(yaml_bytes: bytes, filename: str) -> bytes:
    """The compiled form of a map: parse and validate the YAML, write its model as JSON.

    Raises:
        InvalidReleaseMapError: the YAML is malformed (nothing is compiled).
    """
    from srcverify.releasemap.schema import parse_map

    schema, projects = parse_map(yaml_bytes.decode("utf-8"), filename)
    document = {
        "format": FORMAT,
        "generated_by": "make maps (python -m srcverify.releasemap.compiled); do not edit",
        "yaml": os.path.basename(filename),
        "yaml_sha256": hashlib.sha256(yaml_bytes).hexdigest(),
        "schema": schema,
        "projects": [_encode(project) for project in projects],
    }
    return (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    if isinstance(value, re.Pattern):
        if value.flags != re.UNICODE:
            raise TypeError(f"regex {value.pattern!r} has flags; the compiled form keeps none")
        return {"@": _REGEX, "pattern": value.pattern}
    if isinstance(value, datetime):
        if value.utcoffset() != timedelta(0):
            raise TypeError(f"time {value} is not in UTC; the compiled form keeps UTC times")
        return {"@": _TIME, "iso": value.isoformat()}
    name = type(value).__name__
    if RECORDS.get(name) is not type(value):
        raise TypeError(f"cannot compile a {name}: add it to RECORDS in {__name__}")
    encoded = {"@": name}
    encoded.update({f.name: _encode(getattr(value, f.name)) for f in fields(value) if f.init})
    return encoded


def _decode(value: Any) -> Any:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, list):
        return tuple(_decode(item) for item in value)
    kind = value["@"]
    if kind == _REGEX:
        return re.compile(value["pattern"])
    if kind == _TIME:
        when = datetime.fromisoformat(value["iso"])
        if when.utcoffset() != timedelta(0):
            raise ValueError(f"time {value['iso']} is not in UTC")
        return when.astimezone(UTC)
    cls = RECORDS[kind]
    return cls(**{key: _decode(item) for key, item in value.items() if key != "@"})


def main(argv: Sequence[str] | None = None) -> int:
    """``make maps``: (re)write ``maps/NAME.json`` for every ``maps/NAME.yaml``.

    With ``--check``, write nothing and exit 1 if any compiled form is stale.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    check = args == ["--check"]
    if args and not check:
        print("usage: python -m srcverify.releasemap.compiled [--check]", file=sys.stderr)
        return 2
    stale = 0
    for yaml_path in sorted(MAPS_DIR.glob("*.yaml")):
        target = compiled_path(yaml_path)
        wanted = compile_map(yaml_path.read_bytes(), f"maps/{yaml_path.name}")
        current = target.read_bytes() if target.exists() else None
        if current == wanted:
            continue
        stale += 1
        if check:
            print(f"{target.name} is stale: run `make maps`", file=sys.stderr)
        else:
            tmp = target.with_suffix(".json.tmp")
            tmp.write_bytes(wanted)
            os.replace(tmp, target)
            print(f"wrote {target}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())

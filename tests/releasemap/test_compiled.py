"""The compiled shipped maps: current, equivalent to the YAML, and never trusted when stale."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from srcverify.releasemap import compiled
from srcverify.releasemap.resolve import ReleaseMap, default_map, resolve
from srcverify.releasemap.schema import parse_map

SHIPPED = sorted(compiled.MAPS_DIR.glob("*.yaml"))
CPYTHON = compiled.MAPS_DIR / "cpython.yaml"


@pytest.mark.parametrize("yaml_path", SHIPPED, ids=lambda p: p.name)
def test_compiled_form_is_current(yaml_path: Path) -> None:
    target = compiled.compiled_path(yaml_path)
    wanted = compiled.compile_map(yaml_path.read_bytes(), f"maps/{yaml_path.name}")
    current = target.read_bytes() if target.exists() else b""
    assert current == wanted, (
        f"src/srcverify/releasemap/maps/{target.name} is missing or stale for {yaml_path.name}: "
        "run `make maps` and commit the result"
    )


@pytest.mark.parametrize("yaml_path", SHIPPED, ids=lambda p: p.name)
def test_compiled_form_gives_the_parsed_model(yaml_path: Path) -> None:
    from_json = compiled._read_compiled(compiled.compiled_path(yaml_path), yaml_path.read_bytes())
    from_yaml = parse_map(yaml_path.read_text(encoding="utf-8"), str(yaml_path))
    assert from_json is not None
    assert from_json == from_yaml
    for json_project, yaml_project in zip(from_json[1], from_yaml[1], strict=True):
        for json_kind, yaml_kind in zip(
            json_project.artifacts, yaml_project.artifacts, strict=True
        ):
            assert json_kind.regex.pattern == yaml_kind.regex.pattern
        json_signers = [s for e in json_project.series for s in e.signers]
        yaml_signers = [s for e in yaml_project.series for s in e.signers]
        assert [s.describe() for s in json_signers] == [s.describe() for s in yaml_signers]


def test_default_map_resolves_without_importing_yaml() -> None:
    code = (
        "import sys\n"
        "from srcverify.releasemap.resolve import default_map, resolve\n"
        "r = resolve(default_map(), 'Python-3.13.5.tar.xz')\n"
        "print(r.policy.describe())\n"
        "print('yaml' in sys.modules, 'srcverify.releasemap.schema' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    policy, imported = result.stdout.splitlines()
    assert "thomas@python.org" in policy
    assert imported == "False False"


def _copy(tmp_path: Path) -> Path:
    yaml_path = tmp_path / "cpython.yaml"
    shutil.copy(CPYTHON, yaml_path)
    shutil.copy(compiled.compiled_path(CPYTHON), compiled.compiled_path(yaml_path))
    return yaml_path


def _policy(yaml_path: Path, name: str = "Python-3.13.5.tar.xz") -> str:
    schema, projects = compiled.load_shipped(yaml_path)
    return resolve(ReleaseMap(str(yaml_path), schema, projects), name).policy.describe()


def test_an_edited_yaml_is_parsed_not_served_from_the_stale_compiled_form(
    tmp_path: Path,
) -> None:
    yaml_path = _copy(tmp_path)
    yaml_path.write_text(
        CPYTHON.read_text(encoding="utf-8").replace("thomas@python.org", "mallory@example.com"),
        encoding="utf-8",
    )
    assert "mallory@example.com" in _policy(yaml_path)
    assert "thomas@python.org" not in _policy(yaml_path)


def test_an_edited_yaml_with_a_problem_is_rejected_with_its_position(tmp_path: Path) -> None:
    from srcverify.releasemap.model import InvalidReleaseMapError

    yaml_path = _copy(tmp_path)
    yaml_path.write_text(
        CPYTHON.read_text(encoding="utf-8").replace("schema: 1", "schema: 2"), encoding="utf-8"
    )
    with pytest.raises(InvalidReleaseMapError, match=r"cpython\.yaml:\d+:\d+: schema 2"):
        compiled.load_shipped(yaml_path)


@pytest.mark.parametrize(
    "damage",
    [
        lambda doc: doc.update(format="something else"),
        lambda doc: doc["projects"][0].update({"@": "Unknown"}),
        lambda doc: doc["projects"][0]["artifacts"][0]["regex"].update(pattern="(unclosed"),
        lambda doc: doc["projects"][0]["series"][0]["signers"][0].update(issuer=None),
        lambda doc: doc["projects"][0].pop("name"),
        lambda doc: doc.update(projects=[{"@": "Signer", "identity": "a", "issuer": "b"}]),
        lambda doc: doc.update(schema="1"),
        lambda doc: doc.update(projects=7),
    ],
)
def test_a_damaged_compiled_form_falls_back_to_the_yaml(tmp_path: Path, damage: object) -> None:
    yaml_path = _copy(tmp_path)
    target = compiled.compiled_path(yaml_path)
    document = json.loads(target.read_bytes())
    damage(document)  # type: ignore[operator]
    target.write_text(json.dumps(document), encoding="utf-8")
    assert compiled._read_compiled(target, yaml_path.read_bytes()) is None
    assert compiled.load_shipped(yaml_path) == parse_map(
        yaml_path.read_text(encoding="utf-8"), str(yaml_path)
    )


@pytest.mark.parametrize("content", [None, b"", b"{not json", b"[]", b'"x"'])
def test_a_missing_or_unreadable_compiled_form_falls_back(
    tmp_path: Path, content: bytes | None
) -> None:
    yaml_path = _copy(tmp_path)
    target = compiled.compiled_path(yaml_path)
    if content is None:
        target.unlink()
    else:
        target.write_bytes(content)
    assert "thomas@python.org" in _policy(yaml_path)


def test_make_maps_check_reports_stale_forms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    yaml_path = _copy(tmp_path)
    monkeypatch.setattr(compiled, "MAPS_DIR", tmp_path)
    assert compiled.main(["--check"]) == 0
    yaml_path.write_text(CPYTHON.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert compiled.main(["--check"]) == 1
    assert compiled.main([]) == 0
    assert compiled.main(["--check"]) == 0
    assert compiled.main(["--bogus"]) == 2


def test_default_map_is_read_from_the_compiled_form() -> None:
    release_map = default_map()
    assert release_map.filename.startswith(str(CPYTHON) + " + ")
    assert release_map.project("cpython").artifacts

"""Map patterns outside the safe subset are refused where they are written; broad
signer patterns draw lint warnings from ``map check``, unless the signer opts out."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from srcverify.cli import map as cli_map
from srcverify.releasemap import patterns
from srcverify.releasemap.model import InvalidReleaseMapError, MapProblem
from srcverify.releasemap.resolve import ReleaseMap

MAPS = Path(patterns.__file__).parent / "maps"

# line 5 is version_pattern, line 8 the artifact pattern, lines 13-14 the signer
TEMPLATE = """\
schema: 1
projects:
  hello:
    source: "https://example.org/hello/security"
    version_pattern: '{version}'
    artifacts:
      source-xz:
        pattern: '{pattern}'
    series:
      "1":
        source: "upstream's release workflow"
        signers:
          - identity_regexp: '{identity}'
            issuer_regexp: '{issuer}'
{extra}"""

SAFE = {
    "version": r"[0-9]+\.[0-9]+(?:\.[0-9]+)?",
    "pattern": r"^hello-{version}\.tar\.xz$",
    "identity": r"^release@example\.org$",
    "issuer": r"^https://accounts\.example\.org$",
    "extra": "",
}


def _map(**fields: str) -> str:
    return TEMPLATE.format(**{**SAFE, **fields})


def _problems(text: str) -> list[str]:
    with pytest.raises(InvalidReleaseMapError) as caught:
        ReleaseMap.from_text(text, "m.yaml", strict=True)
    return [str(problem) for problem in caught.value.problems]


def _warnings(text: str) -> list[str]:
    warnings: list[MapProblem] = []
    ReleaseMap.from_text(text, "m.yaml", strict=True, warnings=warnings)
    return [str(warning) for warning in warnings]


@pytest.mark.parametrize(
    "pattern",
    [
        r"^(?:\.[0-9]+)?$",
        r"^(?:(?:a|b|rc)[1-9][0-9]*)?$",
        r"^[(|+]+$",
        r"^(?:ab){2,}$",
        r"^(?:a|b){1}$",
        r"^a{version}$",
        r"^\(a+\)+$",
        r"^(?i)abc$",
        r"^\0$",
    ],
)
def test_safe_subset_accepts(pattern: str) -> None:
    assert patterns.unsafe(pattern, placeholder="{version}") is None


@pytest.mark.parametrize(
    ("pattern", "offset", "why"),
    [
        (r"^(a+)+$", 1, "the group at character 2 is repeated by '+' and itself contains"),
        (r"^(a*)*$", 1, "the group at character 2 is repeated by '*'"),
        (r"^(a|aa)+$", 1, "the group at character 2 is repeated by '+'"),
        (r"^x((a+)?)+$", 2, "the group at character 3 is repeated by '+'"),
        (r"^(?:a{2})+$", 1, "the group at character 2 is repeated by '+'"),
        (r"^(?:a|b){2,5}$", 1, "repeated by '{2,5}'"),
        (r"^(-{version})+$", 1, "the group at character 2 is repeated by '+'"),
        (r"^-{version}+$", 2, "{version} (the version pattern) is repeated by '+'"),
        (r"^(a)\1$", 4, "backreference '\\\\1'"),
        (r"^(?P<x>a)(?P=x)$", 9, "backreference '(?P='"),
        (r"^(?=a)a$", 1, "lookaround '(?='"),
        (r"^a(?!b)$", 2, "lookaround '(?!'"),
        (r"^(?<=a)b$", 1, "lookaround '(?<='"),
        (r"^(?<!a)b$", 1, "lookaround '(?<!'"),
        (r"^(a)?(?(1)b|c)$", 5, "conditional group"),
    ],
)
def test_safe_subset_refuses(pattern: str, offset: int, why: str) -> None:
    found = patterns.unsafe(pattern, placeholder="{version}")
    assert found is not None
    assert found[0] == offset
    assert why in found[1]


def test_nested_quantifier_in_identity_is_a_problem_at_its_character() -> None:
    # '          - identity_regexp: ' is 29 columns, the quote the 30th, '(' the 32nd
    assert _problems(_map(identity=r"^(a+)+@example\.org$")) == [
        "m.yaml:13:32: series hello 1: signer: identity_regexp '^(a+)+@example\\\\.org$' can "
        "backtrack catastrophically: the group at character 2 is repeated by '+' and itself "
        "contains a quantifier or an alternation (nested quantifiers backtrack exponentially)"
    ]


def test_lookaround_in_issuer_is_a_problem_at_its_character() -> None:
    problems = _problems(_map(issuer=r"^https://(?!evil)[a-z.]+$"))
    assert problems == [
        "m.yaml:14:38: series hello 1: signer: issuer_regexp '^https://(?!evil)[a-z.]+$' can "
        "backtrack catastrophically: lookaround '(?!'"
    ]


def test_backreference_in_version_pattern_is_a_problem() -> None:
    assert _problems(_map(version=r"([0-9])\1")) == [
        "m.yaml:5:30: project hello: version_pattern '([0-9])\\\\1' can backtrack "
        "catastrophically: backreference '\\\\1'"
    ]


def test_repeated_version_in_artifact_pattern_is_a_problem() -> None:
    problems = _problems(_map(pattern=r"^hello(-{version})+\.tar\.xz$"))
    assert problems == [
        "m.yaml:8:25: artifact hello/source-xz: pattern '^hello(-{version})+\\\\.tar\\\\.xz$' "
        "can backtrack catastrophically: the group at character 7 is repeated by '+' and "
        "itself contains a quantifier or an alternation (nested quantifiers backtrack "
        "exponentially)"
    ]


def test_quoted_with_escapes_reports_the_node() -> None:
    text = _map().replace(
        "identity_regexp: '^release@example\\.org$'",
        'identity_regexp: "^(a|b)*@example\\\\.org$"',
    )
    problems = _problems(text)
    assert len(problems) == 1 and problems[0].startswith("m.yaml:13:30: ")
    assert "the group at character 2 is repeated by '*'" in problems[0]


@pytest.mark.parametrize(
    ("field", "value", "position", "warning"),
    [
        (
            "identity",
            r"^a@x\.org$|^.*$",
            "13:42",
            "identity_regexp '^a@x\\\\.org$|^.*$': the alternative '^.*$' contains '.*', so "
            "the pattern accepts almost anything",
        ),
        (
            "identity",
            r"^release@example.org$",
            "13:47",
            "identity_regexp '^release@example.org$': unescaped '.' at character 17 matches "
            "any character; write '\\.' for a literal dot",
        ),
        (
            "issuer",
            r"^https://.*$",
            "14:29",
            "issuer_regexp '^https://.*$' accepts any https:// issuer; name the issuer",
        ),
        (
            "identity",
            r"^v\d+@example\.org$",
            "13:33",
            "identity_regexp '^v\\\\d+@example\\\\.org$': '\\d' at character 3 also matches "
            "non-ASCII digits; write '[0-9]'",
        ),
        (
            "identity",
            r"^v[\d]+@example\.org$",
            "13:34",
            "'\\d' at character 4 also matches non-ASCII digits",
        ),
    ],
)
def test_broad_signer_patterns_warn(field: str, value: str, position: str, warning: str) -> None:
    warnings = _warnings(_map(**{field: value}))
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"m.yaml:{position}: series hello 1: signer: ")
    assert warning in warnings[0]


def test_lint_opt_out_silences_one_signer_only() -> None:
    text = _map(
        identity=r"^release@example.org$",
        extra=(
            "            lint: permit-broad-pattern\n"
            "          - identity_regexp: '^backup@example.org$'\n"
            "            issuer: https://accounts.example.org\n"
        ),
    )
    warnings = _warnings(text)
    assert len(warnings) == 1
    assert warnings[0].startswith("m.yaml:16:46: ")
    assert "'^backup@example.org$': unescaped '.'" in warnings[0]


def test_lint_with_another_value_is_a_problem() -> None:
    problems = _problems(_map(extra="            lint: permit-everything\n"))
    assert problems == [
        "m.yaml:15:19: series hello 1: signer: lint 'permit-everything': the only value is "
        "'permit-broad-pattern'"
    ]


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="srcverify")
    cli_map.add_parser(parser.add_subparsers())
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def test_map_check_prints_warnings_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(_map(issuer=r"^https://.*$"))
    assert _run("map", "check", str(path)) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"{path}:14:29: warning: series hello 1: signer: issuer_regexp '^https://.*$' accepts "
        "any https:// issuer; name the issuer",
        f"srcverify map check: {path}: 1 warning (a signer whose broad pattern is meant says "
        "'lint: permit-broad-pattern')",
    ]
    assert f"{path}: OK, schema 1: hello" in captured.out


def test_map_check_refuses_an_unsafe_pattern_with_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(_map(identity=r"^(a|aa)+@example\.org$"))
    assert _run("map", "check", str(path)) == 3
    err = capsys.readouterr().err
    assert f"{path}:13:32: series hello 1: signer: identity_regexp" in err
    assert "can backtrack catastrophically" in err
    assert f"srcverify map check: {path}: 1 problem" in err


def test_loading_refuses_an_unsafe_pattern_too() -> None:
    """Not only map check: every read of the map (verify --map) refuses it."""
    with pytest.raises(InvalidReleaseMapError) as caught:
        ReleaseMap.from_text(_map(identity=r"^(a+)+@example\.org$"), "m.yaml")
    assert "can backtrack catastrophically" in str(caught.value)


@pytest.mark.parametrize("shipped", sorted(MAPS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_maps_pass_cleanly(shipped: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("map", "check", str(shipped)) == 0
    assert capsys.readouterr().err == ""

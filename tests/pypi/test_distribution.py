"""sdist and wheel file names: parsed under the naming rules, compared by meaning."""

from __future__ import annotations

import contextlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from srcverify.errors import ArtifactMismatchError
from srcverify.pypi.distribution import (
    PEP440_VERSION_PATTERN,
    name_pattern,
    normalize_project_name,
    parse_distribution_name,
    parse_version,
)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("pypi_attestations-0.0.19.tar.gz", "pypi-attestations-0.0.19.tar.gz"),
        ("Foo.Bar-1.0.tar.gz", "foo_bar-1.0.0.tar.gz"),
        ("foo-1.0RC1.tar.gz", "foo-1.0rc1.tar.gz"),
        ("foo-1.0a.tar.gz", "foo-1.0a0.tar.gz"),
        ("foo-1.0-py3-none-any.whl", "Foo-1.0.0-py3-none-any.whl"),
        ("foo-1.0-py2.py3-none-any.whl", "foo-1.0-py3.py2-none-any.whl"),
        (
            "spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "spt3g-1.0.0-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.whl",
        ),
    ],
)
def test_equivalent_names(one: str, other: str) -> None:
    assert parse_distribution_name(one).same_distribution(parse_distribution_name(other))


@pytest.mark.parametrize(
    ("one", "other", "difference"),
    [
        ("foo-1.0.tar.gz", "foo-1.1.tar.gz", "version 1.0 vs 1.1"),
        ("foo-1.0.tar.gz", "bar-1.0.tar.gz", "project foo vs bar"),
        ("foo-1.0.tar.gz", "foo-1.0-py3-none-any.whl", "sdist vs wheel"),
        ("foo-1.0-py3-none-any.whl", "foo-1.0-cp311-cp311-linux_x86_64.whl", "wheel tags differ"),
        ("foo-1.0-1-py3-none-any.whl", "foo-1.0-2-py3-none-any.whl", "build tag differs"),
        ("foo-1.0.tar.gz", "foo-1.0rc1.tar.gz", "version 1.0 vs 1.0rc1"),
        ("foo-1.0.tar.gz", "foo-1.0.dev0.tar.gz", "version 1.0 vs 1.0.dev0"),
    ],
)
def test_different_names(one: str, other: str, difference: str) -> None:
    a, b = parse_distribution_name(one), parse_distribution_name(other)
    assert not a.same_distribution(b)
    assert a.difference(b) == difference


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("foo.tar.gz", "an sdist is named NAME-VERSION.tar.gz"),
        ("foo-bar.tar.gz", "'bar' is not a PEP 440 version"),
        ("foo-1.0.tar.bz2", "expected a wheel (.whl) or an sdist (.tar.gz)"),
        ("foo-1.0-py3-none.whl", "a wheel is named"),
        ("foo-bar-1.0-py3-none-any.whl", "'bar' is not a PEP 440 version"),
        ("foo__x-1.0-py3-none-any.whl", "is not a valid wheel project name"),
        ("foo-1.0-x-py3-none-any.whl", "the build tag must start with a digit"),
        ("foo-1.0-py3-no/ne-any.whl", "malformed compatibility tags"),
    ],
)
def test_invalid_names_are_rejected(name: str, why: str) -> None:
    with pytest.raises(ArtifactMismatchError) as caught:
        parse_distribution_name(name)
    assert why in caught.value.detail
    assert caught.value.step == "distribution"


def test_normalised_names_and_versions() -> None:
    assert normalize_project_name("Foo.._Bar--baz") == "foo-bar-baz"
    assert str(parse_version("1!2.0.0RC1.post3.dev4+Local.7")) == "1!2.0.0rc1.post3.dev4+local.7"
    assert parse_version("1.0") == parse_version("1.0.0")
    assert parse_version("not a version") is None


@pytest.mark.parametrize("file_format", ["sdist", "wheel"])
def test_name_pattern_accepts_spellings_of_the_project(file_format: str) -> None:
    pattern = name_pattern("pypi-attestations", file_format)
    regex = re.compile(pattern.replace("{version}", f"(?P<version>{PEP440_VERSION_PATTERN})"))
    names = {
        "sdist": ["pypi_attestations-0.0.19.tar.gz", "PyPI-Attestations-0.0.19.tar.gz"],
        "wheel": ["pypi_attestations-0.0.19-py3-none-any.whl"],
    }[file_format]
    for name in names:
        match = regex.fullmatch(name)
        assert match is not None and match["version"] == "0.0.19", name
    assert regex.fullmatch("pypi_attestations_evil-0.0.19.tar.gz") is None
    assert regex.fullmatch("pypi_attestation-0.0.19.tar.gz") is None


@given(st.text(max_size=80))
def test_any_text_is_a_name_or_our_error(text: str) -> None:
    with contextlib.suppress(ArtifactMismatchError):
        parse_distribution_name(text)

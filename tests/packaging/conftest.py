"""Fixtures for the packaging tests: the ``srcverify`` wrapper and its environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.packaging.support import tool_env, write_wrapper


@pytest.fixture(scope="session")
def wrapper_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory whose ``srcverify`` runs this checkout with the test interpreter."""
    bin_dir = tmp_path_factory.mktemp("wrapper-bin")
    write_wrapper(bin_dir)
    return bin_dir


@pytest.fixture
def env(wrapper_bin: Path, tmp_path: Path) -> dict[str, str]:
    """Environment for the distribution tools: wrapper first on a clean PATH, private HOME."""
    return tool_env(wrapper_bin, tmp_path / "home")

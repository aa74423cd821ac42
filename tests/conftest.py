"""Suite-wide fixtures: every test runs offline.

``block_network`` (autouse) makes any socket connection outside loopback
fail, so a test that tries to reach the network fails loudly instead of
passing by luck. Tests that serve data on loopback (the TUF update tests)
mark themselves ``@pytest.mark.allow_loopback``; all others may not connect
anywhere, loopback included.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


class NetworkBlocked(RuntimeError):
    """A test tried to open a network connection."""


def _is_loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "allow_loopback: the test may connect to 127.0.0.1/::1 (never elsewhere)"
    )


@pytest.fixture(autouse=True)
def block_network(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    allow_loopback = request.node.get_closest_marker("allow_loopback") is not None
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded(sock: socket.socket, address: Any) -> Any:
        if sock.family == socket.AF_UNIX:
            return real_connect(sock, address)
        if allow_loopback and _is_loopback(address):
            return real_connect(sock, address)
        raise NetworkBlocked(f"test tried to connect to {address!r}; srcverify must work offline")

    def guarded_ex(sock: socket.socket, address: Any) -> Any:
        if sock.family == socket.AF_UNIX or (allow_loopback and _is_loopback(address)):
            return real_connect_ex(sock, address)
        raise NetworkBlocked(f"test tried to connect to {address!r}; srcverify must work offline")

    def no_dns(*args: Any, **kwargs: Any) -> Any:
        host = args[0] if args else kwargs.get("host")
        if allow_loopback and _is_loopback(host):
            return real_getaddrinfo(*args, **kwargs)
        raise NetworkBlocked(f"test tried to resolve {host!r}; srcverify must work offline")

    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_ex)
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    yield


@pytest.fixture
def corpus() -> Path:
    """The shared real-data corpus; skips the test visibly when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (tests that need real data are skipped)")
    return CORPUS

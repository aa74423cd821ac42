"""The suite's offline guard really blocks connections."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import NetworkBlocked


def test_outbound_connection_is_blocked() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(NetworkBlocked, match="must work offline"),
    ):
        sock.connect(("192.0.2.1", 443))


def test_name_resolution_is_blocked() -> None:
    with pytest.raises(NetworkBlocked, match="resolve"):
        socket.getaddrinfo("tuf-repo-cdn.sigstore.dev", 443)


def test_loopback_is_blocked_without_marker() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(NetworkBlocked, match="must work offline"),
    ):
        sock.connect(("127.0.0.1", 9))

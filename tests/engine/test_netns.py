"""The outbound-connection check's records (recipebook/netns.py), inside a real network namespace: a connection
attempt to a non-loopback address and a DNS query to a loopback name server are both seen, loopback traffic is not.
Skips loudly where the namespace cannot be made (not root, not Linux); the canary test runs the check end to end."""
from __future__ import annotations

import socket
import struct

import pytest

from recipebook import netns


@pytest.fixture
def isolation(monkeypatch):
    monkeypatch.setattr(netns, "_loopback_name_servers", lambda: ["127.0.0.53"])  # as systemd-resolved's stub
    made = netns.create("local")
    if not made.active:
        pytest.skip(f"OUTBOUND-CONNECTION CHECK NOT TESTED: {made.reason}")
    yield made
    made.close()


def query(name: str) -> bytes:
    question = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0" + struct.pack("!HH", 1, 1)
    return struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + question


def test_loopback_is_up_and_not_counted(isolation):
    mark = isolation.mark()
    with isolation.inside():
        server = socket.create_server(("127.0.0.1", 0))
        client = socket.create_connection(server.getsockname(), timeout=5)
        client.close()
        server.close()
    assert isolation.attempts_since(mark) == []


def test_a_connection_attempt_and_a_dns_query_are_recorded(isolation):
    mark = isolation.mark()
    with isolation.inside():
        with pytest.raises(OSError):  # "Network is unreachable": only loopback is up
            socket.create_connection(("10.255.255.1", 443), timeout=2)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as resolver:
            resolver.settimeout(5)
            resolver.sendto(query("telemetry.example.invalid"), ("127.0.0.53", 53))
            answer = resolver.recv(512)
    assert answer[:2] == b"\x12\x34" and answer[3] & 0x0F == 5, "answered REFUSED, so a resolver gives up at once"
    assert isolation.attempts_since(mark) == [
        "1 IPv4 packet(s) to an address other than loopback (a connection attempt, a UDP datagram or a DNS query to "
        "a non-loopback name server)",
        "DNS lookup(s) of telemetry.example.invalid"]


def test_the_calling_thread_returns_to_its_own_namespace(isolation):
    def here() -> int:
        import os
        return os.stat("/proc/thread-self/ns/net").st_ino

    before = here()
    with isolation.inside():
        assert here() != before
    assert here() == before

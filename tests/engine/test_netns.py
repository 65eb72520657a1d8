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
    seen = isolation.attempts_since(mark)
    if isolation._capture is None:  # no TUN device or no `ip`: the kernel's no-route counter stands in
        assert seen[0].startswith("1 IPv4 packet(s) to an address other than loopback"), seen
    else:
        assert seen[0].startswith("packet(s) sent off the machine: TCP 10.255.255.1:443"), seen
    assert seen[-1] == "DNS lookup(s) of telemetry.example.invalid"


def test_a_route_lookup_that_sends_nothing_is_not_an_attempt(isolation):
    """Dask's get_ip connects a UDP socket to 8.8.8.8 only to learn the local address: no packet leaves."""
    if isolation._capture is None:
        pytest.skip(f"NOT TESTED: without a TUN capture the no-route counter counts route lookups ({isolation.reason})")
    mark = isolation.mark()
    with isolation.inside():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("8.8.8.8", 80))
    assert isolation.attempts_since(mark) == []


def test_packets_are_described_by_protocol_address_port_and_dns_name():
    dns = query("example.com")
    udp = struct.pack("!HHHH", 40000, 53, 8 + len(dns), 0) + dns
    ip = bytes([0x45, 0, 0, 20 + len(udp), 0, 0, 0, 0, 64, 17, 0, 0]) + bytes([192, 0, 2, 1]) + bytes([10, 0, 0, 2])
    assert netns.describe_packet(ip + udp) == "UDP 10.0.0.2:53 (DNS lookup of example.com)"
    tcp = bytes([0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0]) + bytes([192, 0, 2, 1, 10, 255, 255, 1]) + struct.pack("!HH", 50000, 443) + bytes(16)
    assert netns.describe_packet(tcp) == "TCP 10.255.255.1:443"
    igmp = bytes([0x46, 0, 0, 32, 0, 0, 0, 0, 1, 2, 0, 0]) + bytes([192, 0, 2, 1, 224, 0, 0, 22]) + bytes(12)
    assert netns.describe_packet(igmp) is None, "the kernel's own link chatter is not a recipe reaching out"


def test_the_calling_thread_returns_to_its_own_namespace(isolation):
    def here() -> int:
        import os
        return os.stat("/proc/thread-self/ns/net").st_ino

    before = here()
    with isolation.inside():
        assert here() != before
    assert here() == before

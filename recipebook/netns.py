"""Nothing leaves the machine: every recipe of a run on the local target runs in one network namespace with only
loopback up, and any attempt to reach another address fails the recipe.

The pages promise that nothing leaves the reader's machine and that the recipes run offline. Telemetry settings and
offline package installs make that likely; this makes it checked. A Session creates one new network namespace (Linux,
root: unshare(CLONE_NEWNET)) with only `lo` up, and runs every recipe's steps, servers and readiness checks in it. All
the recipes of the run share it, so a recipe reaches the platform a needed recipe started on 127.0.0.1, as on a
reader's laptop; nothing else is reachable.

Two records show an attempt to reach out, read before and after each recipe (with `verify --jobs`, recipes that run at
the same time share them):
  - every packet sent to an address other than loopback: the namespace's default routes (IPv4 and IPv6) lead into a
    TUN device that the runner reads and never answers, so each packet is recorded (protocol, address, port, and the
    name of a DNS query) and goes nowhere. A TCP connection attempt is its first packet; a DNS query to a name server
    elsewhere is a UDP packet. A route lookup that sends nothing (a UDP socket connected only to learn the local
    address, as Dask's get_ip does) is not a packet and is not recorded. Without TUN or the `ip` command, the kernel's
    counters of packets that found no route stand in (IPv4 `OutNoRoutes`, IPv6 `Ip6OutNoRoutes`); they count such a
    route lookup too, and name no address;
  - DNS queries to a name server on a loopback address (127.0.0.53, systemd-resolved's stub; 127.0.0.11, Docker's):
    in the namespace nothing listens there, so a recorder bound to those addresses notes each query's name and answers
    REFUSED.
Not seen: a lookup that the C library hands to a daemon outside the namespace over a Unix socket (nsswitch's
`resolve`, nscd); the connection that follows it is.

Where the namespace cannot be made (not root, not Linux, a container without CAP_SYS_ADMIN), the target is not local,
or the run reuses servers started outside it (`recipebook up`), the check is off: the run says so loudly, and the report
records it (`network_isolation`). RECIPEBOOK_NETWORK_ISOLATION=require makes that an error; =off turns the check off.
"""
from __future__ import annotations

import ctypes
import fcntl
import ipaddress
import os
import select
import socket
import struct
import subprocess
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

CLONE_NEWNET = 0x40000000
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
MODE_VAR = "RECIPEBOOK_NETWORK_ISOLATION"
MODES = ("auto", "require", "off")
RESOLV_CONF = Path("/etc/resolv.conf")


class IsolationUnavailable(ValueError):
    """RECIPEBOOK_NETWORK_ISOLATION=require, and the namespace could not be made (a ValueError, so `recipebook run`
    and `verify` print it as an error, like a corrupt report)."""


@dataclass(frozen=True)
class Mark:
    no_route_v4: int
    no_route_v6: int
    queries: int
    packets: int


@dataclass
class Isolation:
    """The run's network namespace (active) or why there is none (inactive, `reason`)."""
    active: bool
    reason: str
    _fd: int | None = None
    _recorder: "_DnsRecorder | None" = None
    _capture: "_TunCapture | None" = None

    def describe(self) -> dict:
        return {"active": self.active, "detail": self.reason}

    @contextmanager
    def inside(self) -> Iterator[None]:
        """Run the calling thread in the namespace (threads it starts inherit it); back where it was afterwards."""
        if not self.active:
            yield
            return
        here = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        try:
            _setns(self._fd)
            try:
                yield
            finally:
                _setns(here)
        finally:
            os.close(here)

    def mark(self) -> Mark | None:
        if not self.active:
            return None
        with self.inside():
            v4, v6 = _no_route_counters()
        return Mark(v4, v6, len(self._recorder.queries) if self._recorder else 0,
                    len(self._capture.packets) if self._capture else 0)

    def attempts_since(self, mark: Mark | None) -> list[str]:
        """What tried to leave the machine since `mark`: one description per kind; [] when nothing did."""
        if not self.active or mark is None:
            return []
        now = self.mark()
        found = []
        if self._capture and now.packets > mark.packets:
            sent = self._capture.packets[mark.packets:now.packets]
            counted = {p: sent.count(p) for p in dict.fromkeys(sent)}
            found.append("packet(s) sent off the machine: " + ", ".join(p if n == 1 else f"{p} ({n} packets)"
                                                                        for p, n in counted.items()))
        elif not self._capture and now.no_route_v4 > mark.no_route_v4:
            found.append(f"{now.no_route_v4 - mark.no_route_v4} IPv4 packet(s) to an address other than loopback "
                         "(a connection attempt, a UDP datagram or a DNS query to a non-loopback name server)")
        if not self._capture and now.no_route_v6 > mark.no_route_v6:
            found.append(f"{now.no_route_v6 - mark.no_route_v6} IPv6 packet(s) to an address other than loopback")
        if self._recorder and now.queries > mark.queries:
            names = sorted(set(self._recorder.queries[mark.queries:now.queries]))
            found.append(f"DNS lookup(s) of {', '.join(names)}")
        return found

    def close(self) -> None:
        if self._recorder:
            self._recorder.close()
        if self._capture:
            self._capture.close()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self.active = False


def create(target: str, reuse: bool = False, wanted: bool = True) -> Isolation:
    """The namespace for one run; raises IsolationUnavailable when required (RECIPEBOOK_NETWORK_ISOLATION=require)
    and not possible."""
    mode = os.environ.get(MODE_VAR, "auto").strip().lower() or "auto"
    if mode not in MODES:
        raise IsolationUnavailable(f"{MODE_VAR}={mode!r}: expected one of {', '.join(MODES)}")
    if mode == "off":
        return Isolation(False, f"turned off ({MODE_VAR}=off)")
    reason = None
    if target != "local":
        reason = f"target {target} talks to its cluster over the network"
    elif reuse:
        reason = "this run reuses servers started by `recipebook up` outside it, which a namespace could not reach"
    elif not wanted:
        reason = "`recipebook up` keeps its servers for runs in other processes, which a namespace would cut off"
    if reason is None:
        try:
            return _enter_new()
        except (OSError, AttributeError) as exc:
            reason = f"could not create a network namespace ({exc}); it needs Linux and root (CAP_SYS_ADMIN)"
    if mode == "require":
        raise IsolationUnavailable(f"{MODE_VAR}=require, but the check is off: {reason}")
    return Isolation(False, reason)


# ---- plumbing --------------------------------------------------------------------------------------------------------
def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _setns(fd: int) -> None:
    if _libc().setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


def _enter_new() -> Isolation:
    """Create the namespace from this thread, set it up, keep a handle to it, and return this thread to where it was."""
    if os.geteuid() != 0:
        raise OSError(1, f"not root (uid {os.geteuid()})")
    here = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        if _libc().unshare(CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"unshare(CLONE_NEWNET): {os.strerror(err)}")
        try:
            _loopback_up()
            fd = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
            recorder = _DnsRecorder(_loopback_name_servers())
            try:
                capture, how = _TunCapture(), "every packet to another address recorded through a TUN device"
            except (OSError, subprocess.SubprocessError) as exc:
                capture, how = None, f"packets with no route counted (no TUN capture: {exc})"
        finally:
            _setns(here)
    finally:
        os.close(here)
    servers = ", ".join(recorder.addresses) or "none on loopback"
    return Isolation(True, f"one network namespace with only loopback for the whole run; {how}; DNS queries to "
                           f"loopback name servers recorded: {servers}", fd, recorder, capture)


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        flags = struct.unpack("16sh", fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack("16sh", b"lo", 0)))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | IFF_UP))


def _no_route_counters() -> tuple[int, int]:
    """(IPv4 OutNoRoutes, IPv6 Ip6OutNoRoutes) of the calling thread's network namespace."""
    lines = Path("/proc/thread-self/net/snmp").read_text().splitlines()
    ip = [line.split() for line in lines if line.startswith("Ip:")]
    v4 = int(dict(zip(ip[0][1:], ip[1][1:]))["OutNoRoutes"])
    v6 = 0
    snmp6 = Path("/proc/thread-self/net/snmp6")
    if snmp6.exists():
        v6 = int(dict(line.split() for line in snmp6.read_text().splitlines() if line.strip()).get("Ip6OutNoRoutes", 0))
    return v4, v6


def _loopback_name_servers() -> list[str]:
    try:
        lines = RESOLV_CONF.read_text().splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "nameserver":
            try:
                if ipaddress.ip_address(parts[1].split("%")[0]).is_loopback:
                    found.append(parts[1].split("%")[0])
            except ValueError:
                pass
    return found


def _query_name(packet: bytes) -> str:
    labels, i = [], 12
    while i < len(packet) and packet[i]:
        labels.append(packet[i + 1:i + 1 + packet[i]].decode(errors="replace"))
        i += 1 + packet[i]
    return ".".join(labels) or "?"


class _DnsRecorder:
    """UDP port 53 on the loopback name servers, inside the namespace: notes each query's name, answers REFUSED."""

    def __init__(self, addresses: list[str]):
        self.queries: list[str] = []
        self.sockets = []
        self.addresses = []
        for address in addresses:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            s = socket.socket(family, socket.SOCK_DGRAM)
            try:
                s.bind((address, 53))
            except OSError:
                s.close()
                continue
            self.sockets.append(s)
            self.addresses.append(address)
        self._stop = False
        if self.sockets:
            threading.Thread(target=self._serve, name="recipebook-dns-recorder", daemon=True).start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                ready, _, _ = select.select(self.sockets, [], [], 0.5)
            except (OSError, ValueError):
                return
            for s in ready:
                try:
                    packet, peer = s.recvfrom(4096)
                except OSError:
                    continue
                if len(packet) < 12:
                    continue
                self.queries.append(_query_name(packet))
                flags = struct.unpack("!H", packet[2:4])[0]
                answer = packet[:2] + struct.pack("!H", 0x8000 | (flags & 0x7900) | 5) + packet[4:6] + b"\0" * 6 + packet[12:]
                try:
                    s.sendto(answer, peer)
                except OSError:
                    pass

    def close(self) -> None:
        self._stop = True
        for s in self.sockets:
            s.close()


TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454CA, 0x0001, 0x1000
TUN_NAME = "rbout0"
TUN_ADDRESS = "192.0.2.1/32"  # TEST-NET-1 (RFC 5737): never a real host
_NOISE = {2, 58}  # IGMP, ICMPv6 (router solicitations, multicast listener reports the kernel sends on its own)


class _TunCapture:
    """The namespace's default routes lead into a TUN device; this reads what arrives there and answers nothing.

    Created from the thread that is in the new namespace (the device and its routes belong to it)."""

    def __init__(self):
        self.packets: list[str] = []
        self.fd = os.open("/dev/net/tun", os.O_RDWR)
        try:
            fcntl.ioctl(self.fd, TUNSETIFF, struct.pack("16sH", TUN_NAME.encode(), IFF_TUN | IFF_NO_PI))
            for command in (["link", "set", TUN_NAME, "up"], ["addr", "add", TUN_ADDRESS, "dev", TUN_NAME],
                            ["route", "add", "default", "dev", TUN_NAME]):
                subprocess.run(["ip", *command], check=True, capture_output=True, timeout=10)
            # IPv6 too, when the namespace has it (a kernel booted with ipv6.disable=1 has not)
            subprocess.run(["ip", "-6", "route", "add", "default", "dev", TUN_NAME], capture_output=True, timeout=10)
        except BaseException:
            os.close(self.fd)
            raise
        self._stop = False
        threading.Thread(target=self._read, name="recipebook-packet-recorder", daemon=True).start()

    def _read(self) -> None:
        while not self._stop:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.5)
                if ready:
                    described = describe_packet(os.read(self.fd, 65535))
                    if described:
                        self.packets.append(described)
            except (OSError, ValueError):
                return

    def close(self) -> None:
        self._stop = True
        try:
            os.close(self.fd)
        except OSError:
            pass


def describe_packet(packet: bytes) -> str | None:
    """'TCP 10.255.255.1:443', 'UDP 10.0.0.2:53 (DNS lookup of example.com)'; None for the kernel's own link noise."""
    if not packet:
        return None
    version = packet[0] >> 4
    if version == 4 and len(packet) >= 20:
        header, proto, dst = (packet[0] & 0x0F) * 4, packet[9], str(ipaddress.IPv4Address(packet[16:20]))
    elif version == 6 and len(packet) >= 40:
        header, proto, dst = 40, packet[6], f"[{ipaddress.IPv6Address(packet[24:40])}]"
    else:
        return None
    if proto in _NOISE:
        return None
    name = {6: "TCP", 17: "UDP", 1: "ICMP", 58: "ICMPv6"}.get(proto, f"IP protocol {proto}")
    if proto not in (6, 17) or len(packet) < header + 4:
        return f"{name} {dst}"
    port = struct.unpack("!H", packet[header + 2:header + 4])[0]
    text = f"{name} {dst}:{port}"
    if proto == 17 and port == 53 and len(packet) > header + 8 + 12:
        text += f" (DNS lookup of {_query_name(packet[header + 8:])})"
    return text

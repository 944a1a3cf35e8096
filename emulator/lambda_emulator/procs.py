"""The processes of execution environments, read from /proc (Linux, unprivileged, no cgroups):
which processes belong to an environment (descendants of its roots, and orphans it left),
which process holds the other end of a loopback TCP connection, memory in use, and the
emulator as "child subreaper" so that no descendant escapes to init (a handler's child
that calls setsid and is orphaned becomes the emulator's child, and can be found and
killed with its environment)."""
import ctypes
import os
import socket
import struct

PR_SET_CHILD_SUBREAPER = 36
MARKER_VAR = b"AWS_LAMBDA_LOG_STREAM_NAME="   # unique per environment (a UUID)


def become_subreaper():
    """Make orphaned descendants children of this process instead of init. False when
    the kernel refuses (then setsid children of a dead runtime are found by their
    environment marker only while alive)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


class Proc:
    __slots__ = ("pid", "ppid", "state", "start")

    def __init__(self, pid, ppid, state, start):
        self.pid, self.ppid, self.state, self.start = pid, ppid, state, start


def read_proc(pid):
    """(ppid, state, start time in ticks) of pid, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read()
    except OSError:
        return None
    # the command name may hold spaces and parentheses: fields start after the last ')'
    rest = data[data.rfind(b")") + 2:].split()
    try:
        return Proc(pid, int(rest[1]), rest[0].decode("ascii", "replace"), int(rest[19]))
    except (IndexError, ValueError):
        return None


def snapshot():
    """Every process of the system: {pid: Proc}."""
    table = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            p = read_proc(int(name))
            if p is not None:
                table[p.pid] = p
    return table


def descendants(table, roots):
    """pids in table below any of roots (the roots excluded)."""
    children = {}
    for p in table.values():
        children.setdefault(p.ppid, []).append(p.pid)
    out, stack = set(), list(roots)
    for _ in range(len(table) + len(stack)):
        if not stack:
            break
        for c in children.get(stack.pop(), ()):
            if c not in out and c not in roots:
                out.add(c)
                stack.append(c)
    return out


def has_marker(pid, marker):
    """True when the environment of pid (as it started) carries marker."""
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            data = f.read(1 << 20)
    except OSError:
        return False
    return (b"\0" + marker + b"\0") in (b"\0" + data + b"\0")


def memory_kb(pid):
    """(VmHWM, VmRSS, VmSize) of pid in KiB, None values when unknown."""
    values = {}
    try:
        with open("/proc/%d/status" % pid, "rb") as f:
            for line in f:
                if line.startswith((b"VmHWM:", b"VmRSS:", b"VmSize:")):
                    key, val = line.split(b":", 1)
                    values[key] = int(val.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return values.get(b"VmHWM"), values.get(b"VmRSS"), values.get(b"VmSize")


def _hex_endpoint(text):
    addr, port = text.split(":")
    return bytes.fromhex(addr), int(port, 16)


NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 1
NLMSG_ERROR = 2


def _diag_inode(family, local, remote):
    """The inode of the TCP socket whose own end is local and other end is remote (host,
    port), asked of the kernel with one sock_diag lookup (no privilege needed); None when
    unavailable."""
    def addr(host):
        if family == socket.AF_INET:
            return socket.inet_pton(family, host) + b"\0" * 12
        return socket.inet_pton(family, host)
    try:
        req = struct.pack("=BBBBI", family, socket.IPPROTO_TCP, 0, 0, 0xFFFFFFFF)
        req += struct.pack(">HH", local[1], remote[1]) + addr(local[0]) + addr(remote[0])
        req += struct.pack("=III", 0, 0xFFFFFFFF, 0xFFFFFFFF)
        msg = struct.pack("=IHHII", 16 + len(req), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, 1, 0) + req
        with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG) as nl:
            nl.settimeout(1.0)
            nl.send(msg)
            data = nl.recv(65536)
    except (OSError, AttributeError, ValueError, struct.error):
        return None
    if len(data) < 16:
        return None
    _length, mtype = struct.unpack_from("=IH", data, 0)
    if mtype != SOCK_DIAG_BY_FAMILY or len(data) < 88:
        return None
    return struct.unpack_from("=I", data, 84)[0] or None


def peer_socket_inode(sock):
    """The inode of the socket at the other end of a loopback TCP connection accepted on
    sock: one sock_diag lookup, else read from /proc/net/tcp{,6}; None when not found."""
    try:
        peer = sock.getpeername()
        own = sock.getsockname()
    except OSError:
        return None
    inode = _diag_inode(sock.family, peer[:2], own[:2])
    if inode is not None:
        return inode
    peer_port, own_port = peer[1], own[1]
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, "r", encoding="ascii", errors="replace") as f:
                next(f, None)
                for line in f:
                    fields = line.split()
                    if len(fields) < 10:
                        continue
                    try:
                        _la, lport = _hex_endpoint(fields[1])
                        _ra, rport = _hex_endpoint(fields[2])
                    except ValueError:
                        continue
                    if lport == peer_port and rport == own_port:
                        return int(fields[9]) or None
        except OSError:
            continue
    return None


def holds_socket(pid, inode):
    """True when pid has an open descriptor on socket inode."""
    want = "socket:[%d]" % inode
    base = "/proc/%d/fd" % pid
    try:
        names = os.listdir(base)
    except OSError:
        return False
    for name in names:
        try:
            if os.readlink(os.path.join(base, name)) == want:
                return True
        except OSError:
            continue
    return False


def loopback(addr):
    try:
        packed = socket.inet_pton(socket.AF_INET, addr)
        return packed[0] == 127
    except OSError:
        pass
    try:
        packed = socket.inet_pton(socket.AF_INET6, addr)
    except OSError:
        return False
    if packed == b"\0" * 15 + b"\1":
        return True
    return packed[:12] == b"\0" * 10 + b"\xff\xff" and packed[12] == 127


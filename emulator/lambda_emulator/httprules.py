"""The rules a request head must pass before it is served, on every port: header lines the
standard parser would only half read, strict body framing (Content-Length digits only,
conflicting duplicates refused, only exactly `chunked`) and the Host/Origin policy against
DNS rebinding and cross-origin requests."""
import ipaddress
import re


class FramingError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


_CONTENT_LENGTH_RE = re.compile(r"[0-9]{1,18}\Z")


class LineRecorder:
    """Wraps rfile while the standard parser reads a request head, keeping its lines."""

    def __init__(self, rfile):
        self.rfile = rfile
        self.lines = []

    def readline(self, limit=-1):
        line = self.rfile.readline(limit)
        if len(self.lines) < 128:
            self.lines.append(line)
        return line

    def __getattr__(self, name):
        return getattr(self.rfile, name)


def check_header_lines(headers, raw_lines=()):
    """Raises FramingError for a head the standard parser only half read: a malformed line
    (whitespace before the colon) ends its headers there and leaves the rest as body; a bare
    CR splits one line in two; a folded line (obs-fold) or a NUL hides a header inside
    another's value."""
    if headers.defects or headers.get_payload():
        raise FramingError(400, "Malformed header line")
    for line in raw_lines:
        if b"\r" in line.rstrip(b"\r\n") or line.endswith(b"\r\r\n"):
            raise FramingError(400, "Bare CR in a header line")
    for _name, value in headers.items():
        if "\n" in value or "\r" in value or "\0" in value:
            raise FramingError(400, "Folded or invalid header value")


def parse_framing(headers):
    """How the body of a request is framed: ("chunked", None), ("length", N) or ("none", 0).
    Raises FramingError for anything a proxy in front could read differently: a
    Content-Length that is not plain digits, two different Content-Lengths, a
    Transfer-Encoding other than exactly `chunked`, or both headers at once."""
    te = headers.get_all("Transfer-Encoding") or []
    cl = headers.get_all("Content-Length") or []
    if te:
        if cl:
            raise FramingError(400, "Transfer-Encoding and Content-Length together")
        codings = [c.strip().lower() for v in te for c in v.split(",")]
        if codings != ["chunked"]:
            raise FramingError(501, "Unsupported Transfer-Encoding: %s" % ", ".join(te))
        return "chunked", None
    if not cl:
        return "none", 0
    values = set()
    for v in cl:
        for item in v.split(","):
            item = item.strip(" \t")
            if not _CONTENT_LENGTH_RE.match(item):
                raise FramingError(400, "Invalid Content-Length: %r" % v)
            values.add(int(item))
    if len(values) != 1:
        raise FramingError(400, "Conflicting Content-Length values")
    return "length", values.pop()


def _host_name_port(value):
    """Split a Host (or Origin authority) into (lower-case name, port text or ""); None if malformed."""
    value = value.strip()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1:]
        try:
            ipaddress.IPv6Address(name)
        except ValueError:
            return None
    else:
        name, sep, port = value.partition(":")
        rest = sep + port
    if rest and not re.fullmatch(r":[0-9]{1,5}", rest):
        return None
    return name.lower().rstrip("."), rest[1:]


class HostPolicy:
    """Which Host and Origin headers a server answers (DNS-rebinding and cross-origin
    protection): Host must be an IP address, `localhost`, or a name given with
    --allow-host; a request carrying an Origin (or Sec-Fetch-Site) is answered only when it
    comes from the same origin as its Host."""

    def __init__(self, extra_names=()):
        self.names = {"localhost"} | {n.lower().rstrip(".") for n in extra_names}

    def host_ok(self, value):
        parsed = _host_name_port(value)
        if parsed is None or not parsed[0]:
            return False
        name = parsed[0]
        if name in self.names:
            return True
        try:
            ipaddress.ip_address(name)
            return True
        except ValueError:
            return False

    def refusal(self, headers):
        """None when the request may be served, else the reason it is refused."""
        hosts = headers.get_all("Host") or []
        if len(hosts) > 1:
            return "More than one Host header"
        if hosts and not self.host_ok(hosts[0]):
            return "Host %r is not a local address (use --allow-host to admit a name)" % hosts[0]
        site = (headers.get("Sec-Fetch-Site") or "").strip().lower()
        if site and site not in ("same-origin", "none"):
            return "Cross-site request refused (Sec-Fetch-Site: %s)" % site
        origins = headers.get_all("Origin") or []
        if origins:
            origin = origins[0].strip().lower()
            scheme, sep, authority = origin.partition("://")
            own = _host_name_port(hosts[0]) if hosts else None
            theirs = _host_name_port(authority) if sep and scheme in ("http", "https") else None
            if len(origins) > 1 or own is None or theirs is None or own != theirs:
                return "Cross-origin request refused (Origin: %s)" % origins[0]
        return None

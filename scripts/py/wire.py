"""Socket helpers shared by the readiness probes (cql_ping.py, kafka_ping.py)."""


def read_exact(sock, n):
    """Read exactly n bytes from sock, or raise ConnectionError when the peer closes first."""
    buf = b""
    while len(buf) < n:
        part = sock.recv(n - len(buf))
        if not part:
            raise ConnectionError("connection closed by the server")
        buf += part
    return buf

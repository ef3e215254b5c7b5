#!/usr/bin/env python3
"""Ask a CQL server for its release_version over the native protocol (v4).

Used by scripts/cassandra to decide that a node is really up: the TCP port being open is
not enough, the node must answer a query. Standard library only, so it works before the
virtualenv exists. Exit 0 and print the version on success, exit 1 with the reason on
failure.

usage: cql_ping.py HOST PORT [--ca CA_PEM] [--user U --password P] [--timeout S]
"""

import argparse
import socket
import ssl
import struct
import sys

from wire import read_exact

# Opcodes of the native protocol (doc/native_protocol_v4.spec in the Cassandra tree).
ERROR, STARTUP, READY, AUTHENTICATE, QUERY, RESULT = 0x00, 0x01, 0x02, 0x03, 0x07, 0x08
AUTH_CHALLENGE, AUTH_RESPONSE, AUTH_SUCCESS = 0x0E, 0x0F, 0x10
VERSION = 0x04


def frame(stream, opcode, body):
    return struct.pack(">BBhBi", VERSION, 0, stream, opcode, len(body)) + body


def read_frame(sock):
    header = read_exact(sock, 9)
    _version, _flags, _stream, opcode, length = struct.unpack(">BBhBi", header)
    return opcode, read_exact(sock, length)


def short_string(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b


def error_text(body):
    code = struct.unpack(">i", body[:4])[0]
    (n,) = struct.unpack(">H", body[4:6])
    return "server error 0x%04x: %s" % (code, body[6 : 6 + n].decode(errors="replace"))


class Reader:
    def __init__(self, body):
        self.b, self.i = body, 0

    def int(self):
        (v,) = struct.unpack(">i", self.b[self.i : self.i + 4])
        self.i += 4
        return v

    def short(self):
        (v,) = struct.unpack(">H", self.b[self.i : self.i + 2])
        self.i += 2
        return v

    def string(self):
        n = self.short()
        s = self.b[self.i : self.i + n].decode()
        self.i += n
        return s

    def bytes(self):
        n = self.int()
        if n < 0:
            return None
        v = self.b[self.i : self.i + n]
        self.i += n
        return v


def first_text_cell(body):
    """The first cell of a Rows result whose single column is text."""
    r = Reader(body)
    if r.int() != 2:  # kind Rows
        raise ValueError("unexpected result kind")
    flags, ncols = r.int(), r.int()
    if flags & 0x02:  # has_more_pages: paging state
        r.bytes()
    if flags & 0x01:  # global_tables_spec
        r.string(), r.string()
    for _ in range(ncols):
        if not flags & 0x01:
            r.string(), r.string()
        r.string()
        r.short()  # type id: varchar has no extra option
    if r.int() < 1:
        raise ValueError("no rows in system.local")
    return r.bytes().decode()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--ca")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--timeout", type=float, default=5.0)
    a = p.parse_args()

    sock = socket.create_connection((a.host, a.port), timeout=a.timeout)
    if a.ca:
        ctx = ssl.create_default_context(cafile=a.ca)
        sock = ctx.wrap_socket(sock, server_hostname=a.host)
    body = struct.pack(">H", 1) + short_string("CQL_VERSION") + short_string("3.0.0")
    sock.sendall(frame(1, STARTUP, body))
    op, body = read_frame(sock)
    if op == AUTHENTICATE:
        if a.user is None:
            raise SystemExit("server wants authentication; pass --user/--password")
        token = b"\0" + a.user.encode() + b"\0" + a.password.encode()
        sock.sendall(frame(2, AUTH_RESPONSE, struct.pack(">i", len(token)) + token))
        op, body = read_frame(sock)
        if op != AUTH_SUCCESS:
            raise SystemExit(error_text(body) if op == ERROR else "authentication failed (opcode %d)" % op)
    elif op != READY:
        raise SystemExit(error_text(body) if op == ERROR else "unexpected opcode %d after STARTUP" % op)
    q = b"SELECT release_version FROM system.local"
    body = struct.pack(">i", len(q)) + q + struct.pack(">HB", 0x0001, 0)
    sock.sendall(frame(3, QUERY, body))
    op, body = read_frame(sock)
    if op != RESULT:
        raise SystemExit(error_text(body) if op == ERROR else "unexpected opcode %d after QUERY" % op)
    print(first_text_cell(body))


if __name__ == "__main__":
    try:
        main()
    except (OSError, ValueError) as e:
        print("cql_ping: %s" % e, file=sys.stderr)
        sys.exit(1)

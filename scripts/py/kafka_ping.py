#!/usr/bin/env python3
"""Ask a Kafka broker for its API versions (ApiVersions v0) and check it answers without error.

Used by scripts/kafka to decide the broker is up: Kafka answers ApiVersions at every
protocol level, so this works whatever the broker's version. Standard library only.
usage: kafka_ping.py HOST PORT   (exit 0 and print the number of APIs on success)
"""

import socket
import struct
import sys

from wire import read_exact

API_VERSIONS = 18


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    client_id = b"ksbulk-stack"
    # Request header v1: api_key, api_version, correlation_id, client_id; empty v0 body.
    req = struct.pack(">hhih", API_VERSIONS, 0, 7, len(client_id)) + client_id
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(struct.pack(">i", len(req)) + req)
        (size,) = struct.unpack(">i", read_exact(sock, 4))
        body = read_exact(sock, size)
    correlation_id, error_code, count = struct.unpack(">ihi", body[:10])
    if correlation_id != 7:
        raise ValueError("unexpected correlation id %d" % correlation_id)
    if error_code != 0:
        raise ValueError("ApiVersions error code %d" % error_code)
    print(count)


if __name__ == "__main__":
    try:
        main()
    except (OSError, ValueError, struct.error) as e:
        print("kafka_ping: %s" % e, file=sys.stderr)
        sys.exit(1)

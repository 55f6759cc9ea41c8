#!/usr/bin/python3
"""Say how a TCP port answers: open, refused or dropped (no answer in 3 s).

Usage: port_probe.py HOST PORT...  Prints one JSON object, port -> outcome.
"""

import json
import socket
import sys


def probe(host: str, port: int) -> str:
    try:
        with socket.create_connection((host, port), timeout=3):
            return "open"
    except TimeoutError:
        return "dropped"
    except ConnectionRefusedError:
        return "refused"
    except OSError as exc:
        return f"error: {exc.strerror}"


host = sys.argv[1]
print(json.dumps({port: probe(host, int(port)) for port in sys.argv[2:]}))

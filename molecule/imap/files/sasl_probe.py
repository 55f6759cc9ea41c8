#!/usr/bin/python3
"""Authenticate against Dovecot's auth service as Postfix does.

Speaks the Dovecot authentication protocol (version 1.2) over TCP: VERSION
and CPID, then one AUTH PLAIN request. With --secured the request says,
as Postfix does after STARTTLS, that the end user's session is encrypted.
Prints JSON with the server's verdict line.
"""

import argparse
import base64
import json
import os
import socket


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("user")
    parser.add_argument("password")
    parser.add_argument("--secured", action="store_true")
    args = parser.parse_args()

    result = {"handshake": [], "verdict": None}
    try:
        with socket.create_connection((args.host, args.port), timeout=30) as sock:
            reader = sock.makefile("r", encoding="utf-8", newline="\n")
            sock.sendall(f"VERSION\t1\t2\nCPID\t{os.getpid()}\n".encode())
            for raw in reader:
                line = raw.rstrip("\n")
                result["handshake"].append(line.split("\t")[0])
                if line == "DONE":
                    break
            token = base64.b64encode(
                f"\0{args.user}\0{args.password}".encode()
            ).decode()
            fields = ["AUTH", "1", "PLAIN", "service=smtp", "nologin"]
            if args.secured:
                fields.append("secured")
            fields.append(f"resp={token}")
            sock.sendall(("\t".join(fields) + "\n").encode())
            line = reader.readline().rstrip("\n")
            result["verdict"] = line.split("\t")[0]
            result["reply"] = [f for f in line.split("\t") if not f.startswith("resp=")]
    except OSError as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(result))


if __name__ == "__main__":
    main()

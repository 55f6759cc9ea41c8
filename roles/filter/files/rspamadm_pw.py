# Run `rspamadm pw` with the password typed at its prompt.
#
# rspamadm reads the password from the controlling terminal only, so this
# helper gives it a pseudo-terminal, waits for the prompt and types the
# password it reads from its own standard input: the password never
# appears in a process list. Arguments: "encrypt", or "check" and a hash.
# Exit status is rspamadm's; "encrypt" prints the new hash.
import os
import pty
import sys

mode = sys.argv[1]
argv = ["rspamadm", "pw", "--quiet"]
if mode == "check":
    argv += ["--check", "--password", sys.argv[2]]
else:
    argv += ["--encrypt"]

secret = sys.stdin.read().rstrip("\n").encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)  # noqa: S606 - the child becomes rspamadm on the pty

output = b""
typed = False
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    output += chunk
    if not typed and b"passphrase:" in output:
        os.write(fd, secret + b"\n")
        output = b""
        typed = True

status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
for line in output.decode(errors="replace").splitlines():
    if line.startswith("$"):
        print(line.strip())
sys.exit(status if typed else 2)

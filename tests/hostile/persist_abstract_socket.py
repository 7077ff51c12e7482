"""Attack: binds an abstract unix socket named after its marker and leaves a forked, detached
process listening on it, so that the next submission could talk to it (or the socket outlive
the submission). Under the fallback abstract sockets are the machine's: creating one is refused.
The detector tries to connect.

portable: not contained: abstract unix sockets are the machine's, and a detached listener may outlive the watch of the process tree
expect: contained
probe: persist
"""
import torch

os = torch.os
socket = torch.sys.modules["importlib"].import_module("socket")
try:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind("\0__MARKER__")
    server.listen(4)
except OSError:
    server = None
if server is not None and os.fork() == 0:
    os.setsid()
    while True:
        try:
            conn, _ = server.accept()
            conn.sendall(b"hello from the last submission\n")
            conn.close()
        except OSError:
            pass


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)

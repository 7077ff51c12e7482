"""Attack: opens the network: a TCP connection to a port the grader's machine listens on
(127.0.0.1), a UDP datagram to it, and a DNS-style datagram to 8.8.8.8, sending the marker.
Then it answers correctly.

Only the namespace level can hold: the process fallback shares the machine's network.
needs: namespaces
expect: contained
policy: refused
probe: network
"""
import torch

socket = torch.sys.modules.get("socket") or torch.sys.modules["importlib"].import_module("socket")

try:
    conn = socket.create_connection(("127.0.0.1", __PORT__), timeout=1)
    conn.sendall(b"__MARKER__")
    conn.close()
    print("BREACH: connected to 127.0.0.1", flush=True)
except OSError:
    pass
for host in ("127.0.0.1", "8.8.8.8"):
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(b"__MARKER__", (host, __PORT__ if host == "127.0.0.1" else 53))
        s.close()
    except OSError:
        pass


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)

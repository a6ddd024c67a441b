"""Free loopback ports for services started by tests."""
import socket


def free_port(host: str = "127.0.0.1") -> int:
    """A port the kernel says is free now (a tiny race remains; services start right after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]

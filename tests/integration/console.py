"""A --console-socket peer for tests: receives the pty master the runtime
sends with SCM_RIGHTS, the way containerd's and podman's do."""

import os
import socket
import threading


class ConsoleSocket:
    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(1)
        self.master = None
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        conn, _ = self.sock.accept()
        with conn:
            _msg, fds, _flags, _addr = socket.recv_fds(conn, 1024, 1)
            if fds:
                self.master = fds[0]

    def wait_master(self, timeout=10):
        self._thread.join(timeout)
        assert self.master is not None, "no pty master received"
        return self.master

    def read_until(self, needle, timeout=10):
        """Read from the master until needle shows up; returns the text."""
        import select
        import time
        data = b""
        deadline = time.time() + timeout
        while needle.encode() not in data and time.time() < deadline:
            r, _, _ = select.select([self.master], [], [], 0.1)
            if r:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                data += chunk
        return data.decode(errors="replace")

    def close(self):
        if self.master is not None:
            os.close(self.master)
        self.sock.close()

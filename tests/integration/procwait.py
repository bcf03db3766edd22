"""Waiting for processes from the kernel's side, with a deadline and no
fixed sleeps: a pidfd becomes readable when its process has exited."""

import os
import select
import time


def pidfds(pids):
    """pidfds of the given processes, opened now: they keep naming these
    processes even if the pids are reused later."""
    return {pid: os.pidfd_open(pid) for pid in pids}


def wait_exited(fds, timeout=10):
    """Wait until every process of pidfds() has exited; returns the pids
    still alive at the deadline (and closes the fds)."""
    poller = select.poll()
    for fd in fds.values():
        poller.register(fd, select.POLLIN)
    alive = dict(fds)
    deadline = time.monotonic() + timeout
    while alive and time.monotonic() < deadline:
        for fd, _ in poller.poll(max(0, int((deadline - time.monotonic()) * 1000))):
            poller.unregister(fd)
            alive = {p: f for p, f in alive.items() if f != fd}
    for fd in fds.values():
        os.close(fd)
    return sorted(alive)


def wait_for(predicate, timeout=10):
    """Poll predicate() until it returns something true or the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


def children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(p) for p in f.read().split()]

"""podman container checkpoint/restore with tinyrun (podman calls
`tinyrun checkpoint --image-path ... --work-path ...` and conmon
`tinyrun restore --bundle --pid-file --detach --image-path ...`).  Needs a
criu that works on this kernel: Debian's 3.17.1 does not on Linux 6.13
and later; tests/vm/run-checkpoint-tests runs it in the VM."""

import os
import subprocess

import pytest

from conftest import wait_until
from test_podman import pid_of, run, status


def criu_works():
    try:
        return subprocess.run(["criu", "check"], capture_output=True, timeout=60).returncode == 0
    except FileNotFoundError:
        return False


pytestmark = pytest.mark.skipif(not criu_works(), reason="criu check fails on this kernel (see test_checkpoint.py)")


def test_podman_checkpoint_and_restore(podman):
    name = "tr-ck-podman"
    run(podman, "-d", "--name", name, "--network", "none", "localhost/tinyrun-busybox:latest", "sh", "-c",
        "i=0; while true; do i=$((i+1)); echo $i > /tmp/count; usleep 100000; done", check=True)
    try:
        before = pid_of(podman, name)
        after = checkpoint_and_restore(podman, name, before)
        count = restored_count(after)
        assert count > 1
    finally:
        podman("rm", "-f", "-t", "0", name)


def restored_count(pid):
    """The counter the restored loop keeps in /tmp/count.  Empty while the
    shell is between the truncation and the write of `echo $i >
    /tmp/count` (the checkpoint may have caught it there): read again until
    the loop, running again, has written it."""
    path = f"/proc/{pid}/root/tmp/count"
    assert wait_until(lambda: open(path).read().strip() != "", timeout=30)
    return int(open(path).read())


def checkpoint_and_restore(podman, name, before):
    """podman container checkpoint (the container exits), then restore
    (running again, as a new process); the restored init's pid."""
    proc = podman("container", "checkpoint", name)
    assert proc.returncode == 0, proc.stderr
    assert status(podman, name) == "exited"
    proc = podman("container", "restore", name)
    assert proc.returncode == 0, proc.stderr
    assert status(podman, name) == "running"
    after = pid_of(podman, name)
    assert after != before
    return after


def test_podman_checkpoint_and_restore_with_a_terminal(podman):
    """podman run -t: conmon holds the pty master (--console-socket); the
    restored init writes to a new pty whose master the new conmon got, so
    what it prints after the restore reaches podman logs."""
    name = "tr-ck-podman-tty"
    run(podman, "-d", "-t", "--name", name, "--network", "none", "localhost/tinyrun-busybox:latest", "sh", "-c",
        "i=0; while true; do i=$((i+1)); echo $i > /tmp/count; echo tick$i; usleep 100000; done", check=True)
    try:
        before = pid_of(podman, name)
        assert wait_until(lambda: "tick3" in podman("logs", name).stdout, timeout=60)
        after = checkpoint_and_restore(podman, name, before)
        count = restored_count(after)
        assert wait_until(lambda: f"tick{count + 1}" in podman("logs", name).stdout, timeout=60)
        # fd 2: the loop's `echo $i > /tmp/count` points the shell's own fd 1
        # at /tmp/count while that builtin runs
        assert os.readlink(f"/proc/{after}/fd/2").startswith("/dev/pts/")
    finally:
        podman("rm", "-f", "-t", "0", name)

"""containerd (ctr, through containerd-shim-runc-v2) with tinyrun as the
runc binary."""

import os
import shlex
import shutil
import subprocess
import time

import pytest

from conftest import IMAGE, cgroup_file, state_of

RUNC_ROOT = "/run/containerd/runc/default"


def test_run_rm(containerd):
    proc = containerd(*containerd.run_args("--rm", IMAGE, "ctr-rm", "sh", "-c", "echo hi; exit 3"))
    assert proc.stdout == "hi\n"
    assert proc.returncode == 3


def test_detached_task_lifecycle(containerd):
    name = "ctr-life"
    containerd(*containerd.run_args("-d", IMAGE, name, "sleep", "300"), check=True)
    try:
        assert name in containerd("task", "ls", check=True).stdout
        pids = containerd("task", "ps", name, check=True).stdout
        assert len(pids.splitlines()) >= 2
        proc = containerd("task", "exec", "--exec-id", "e1", name, "sh", "-c", "echo in-exec; exit 5")
        assert proc.stdout == "in-exec\n" and proc.returncode == 5
        containerd("task", "pause", name, check=True)
        assert "PAUSED" in containerd("task", "ls", check=True).stdout
        containerd("task", "resume", name, check=True)
        assert "RUNNING" in containerd("task", "ls", check=True).stdout
        containerd("task", "kill", "-s", "KILL", name, check=True)
        deadline = time.time() + 10
        while time.time() < deadline and "STOPPED" not in containerd("task", "ls").stdout:
            time.sleep(0.1)
        assert "STOPPED" in containerd("task", "ls").stdout
    finally:
        containerd("task", "delete", "-f", name)
        containerd("container", "delete", name)
    assert not os.path.exists(os.path.join(RUNC_ROOT, name))


def test_memory_limit(containerd):
    name = "ctr-mem"
    containerd(*containerd.run_args("-d", "--memory-limit", str(64 << 20), IMAGE, name, "sleep", "300"),
               check=True)
    try:
        cg = state_of(name, RUNC_ROOT)["cgroupPath"]
        f = cgroup_file(cg, "memory", "memory.max" if os.path.exists("/sys/fs/cgroup/cgroup.controllers")
                        else "memory.limit_in_bytes")
        assert open(f).read().strip() == str(64 << 20)
    finally:
        containerd("task", "kill", "-s", "KILL", name)
        time.sleep(0.5)
        containerd("task", "delete", "-f", name)
        containerd("container", "delete", name)


@pytest.mark.skipif(shutil.which("script") is None, reason="util-linux script(1) missing")
def test_tty(containerd):
    cmd = shlex.join(containerd.argv(*containerd.run_args("--rm", "-t", IMAGE, "ctr-tty", "sh", "-c",
                                                          "tty; read x; echo got:$x; exit 2")))
    proc = subprocess.run(["script", "-qec", cmd, "/dev/null"], input="yes\n", capture_output=True, text=True,
                          timeout=120)
    assert "/dev/pts/0" in proc.stdout and "got:yes" in proc.stdout
    assert proc.returncode == 2


def test_error_shows_tinyrun_message(containerd):
    proc = containerd(*containerd.run_args("--rm", IMAGE, "ctr-err", "/no/such/binary"))
    assert proc.returncode != 0
    assert 'exec: "/no/such/binary"' in proc.stderr
    containerd("container", "delete", "ctr-err")

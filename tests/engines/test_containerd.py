"""containerd 1.6 (ctr, through containerd-shim-runc-v2) with tinyrun as the
runc binary and containerd's default configuration."""

import os
import shutil
import time

import pytest

from conftest import CAP_SYS_ADMIN, IMAGE, cap_eff, cgroup_value, in_pty, wait_until

needs_script = pytest.mark.skipif(shutil.which("script") is None, reason="util-linux script(1) missing")


def run(c, name, *args, **kw):
    """ctr run --rm name args...; args before IMAGE are options."""
    return c(*c.run_args("--rm", *args[:-1], IMAGE, name, *args[-1]), **kw)


def task_pid(c, name):
    for line in c("task", "ls", check=True).stdout.splitlines()[1:]:
        fields = line.split()
        if fields[0] == name:
            return int(fields[1])
    raise AssertionError(f"no task {name}")


def task_status(c, name):
    for line in c("task", "ls").stdout.splitlines()[1:]:
        fields = line.split()
        if fields[0] == name:
            return fields[2]
    return None


@pytest.fixture
def task(containerd):
    name = "ctr-t-%d" % (time.time_ns() % 10**9)
    containerd(*containerd.run_args("-d", IMAGE, name, "sh", "-c",
                                    "trap 'echo usr1 >> /tmp/sig' USR1; while true; do sleep 0.2; done"), check=True)
    yield name
    containerd("task", "kill", "-s", "KILL", name)
    wait_until(lambda: task_status(containerd, name) in ("STOPPED", None), 10)
    containerd("task", "delete", "-f", name)
    containerd("container", "delete", name)


def test_run_rm_exit_code(containerd):
    proc = run(containerd, "ctr-rm", ["sh", "-c", "echo hi; echo err >&2; exit 3"])
    assert (proc.stdout, proc.returncode) == ("hi\n", 3), proc.stderr
    assert "err" in proc.stderr


def test_run_stdin(containerd):
    proc = run(containerd, "ctr-in", ["sh", "-c", "read x; echo got:$x"], input="hello\n")
    assert proc.stdout == "got:hello\n", proc.stderr


@needs_script
def test_tty(containerd):
    proc = in_pty(containerd.argv(*containerd.run_args("--rm", "-t", IMAGE, "ctr-tty", "sh", "-c",
                                                       "tty; read x; echo got:$x; exit 2")), input="yes\n")
    assert "/dev/pts/0" in proc.stdout and "got:yes" in proc.stdout, proc.stdout
    assert proc.returncode == 2


def test_task_ls_ps(containerd, task):
    assert task_status(containerd, task) == "RUNNING"
    assert len(containerd("task", "ps", task, check=True).stdout.splitlines()) >= 2


def test_exec_exit_code(containerd, task):
    proc = containerd("task", "exec", "--exec-id", "e1", task, "sh", "-c", "echo in-exec; exit 5")
    assert (proc.stdout, proc.returncode) == ("in-exec\n", 5), proc.stderr


def test_exec_user_cwd(containerd, task):
    proc = containerd("task", "exec", "--exec-id", "e2", "--user", "65534", "--cwd", "/tmp", task,
                      "sh", "-c", 'echo "$(id -u) $(pwd)"')
    assert proc.stdout == "65534 /tmp\n", proc.stderr


@needs_script
def test_exec_tty(containerd, task):
    proc = in_pty(containerd.argv("task", "exec", "-t", "--exec-id", "e3", task, "sh", "-c",
                                  "tty; read x; echo got:$x; exit 4"), input="yes\n")
    assert "/dev/pts/" in proc.stdout and "got:yes" in proc.stdout, proc.stdout
    assert proc.returncode == 4


def test_pause_resume(containerd, task):
    containerd("task", "pause", task, check=True)
    assert task_status(containerd, task) == "PAUSED"
    assert cgroup_value(task_pid(containerd, task), "freezer", "freezer.state") == "FROZEN"
    containerd("task", "resume", task, check=True)
    assert task_status(containerd, task) == "RUNNING"


def test_kill_signal(containerd, task):
    containerd("task", "kill", "-s", "USR1", task, check=True)
    assert wait_until(lambda: containerd("task", "exec", "--exec-id", "e4", task, "cat", "/tmp/sig").stdout
                      == "usr1\n")


def test_kill_delete(containerd):
    name = "ctr-del"
    containerd(*containerd.run_args("-d", IMAGE, name, "sleep", "300"), check=True)
    containerd("task", "kill", "-s", "KILL", name, check=True)
    assert wait_until(lambda: task_status(containerd, name) == "STOPPED")
    containerd("task", "delete", name, check=True)
    containerd("container", "delete", name, check=True)
    assert not os.path.exists(os.path.join(containerd.runc_root, "default", name))


def test_metrics(containerd, task):
    out = containerd("task", "metrics", task, check=True).stdout
    assert "memory" in out.lower() or "pids" in out.lower()


def test_memory_limit(containerd):
    name = "ctr-mem"
    containerd(*containerd.run_args("-d", "--memory-limit", str(64 << 20), "--cpus", "0.5", "--cpu-shares", "512",
                                    IMAGE, name, "sleep", "300"), check=True)
    try:
        pid = task_pid(containerd, name)
        assert cgroup_value(pid, "memory", "memory.limit_in_bytes") == str(64 << 20)
        assert cgroup_value(pid, "cpu", "cpu.cfs_quota_us") == "50000"
        assert cgroup_value(pid, "cpu", "cpu.shares") == "512"
    finally:
        containerd("task", "kill", "-s", "KILL", name)
        wait_until(lambda: task_status(containerd, name) == "STOPPED")
        containerd("task", "delete", "-f", name)
        containerd("container", "delete", name)


@pytest.mark.parametrize("args, cmd, expect", [
    ([], "ip -o link | grep -c ': eth0' || true", None),
    (["--net-host"], "ip -o link | grep -q eth0 && echo host", "host"),
    (["--privileged"], "grep CapEff /proc/self/status", "privileged"),
    (["--cap-drop", "CAP_CHOWN"], "grep CapEff /proc/self/status", "no-chown"),
    (["--cap-add", "CAP_SYS_ADMIN"], "grep CapEff /proc/self/status", "sys-admin"),
    (["--read-only"], "touch /x 2>&1", "Read-only"),
    (["--env", "X=y"], "echo $X", "y"),
    (["--cwd", "/etc"], "pwd", "/etc"),
    (["--seccomp"], "grep Seccomp: /proc/self/status | cut -f2", "2"),
    ([], "grep NoNewPrivs /proc/self/status | cut -f2", "1"),
    (["--allow-new-privs"], "grep NoNewPrivs /proc/self/status | cut -f2", "0"),
    (["--mount", "type=bind,src=/etc,dst=/hostetc,options=rbind:ro"], "test -f /hostetc/hostname && echo ok", "ok"),
    (["--mount", "type=tmpfs,src=tmpfs,dst=/data,options=size=1m"], "grep ' /data ' /proc/mounts | cut -d' ' -f3",
     "tmpfs"),
    (["--device", "/dev/fuse"], "test -c /dev/fuse && echo dev", "dev"),
    (["--rootfs-propagation", "rslave"], "true", ""),
], ids=lambda v: "-".join(v).replace("/", "_") if isinstance(v, list) else None)
def test_run_option(containerd, args, cmd, expect):
    name = "ctr-opt-%d" % (time.time_ns() % 10**9)
    proc = run(containerd, name, *args, ["sh", "-c", cmd])
    containerd("container", "delete", name)
    assert proc.returncode == 0 or expect == "Read-only", proc.stderr
    out = proc.stdout.strip()
    if expect is None:
        assert out == "0"
    elif expect == "privileged":
        assert cap_eff(out) & CAP_SYS_ADMIN
    elif expect == "no-chown":
        assert not cap_eff(out) & 1
    elif expect == "sys-admin":
        assert cap_eff(out) & CAP_SYS_ADMIN
    elif expect == "Read-only":
        assert "Read-only file system" in out
    else:
        assert out == expect


def test_pid_file(containerd, tmp_path):
    name = "ctr-pidf"
    containerd(*containerd.run_args("-d", "--pid-file", str(tmp_path / "pid"), IMAGE, name, "sleep", "300"),
               check=True)
    try:
        assert int((tmp_path / "pid").read_text()) == task_pid(containerd, name)
    finally:
        containerd("task", "kill", "-s", "KILL", name)
        wait_until(lambda: task_status(containerd, name) == "STOPPED")
        containerd("task", "delete", "-f", name)
        containerd("container", "delete", name)


def test_error_shows_runtime_message(containerd):
    proc = run(containerd, "ctr-err", ["/no/such/binary"])
    containerd("container", "delete", "ctr-err")
    assert proc.returncode != 0
    assert "/no/such/binary" in proc.stderr

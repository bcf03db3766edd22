"""Docker 20.10 (Debian's docker.io: dockerd, its managed containerd and
containerd-shim-runc-v2) with tinyrun added as a runtime and chosen per
container with --runtime tinyrun."""

import os
import shutil
import time

import pytest

from conftest import CAP_SYS_ADMIN, IMAGE, REFERENCE, cap_eff, cgroup_value, in_pty, wait_until

needs_script = pytest.mark.skipif(shutil.which("script") is None, reason="util-linux script(1) missing")


def status(docker, name):
    return docker("inspect", "-f", "{{.State.Status}}", name, check=True).stdout.strip()


def pid_of(docker, name):
    return int(docker("inspect", "-f", "{{.State.Pid}}", name, check=True).stdout)


@pytest.fixture
def running(docker):
    """A detached container that traps USR1, removed afterwards."""
    name = "tr-d-%d" % (time.time_ns() % 10**9)
    docker.run("-d", "--name", name, IMAGE, "sh", "-c",
               "trap 'echo usr1 >> /tmp/sig' USR1; echo started; while true; do sleep 0.2; done", check=True)
    yield name
    docker("rm", "-f", name)


def test_run_exit_code_and_output(docker):
    proc = docker.run("--rm", IMAGE, "sh", "-c", "echo out; echo err >&2; exit 3")
    assert (proc.returncode, proc.stdout, proc.stderr) == (3, "out\n", "err\n"), proc.stderr


def test_runtime_is_registered(docker):
    assert "tinyrun" in docker("info", "-f", "{{json .Runtimes}}", check=True).stdout
    cid = docker("create", "--runtime", "tinyrun", IMAGE, "true", check=True).stdout.strip()
    try:
        assert docker("inspect", "-f", "{{.HostConfig.Runtime}}", cid, check=True).stdout.strip() == "tinyrun"
    finally:
        docker("rm", cid)


def test_run_stdin(docker):
    proc = docker.run("--rm", "-i", IMAGE, "sh", "-c", "read x; echo got:$x", input="hello\n")
    assert proc.stdout == "got:hello\n", proc.stderr


@needs_script
def test_run_tty(docker):
    proc = in_pty(docker.run_argv("--rm", "-it", IMAGE, "sh", "-c", "tty; read x; echo got:$x; exit 6"),
                  input="yes\n", env=docker.env)
    # (busybox stty fails on docker's pty with runc too: the size is podman's test)
    assert "/dev/pts/0" in proc.stdout and "got:yes" in proc.stdout, proc.stdout
    assert proc.returncode == 6


def test_bridge_network(docker):
    out = docker.run("--rm", IMAGE, "ip", "route", check=True).stdout
    assert "default via" in out
    assert "eth0" in docker.run("--rm", IMAGE, "ip", "-o", "link", check=True).stdout


def test_none_network(docker):
    out = docker.run("--rm", "--network", "none", IMAGE, "ip", "-o", "link", check=True).stdout
    assert "lo" in out and "eth0" not in out


def test_host_network(docker):
    host = open("/proc/self/net/dev").read().split("\n", 2)[2]
    inside = docker.run("--rm", "--network", "host", IMAGE, "cat", "/proc/self/net/dev", check=True).stdout
    assert {l.split(":")[0].strip() for l in host.splitlines()} <= \
        {l.split(":")[0].strip() for l in inside.splitlines()[2:]}


def test_ps_logs_top(docker, running):
    assert running in docker("ps", "--format", "{{.Names}}", check=True).stdout
    assert wait_until(lambda: "started" in docker("logs", running).stdout)
    top = docker("top", running, check=True).stdout
    assert "sleep" in top or "sh -c" in top


def test_exec_user_env_workdir_exit_code(docker, running):
    proc = docker("exec", "-u", "65534", "-e", "A=b", "-w", "/tmp", running, "sh", "-c",
                  'echo "$A $(id -u) $(pwd)"; exit 4')
    assert (proc.returncode, proc.stdout) == (4, "b 65534 /tmp\n"), proc.stderr


@needs_script
def test_exec_tty(docker, running):
    proc = in_pty(docker.argv("exec", "-it", running, "sh", "-c", "tty; read x; echo got:$x; exit 5"),
                  input="yes\n", env=docker.env)
    assert "/dev/pts/" in proc.stdout and "got:yes" in proc.stdout, proc.stdout
    assert proc.returncode == 5


def test_pause_unpause(docker, running):
    docker("pause", running, check=True)
    assert status(docker, running) == "paused"
    assert cgroup_value(pid_of(docker, running), "freezer", "freezer.state") == "FROZEN"
    docker("unpause", running, check=True)
    assert status(docker, running) == "running"
    assert docker("exec", running, "true").returncode == 0


def test_kill_signal(docker, running):
    docker("kill", "-s", "USR1", running, check=True)
    assert wait_until(lambda: docker("exec", running, "cat", "/tmp/sig").stdout == "usr1\n")
    docker("kill", running, check=True)
    assert wait_until(lambda: status(docker, running) == "exited")


def test_stop_start_restart(docker, running):
    docker("stop", "-t", "1", running, check=True)
    assert status(docker, running) == "exited"
    docker("start", running, check=True)
    assert status(docker, running) == "running"
    before = pid_of(docker, running)
    docker("restart", "-t", "1", running, check=True)
    assert status(docker, running) == "running" and pid_of(docker, running) != before


def test_rm_force_running(docker, running):
    docker("rm", "-f", running, check=True)
    assert running not in docker("ps", "-a", "--format", "{{.Names}}").stdout


def test_resources_in_cgroup(docker):
    name = "tr-res"
    docker.run("-d", "--name", name, "--memory", "64m", "--pids-limit", "10", "--cpus", "0.5", IMAGE,
               "sleep", "300", check=True)
    try:
        pid = pid_of(docker, name)
        assert cgroup_value(pid, "memory", "memory.limit_in_bytes") == str(64 << 20)
        assert cgroup_value(pid, "pids", "pids.max") == "10"
        assert cgroup_value(pid, "cpu", "cpu.cfs_quota_us") == "50000"
        inside = docker("exec", name, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes").stdout.strip()
        assert inside == str(64 << 20)
    finally:
        docker("rm", "-f", name)


def test_blkio_weight(docker):
    if not os.path.exists("/sys/fs/cgroup/blkio/blkio.weight") and \
       not os.path.exists("/sys/fs/cgroup/blkio/blkio.bfq.weight"):
        pytest.skip("no blkio weight on this kernel")
    docker.run("--rm", "--blkio-weight", "300", IMAGE, "true", check=True)


def test_update(docker):
    name = "tr-upd"
    docker.run("-d", "--name", name, "--memory", "64m", "--pids-limit", "10", IMAGE, "sleep", "300", check=True)
    try:
        docker("update", "--memory", "128m", "--memory-swap", "256m", "--pids-limit", "20", name, check=True)
        pid = pid_of(docker, name)
        assert cgroup_value(pid, "memory", "memory.limit_in_bytes") == str(128 << 20)
        assert cgroup_value(pid, "pids", "pids.max") == "20"
    finally:
        docker("rm", "-f", name)


def test_user(docker):
    assert docker.run("--rm", "--user", "65534:65534", IMAGE, "id", "-u", check=True).stdout == "65534\n"


def test_read_only(docker):
    proc = docker.run("--rm", "--read-only", "--tmpfs", "/tmp", IMAGE, "sh", "-c",
                      "touch /x 2>&1; touch /tmp/y && echo tmp-ok")
    assert "Read-only file system" in proc.stdout and "tmp-ok" in proc.stdout


def test_cap_drop_all(docker):
    out = docker.run("--rm", "--cap-drop", "all", IMAGE, "cat", "/proc/self/status", check=True).stdout
    assert cap_eff(out) == 0


def all_caps_in_bounding_set():
    return open("/proc/self/status").read().split("CapBnd:")[1].split()[0].lstrip("0") == \
        "%x" % ((1 << (int(open("/proc/sys/kernel/cap_last_cap").read()) + 1)) - 1)


# docker asks for every capability the kernel knows, whatever --cap-drop says
@pytest.mark.skipif(not all_caps_in_bounding_set(),
                    reason="this host's bounding set lacks a capability: --privileged fails with runc too")
def test_privileged(docker):
    out = docker.run("--rm", "--privileged", IMAGE, "cat", "/proc/self/status", check=True).stdout
    assert cap_eff(out) & CAP_SYS_ADMIN
    assert "Seccomp:\t0" in out


def test_default_seccomp_and_caps(docker):
    out = docker.run("--rm", IMAGE, "cat", "/proc/self/status", check=True).stdout
    assert "Seccomp:\t2" in out and not cap_eff(out) & CAP_SYS_ADMIN


def test_init(docker):
    out = docker.run("--rm", "--init", IMAGE, "cat", "/proc/1/cmdline", check=True).stdout
    assert out.split("\0")[0].endswith("docker-init")


def test_error_message(docker):
    proc = docker.run("--rm", IMAGE, "/no/such/binary")
    assert proc.returncode != 0
    assert "/no/such/binary" in proc.stderr
    assert REFERENCE or "tinyrun" in proc.stderr

"""podman (through conmon) with tinyrun as its OCI runtime."""

import os
import shutil
import subprocess
import time

import pytest

from conftest import IMAGE, TINYRUN, cgroup_file, state_of


def test_run_rm_exit_code_and_output(podman):
    proc = podman("run", "--rm", IMAGE, "sh", "-c", "echo out; echo err >&2; exit 3")
    assert proc.returncode == 3
    assert proc.stdout == "out\n" and "err" in proc.stderr


def test_runtime_is_tinyrun(podman):
    cid = podman("create", IMAGE, "true", check=True).stdout.strip()
    assert podman("inspect", "-f", "{{.OCIRuntime}}", cid, check=True).stdout.strip() == "tinyrun"
    podman("rm", cid, check=True)


def test_run_interactive_stdin(podman):
    proc = podman("run", "--rm", "-i", IMAGE, "sh", "-c", "read x; echo got:$x", input="hello\n")
    assert proc.stdout == "got:hello\n"


def test_detached_lifecycle(podman):
    name = "tr-life"
    podman("run", "-d", "--name", name, IMAGE, "sh", "-c",
           "trap 'echo usr1 >> /tmp/sig' USR1; echo started; while true; do sleep 0.2; done", check=True)
    try:
        assert name in podman("ps", "--format", "{{.Names}}", check=True).stdout
        proc = podman("exec", "-e", "A=b", "-u", "65534", "-w", "/tmp", name, "sh", "-c",
                      'echo "$A $(id -u) $(pwd)"; exit 4')
        assert proc.returncode == 4 and proc.stdout == "b 65534 /tmp\n"
        assert "started" in podman("logs", name, check=True).stdout
        top = podman("top", name, check=True).stdout
        assert "sleep" in top or "sh" in top
        podman("pause", name, check=True)
        assert podman("inspect", "-f", "{{.State.Status}}", name, check=True).stdout.strip() == "paused"
        podman("unpause", name, check=True)
        assert podman("inspect", "-f", "{{.State.Status}}", name, check=True).stdout.strip() == "running"
        podman("kill", "-s", "USR1", name, check=True)
        deadline = time.time() + 10
        while time.time() < deadline and podman("exec", name, "cat", "/tmp/sig").stdout != "usr1\n":
            time.sleep(0.2)
        assert podman("exec", name, "cat", "/tmp/sig").stdout == "usr1\n"
        podman("stop", "-t", "1", name, check=True)
        assert podman("inspect", "-f", "{{.State.Status}}", name, check=True).stdout.strip() == "exited"
        podman("start", name, check=True)
        assert podman("inspect", "-f", "{{.State.Status}}", name, check=True).stdout.strip() == "running"
    finally:
        podman("rm", "-f", "-t", "0", name)
    assert name not in podman("ps", "-a", "--format", "{{.Names}}").stdout


def test_resource_limits_in_cgroup_files(podman):
    cid = podman("run", "-d", "--memory", "64m", "--pids-limit", "10", "--cpus", "0.5", IMAGE, "sleep", "300",
                 check=True).stdout.strip()
    try:
        cg = state_of(cid)["cgroupPath"]
        if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
            assert open(cgroup_file(cg, "memory", "memory.max")).read().strip() == str(64 << 20)
            assert open(cgroup_file(cg, "cpu", "cpu.max")).read().split()[0] == "50000"
        else:
            assert open(cgroup_file(cg, "memory", "memory.limit_in_bytes")).read().strip() == str(64 << 20)
            assert open(cgroup_file(cg, "cpu", "cpu.cfs_quota_us")).read().strip() == "50000"
        assert open(cgroup_file(cg, "pids", "pids.max")).read().strip() == "10"
    finally:
        podman("rm", "-f", "-t", "0", cid)


def test_update_through_podman(podman):
    cid = podman("run", "-d", "--pids-limit", "10", IMAGE, "sleep", "300", check=True).stdout.strip()
    try:
        # podman 4.3 has no `update`; containerd and newer podman call the
        # runtime's, as here.
        subprocess.run([TINYRUN, "update", "--pids-limit", "20", cid], check=True)
        cg = state_of(cid)["cgroupPath"]
        assert open(cgroup_file(cg, "pids", "pids.max")).read().strip() == "20"
    finally:
        podman("rm", "-f", "-t", "0", cid)


def test_network_none_and_default_bridge(podman):
    out = podman("run", "--rm", "--network", "none", IMAGE, "ip", "-o", "link", check=True).stdout
    assert "lo" in out and "eth0" not in out
    out = podman("run", "--rm", IMAGE, "ip", "route", check=True).stdout
    assert "default via" in out


def test_init_user_readonly_caps_privileged(podman):
    out = podman("run", "--rm", "--init", IMAGE, "ps", check=True).stdout
    assert "init" in out.splitlines()[1]
    assert podman("run", "--rm", "--user", "65534", IMAGE, "id", "-u", check=True).stdout == "65534\n"
    proc = podman("run", "--rm", "--read-only", IMAGE, "sh", "-c", "touch /x 2>&1; touch /tmp/y && echo tmp-ok")
    assert "Read-only file system" in proc.stdout and "tmp-ok" in proc.stdout
    out = podman("run", "--rm", "--cap-drop", "all", IMAGE, "grep", "CapEff", "/proc/self/status", check=True).stdout
    assert out.split()[1] == "0000000000000000"
    out = podman("run", "--rm", "--privileged", IMAGE, "grep", "CapEff", "/proc/self/status", check=True).stdout
    assert int(out.split()[1], 16) & (1 << 21)  # CAP_SYS_ADMIN


@pytest.mark.skipif(shutil.which("script") is None, reason="util-linux script(1) missing")
def test_interactive_tty(podman):
    import shlex
    cmd = shlex.join(podman.argv("run", "--rm", "-it", IMAGE, "sh", "-c", "tty; stty size; read x; echo got:$x; exit 6"))
    proc = subprocess.run(["script", "-qec", f"stty rows 40 cols 100; {cmd}", "/dev/null"], input="yes\n",
                          capture_output=True, text=True, timeout=120, env=podman.env)
    assert "/dev/pts/0" in proc.stdout
    assert "40 100" in proc.stdout
    assert "got:yes" in proc.stdout
    assert proc.returncode == 6


def test_errors_show_tinyrun_messages(podman):
    proc = podman("run", "--rm", IMAGE, "/no/such/binary")
    assert proc.returncode != 0
    assert 'exec: "/no/such/binary"' in proc.stderr and "tinyrun" in proc.stderr
    proc = podman("run", "--rm", "--user", "nosuchuser", IMAGE, "true")
    assert proc.returncode != 0 and "nosuchuser" in proc.stderr


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux missing")
def test_interactive_tty_prompt_and_resize(podman, tmp_path):
    """podman run -it in a real terminal (tmux): the shell's prompt, a
    resize reaching the container, and the exit code."""
    import shlex
    sock = str(tmp_path / "tmux.sock")
    status = tmp_path / "status"
    cmd = shlex.join(podman.argv("run", "--rm", "-it", IMAGE, "sh")) + f"; echo $? > {status}"
    tmux = ["tmux", "-S", sock]
    env = dict(podman.env, TERM="xterm")
    subprocess.run(tmux + ["new-session", "-d", "-x", "100", "-y", "40", cmd], check=True, env=env)
    try:
        def screen():
            return subprocess.run(tmux + ["capture-pane", "-p"], capture_output=True, text=True).stdout

        def wait_for(text):
            deadline = time.time() + 60
            while time.time() < deadline and text not in screen():
                time.sleep(0.2)
            assert text in screen(), screen()

        wait_for("/ #")
        subprocess.run(tmux + ["send-keys", "stty size", "Enter"], check=True)
        wait_for("40 100")
        subprocess.run(tmux + ["resize-window", "-x", "120", "-y", "50"], check=True)
        time.sleep(1)
        subprocess.run(tmux + ["send-keys", "stty size", "Enter"], check=True)
        wait_for("50 120")
        subprocess.run(tmux + ["send-keys", "exit 7", "Enter"], check=True)
        deadline = time.time() + 60
        while time.time() < deadline and not status.exists():
            time.sleep(0.2)
        assert status.read_text().strip() == "7"
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)

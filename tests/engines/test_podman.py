"""podman 4.3 (through conmon) with tinyrun as its OCI runtime and Debian's
containers.conf in effect (default_sysctls, default capabilities...)."""

import json
import os
import shlex
import shutil
import subprocess
import time
import urllib.request

import pytest

from conftest import CAP_SYS_ADMIN, IMAGE, STTY_SIZE_ONCE_SIZED, TINYRUN, TOP, cap_eff, cgroup_value, hard_nofile, \
    in_pty, wait_until

needs_script = pytest.mark.skipif(shutil.which("script") is None, reason="util-linux script(1) missing")


def ulimit():
    # rootful podman asks for RLIMIT_NOFILE=1048576 and RLIMIT_NPROC=4194304;
    # a host whose hard limits are lower (root without CAP_SYS_RESOURCE)
    # refuses that with any runtime: ask for the host's hard limits
    return ["--ulimit", f"nofile={hard_nofile()}:{hard_nofile()}", "--ulimit", "nproc=32768:32768"]


def run(podman, *args, **kw):
    return podman("run", *ulimit(), *args, **kw)


def status(podman, name):
    return podman("inspect", "-f", "{{.State.Status}}", name, check=True).stdout.strip()


def pid_of(podman, name):
    return int(podman("inspect", "-f", "{{.State.Pid}}", name, check=True).stdout)


@pytest.fixture
def running(podman):
    name = "tr-p-%d" % (time.time_ns() % 10**9)
    run(podman, "-d", "--name", name, IMAGE, "sh", "-c",
        "trap 'echo usr1 >> /tmp/sig' USR1; echo started; while true; do sleep 0.2; done", check=True)
    yield name
    podman("rm", "-f", "-t", "0", name)


def test_run_rm_exit_code_and_output(podman):
    proc = run(podman, "--rm", IMAGE, "sh", "-c", "echo out; echo err >&2; exit 3")
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout == "out\n" and "err" in proc.stderr


def test_runtime_is_tinyrun(podman):
    cid = podman("create", *ulimit(), IMAGE, "true", check=True).stdout.strip()
    try:
        import os
        assert podman("inspect", "-f", "{{.OCIRuntime}}", cid, check=True).stdout.strip() == TINYRUN
    finally:
        podman("rm", cid)


def test_run_interactive_stdin(podman):
    proc = run(podman, "--rm", "-i", IMAGE, "sh", "-c", "read x; echo got:$x", input="hello\n")
    assert proc.stdout == "got:hello\n", proc.stderr


def test_default_sysctl_applies(podman):
    """Debian's containers.conf sets net.ipv4.ping_group_range=0 0."""
    out = run(podman, "--rm", IMAGE, "cat", "/proc/sys/net/ipv4/ping_group_range", check=True).stdout
    assert out.split() == ["0", "0"]


def test_sysctl_flag(podman):
    out = run(podman, "--rm", "--sysctl", "net.ipv4.ip_forward=1", IMAGE, "cat", "/proc/sys/net/ipv4/ip_forward",
              check=True).stdout
    assert out.strip() == "1"


def test_default_capabilities(podman):
    out = run(podman, "--rm", IMAGE, "cat", "/proc/self/status", check=True).stdout
    caps = cap_eff(out)
    assert caps & (1 << 0) and not caps & CAP_SYS_ADMIN and not caps & (1 << 13)  # CHOWN, no NET_RAW


def test_ps_logs_top(podman, running):
    assert running in podman("ps", "--format", "{{.Names}}", check=True).stdout
    assert wait_until(lambda: "started" in podman("logs", running).stdout)
    top = podman("top", running, check=True).stdout
    assert "sleep" in top or "sh" in top


def test_exec_user_env_workdir(podman, running):
    proc = podman("exec", "-e", "A=b", "-u", "65534", "-w", "/tmp", running, "sh", "-c",
                  'echo "$A $(id -u) $(pwd)"; exit 4')
    assert proc.returncode == 4 and proc.stdout == "b 65534 /tmp\n", proc.stderr


@needs_script
def test_exec_tty(podman, running):
    proc = in_pty(podman.argv("exec", "-it", running, "sh", "-c",
                              f"tty; {STTY_SIZE_ONCE_SIZED}; read x; echo got:$x; exit 5"),
                  input="yes\n", env=podman.env)
    assert "/dev/pts/" in proc.stdout and "40 100" in proc.stdout and "got:yes" in proc.stdout, proc.stdout
    assert proc.returncode == 5


def test_pause_unpause(podman, running):
    podman("pause", running, check=True)
    assert status(podman, running) == "paused"
    podman("unpause", running, check=True)
    assert status(podman, running) == "running"
    assert podman("exec", running, "true").returncode == 0


def test_kill_signal(podman, running):
    podman("kill", "-s", "USR1", running, check=True)
    assert wait_until(lambda: podman("exec", running, "cat", "/tmp/sig").stdout == "usr1\n")


def test_stop_start_restart(podman, running):
    podman("stop", "-t", "1", running, check=True)
    assert status(podman, running) == "exited"
    podman("start", running, check=True)
    assert status(podman, running) == "running"
    before = pid_of(podman, running)
    podman("restart", "-t", "1", running, check=True)
    assert status(podman, running) == "running" and pid_of(podman, running) != before


def test_rm_force_and_wait(podman):
    name = "tr-wait"
    run(podman, "-d", "--name", name, IMAGE, "sh", "-c", "sleep 0.5; exit 9", check=True)
    assert podman("wait", name).stdout.strip() == "9"
    podman("rm", "-f", name, check=True)
    assert name not in podman("ps", "-a", "--format", "{{.Names}}").stdout


def test_cp_and_attach_output(podman, running, tmp_path):
    (tmp_path / "f").write_text("copied\n")
    podman("cp", str(tmp_path / "f"), f"{running}:/tmp/f", check=True)
    assert podman("exec", running, "cat", "/tmp/f").stdout == "copied\n"


def test_resource_limits(podman):
    name = "tr-res"
    run(podman, "-d", "--name", name, "--memory", "64m", "--pids-limit", "10", "--cpus", "0.5",
        "--cpu-shares", "512", IMAGE, "sleep", "300", check=True)
    try:
        pid = pid_of(podman, name)
        assert cgroup_value(pid, "memory", "memory.limit_in_bytes") == str(64 << 20)
        assert cgroup_value(pid, "cpu", "cpu.cfs_quota_us") == "50000"
        assert cgroup_value(pid, "cpu", "cpu.shares") == "512"
        assert cgroup_value(pid, "pids", "pids.max") == "10"
    finally:
        podman("rm", "-f", "-t", "0", name)


def test_runtime_update(podman):
    # podman 4.3 has no `update`; containerd and newer podman call the
    # runtime's, as here (podman keeps the runtime's state under --runroot)
    name = "tr-upd"
    run(podman, "-d", "--name", name, "--pids-limit", "10", IMAGE, "sleep", "300", check=True)
    try:
        cid = podman("inspect", "-f", "{{.Id}}", name, check=True).stdout.strip()
        import glob
        import os
        root = os.path.dirname(next(d for d in glob.glob(f"/run/*/{cid}") + glob.glob(f"{podman.base}/run/**/{cid}",
                                                                                      recursive=True)
                                    if os.path.exists(f"{d}/state.json")))
        subprocess.run([TINYRUN, "--root", root, "update", "--pids-limit", "20", cid], check=True)
        assert cgroup_value(pid_of(podman, name), "pids", "pids.max") == "20"
    finally:
        podman("rm", "-f", "-t", "0", name)


def test_network_none(podman):
    out = run(podman, "--rm", "--network", "none", IMAGE, "ip", "-o", "link", check=True).stdout
    assert "lo" in out and "eth0" not in out


def test_network_default_bridge(podman):
    out = run(podman, "--rm", IMAGE, "ip", "route", check=True).stdout
    assert "default via" in out


def test_network_host(podman):
    inside = run(podman, "--rm", "--network", "host", IMAGE, "ip", "-o", "link", check=True).stdout
    assert "eth0" in inside and "ifb0" in inside


def test_publish_port(podman):
    name = "tr-port"
    run(podman, "-d", "--name", name, "-p", "127.0.0.1:18080:8080", IMAGE, "sleep", "300", check=True)
    try:
        assert "18080" in podman("port", name, check=True).stdout
    finally:
        podman("rm", "-f", "-t", "0", name)


def net_hooks(tmp_path):
    """tinyrun-net as the createRuntime and poststop hooks of the containers
    that carry the annotation org.tinyrun.net.bridge, through an OCI hooks
    directory (oci-hooks(5)): podman writes them into the bundle's config."""
    net = os.path.join(TOP, "tinyrun-net")
    hooks = tmp_path / "hooks.d"
    hooks.mkdir()
    when = {"annotations": {r"^org\.tinyrun\.net\.bridge$": ".+"}}
    for verb, stage in (("up", "createRuntime"), ("down", "poststop")):
        (hooks / f"tinyrun-net-{verb}.json").write_text(json.dumps(
            {"version": "1.0.0", "hook": {"path": net, "args": ["tinyrun-net", verb]}, "when": when,
             "stages": [stage]}))
    return hooks


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.read().decode()
    except OSError:
        return None


def test_network_none_with_the_tinyrun_net_hook_publishes_a_port(podman, tmp_path):
    """podman --network none, tinyrun-net in the bundle's config as its hooks
    and its settings from annotations (what an engine that only passes
    annotations can do): the container gets its address and a published
    port that serves from the host's 127.0.0.1; removing it takes the
    bridge, its nftables tables and its records away."""
    bridge, port = f"trpod{os.getpid() % 10000}", 18000 + os.getpid() % 1000
    name = "tr-net-hook"
    page = "served-through-tinyrun-net"
    run(podman, "--hooks-dir", net_hooks(tmp_path), "-d", "--name", name, "--network", "none",
        "--annotation", f"org.tinyrun.net.bridge={bridge}", "--annotation", "org.tinyrun.net.subnet=10.124.77.0/24",
        "--annotation", f"org.tinyrun.net.publish={port}:80", IMAGE, "sh", "-c",
        f"mkdir -p /www && echo {page} > /www/index.html && exec httpd -f -p 80 -h /www", check=True)
    try:
        assert "inet 10.124.77.2/24" in podman("exec", name, "ip", "-o", "-4", "addr", "show", "eth0",
                                              check=True).stdout
        assert wait_until(lambda: fetch(f"http://127.0.0.1:{port}/") == page + "\n")
    finally:
        podman("rm", "-f", "-t", "0", name)  # the poststop hook is in the container's config
    assert subprocess.run(["ip", "link", "show", bridge], capture_output=True).returncode != 0
    assert subprocess.run(["nft", "list", "table", "ip", f"tinyrun-net-{bridge}"],
                          capture_output=True).returncode != 0
    assert not os.path.exists(f"/run/tinyrun-net/{bridge}")


@pytest.mark.parametrize("args, cmd, expect", [
    (["--user", "65534"], "id -u", "65534"),
    (["--user", "65534:100", "--group-add", "10"], "id -G", "100 10"),
    (["--hostname", "box"], "hostname", "box"),
    (["-e", "X=y"], "echo $X", "y"),
    (["-w", "/etc"], "pwd", "/etc"),
    (["--tmpfs", "/data"], "grep ' /data ' /proc/mounts | cut -d' ' -f3", "tmpfs"),
    (["--ulimit", "nproc=99:99"], "grep processes /proc/self/limits | awk '{print $3}'", "99"),
    (["--pid", "host"], "test -d /proc/1/ns && cat /proc/1/comm", None),
    (["--ipc", "host"], "true", ""),
    (["--uts", "host"], "hostname", None),
    (["--security-opt", "no-new-privileges"], "grep NoNewPrivs /proc/self/status | cut -f2", "1"),
    (["--security-opt", "seccomp=unconfined"], "grep Seccomp: /proc/self/status | cut -f2", "0"),
    ([], "grep Seccomp: /proc/self/status | cut -f2", "2"),
    (["--cap-add", "NET_ADMIN"], "ip addr add 10.9.9.9/32 dev lo && echo ok", "ok"),
    (["--device", "/dev/null:/dev/mynull"], "ls /dev/mynull", "/dev/mynull"),
    (["--shm-size", "1m"], "df -k /dev/shm | tail -1 | awk '{print $2}'", "1024"),
    (["--memory", "64m", "--memory-swap", "64m"], "true", ""),
], ids=lambda v: "-".join(v) if isinstance(v, list) else None)
def test_run_option(podman, args, cmd, expect):
    proc = run(podman, "--rm", *args, IMAGE, "sh", "-c", cmd)
    assert proc.returncode == 0, proc.stderr
    if expect is not None:
        assert proc.stdout.strip() == expect


def test_volume_bind(podman, tmp_path):
    (tmp_path / "in").write_text("from-host\n")
    out = run(podman, "--rm", "-v", f"{tmp_path}:/mnt", IMAGE, "sh", "-c", "cat /mnt/in; echo back > /mnt/out",
              check=True).stdout
    assert out == "from-host\n" and (tmp_path / "out").read_text() == "back\n"
    proc = run(podman, "--rm", "-v", f"{tmp_path}:/mnt:ro", IMAGE, "sh", "-c", "touch /mnt/x")
    assert proc.returncode != 0


def test_init(podman):
    out = run(podman, "--rm", "--init", IMAGE, "ps", check=True).stdout
    assert "init" in out.splitlines()[1]


def test_read_only(podman):
    proc = run(podman, "--rm", "--read-only", IMAGE, "sh", "-c", "touch /x 2>&1; touch /tmp/y && echo tmp-ok")
    assert "Read-only file system" in proc.stdout and "tmp-ok" in proc.stdout


def test_cap_drop_all(podman):
    out = run(podman, "--rm", "--cap-drop", "all", IMAGE, "cat", "/proc/self/status", check=True).stdout
    assert cap_eff(out) == 0


def test_privileged(podman):
    out = run(podman, "--rm", "--privileged", IMAGE, "cat", "/proc/self/status", check=True).stdout
    assert cap_eff(out) & CAP_SYS_ADMIN


@needs_script
def test_interactive_tty(podman):
    proc = in_pty(podman.argv("run", *ulimit(), "--rm", "-it", IMAGE, "sh", "-c",
                              "tty; stty size; read x; echo got:$x; exit 6"), input="yes\n", env=podman.env)
    assert "/dev/pts/0" in proc.stdout and "40 100" in proc.stdout and "got:yes" in proc.stdout, proc.stdout
    assert proc.returncode == 6


def test_errors_show_runtime_messages(podman):
    proc = run(podman, "--rm", IMAGE, "/no/such/binary")
    assert proc.returncode != 0
    assert "/no/such/binary" in proc.stderr
    proc = run(podman, "--rm", "--user", "nosuchuser", IMAGE, "true")
    assert proc.returncode != 0 and "nosuchuser" in proc.stderr


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux missing")
def test_interactive_tty_prompt_and_resize(podman, tmp_path):
    """podman run -it in a real terminal (tmux): the shell's prompt, a
    resize reaching the container, and the exit code."""
    sock = str(tmp_path / "tmux.sock")
    status_file = tmp_path / "status"
    cmd = shlex.join(podman.argv("run", *ulimit(), "--rm", "-it", IMAGE, "sh")) + f"; echo $? > {status_file}"
    tmux = ["tmux", "-S", sock]
    env = dict(podman.env, TERM="xterm")
    subprocess.run(tmux + ["new-session", "-d", "-x", "100", "-y", "40", cmd], check=True, env=env)
    try:
        def screen():
            return subprocess.run(tmux + ["capture-pane", "-p"], capture_output=True, text=True).stdout

        def wait_for(text):
            assert wait_until(lambda: text in screen(), 60), screen()

        wait_for("/ #")
        subprocess.run(tmux + ["send-keys", "stty size", "Enter"], check=True)
        wait_for("40 100")
        subprocess.run(tmux + ["resize-window", "-x", "120", "-y", "50"], check=True)
        time.sleep(1)
        subprocess.run(tmux + ["send-keys", "stty size", "Enter"], check=True)
        wait_for("50 120")
        subprocess.run(tmux + ["send-keys", "exit 7", "Enter"], check=True)
        assert wait_until(status_file.exists, 60)
        assert status_file.read_text().strip() == "7"
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)

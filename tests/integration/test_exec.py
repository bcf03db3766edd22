"""exec: a new process in every namespace, the cgroup, and the process
settings of a running container."""

import json
import os
import signal
import subprocess
import time

from console import ConsoleSocket


def start(runtime, bundle, cid, script="sleep 300"):
    bundle.sh(script).write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    return runtime.state(cid)["pid"]


def ns(pid, kind):
    return os.readlink(f"/proc/{pid}/ns/{kind}")


def test_exec_joins_everything(runtime, bundle, cid, tmp_path):
    init = start(runtime, bundle, cid)
    pidfile = tmp_path / "pid"
    runtime("exec", "--detach", "--pid-file", pidfile, cid, "sleep", "300", check=True)
    pid = int(pidfile.read_text())
    for kind in ("pid", "net", "ipc", "uts", "mnt", "cgroup"):
        assert ns(pid, kind) == ns(init, kind), kind
    with open(f"/proc/{pid}/cgroup") as f, open(f"/proc/{init}/cgroup") as g:
        assert f.read() == g.read()
    assert os.stat(f"/proc/{pid}/root/").st_ino == os.stat(f"/proc/{init}/root/").st_ino
    runtime("delete", "--force", cid, check=True)


def test_exec_output_and_exit_status(runtime, bundle, cid):
    start(runtime, bundle, cid)
    proc = runtime("exec", cid, "sh", "-c", "echo $$; hostname; echo err >&2; exit 9")
    assert proc.returncode == 9
    lines = proc.stdout.split()
    assert lines[0] != "1" and lines[1] == bundle.config["hostname"]
    assert "err" in proc.stderr
    runtime("delete", "--force", cid, check=True)


def test_exec_flags(runtime, bundle, cid):
    start(runtime, bundle, cid)
    proc = runtime("exec", "--env", "FOO=bar", "-e", "PATH=/bin", "--user", "65534:65534", "-g", "5",
                   "--cwd", "/tmp", cid, "sh", "-c", 'echo "$FOO $PATH $(pwd)"; id -u; id -g; id -G',
                   check=True)
    lines = proc.stdout.splitlines()
    assert lines[0] == "bar /bin /tmp"
    assert lines[1:3] == ["65534", "65534"]
    assert "5" in lines[3].split()
    runtime("delete", "--force", cid, check=True)


def test_exec_inherits_process_settings(runtime, bundle, cid):
    bundle.process["env"].append("FROM_CONFIG=yes")
    bundle.process["noNewPrivileges"] = True
    bundle.process["rlimits"] = [{"type": "RLIMIT_NOFILE", "hard": 555, "soft": 555}]
    start(runtime, bundle, cid)
    proc = runtime("exec", cid, "sh", "-c", "echo $FROM_CONFIG; ulimit -n; grep NoNewPrivs /proc/self/status",
                   check=True)
    assert proc.stdout.split() == ["yes", "555", "NoNewPrivs:", "1"]
    runtime("delete", "--force", cid, check=True)


def test_exec_capabilities(runtime, bundle, cid):
    start(runtime, bundle, cid)
    out = runtime("exec", cid, "grep", "CapBnd", "/proc/self/status", check=True).stdout
    assert int(out.split()[1], 16) & (1 << 21) == 0  # no CAP_SYS_ADMIN
    out = runtime("exec", "--cap", "CAP_SYS_ADMIN", cid, "grep", "CapBnd", "/proc/self/status",
                  check=True).stdout
    assert int(out.split()[1], 16) & (1 << 21)
    runtime("delete", "--force", cid, check=True)


def test_exec_process_file(runtime, bundle, cid, tmp_path):
    start(runtime, bundle, cid)
    f = tmp_path / "process.json"
    f.write_text(json.dumps({"args": ["sh", "-c", "echo from-file $X"], "cwd": "/", "env": ["X=1"],
                             "user": {"uid": 0, "gid": 0}}))
    proc = runtime("exec", "--process", f, cid, check=True)
    assert proc.stdout == "from-file 1\n"
    runtime("delete", "--force", cid, check=True)


def test_exec_forwards_signals(runtime, bundle, cid):
    start(runtime, bundle, cid)
    proc = subprocess.Popen(runtime.cmd("exec", cid, "sh", "-c",
                                        "trap 'echo got-usr1; exit 4' USR1; while true; do sleep 0.1; done"),
                            stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    proc.send_signal(signal.SIGUSR1)
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 4 and "got-usr1" in out
    runtime("delete", "--force", cid, check=True)


def test_exec_tty_console_socket(runtime, bundle, cid, tmp_path):
    start(runtime, bundle, cid)
    console = ConsoleSocket(tmp_path / "c.sock")
    try:
        runtime("exec", "-t", "-d", "--console-socket", console.path, cid, "sh", "-c", "tty; echo done; sleep 1",
                check=True)
        console.wait_master()
        out = console.read_until("done")
        assert "/dev/pts/" in out
    finally:
        console.close()
    runtime("delete", "--force", cid, check=True)


def test_exec_errors(runtime, bundle, cid):
    proc = runtime("exec", "nope", "true")
    assert proc.returncode == 1 and 'container "nope" does not exist' in proc.stderr
    bundle.sh("true").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    runtime.wait_status(cid, "stopped")
    proc = runtime("exec", cid, "true")
    assert proc.returncode == 1 and "cannot exec in a container that is stopped" in proc.stderr
    runtime("delete", cid, check=True)
    start(runtime, bundle, cid)
    proc = runtime("exec", cid, "no-such-binary")
    assert proc.returncode == 1
    assert 'exec: "no-such-binary": executable file not found in $PATH' in proc.stderr
    runtime("delete", "--force", cid, check=True)


def test_exec_in_user_namespace(runtime, bundle, cid):
    bundle.linux["namespaces"].append({"type": "user"})
    bundle.linux["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    bundle.linux["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    init = start(runtime, bundle, cid)
    proc = runtime("exec", cid, "sh", "-c", "id -u; readlink /proc/self/ns/user", check=True)
    assert proc.stdout.split() == ["0", ns(init, "user")]
    runtime("delete", "--force", cid, check=True)


def test_exec_gets_the_seccomp_filter(runtime, bundle, cid):
    bundle.linux["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW",
                               "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"}]}
    start(runtime, bundle, cid)
    proc = runtime("exec", cid, "/bin/pwd")
    assert "Operation not permitted" in proc.stderr
    runtime("delete", "--force", cid, check=True)


def test_exec_in_created_container(runtime, bundle, cid):
    bundle.sh("sleep 300").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    assert runtime("exec", cid, "true").returncode == 0
    runtime("delete", "--force", cid, check=True)


def test_exec_preserve_fds(runtime, bundle, cid, tmp_path):
    start(runtime, bundle, cid)
    extra = tmp_path / "extra"
    extra.write_text("passed-in\n")
    with open(extra) as f:
        fd = f.fileno()
        proc = subprocess.run(runtime.cmd("exec", "--preserve-fds", "1", cid, "sh", "-c",
                                          "cat <&3; ls /proc/self/fd | sort -n | tr '\\n' ' '"),
                              capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
                              pass_fds=(3,), preexec_fn=lambda: os.dup2(fd, 3))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "passed-in"
    assert lines[1].split() == ["0", "1", "2", "3", "4"]
    runtime("delete", "--force", cid, check=True)


def test_exec_through_the_user_namespace_helper_gets_no_runtime_fd(runtime, bundle, cid, tmp_path):
    """exec into a container with its own user namespace goes through a
    helper that joins it first (src/init/exec_spawn.c); the process it
    clones must hold exactly stdio, as the direct path's does, whatever fds
    the caller of tinyrun had open (here one on the host's /etc)."""
    bundle.linux["namespaces"].append({"type": "user"})
    bundle.linux["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    bundle.linux["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    start(runtime, bundle, cid)
    host_dir = os.open("/etc", os.O_RDONLY | os.O_DIRECTORY)  # inheritable below
    try:
        os.set_inheritable(host_dir, True)
        proc = subprocess.run(runtime.cmd("exec", cid, "ls", "-l", "/proc/self/fd/"), capture_output=True,
                              text=True, close_fds=False, timeout=60)
    finally:
        os.close(host_dir)
    assert proc.returncode == 0, proc.stderr
    fds = [l.split("->")[0].split()[-1] for l in proc.stdout.splitlines() if "->" in l]
    assert sorted(fds, key=int) == ["0", "1", "2"], proc.stdout
    runtime("delete", "--force", cid, check=True)


def test_exec_from_a_caller_that_ignores_sigchld(runtime, bundle, cid):
    """An ignored SIGCHLD is inherited: the kernel would reap exec's
    process itself and the runtime's wait for it would block forever (it
    did).  The runtime puts SIGCHLD back to SIG_DFL; the exit status comes
    through and the process sees no ignored signal."""
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)

    def ignore_sigchld():
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)

    proc = subprocess.Popen(runtime.cmd("exec", cid, "sh", "-c", "grep SigIgn /proc/self/status; exit 7"),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True, preexec_fn=ignore_sigchld)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 7
    assert out.split() == ["SigIgn:", "0000000000000000"], out
    runtime("delete", "--force", cid, check=True)

"""Where runc's behaviour is visible to an engine or a script, tinyrun's is
the same (issue 11): each test names what runc does."""

import json
import os
import socket
import subprocess
import tempfile
import threading

from console import ConsoleSocket


def start(runtime, bundle, cid, script="sleep 300"):
    bundle.sh(script).write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    return runtime.state(cid)["pid"]


def host_hook(tmp_path, name, body):
    path = tmp_path / f"{name}.sh"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


# 1. runc delete.go: a "created" container is killed and destroyed.

def test_delete_of_created_container_needs_no_force(runtime, bundle, cid):
    bundle.write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    pid = runtime.state(cid)["pid"]
    proc = runtime("delete", cid)
    assert proc.returncode == 0, proc.stderr
    assert not alive(pid)
    assert runtime("state", cid).returncode == 1


def test_delete_of_running_container_still_needs_force(runtime, bundle, cid):
    start(runtime, bundle, cid)
    proc = runtime("delete", cid)
    assert proc.returncode == 1 and "--force" in proc.stderr
    runtime("delete", "--force", cid, check=True)


# 2. runc capabilities.New: unknown names are a warning and ignored.

def test_unknown_capability_is_a_warning(runtime, bundle, cid):
    caps = bundle.process["capabilities"]
    for kind in ("bounding", "effective", "permitted"):
        caps[kind] = caps[kind] + ["CAP_BOGUS"]
    bundle.sh("grep CapEff /proc/self/status").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("unknown capability CAP_BOGUS: ignored") == 1
    assert "CAP_BOGUS" not in proc.stdout
    # CAP_AUDIT_WRITE (29), CAP_KILL (5), CAP_NET_BIND_SERVICE (10)
    eff = int(proc.stdout.split()[1], 16)
    assert eff == (1 << 29) | (1 << 5) | (1 << 10)


def test_exec_unknown_capability_is_a_warning(runtime, bundle, cid):
    start(runtime, bundle, cid)
    proc = runtime("exec", "--cap", "CAP_BOGUS", cid, "true")
    assert proc.returncode == 0, proc.stderr
    assert "unknown capability CAP_BOGUS: ignored" in proc.stderr
    runtime("delete", "--force", cid, check=True)


# 3. runc's hooks (exec.Cmd with Env = hook.env): no env inherits the
# runtime's environment, an env is exactly that.

def test_hook_env(runtime, bundle, cid, tmp_path):
    dump = 'tr "\\0" "\\n" < /proc/$$/environ > ' + str(tmp_path) + '/env-$1'
    hook = host_hook(tmp_path, "dump", dump)
    bundle.config["hooks"] = {"prestart": [{"path": hook, "args": ["dump", "inherit"]},
                                           {"path": hook, "args": ["dump", "own"], "env": ["ONLY=this"]}]}
    bundle.write()
    env = dict(os.environ, TINYRUN_COMPAT_MARK="from-the-caller")
    runtime("run", "--bundle", bundle.path, cid, check=True, env=env)
    inherited = (tmp_path / "env-inherit").read_text().splitlines()
    assert "TINYRUN_COMPAT_MARK=from-the-caller" in inherited
    assert (tmp_path / "env-own").read_text().splitlines() == ["ONLY=this"]


# 4. runtime-spec 1.3 lifecycle step 9 and runc's postStart: a failing
# poststart hook is an error of start and stops the container.

def test_failing_poststart_fails_start_and_stops_the_container(runtime, bundle, cid, tmp_path):
    fail = host_hook(tmp_path, "fail", "exit 5")
    stopped = host_hook(tmp_path, "stopped", f"echo ran > {tmp_path}/poststop")
    bundle.config["hooks"] = {"poststart": [{"path": fail}], "poststop": [{"path": stopped}]}
    bundle.sh("sleep 300").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    pid = runtime.state(cid)["pid"]
    proc = runtime("start", cid)
    assert proc.returncode == 1
    assert f"start {cid}: poststart hook: hook {fail} exited with status 5" in proc.stderr
    assert not alive(pid)
    assert runtime.state(cid)["status"] == "stopped"
    runtime("delete", cid, check=True)
    assert (tmp_path / "poststop").read_text() == "ran\n"


def test_failing_poststart_fails_run(runtime, bundle, cid, tmp_path):
    fail = host_hook(tmp_path, "fail", "exit 6")
    bundle.config["hooks"] = {"poststart": [{"path": fail}]}
    bundle.sh("sleep 300").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode != 0
    assert "poststart hook" in proc.stderr and "exited with status 6" in proc.stderr
    assert runtime("state", cid).returncode == 1


# 5. exec details.

def test_exec_tty_belongs_to_the_user(runtime, bundle, cid, tmp_path):
    start(runtime, bundle, cid)
    console = ConsoleSocket(tmp_path / "c.sock")
    try:
        runtime("exec", "-t", "-d", "--user", "1234:1234", "--console-socket", console.path, cid,
                "sh", "-c", "echo owner=$(stat -c %u $(tty)); sleep 1", check=True)
        console.wait_master()
        out = console.read_until("owner=")
        out += console.read_until("\n")
        assert "owner=1234" in out, out
    finally:
        console.close()
    runtime("delete", "--force", cid, check=True)


def test_exec_does_not_inherit_the_callers_cpu_affinity(runtime, bundle, cid):
    if len(os.sched_getaffinity(0)) < 2:
        import pytest
        pytest.skip("needs two CPUs")
    pid = start(runtime, bundle, cid)
    first = min(os.sched_getaffinity(0))
    proc = runtime("exec", cid, "grep", "Cpus_allowed_list", "/proc/self/status", check=True,
                   preexec_fn=lambda: os.sched_setaffinity(0, {first}))
    with open(f"/proc/{pid}/status") as f:
        init = [line for line in f if line.startswith("Cpus_allowed_list")][0]
    assert proc.stdout.split() == init.split()
    assert proc.stdout.split()[1] != str(first)
    runtime("delete", "--force", cid, check=True)


def test_exec_p_is_process(runtime, bundle, cid, tmp_path):
    start(runtime, bundle, cid)
    pj = tmp_path / "process.json"
    pj.write_text(json.dumps({"args": ["echo", "from-p"], "cwd": "/", "user": {"uid": 0, "gid": 0}}))
    proc = runtime("exec", "-p", pj, cid)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "from-p\n"
    runtime("delete", "--force", cid, check=True)


def test_env_given_twice_is_set_once_last_wins(runtime, bundle, cid):
    bundle.process["env"] = ["A=first", "PATH=/bin:/sbin", "A=second", "B=kept"]
    start(runtime, bundle, cid, "env > /dev/shm/env; sleep 300")
    out = runtime("exec", cid, "cat", "/dev/shm/env", check=True).stdout.splitlines()
    assert [line for line in out if line.startswith("A=")] == ["A=second"]
    out = runtime("exec", "-e", "B=one", "-e", "B=two", cid, "env", check=True).stdout.splitlines()
    assert [line for line in out if line.startswith("B=")] == ["B=two"]
    assert [line for line in out if line.startswith("A=")] == ["A=second"]
    runtime("delete", "--force", cid, check=True)


def test_exec_process_gets_seccomp_notify(runtime, bundle, cid, tmp_path):
    path = str(tmp_path / "listener.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(2)
    got = []

    def accept():
        for _ in range(2):
            conn, _ = srv.accept()
            with conn:
                msg, fds, _, _ = socket.recv_fds(conn, 65536, 1)
                got.append((json.loads(msg), fds))

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    bundle.linux["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": path,
                               "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_NOTIFY"}]}
    try:
        init = start(runtime, bundle, cid)
        runtime("exec", "-d", "--pid-file", tmp_path / "exec.pid", cid, "sleep", "300", check=True)
        t.join(10)
        assert len(got) == 2, got
        msg, fds = got[1]
        assert fds and os.readlink(f"/proc/self/fd/{fds[0]}") == "anon_inode:seccomp notify"
        assert msg["pid"] == int((tmp_path / "exec.pid").read_text())
        assert msg["state"]["id"] == cid and msg["state"]["pid"] == init
    finally:
        for _, fds in got:
            for fd in fds:
                os.close(fd)
        srv.close()
    runtime("delete", "--force", cid, check=True)


# 6. runc clears ONLCR on the pty it relays: "\n" stays "\n".

def raw_output(runtime, *args):
    """stdout as bytes: text mode would turn "\r\n" into "\n"."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.run(runtime.cmd(*args), stdout=out, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=60)
        out.seek(0)
        assert proc.returncode == 0, proc.stderr
        return out.read()


def test_run_terminal_output_keeps_newlines(runtime, bundle, cid):
    bundle.process["terminal"] = True
    bundle.sh("echo one; echo two").write()
    out = raw_output(runtime, "run", "--bundle", bundle.path, cid)
    assert b"one\ntwo\n" in out and b"\r" not in out, out


def test_exec_terminal_output_keeps_newlines(runtime, bundle, cid):
    start(runtime, bundle, cid)
    out = raw_output(runtime, "exec", "-t", cid, "sh", "-c", "echo one; echo two")
    assert b"one\ntwo\n" in out and b"\r" not in out, out
    runtime("delete", "--force", cid, check=True)


# 7. The spec requires process only at start.

def test_create_without_process(runtime, bundle, cid):
    del bundle.config["process"]
    bundle.write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    assert runtime.state(cid)["status"] == "created"
    proc = runtime("start", cid)
    assert proc.returncode == 1
    assert proc.stderr == f"tinyrun: start {cid}: config.json has no process: nothing to start (delete the container)\n"
    assert runtime.state(cid)["status"] == "created"
    runtime("delete", cid, check=True)


# 8. --debug: the steps show up as level=debug lines, and only then.

def debug_lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line)["msg"] for line in f if json.loads(line)["level"] == "debug"]


def test_debug_log(runtime, bundle, cid, tmp_path):
    hook = host_hook(tmp_path, "ok", "true")
    bundle.config["hooks"] = {"prestart": [{"path": hook}]}
    bundle.write()
    log = tmp_path / "debug.json"
    runtime("--debug", "--log", log, "--log-format", "json", "run", "--bundle", bundle.path, cid, check=True)
    msgs = debug_lines(log)
    assert f"running prestart hook {hook}" in msgs
    assert any(m.startswith(f"start {cid}: releasing init") and "cgroup" in m for m in msgs), msgs
    assert any(m.startswith(f"delete {cid}: ") for m in msgs), msgs
    quiet = tmp_path / "quiet.json"
    runtime("--log", quiet, "--log-format", "json", "run", "--bundle", bundle.path, cid, check=True)
    assert debug_lines(quiet) == []

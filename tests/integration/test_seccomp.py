"""linux.seccomp, checked by what the container's syscalls really do."""

import json
import os
import socket
import threading


def seccomp(bundle, default="SCMP_ACT_ALLOW", syscalls=(), **extra):
    bundle.linux["seccomp"] = {"defaultAction": default, "architectures": ["SCMP_ARCH_X86_64"],
                               "syscalls": list(syscalls), **extra}


def run(runtime, bundle, cid, script):
    bundle.sh(script).write()
    return runtime("run", "--bundle", bundle.path, cid)


def test_errno_action(runtime, bundle, cid):
    seccomp(bundle, syscalls=[{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"}])
    proc = run(runtime, bundle, cid, "/bin/pwd; echo rc=$?")
    assert "Operation not permitted" in proc.stdout + proc.stderr
    assert "rc=1" in proc.stdout


def test_errno_ret(runtime, bundle, cid):
    seccomp(bundle, syscalls=[{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5}])
    proc = run(runtime, bundle, cid, "/bin/pwd")
    assert "Input/output error" in proc.stdout + proc.stderr


def test_kill_process_action(runtime, bundle, cid):
    # busybox runs pwd inside the shell itself: the shell is killed.
    seccomp(bundle, syscalls=[{"names": ["getcwd"], "action": "SCMP_ACT_KILL_PROCESS"}])
    proc = run(runtime, bundle, cid, "pwd; echo still-alive")
    assert proc.returncode == 128 + 31  # SIGSYS
    assert "still-alive" not in proc.stdout


def test_argument_conditions(runtime, bundle, cid):
    """kill(pid, 9) is refused, kill(pid, 15) is not."""
    seccomp(bundle, syscalls=[{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
                               "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}]}])
    proc = run(runtime, bundle, cid,
               "sleep 100 & p=$!; kill -9 $p 2>&1; echo nine=$?; kill -15 $p; echo fifteen=$?")
    assert "nine=1" in proc.stdout and "fifteen=0" in proc.stdout


def test_default_action_with_allow_list(runtime, bundle, cid):
    """Everything denied but what the shell needs: mkdir is not in the list."""
    allowed = ["execve", "brk", "arch_prctl", "set_tid_address", "exit_group", "write", "read", "getpid",
               "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "getuid", "geteuid", "getppid", "getpgrp",
               "ioctl", "fcntl", "dup2", "close", "wait4", "fork", "clone", "mmap", "munmap", "open", "openat",
               "stat", "fstat", "newfstatat", "lstat", "access", "uname", "getcwd", "prlimit64", "setpgid",
               "exit", "sigaltstack", "chdir", "poll", "lseek", "mprotect", "getrandom", "readlinkat"]
    seccomp(bundle, default="SCMP_ACT_ERRNO", defaultErrnoRet=1,
            syscalls=[{"names": allowed, "action": "SCMP_ACT_ALLOW"}])
    proc = run(runtime, bundle, cid, "mkdir /tmp/x 2>&1; echo done")
    assert "Operation not permitted" in proc.stdout and "done" in proc.stdout


def test_filter_is_installed(runtime, bundle, cid):
    seccomp(bundle, syscalls=[{"names": ["getcwd", "no_such_syscall_name"], "action": "SCMP_ACT_ERRNO"}],
            flags=["SECCOMP_FILTER_FLAG_LOG"])
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    with open(f"/proc/{runtime.state(cid)['pid']}/status") as f:
        status = f.read()
    assert "Seccomp:\t2" in status
    runtime("delete", "--force", cid, check=True)


def test_bad_config_names_the_field(runtime, bundle, cid):
    seccomp(bundle, syscalls=[{"names": ["getcwd"], "action": "SCMP_ACT_BOGUS"}])
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert 'linux.seccomp.syscalls[0].action: unknown action "SCMP_ACT_BOGUS"' in proc.stderr
    seccomp(bundle, syscalls=[{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
                               "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_SOMETIMES"}]}])
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert "linux.seccomp.syscalls[0].args[0].op: unknown operator" in proc.stderr


def test_notify_listener_gets_fd_and_state(runtime, bundle, cid, tmp_path):
    path = str(tmp_path / "listener.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    got = {}

    def accept():
        conn, _ = srv.accept()
        with conn:
            msg, fds, _, _ = socket.recv_fds(conn, 65536, 1)
            got["msg"], got["fds"] = json.loads(msg), fds

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    seccomp(bundle, syscalls=[{"names": ["getcwd"], "action": "SCMP_ACT_NOTIFY"}],
            listenerPath=path, listenerMetadata="hello")
    bundle.sh("sleep 300").write()
    try:
        runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
        t.join(10)
        assert got["fds"], "no notify fd received"
        msg = got["msg"]
        assert msg["fds"] == ["seccompFd"] and msg["metadata"] == "hello"
        assert msg["pid"] == runtime.state(cid)["pid"]
        assert msg["state"]["id"] == cid
        assert os.readlink(f"/proc/self/fd/{got['fds'][0]}") == "anon_inode:seccomp notify"
    finally:
        for fd in got.get("fds", []):
            os.close(fd)
        srv.close()
    runtime("delete", "--force", cid, check=True)


def test_exec_takes_the_filter_from_the_cache(runtime, bundle, cid):
    """exec loads the program cached by create (<root>/.seccomp:cache)
    instead of compiling its own: with the cached file replaced by an
    allow-everything program (the cache trusts a root-owned 0600 file), the
    exec'd getcwd is no longer refused."""
    seccomp(bundle, syscalls=[{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"}])
    bundle.set_args("sleep", "100").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    proc = runtime("exec", cid, "/bin/pwd")
    assert proc.returncode != 0 and "Operation not permitted" in proc.stderr
    cache = os.path.join(runtime.root, ".seccomp:cache")
    (entry,) = [n for n in os.listdir(cache) if not n.startswith(".")]
    allow = bytes([0x06, 0, 0, 0]) + (0x7FFF0000).to_bytes(4, "little")  # BPF_RET|BPF_K, SECCOMP_RET_ALLOW
    path = os.path.join(cache, entry)
    with open(path + ".new", "wb") as f:
        f.write(allow)
    os.chmod(path + ".new", 0o600)
    os.rename(path + ".new", path)
    proc = runtime("exec", cid, "/bin/pwd")
    assert proc.returncode == 0 and proc.stdout.strip() == "/", proc.stderr
    runtime("delete", "--force", cid, check=True)

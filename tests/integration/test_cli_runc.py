"""runc's command-line details that engines and scripts rely on (issue 13):
help, version, list's JSON, exec into a paused container, update
--cpu-idle, --pidfd-socket, and runtime-spec 1.3's linux.memoryPolicy."""

import ctypes
import json
import os
import re
import select
import signal
import socket
import subprocess
import threading
import time

from cgroups import is_unified, read, v1_dir, v2_dir

COMMANDS = ["create", "start", "state", "kill", "delete", "run", "exec", "list", "ps", "pause", "resume",
            "update", "events", "spec", "features"]


def start(runtime, bundle, cid, script="sleep 300"):
    bundle.sh(script).write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    return runtime.state(cid)["pid"]


# 1. urfave/cli (runc): every command has --help, and `runc help CMD`.

def test_every_command_has_help(runtime):
    for name in COMMANDS:
        proc = runtime(name, "--help", root=False)
        assert proc.returncode == 0, (name, proc.stderr)
        assert proc.stdout.startswith(f"usage: tinyrun {name} "), (name, proc.stdout)
        assert "--help" in proc.stdout
        same = runtime("help", name, root=False)
        assert same.returncode == 0 and same.stdout == proc.stdout, name


def test_help_lists_the_options_of_the_command(runtime):
    out = runtime("create", "-h", check=True, root=False).stdout
    assert "--bundle" in out and "--console-socket" in out and "--preserve-fds" in out
    out = runtime("update", "--memory", "1m", "--help", check=True, root=False).stdout
    assert "--cpu-idle" in out


def test_global_help_lists_the_commands(runtime):
    out = runtime("--help", check=True, root=False).stdout
    listed = re.findall(r"^  (\w+) ", out, re.M)
    assert set(COMMANDS) | {"help"} <= set(listed)


def test_help_of_an_unknown_command_fails(runtime):
    proc = runtime("help", "frobnicate", root=False)
    assert proc.returncode == 1 and "usage: tinyrun help" in proc.stderr


def test_help_after_exec_id_belongs_to_the_command(runtime, bundle, cid):
    start(runtime, bundle, cid)
    proc = runtime("exec", cid, "sh", "-c", 'echo "$0"', "--help")
    assert proc.returncode == 0 and proc.stdout == "--help\n", proc.stderr
    runtime("delete", "--force", cid, check=True)


# 2. runc main.go printVersion: version, commit, spec, libseccomp.

def test_version_in_runcs_layout(runtime):
    lines = runtime("--version", check=True, root=False).stdout.splitlines()
    assert lines[0] == "tinyrun version 0.1.0"
    assert re.fullmatch(r"commit: (unknown|[0-9a-z.-]+)", lines[1]), lines
    assert lines[2] == "spec: 1.3.0"
    lib = ctypes.CDLL("libseccomp.so.2")
    lib.seccomp_version.restype = ctypes.POINTER(ctypes.c_uint * 3)
    v = lib.seccomp_version().contents
    assert lines[3] == f"libseccomp: {v[0]}.{v[1]}.{v[2]}"


# 3. runc list.go containerState: annotations only when there are some.

def test_list_json_fields_and_annotations(runtime, bundle, cid):
    bundle.config["annotations"] = {"org.example.key": "value"}
    pid = start(runtime, bundle, cid)
    entries = json.loads(runtime("list", "--format", "json", check=True).stdout)
    assert len(entries) == 1
    e = entries[0]
    assert {"ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner"} <= set(e)
    assert (e["id"], e["pid"], e["status"], e["owner"]) == (cid, pid, "running", "root")
    assert e["bundle"] == bundle.path
    assert e["annotations"] == {"org.example.key": "value"}
    runtime("delete", "--force", cid, check=True)


def test_list_json_omits_empty_annotations(runtime, bundle, cid):
    bundle.config.pop("annotations", None)
    start(runtime, bundle, cid)
    (e,) = json.loads(runtime("list", "--format", "json", check=True).stdout)
    assert "annotations" not in e
    runtime("delete", "--force", cid, check=True)


# 4. runc exec.go: a paused container only with --ignore-paused.

def test_exec_refuses_a_paused_container(runtime, bundle, cid):
    start(runtime, bundle, cid)
    runtime("pause", cid, check=True)
    proc = runtime("exec", cid, "true")
    assert proc.returncode == 1
    assert "cannot exec in a paused container (use --ignore-paused to override)" in proc.stderr
    runtime("resume", cid, check=True)
    runtime("delete", "--force", cid, check=True)


def test_exec_ignore_paused_runs_once_resumed(runtime, bundle, cid):
    start(runtime, bundle, cid)
    runtime("pause", cid, check=True)
    # The new process joins the frozen cgroup: it runs when thawed.
    exe = subprocess.Popen(runtime.cmd("exec", "--ignore-paused", cid, "echo", "ran"), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    procs = os.path.join(v2_dir(f"/tinyrun/{cid}") if is_unified() else v1_dir("freezer", f"/tinyrun/{cid}"),
                         "cgroup.procs")
    deadline = time.time() + 30
    while len(read(procs).split()) < 2 and exe.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert exe.poll() is None, exe.stderr.read()  # frozen, not refused
    runtime("resume", cid, check=True)
    out, err = exe.communicate(timeout=30)
    assert exe.returncode == 0, err
    assert out == "ran\n"
    runtime("delete", "--force", cid, check=True)


# runc update.go: --cpu-idle sets the cgroup's cpu.idle.

def test_update_cpu_idle(runtime, bundle, cid):
    start(runtime, bundle, cid)
    path = f"/tinyrun/{cid}"
    idle = os.path.join(v2_dir(path) if is_unified() else v1_dir("cpu", path), "cpu.idle")
    assert read(idle) == "0"
    runtime("update", "--cpu-idle", "1", cid, check=True)
    assert read(idle) == "1"
    runtime("update", "--cpu-idle", "0", cid, check=True)
    assert read(idle) == "0"
    proc = runtime("update", "--cpu-idle", "x", cid)
    assert proc.returncode == 1 and "--cpu-idle" in proc.stderr
    runtime("delete", "--force", cid, check=True)


# runtime-spec 1.3 linux.memoryPolicy: set_mempolicy(2) before the process
# runs.  The policy shows in numa_maps; the cpuset's Mems_allowed stays.

def mems_allowed(status_text):
    return [l for l in status_text.splitlines() if l.startswith("Mems_allowed")]


def test_memory_policy_bind(runtime, bundle, cid):
    bundle.linux["memoryPolicy"] = {"mode": "MPOL_BIND", "nodes": "0"}
    bundle.sh("cat /proc/self/status; echo ==; cat /proc/self/numa_maps").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    status, maps = proc.stdout.split("==\n")
    with open("/proc/self/status") as f:
        assert mems_allowed(status) == mems_allowed(f.read())
    policies = {line.split()[1] for line in maps.splitlines()}
    assert policies == {"bind:0"}, policies


def test_memory_policy_interleave_with_flag(runtime, bundle, cid):
    bundle.linux["memoryPolicy"] = {"mode": "MPOL_INTERLEAVE", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]}
    bundle.sh("cat /proc/self/numa_maps").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    policies = {line.split()[1] for line in proc.stdout.splitlines()}
    assert policies == {"interleave=static:0"}, policies


def test_without_memory_policy_the_default_stays(runtime, bundle, cid):
    bundle.sh("cat /proc/self/numa_maps").write()
    proc = runtime("run", "--bundle", bundle.path, cid, check=True)
    assert {line.split()[1] for line in proc.stdout.splitlines()} == {"default"}


def test_memory_policy_errors_name_the_field(runtime, bundle, cid):
    cases = [
        ({"nodes": "0"}, "linux.memoryPolicy.mode: required"),
        ({"mode": "MPOL_BOGUS"}, 'linux.memoryPolicy.mode: unknown mode "MPOL_BOGUS"'),
        ({"mode": "MPOL_BIND", "nodes": "0-x"}, "linux.memoryPolicy.nodes:"),
        ({"mode": "MPOL_BIND", "nodes": "3-1"}, 'linux.memoryPolicy.nodes: "3-1" has a bad range'),
        ({"mode": "MPOL_BIND"}, "linux.memoryPolicy.nodes: MPOL_BIND needs at least one node"),
        ({"mode": "MPOL_LOCAL", "nodes": "0"}, "linux.memoryPolicy.nodes: MPOL_LOCAL takes no nodes"),
        ({"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_BOGUS"]},
         'linux.memoryPolicy.flags[0]: unknown flag "MPOL_F_BOGUS"'),
        ({"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES"]},
         "linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other"),
    ]
    for policy, message in cases:
        bundle.linux["memoryPolicy"] = policy
        bundle.write()
        proc = runtime("create", "--bundle", bundle.path, cid)
        assert proc.returncode == 1 and message in proc.stderr, (policy, proc.stderr)
        assert runtime("state", cid).returncode == 1


def test_memory_policy_the_kernel_refuses_is_an_error_of_create(runtime, bundle, cid):
    # Node 1000 exists on no test machine.
    bundle.linux["memoryPolicy"] = {"mode": "MPOL_BIND", "nodes": "1000"}
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert "linux.memoryPolicy: set_mempolicy MPOL_BIND" in proc.stderr, proc.stderr
    assert runtime("state", cid).returncode == 1


def test_features_lists_memory_policy(runtime):
    f = json.loads(runtime("features", check=True, root=False).stdout)
    assert f["ociVersionMax"] == "1.3.0"
    mp = f["linux"]["memoryPolicy"]
    assert set(mp["modes"]) == {"MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
                                "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL"}
    assert set(mp["flags"]) == {"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"}


# runc utils_linux.go/init_linux.go setupPidfd: --pidfd-socket gets a pidfd
# of the process with SCM_RIGHTS ("standard" for the init, "setns" for
# exec).

class PidfdListener:
    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(1)
        self.msg, self.fd = None, None
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        conn, _ = self.sock.accept()
        with conn:
            self.msg, fds, _flags, _addr = socket.recv_fds(conn, 64, 1)
            self.fd = fds[0] if fds else None

    def wait(self):
        self._thread.join(10)
        self.sock.close()
        assert self.fd is not None, "no pidfd received"
        return self.msg, self.fd


def pidfd_pid(fd):
    with open(f"/proc/self/fdinfo/{fd}") as f:
        return int(re.search(r"^Pid:\s+(-?\d+)", f.read(), re.M).group(1))


def pidfd_kill(fd, sig):
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.syscall(424, fd, sig, None, 0) == 0, os.strerror(ctypes.get_errno())  # pidfd_send_signal


def exited(fd, timeout=10):
    p = select.poll()
    p.register(fd, select.POLLIN)
    return bool(p.poll(timeout * 1000))


def test_create_sends_a_pidfd_of_the_init(runtime, bundle, cid, tmp_path):
    listener = PidfdListener(tmp_path / "pidfd.sock")
    bundle.sh("sleep 300").write()
    runtime("create", "--pidfd-socket", listener.path, "--bundle", bundle.path, cid, check=True)
    msg, fd = listener.wait()
    assert msg == b"standard"
    assert pidfd_pid(fd) == runtime.state(cid)["pid"]
    runtime("start", cid, check=True)
    pidfd_kill(fd, signal.SIGKILL)
    assert exited(fd)
    runtime.wait_status(cid, "stopped")
    os.close(fd)
    runtime("delete", cid, check=True)


def test_run_sends_a_pidfd_of_the_init(runtime, bundle, cid, tmp_path):
    listener = PidfdListener(tmp_path / "pidfd.sock")
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--pidfd-socket", listener.path, "--bundle", bundle.path, cid, check=True)
    msg, fd = listener.wait()
    assert msg == b"standard" and pidfd_pid(fd) == runtime.state(cid)["pid"]
    assert not exited(fd, timeout=0)
    os.close(fd)
    runtime("delete", "--force", cid, check=True)


def test_exec_sends_a_pidfd_of_the_process(runtime, bundle, cid, tmp_path):
    start(runtime, bundle, cid)
    listener = PidfdListener(tmp_path / "pidfd.sock")
    pid_file = tmp_path / "exec.pid"
    runtime("exec", "-d", "--pidfd-socket", listener.path, "--pid-file", pid_file, cid, "sleep", "300",
            check=True)
    msg, fd = listener.wait()
    assert msg == b"setns"
    assert pidfd_pid(fd) == int(pid_file.read_text())
    pidfd_kill(fd, signal.SIGKILL)
    assert exited(fd)
    os.close(fd)
    runtime("delete", "--force", cid, check=True)


def test_pidfd_socket_that_nobody_listens_on_fails_create(runtime, bundle, cid, tmp_path):
    bundle.write()
    proc = runtime("create", "--pidfd-socket", tmp_path / "none.sock", "--bundle", bundle.path, cid)
    assert proc.returncode == 1 and "--pidfd-socket: connect to" in proc.stderr, proc.stderr
    assert runtime("state", cid).returncode == 1

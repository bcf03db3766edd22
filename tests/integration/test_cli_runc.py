"""runc's command-line details that engines and scripts rely on (issue 13):
help, version, list's JSON, exec into a paused container, update
--cpu-idle, --pidfd-socket, and runtime-spec 1.3's linux.memoryPolicy."""

import json
import os
import re
import subprocess
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
    import ctypes
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

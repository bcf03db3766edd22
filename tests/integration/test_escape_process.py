"""Security: the process a container runs (its init and `exec`'s) holds
no fd, capability or id of the runtime's: socket activation comes from
tinyrun's own environment only, a process.json without capabilities
inherits the container's, and "leave unchanged" ids are refused."""

import json
import os
import subprocess

# The shell's own open fds, probed with stat(2) so that the probe opens
# none itself (a glob or `ls` would show its directory fd).
FDS = 'for n in $(seq 0 64); do [ -e /proc/$$/fd/$n ] && printf "%s " $n; done; echo'


def fds(line):
    return [int(n) for n in line.split()]


def start(runtime, bundle, cid, script="sleep 300"):
    bundle.sh(script).write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    return runtime.state(cid)["pid"]


def status_fields(text, *names):
    """{name: value} of the given lines of a /proc/PID/status text."""
    out = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in names:
            out[key] = value.split()
    return out


def proc_status(pid):
    with open(f"/proc/{pid}/status") as f:
        return f.read()


# ---- 1. runtime fds through LISTEN_FDS ---------------------------------

def test_image_listen_fds_does_not_keep_runtime_fds(runtime, bundle, cid):
    bundle.process["env"].append("LISTEN_FDS=4")
    bundle.sh(FDS).write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert fds(proc.stdout) == [0, 1, 2]


def test_exec_env_listen_fds_does_not_keep_runtime_fds(runtime, bundle, cid):
    start(runtime, bundle, cid)
    proc = runtime("exec", "-e", "LISTEN_FDS=3", cid, "sh", "-c", FDS)
    assert proc.returncode == 0, proc.stderr
    assert fds(proc.stdout) == [0, 1, 2]
    runtime("delete", "--force", cid, check=True)


def test_exec_preserve_fds_passes_only_the_callers(runtime, bundle, cid, tmp_path):
    start(runtime, bundle, cid)
    extra = tmp_path / "extra"
    extra.write_text("passed-in\n")
    argv = runtime.cmd("exec", "--preserve-fds", "1", cid, "sh", "-c", "cat <&3; " + FDS)
    # fd 3 the caller's; fd 5 an inherited fd of the caller's that was not
    # asked for.
    proc = subprocess.run(["sh", "-c", 'exec "$@" 3<"$0" 5<"$0"', str(extra)] + argv,
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "passed-in"
    assert fds(lines[1]) == [0, 1, 2, 3]
    runtime("delete", "--force", cid, check=True)


def test_exec_preserve_fds_must_be_open(runtime, bundle, cid):
    start(runtime, bundle, cid)
    proc = runtime("exec", "--preserve-fds", "40", cid, "true")
    assert proc.returncode == 1
    assert "--preserve-fds 40: fd 3 is not open" in proc.stderr
    runtime("delete", "--force", cid, check=True)


def test_preserve_fds_refuses_the_runtimes_own_fd(runtime, bundle, cid, tmp_path):
    """With no fd 3 from the caller, whatever the runtime opens first (its
    --log file, if it keeps one open) must not stand in for it."""
    start(runtime, bundle, cid)
    log = tmp_path / "log"
    for args in (["exec", "--preserve-fds", "1", cid, "true"],
                 ["create", "--preserve-fds", "1", "--bundle", bundle.path, cid + "-b"]):
        proc = runtime("--log", log, *args)
        assert proc.returncode == 1, args
        assert "--preserve-fds 1: fd 3 is not" in proc.stderr, proc.stderr
    runtime("delete", "--force", cid, check=True)


def test_exec_child_holds_no_runtime_fd_while_entering(runtime, bundle, cid, tmp_path):
    """The exec'd process is checked from the kernel's side: a process
    started with --detach and a pid file shows only 0-2 in /proc."""
    start(runtime, bundle, cid)
    pidfile = tmp_path / "pid"
    runtime("exec", "--detach", "--pid-file", pidfile, cid, "sleep", "300", check=True)
    pid = int(pidfile.read_text())
    assert sorted(int(n) for n in os.listdir(f"/proc/{pid}/fd")) == [0, 1, 2]
    runtime("delete", "--force", cid, check=True)


def run_activated(runtime, bundle, cid, tmp_path, listen_pid):
    """`tinyrun run` as systemd would start it: fd 3 open, LISTEN_FDS=1 and
    LISTEN_PID set in its environment."""
    sock = tmp_path / "activated"
    sock.write_text("activated\n")
    bundle.sh('cat <&3; echo "fds=$LISTEN_FDS pid=$LISTEN_PID"; ' + FDS).write()
    argv = runtime.cmd("run", "--bundle", bundle.path, cid)
    script = f'LISTEN_PID={listen_pid} LISTEN_FDS=1 exec "$@" 3<"$0"'
    return subprocess.run(["sh", "-c", script, str(sock)] + argv, capture_output=True, text=True,
                          timeout=30, stdin=subprocess.DEVNULL)


def test_socket_activation_from_the_runtimes_environment(runtime, bundle, cid, tmp_path):
    proc = run_activated(runtime, bundle, cid, tmp_path, "$$")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "activated"
    assert lines[1] == "fds=1 pid=1"
    assert fds(lines[2]) == [0, 1, 2, 3]


def test_socket_activation_for_another_pid_is_ignored(runtime, bundle, cid, tmp_path):
    proc = run_activated(runtime, bundle, cid, tmp_path, "1")
    lines = proc.stdout.splitlines()
    assert "activated" not in lines
    assert "fds= pid=" in lines
    assert fds(lines[-1]) == [0, 1, 2]


# ---- 2. capabilities of a process without "capabilities" --------------

CAPS = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")


def test_init_without_capabilities_has_none(runtime, bundle, cid):
    del bundle.process["capabilities"]
    bundle.sh("cat /proc/self/status").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    caps = status_fields(proc.stdout, *CAPS)
    assert caps == {name: ["0000000000000000"] for name in CAPS}


def write_process_json(tmp_path, args, **extra):
    process = {"args": args, "cwd": "/", "user": {"uid": 0, "gid": 0},
               "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}
    process.update(extra)
    path = tmp_path / "process.json"
    path.write_text(json.dumps(process))
    return path


def test_exec_process_file_inherits_the_containers_settings(runtime, bundle, cid, tmp_path):
    bundle.process["rlimits"] = [{"type": "RLIMIT_NOFILE", "hard": 777, "soft": 666}]
    init = start(runtime, bundle, cid)
    pj = write_process_json(tmp_path, ["sh", "-c", "cat /proc/self/status; ulimit -Sn; ulimit -Hn"])
    proc = runtime("exec", "--process", pj, cid)
    assert proc.returncode == 0, proc.stderr
    mine = status_fields(proc.stdout, *CAPS, "NoNewPrivs")
    theirs = status_fields(proc_status(init), *CAPS, "NoNewPrivs")
    assert mine == theirs
    assert mine["NoNewPrivs"] == ["1"]
    assert mine["CapBnd"] != ["000001ffffffffff"] and mine["CapEff"] != ["000001fffeffffff"]
    assert proc.stdout.splitlines()[-2:] == ["666", "777"]
    runtime("delete", "--force", cid, check=True)


def test_exec_process_file_settings_win(runtime, bundle, cid, tmp_path):
    start(runtime, bundle, cid)
    pj = write_process_json(tmp_path, ["sh", "-c", "cat /proc/self/status"], noNewPrivileges=False,
                            capabilities={"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"],
                                          "permitted": ["CAP_KILL"]})
    proc = runtime("exec", "--process", pj, cid)
    assert proc.returncode == 0, proc.stderr
    fields = status_fields(proc.stdout, "CapEff", "CapBnd", "NoNewPrivs")
    assert fields == {"CapEff": ["0000000000000020"], "CapBnd": ["0000000000000020"], "NoNewPrivs": ["0"]}
    runtime("delete", "--force", cid, check=True)


# ---- 3. (uid_t) -1 -----------------------------------------------------

NO_ID = 4294967295


def test_config_refuses_minus_one_ids(runtime, bundle, cid):
    cases = [({"uid": NO_ID, "gid": 0}, "process.user.uid"),
             ({"uid": 0, "gid": NO_ID}, "process.user.gid"),
             ({"uid": 0, "gid": 0, "additionalGids": [5, NO_ID]}, "process.user.additionalGids[1]")]
    for user, field in cases:
        bundle.process["user"] = user
        bundle.sh("id").write()
        proc = runtime("run", "--bundle", bundle.path, cid)
        assert proc.returncode == 1, (user, proc.stdout)
        assert f"{field}: {NO_ID} is not a valid id" in proc.stderr, proc.stderr
        assert runtime("state", cid).returncode == 1


def test_exec_refuses_minus_one_ids(runtime, bundle, cid, tmp_path):
    start(runtime, bundle, cid)
    for flags, field in ((["-u", str(NO_ID)], "--user"), (["-u", f"1:{NO_ID}"], "--user"),
                         (["-g", str(NO_ID)], "--additional-gids")):
        proc = runtime("exec", *flags, cid, "id")
        assert proc.returncode == 1, (flags, proc.stdout)
        assert f"{field}: {NO_ID} is not a valid id" in proc.stderr, proc.stderr
    pj = write_process_json(tmp_path, ["id"], user={"uid": NO_ID, "gid": 0})
    proc = runtime("exec", "--process", pj, cid)
    assert proc.returncode == 1, proc.stdout
    assert f"process.user.uid: {NO_ID} is not a valid id" in proc.stderr, proc.stderr
    runtime("delete", "--force", cid, check=True)


# ---- 4. numeric -u -----------------------------------------------------

def test_exec_numeric_user(runtime, bundle, cid):
    start(runtime, bundle, cid)
    for flag, uid, gid in (("1", "1", "0"), ("1:1", "1", "1"), ("2:3", "2", "3")):
        proc = runtime("exec", "-u", flag, cid, "cat", "/proc/self/status")
        assert proc.returncode == 0, proc.stderr
        ids = status_fields(proc.stdout, "Uid", "Gid", "Groups")
        assert ids["Uid"] == [uid] * 4, flag
        assert ids["Gid"] == [gid] * 4, flag
        assert ids["Groups"] == [], flag
    runtime("delete", "--force", cid, check=True)

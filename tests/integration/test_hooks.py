"""OCI hooks: when, where (which namespaces), with what on stdin, and
what a failure does."""

import json
import os


def host_hook(tmp_path, name, body):
    """A hook script on the host; it appends a line to <tmp>/calls."""
    path = tmp_path / f"{name}.sh"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


def recorder(tmp_path, name):
    out = tmp_path / "calls"
    return {"path": host_hook(tmp_path, name,
                              f'state=$(tr -d "\\n"); echo "{name} $(readlink /proc/self/ns/mnt) $state" >> {out}'),
            "args": [name]}


def calls(tmp_path):
    f = tmp_path / "calls"
    if not f.exists():
        return []
    return [line.split(" ", 2) for line in f.read_text().splitlines()]


def test_every_hook_in_order_with_state(runtime, bundle, cid, tmp_path):
    hooks = {phase: [recorder(tmp_path, phase)]
             for phase in ("prestart", "createRuntime", "createContainer", "poststart", "poststop")}
    # startContainer runs inside the container's root: a busybox script
    # writing to a bind-mounted directory.
    shared = tmp_path / "shared"
    shared.mkdir()
    bundle.config["mounts"].append({"destination": "/shared", "type": "bind", "source": str(shared),
                                    "options": ["bind"]})
    hooks["startContainer"] = [{"path": "/bin/sh", "args": ["sh", "-c", "cat > /shared/start-state"]}]
    bundle.config["hooks"] = hooks
    bundle.sh("sleep 300").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    assert [c[0] for c in calls(tmp_path)] == ["prestart", "createRuntime", "createContainer"]
    runtime("start", cid, check=True)
    pid = runtime.state(cid)["pid"]
    runtime("kill", cid, "KILL", check=True)
    runtime.wait_status(cid, "stopped")
    runtime("delete", cid, check=True)
    recorded = calls(tmp_path)
    assert [c[0] for c in recorded] == ["prestart", "createRuntime", "createContainer", "poststart", "poststop"]
    host_mnt = os.readlink("/proc/self/ns/mnt")
    by_phase = {c[0]: c for c in recorded}
    assert by_phase["prestart"][1] == host_mnt and by_phase["createRuntime"][1] == host_mnt
    assert by_phase["createContainer"][1] != host_mnt  # the container's mount namespace
    for phase, status in (("prestart", "created"), ("createRuntime", "created"), ("poststart", "running"),
                          ("poststop", "stopped")):
        state = json.loads(by_phase[phase][2])
        assert state["id"] == cid and state["status"] == status, (phase, state)
        assert state["bundle"] == bundle.path
    assert json.loads(by_phase["createRuntime"][2])["pid"] == pid
    start_state = json.loads((shared / "start-state").read_text())
    assert start_state["id"] == cid and start_state["pid"] == pid


def test_hook_args_env_and_unread_stdin(runtime, bundle, cid, tmp_path):
    out = tmp_path / "out"
    hook = host_hook(tmp_path, "h", f'echo "$1 $FOO" > {out}')  # never reads stdin
    bundle.config["hooks"] = {"createRuntime": [{"path": hook, "args": ["h", "first"], "env": ["FOO=bar"]}]}
    bundle.write()
    runtime("run", "--bundle", bundle.path, cid, check=True)
    assert out.read_text() == "first bar\n"


def test_failing_create_hook_stops_create(runtime, bundle, cid, tmp_path):
    for phase in ("prestart", "createRuntime", "createContainer"):
        hook = host_hook(tmp_path, "fail", "exit 3")
        bundle.config["hooks"] = {phase: [{"path": hook}]}
        bundle.write()
        proc = runtime("create", "--bundle", bundle.path, cid)
        assert proc.returncode == 1
        assert f"{phase} hook: hook {hook} exited with status 3" in proc.stderr
        assert not os.path.exists(os.path.join(runtime.root, cid))


def test_failing_start_container_hook_fails_start(runtime, bundle, cid):
    bundle.config["hooks"] = {"startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 4"]}]}
    bundle.sh("echo should-not-run").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    proc = runtime("start", cid)
    assert proc.returncode == 1
    assert f"start {cid}: startContainer hook: hook /bin/sh exited with status 4" in proc.stderr
    assert "should-not-run" not in proc.stdout
    runtime("delete", "--force", cid, check=True)


def test_failing_start_container_hook_fails_run(runtime, bundle, cid):
    # `run` in the foreground does not wait for the exec (no poststart
    # hooks): the init's failure comes from start.error once it is gone,
    # with start's message, and nothing is left.
    bundle.config["hooks"] = {"startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 4"]}]}
    bundle.sh("echo should-not-run").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert f"run {cid}: startContainer hook: hook /bin/sh exited with status 4" in proc.stderr
    assert "should-not-run" not in proc.stdout
    assert runtime("state", cid).returncode != 0
    # a process of the user's own that exits 127 is no failure of tinyrun's
    bundle.config.pop("hooks")
    bundle.sh("exit 127").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 127 and proc.stderr == ""


def test_failing_poststop_only_warns(runtime, bundle, cid, tmp_path):
    """(A failing poststart fails start: test_runc_compat.py.)"""
    hook = host_hook(tmp_path, "fail", "exit 5")
    after = recorder(tmp_path, "after")
    bundle.config["hooks"] = {"poststart": [after], "poststop": [{"path": hook}, after]}
    bundle.write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0
    assert proc.stderr.count("exited with status 5") == 1
    # the remaining hooks ran anyway
    assert [c[0] for c in calls(tmp_path)] == ["after", "after"]


def test_hook_timeout(runtime, bundle, cid, tmp_path):
    hook = host_hook(tmp_path, "slow", "sleep 30")
    bundle.config["hooks"] = {"createRuntime": [{"path": hook, "timeout": 1}]}
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert f"hook {hook} timed out after 1 s" in proc.stderr


def test_exec_failure_after_start_is_reported(runtime, bundle, cid, tmp_path):
    """The executable exists at create but is gone by start."""
    rootfs = bundle.copy_rootfs()
    bundle.config["root"]["readonly"] = False
    os.symlink("busybox", os.path.join(rootfs, "bin", "vanishing"))
    bundle.set_args("/bin/vanishing").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    os.unlink(os.path.join(rootfs, "bin", "vanishing"))
    proc = runtime("start", cid)
    assert proc.returncode == 1
    assert f"start {cid}: exec /bin/vanishing: No such file or directory" in proc.stderr
    runtime("delete", "--force", cid, check=True)


def test_hook_closing_stdin_early_does_not_kill_tinyrun(runtime, bundle, cid, tmp_path):
    """A state far larger than a pipe's buffer, to a hook that exits at
    once: the write fails with EPIPE, which must not kill the runtime
    (crun dies of SIGPIPE here)."""
    bundle.config["annotations"] = {"big": "x" * (1 << 20)}
    hook = host_hook(tmp_path, "quick", "exit 0")
    bundle.config["hooks"] = {"createRuntime": [{"path": hook}], "poststop": [{"path": hook}]}
    bundle.write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr


def test_nothing_keeps_the_cpu_the_runtime_pinned_itself_to(runtime, bundle, cid, tmp_path):
    """From the clone to the release the runtime and its init share one
    CPU (linux/cpu_pin.h).  Nothing else may keep it: the runtime's hooks
    get the caller's affinity, the init's hooks and the container's
    process every CPU (as runc resets the init's), with the caller on
    every CPU and with the caller on one."""
    cpus = os.sched_getaffinity(0)
    if len(cpus) < 2:
        import pytest
        pytest.skip("needs two CPUs")
    out = tmp_path / "cpus"
    hook = host_hook(tmp_path, "cpus", f'grep Cpus_allowed_list /proc/$$/status | sed "s/^/$1 /" >> {out}')
    phases = ("prestart", "createRuntime", "createContainer", "poststart", "poststop")
    bundle.config["hooks"] = {p: [{"path": hook, "args": ["cpus", p]}] for p in phases}
    bundle.sh("grep Cpus_allowed_list /proc/self/status").write()

    def affinities(caller):
        if out.exists():
            out.unlink()
        proc = runtime("run", "--bundle", bundle.path, cid, check=True,
                       preexec_fn=lambda: os.sched_setaffinity(0, caller))
        got = {line.split()[0]: line.split()[2] for line in out.read_text().splitlines()}
        got["process"] = proc.stdout.split()[1]
        return got

    every = affinities(cpus)
    assert len(set(every.values())) == 1, every
    assert len(every) == len(phases) + 1
    first = min(cpus)
    one = affinities({first})
    for phase in ("prestart", "createRuntime", "poststart", "poststop"):
        assert one[phase] == str(first), (phase, one)
    assert one["createContainer"] == every["createContainer"], one
    assert one["process"] == every["process"], one
    # A plain create hands the init over with every CPU: the `start`
    # that releases it runs anywhere.
    bundle.config["hooks"] = {}
    bundle.sh("sleep 300").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    with open(f"/proc/{runtime.state(cid)['pid']}/status") as f:
        init = [line.split()[1] for line in f if line.startswith("Cpus_allowed_list")][0]
    runtime("delete", "--force", cid, check=True)
    assert init == every["process"]

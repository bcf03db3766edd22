"""State: atomic, locked, and never fooled by a recycled PID."""

import json
import os
import subprocess
import threading
import time

import pytest


def test_state_file_layout(runtime, bundle, cid):
    bundle.sh("sleep 300").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    d = os.path.join(runtime.root, cid)
    assert sorted(os.listdir(d)) == ["config.json", "exec.fifo", "start.error", "state.json"]
    with open(os.path.join(d, "state.json")) as f:
        st = json.load(f)
    assert st["id"] == cid and st["startTime"] > 0 and st["cgroupPath"] == f"/tinyrun/{cid}"
    runtime("start", cid, check=True)
    assert "exec.fifo" not in os.listdir(d)
    runtime("delete", "--force", cid, check=True)
    assert not os.path.exists(d)


def test_recycled_pid_is_not_the_container(runtime, bundle, cid):
    """A state.json whose pid now belongs to another process (here: our own
    pid, with the container's start time) must read as stopped, and kill
    must not signal that process."""
    impostor = subprocess.Popen(["sleep", "300"])
    time.sleep(0.1)  # start times have a resolution of one clock tick
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    path = os.path.join(runtime.root, cid, "state.json")
    with open(path) as f:
        st = json.load(f)
    real_pid = st["pid"]
    try:
        st["pid"] = impostor.pid  # same start time field as the container's init, other process
        with open(path, "w") as f:
            json.dump(st, f)
        assert runtime.state(cid)["status"] == "stopped"
        assert runtime("kill", cid, "KILL").returncode == 1
        assert impostor.poll() is None  # still alive
    finally:
        impostor.kill()
        impostor.wait()
    st["pid"] = real_pid
    with open(path, "w") as f:
        json.dump(st, f)
    runtime("delete", "--force", cid, check=True)


def test_concurrent_starts_only_one_wins(runtime, bundle, cid):
    bundle.sh("sleep 300").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    results = []

    def start():
        results.append(runtime("start", cid).returncode)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1, 1, 1]
    assert runtime.state(cid)["status"] == "running"
    runtime("delete", "--force", cid, check=True)


def test_concurrent_creates_of_one_id(runtime, bundle, cid):
    bundle.sh("sleep 300").write()
    results = []

    def create():
        results.append(runtime("create", "--bundle", bundle.path, cid).returncode)

    threads = [threading.Thread(target=create) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1, 1]
    assert runtime.state(cid)["status"] == "created"
    runtime("delete", "--force", cid, check=True)


def test_stopped_after_init_exits(runtime, bundle, cid):
    bundle.sh("exit 0").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    runtime.wait_status(cid, "stopped")
    assert "pid" not in runtime.state(cid)
    runtime("delete", cid, check=True)


# ---- crash safety (docs/reliability.md, "Crash safety") ----------------------

def _state_path(runtime, cid):
    return os.path.join(runtime.root, cid, "state.json")


def _init_pid(runtime, cid):
    with open(_state_path(runtime, cid)) as f:
        return json.load(f)["pid"]


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def test_killed_create_leaves_a_creating_record_that_delete_undoes(runtime, bundle, cid):
    """A create killed while a createRuntime hook runs: its init dies with
    it (PR_SET_PDEATHSIG), its record says what it made, state shows it,
    delete --force removes the cgroup and the directory."""
    marker = os.path.join(bundle.path, "hook-ran")
    bundle.config["hooks"] = {"createRuntime": [
        {"path": "/bin/sh", "args": ["sh", "-c", f"touch {marker}; sleep 300"]}]}
    bundle.write()
    proc = subprocess.Popen(runtime.cmd("create", "--bundle", bundle.path, cid),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 10
    while not os.path.exists(marker) and time.time() < deadline:
        time.sleep(0.02)
    assert os.path.exists(marker)
    with open(_state_path(runtime, cid)) as f:
        st = json.load(f)
    assert st["creating"] is True and st["createHooksRun"] is True and st["pid"] > 0
    assert runtime.state(cid)["status"] == "creating"
    os.killpg(proc.pid, 9)  # create and its hook
    proc.wait()
    deadline = time.time() + 5
    while _alive(st["pid"]) and time.time() < deadline:
        time.sleep(0.02)
    assert not _alive(st["pid"]), "the init outlived its creator"
    assert runtime.state(cid)["status"] == "stopped"
    assert cid in runtime("list").stdout
    runtime("delete", "--force", cid, check=True)
    assert not os.path.exists(os.path.join(runtime.root, cid))


def test_init_survives_a_successful_create(runtime, bundle, cid):
    bundle.sh("echo hi").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    time.sleep(0.2)
    assert runtime.state(cid)["status"] == "created"
    with open(f"/proc/{_init_pid(runtime, cid)}/status") as f:
        assert "\nSigQ" in f.read()
    runtime("start", cid, check=True)
    runtime("delete", "--force", cid, check=True)


def _damage(path, how):
    if how == "directory":
        os.unlink(path)
        os.mkdir(path)
        return
    data = {"garbage": b"not json at all \x01", "empty-object": b"{}", "nuls": b"\0" * 64,
            "empty": b"", "truncated": None}[how]
    if data is None:
        with open(path, "rb") as f:
            data = f.read()[:20]
    with open(path, "wb") as f:
        f.write(data)


@pytest.mark.parametrize("how", ["garbage", "empty-object", "nuls", "directory", "empty", "truncated"])
def test_damaged_state_stays_manageable(runtime, bundle, cid, how):
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    other = cid + "-ok"
    runtime.ids.add(other)
    runtime("create", "--bundle", bundle.path, other, check=True)
    pid = _init_pid(runtime, cid)
    _damage(_state_path(runtime, cid), how)
    listed = {c["id"]: c for c in json.loads(runtime("list", "--format", "json", check=True).stdout)}
    assert listed[cid]["status"] == "unknown" and "state.json" in listed[cid]["reason"]
    assert listed[other]["status"] == "created"
    table = runtime("list", check=True).stdout
    assert any(line.startswith(cid + " ") and "unknown" in line for line in table.splitlines())
    st = runtime("state", cid)
    assert st.returncode != 0 and len(st.stderr.strip().splitlines()) == 1 and "state.json" in st.stderr
    runtime("delete", "--force", cid, check=True)
    assert not os.path.exists(os.path.join(runtime.root, cid))
    deadline = time.time() + 5
    while _alive(pid) and time.time() < deadline:
        time.sleep(0.02)
    assert not _alive(pid)
    runtime("delete", "--force", other, check=True)


def test_delete_gives_up_on_a_held_lock_and_names_the_holder(runtime, bundle, cid):
    """A start stuck in a poststart hook holds the lock; delete --force
    waits a bounded time and says who holds it."""
    bundle.sh("sleep 300").write()
    bundle.config["hooks"] = {"poststart": [{"path": "/bin/sleep", "args": ["sleep", "30"]}]}
    bundle.write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    start = subprocess.Popen(runtime.cmd("start", cid), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        runtime.wait_status(cid, "running")
        proc = runtime("delete", "--force", cid, timeout=30)
        assert proc.returncode != 0
        assert f"pid {start.pid}" in proc.stderr and "start" in proc.stderr
    finally:
        os.killpg(start.pid, 9)
        start.wait()
    runtime("delete", "--force", cid, check=True)


def test_delete_force_of_a_stateless_directory(runtime, cid):
    os.makedirs(os.path.join(runtime.root, cid))
    assert runtime("state", cid).returncode != 0
    runtime("delete", "--force", cid, check=True)
    assert not os.path.exists(os.path.join(runtime.root, cid))


def test_start_fails_when_the_init_dies_before_execve(runtime, bundle, cid):
    """The init killed between `start` releasing it and its execve (here by
    a startContainer hook; a stack overflow did it before) leaves no
    start.error: start must still fail."""
    bundle.sh("sleep 300")
    bundle.linux["namespaces"] = [ns for ns in bundle.linux["namespaces"] if ns["type"] != "pid"]
    bundle.config["hooks"] = {"startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "kill -9 $PPID"]}]}
    bundle.write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    proc = runtime("start", cid)
    assert proc.returncode != 0
    assert "exited before it started" in proc.stderr and "signal 9" in proc.stderr
    runtime("delete", "--force", cid, check=True)


def test_start_that_cannot_record_does_not_run_the_process(runtime, bundle, cid, tmp_path):
    flag = tmp_path / "bundle" / "ran"
    bundle.copy_rootfs()
    bundle.sh("touch /ran").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    d = os.path.join(runtime.root, cid)
    subprocess.run(["mount", "--bind", "-o", "ro", d, d], check=True)
    subprocess.run(["mount", "-o", "remount,bind,ro", d], check=True)
    try:
        proc = runtime("start", cid)
        assert proc.returncode != 0
    finally:
        subprocess.run(["umount", d], check=True)
    time.sleep(0.2)
    assert not os.path.exists(os.path.join(bundle.path, "rootfs", "ran"))
    assert runtime.state(cid)["status"] == "created"
    runtime("delete", "--force", cid, check=True)
    assert not flag.exists()

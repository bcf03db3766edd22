"""State: atomic, locked, and never fooled by a recycled PID."""

import json
import os
import subprocess
import threading
import time


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

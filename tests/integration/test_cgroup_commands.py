"""update, pause, resume, ps and events, on whatever layout the host has
(cgroup v1/hybrid here, cgroup v2 in the VM of tests/vm)."""

import json
import os
import subprocess
import time

from cgroups import cpu_quota, is_unified, memory_limit, pids_limit, read, v1_dir, v2_dir


def running(runtime, bundle, cid, script="sleep 300", resources=None):
    bundle.linux["resources"] = resources or {"memory": {"limit": 64 << 20}, "pids": {"limit": 100}}
    bundle.sh(script).write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    return f"/tinyrun/{cid}"


def test_update_flags(runtime, bundle, cid):
    path = running(runtime, bundle, cid)
    runtime("update", "--memory", "128m", "--pids-limit", "20", "--cpu-quota", "30000", "--cpu-period",
            "100000", cid, check=True)
    assert memory_limit(path) == str(128 << 20)
    assert pids_limit(path) == "20"
    assert cpu_quota(path) == "30000"
    runtime("delete", "--force", cid, check=True)


def test_update_resources_file_and_stdin(runtime, bundle, cid, tmp_path):
    path = running(runtime, bundle, cid)
    f = tmp_path / "res.json"
    f.write_text(json.dumps({"pids": {"limit": 33}}))
    runtime("update", f"--resources={f}", cid, check=True)
    assert pids_limit(path) == "33"
    runtime("update", "-r", "-", cid, check=True, input=json.dumps({"memory": {"limit": 96 << 20}}))
    assert memory_limit(path) == str(96 << 20)
    runtime("delete", "--force", cid, check=True)


def test_update_errors(runtime, bundle, cid):
    path = running(runtime, bundle, cid)
    proc = runtime("update", "--memory", "lots", cid)
    assert proc.returncode == 1 and '--memory: "lots" is not a size' in proc.stderr
    proc = runtime("update", "-r", "-", cid, input='{"pids": {"limit": "x"}}')
    assert proc.returncode == 1 and "resources: pids.limit: expected an integer" in proc.stderr
    assert pids_limit(path) == "100"
    runtime("kill", cid, "KILL", check=True)
    runtime.wait_status(cid, "stopped")
    proc = runtime("update", "--pids-limit", "5", cid)
    assert proc.returncode == 1 and "container is not running" in proc.stderr
    runtime("delete", cid, check=True)


def counter(bundle):
    """How far the container's loop got: the file only ever grows."""
    return os.path.getsize(os.path.join(bundle.path, "rootfs", "tmp", "counter"))


def test_pause_and_resume(runtime, bundle, cid):
    bundle.copy_rootfs()
    bundle.config["root"]["readonly"] = False
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["destination"] != "/tmp"]
    running(runtime, bundle, cid, script="while true; do echo x >> /tmp/counter; done")
    deadline = time.time() + 10
    while time.time() < deadline and not os.path.exists(os.path.join(bundle.path, "rootfs/tmp/counter")):
        time.sleep(0.05)
    runtime("pause", cid, check=True)
    assert runtime.state(cid)["status"] == "paused"
    before = counter(bundle)
    time.sleep(0.5)
    assert counter(bundle) == before  # frozen: not a single step more
    assert runtime("pause", cid).returncode == 1
    runtime("resume", cid, check=True)
    assert runtime.state(cid)["status"] == "running"
    deadline = time.time() + 10
    while time.time() < deadline and counter(bundle) == before:
        time.sleep(0.05)
    assert counter(bundle) != before
    assert runtime("resume", cid).returncode == 1
    runtime("delete", "--force", cid, check=True)


def test_delete_force_of_paused_container(runtime, bundle, cid):
    running(runtime, bundle, cid)
    runtime("pause", cid, check=True)
    runtime("delete", "--force", cid, check=True)


def test_ps_json_and_table(runtime, bundle, cid):
    running(runtime, bundle, cid, script="sleep 300 & sleep 301 & wait")
    init = runtime.state(cid)["pid"]
    deadline = time.time() + 10
    while time.time() < deadline and len(json.loads(runtime("ps", "--format", "json", cid, check=True).stdout)) < 3:
        time.sleep(0.05)
    pids = json.loads(runtime("ps", "--format", "json", cid, check=True).stdout)
    assert init in pids and len(pids) == 3
    table = runtime("ps", cid, check=True).stdout.splitlines()
    assert "PID" in table[0] and len(table) == 4
    assert any("sleep 301" in line for line in table)
    custom = runtime("ps", cid, "--", "-o", "pid,comm", check=True).stdout.splitlines()
    assert custom[0].split() == ["PID", "COMMAND"] and len(custom) == 4
    runtime("delete", "--force", cid, check=True)


def test_events_stats(runtime, bundle, cid):
    running(runtime, bundle, cid)
    ev = json.loads(runtime("events", "--stats", cid, check=True).stdout)
    assert ev["type"] == "stats" and ev["id"] == cid
    assert ev["data"]["memory"]["usage"]["limit"] == 64 << 20
    assert ev["data"]["memory"]["usage"]["usage"] > 0
    assert ev["data"]["pids"]["current"] >= 1 and ev["data"]["pids"]["limit"] == 100
    assert ev["data"]["cpu"]["usage"]["total"] > 0
    runtime("delete", "--force", cid, check=True)


def test_events_reports_oom(runtime, bundle, cid):
    # A child that blows the limit is OOM-killed; the init survives.
    running(runtime, bundle, cid,
            script="sleep 1; sh -c 'x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done'; sleep 300",
            resources={"memory": {"limit": 16 << 20, "swap": 16 << 20}})
    proc = subprocess.Popen(runtime.cmd("events", "--interval", "1h", cid), stdout=subprocess.PIPE, text=True)
    try:
        lines = []
        deadline = time.time() + 120
        while time.time() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(json.loads(line))
            if lines[-1]["type"] == "oom":
                break
        assert lines[0]["type"] == "stats"
        assert any(e["type"] == "oom" and e["id"] == cid for e in lines)
    finally:
        proc.kill()
        proc.wait()
    runtime("delete", "--force", cid, check=True)


def test_delete_removes_the_container_cgroup_and_keeps_the_levels_above(runtime, bundle, cid):
    """An absolute linux.cgroupsPath two levels deep, both made by create:
    delete removes the container's own cgroup and leaves the level above
    it, the containers' common parent, as runc and crun do."""
    import glob
    top = f"tinyrun-test-{cid}"
    bundle.linux["cgroupsPath"] = f"/{top}/inner"
    bundle.sh("sleep 300").write()
    try:
        runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
        assert glob.glob(f"/sys/fs/cgroup/**/{top}/inner", recursive=True)
        runtime("delete", "--force", cid, check=True)
        assert not glob.glob(f"/sys/fs/cgroup/**/{top}/inner", recursive=True)
        assert glob.glob(f"/sys/fs/cgroup/*/{top}") or glob.glob(f"/sys/fs/cgroup/{top}")
    finally:
        for d in glob.glob(f"/sys/fs/cgroup/*/{top}") + glob.glob(f"/sys/fs/cgroup/{top}"):
            os.rmdir(d)


def test_failed_create_removes_cgroup_levels(runtime, bundle, cid):
    import glob
    top = f"tinyrun-test-{cid}"
    bundle.linux["cgroupsPath"] = f"/{top}/inner"
    bundle.linux["resources"] = {"cpu": {"cpus": "999"}}  # the kernel refuses it
    bundle.write()
    assert runtime("create", "--bundle", bundle.path, cid).returncode == 1
    assert not glob.glob(f"/sys/fs/cgroup/*/{top}") and not glob.glob(f"/sys/fs/cgroup/{top}")


def test_memory_limit_oom_kills(runtime, bundle, cid):
    bundle.linux["resources"] = {"memory": {"limit": 16 << 20, "swap": 16 << 20}}
    bundle.sh("x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; "
              "while true; do x=$x$x; done").write()
    proc = runtime("run", "--bundle", bundle.path, cid, timeout=300)
    assert proc.returncode == 128 + 9


def cpu_period(path):
    if is_unified():
        return read(os.path.join(v2_dir(path), "cpu.max")).split()[1]
    return read(os.path.join(v1_dir("cpu", path), "cpu.cfs_period_us"))


def test_update_one_half_of_the_cpu_limit_keeps_the_other(runtime, bundle, cid):
    path = running(runtime, bundle, cid, resources={"cpu": {"quota": 50000, "period": 100000}})
    # cgroup v2 writes both halves of cpu.max at once: the quota must stay.
    runtime("update", "--cpu-period", "200000", cid, check=True)
    assert (cpu_quota(path), cpu_period(path)) == ("50000", "200000")
    runtime("update", "--cpu-quota", "70000", cid, check=True)
    assert (cpu_quota(path), cpu_period(path)) == ("70000", "200000")
    # 0 is "leave it alone" (runc), for the flags and for a resources document.
    runtime("update", "--cpu-quota", "0", "--cpu-period", "0", "--cpu-share", "0", cid, check=True)
    runtime("update", "-r", "-", cid, check=True, input=json.dumps({"cpu": {"shares": 0, "quota": 0, "period": 0}}))
    assert (cpu_quota(path), cpu_period(path)) == ("70000", "200000")
    runtime("update", "--cpu-quota", "-1", cid, check=True)
    assert cpu_quota(path) in ("-1", "max")
    assert cpu_period(path) == "200000"
    runtime("delete", "--force", cid, check=True)


def test_update_pids_limit_zero_is_a_limit(runtime, bundle, cid):
    # runc 1.5 (runtime-spec 1.3): 0 is a real limit, written as 1 as runc
    # does; -1 is "max".
    path = running(runtime, bundle, cid)
    runtime("update", "--pids-limit", "0", cid, check=True)
    assert pids_limit(path) == "1"
    runtime("update", "--pids-limit", "-1", cid, check=True)
    assert pids_limit(path) == "max"
    runtime("delete", "--force", cid, check=True)

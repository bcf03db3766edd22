"""--systemd-cgroup: the container's cgroup is a transient scope that
systemd makes.  Checked in systemd's view (systemctl show) and the
kernel's (the scope's files).  Needs systemd as PID 1 on a cgroup v2 host:
tests/vm/run-systemd-tests boots one; elsewhere only the error tests run."""

import json
import os
import subprocess
import time
import uuid

import pytest

from cgroups import is_unified, read

SYSTEMD = os.path.isdir("/run/systemd/system") and is_unified()
needs_systemd = pytest.mark.skipif(not SYSTEMD, reason="needs systemd as PID 1 on cgroup v2 (tests/vm/run-systemd-tests)")


def show(unit, prop):
    return subprocess.run(["systemctl", "show", "-p", prop, "--value", unit], capture_output=True, text=True,
                          check=True).stdout.strip()


def unit_listed(unit):
    out = subprocess.run(["systemctl", "list-units", "--all", "--no-legend", "--plain", unit], capture_output=True,
                         text=True).stdout
    return unit in out


def run_scope(runtime, bundle, cid, resources=None, path=None, script="sleep 300"):
    bundle.linux["cgroupsPath"] = path or f"system.slice:tinyrun:{cid}"
    if resources is not None:
        bundle.linux["resources"] = resources
    bundle.sh(script).write()
    runtime("--systemd-cgroup", "run", "-d", "--bundle", bundle.path, cid, check=True)
    return f"tinyrun-{cid}.scope"


def scope_dir(cid, slice_dir="/system.slice"):
    return f"/sys/fs/cgroup{slice_dir}/tinyrun-{cid}.scope"


def test_malformed_cgroups_path(runtime, bundle, cid):
    bundle.linux["cgroupsPath"] = "x"
    bundle.write()
    proc = runtime("--systemd-cgroup", "run", "-d", "--bundle", bundle.path, cid)
    assert proc.returncode != 0
    assert proc.stderr.strip().endswith('linux.cgroupsPath: "x" is not slice:prefix:name'), proc.stderr


@pytest.mark.skipif(os.path.isdir("/run/systemd/system"), reason="systemd runs here")
def test_no_systemd_is_one_clear_line(runtime, bundle, cid):
    bundle.linux["cgroupsPath"] = f"system.slice:tinyrun:{cid}"
    bundle.write()
    proc = runtime("--systemd-cgroup", "run", "-d", "--bundle", bundle.path, cid)
    assert proc.returncode != 0
    assert "--systemd-cgroup: cannot reach systemd over D-Bus: " in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@needs_systemd
def test_scope_properties_and_files(runtime, bundle, cid):
    unit = run_scope(runtime, bundle, cid, {
        "memory": {"limit": 64 << 20, "reservation": 16 << 20, "swap": 96 << 20},
        "cpu": {"shares": 1024, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"},
        "pids": {"limit": 42},
        "unified": {"memory.high": "50331648"}})
    assert show(unit, "ActiveState") == "active"
    assert show(unit, "Delegate") == "yes"
    assert show(unit, "ControlGroup") == f"/system.slice/{unit}"
    assert show(unit, "MemoryMax") == str(64 << 20)
    assert show(unit, "MemoryLow") == str(16 << 20)
    assert show(unit, "MemorySwapMax") == str(32 << 20)
    assert show(unit, "TasksMax") == "42"
    assert show(unit, "CPUWeight") == "39"
    assert show(unit, "CPUQuotaPerSecUSec") == "500ms"
    assert show(unit, "AllowedCPUs") == "0"
    pid = runtime.state(cid)["pid"]
    with open(f"/proc/{pid}/cgroup") as f:
        assert f.read().strip() == f"0::/system.slice/{unit}"
    d = scope_dir(cid)
    assert read(f"{d}/memory.max") == str(64 << 20)
    assert read(f"{d}/memory.swap.max") == str(32 << 20)
    assert read(f"{d}/cpu.max") == "50000 100000"
    assert read(f"{d}/cpu.weight") == "39"
    assert read(f"{d}/pids.max") == "42"
    assert read(f"{d}/cpuset.cpus") == "0"
    assert read(f"{d}/memory.high") == "50331648"  # unified: written by tinyrun
    with open(os.path.join(runtime.root, cid, "state.json")) as f:
        st = json.load(f)
    assert st["systemdCgroup"] is True and st["cgroupPath"] == f"/system.slice/{unit}"
    runtime("delete", "--force", cid, check=True)
    assert not unit_listed(unit)
    assert not os.path.exists(d)


@needs_systemd
def test_nested_slices_are_made(runtime, bundle, cid):
    stem = "trt" + uuid.uuid4().hex[:6]
    unit = run_scope(runtime, bundle, cid, path=f"{stem}-a-b.slice:tinyrun:{cid}")
    nested = f"/{stem}.slice/{stem}-a.slice/{stem}-a-b.slice"
    try:
        assert show(unit, "ControlGroup") == f"{nested}/{unit}"
        assert os.path.isdir(scope_dir(cid, nested))
        assert show(f"{stem}-a-b.slice", "ActiveState") == "active"
        runtime("delete", "--force", cid, check=True)
        assert not unit_listed(unit)
    finally:
        subprocess.run(["systemctl", "stop", f"{stem}.slice"], capture_output=True)


@needs_systemd
def test_update_sets_unit_and_files(runtime, bundle, cid):
    unit = run_scope(runtime, bundle, cid, {"memory": {"limit": 64 << 20}, "cpu": {"quota": 50000, "period": 100000}})
    runtime("update", "--memory", "128m", "--pids-limit", "10", "--cpu-period", "200000", cid, check=True)
    d = scope_dir(cid)
    assert show(unit, "MemoryMax") == str(128 << 20) and read(f"{d}/memory.max") == str(128 << 20)
    assert show(unit, "TasksMax") == "10" and read(f"{d}/pids.max") == "10"
    # The period alone: the quota stays, in the file and the unit.
    assert read(f"{d}/cpu.max") == "50000 200000"
    assert show(unit, "CPUQuotaPeriodUSec") == "200ms"
    assert show(unit, "CPUQuotaPerSecUSec") == "250ms"
    runtime("delete", "--force", cid, check=True)


@needs_systemd
def test_pause_resume_ps_events_kill_all(runtime, bundle, cid):
    unit = run_scope(runtime, bundle, cid, {"memory": {"limit": 64 << 20}}, script="sleep 300 & sleep 300")
    d = scope_dir(cid)
    runtime("pause", cid, check=True)
    assert read(f"{d}/cgroup.freeze") == "1"
    assert runtime.state(cid)["status"] == "paused"
    runtime("resume", cid, check=True)
    assert read(f"{d}/cgroup.freeze") == "0"
    ps = runtime("ps", "--format", "json", cid, check=True)
    pids = json.loads(ps.stdout)
    assert len(pids) >= 2 and runtime.state(cid)["pid"] in pids
    ev = runtime("events", "--stats", cid, check=True)
    stats = json.loads(ev.stdout)
    assert stats["data"]["memory"]["usage"]["limit"] == 64 << 20
    runtime("kill", "--all", cid, "KILL", check=True)
    runtime.wait_status(cid, "stopped")
    runtime("delete", cid, check=True)
    assert not unit_listed(unit)


@needs_systemd
def test_unit_that_exists_is_refused(runtime, bundle, cid):
    unit = run_scope(runtime, bundle, cid)
    other = cid + "-b"
    runtime.ids.add(other)
    proc = runtime("--systemd-cgroup", "run", "-d", "--bundle", bundle.path, other)
    assert proc.returncode != 0
    assert f"--systemd-cgroup: unit {unit} already exists" in proc.stderr, proc.stderr
    # The first container is untouched.
    assert show(unit, "ActiveState") == "active"
    assert runtime.state(cid)["status"] == "running"
    runtime("delete", "--force", cid, check=True)


@needs_systemd
def test_failed_create_leaves_no_unit(runtime, bundle, cid):
    # The kernel refuses the unified value after the scope started: the
    # rollback stops the unit.
    bundle.linux["resources"] = {"unified": {"memory.high": "nonsense"}}
    bundle.linux["cgroupsPath"] = f"system.slice:tinyrun:{cid}"
    bundle.sh("sleep 300").write()
    proc = runtime("--systemd-cgroup", "run", "-d", "--bundle", bundle.path, cid)
    assert proc.returncode != 0
    deadline = time.time() + 10
    while unit_listed(f"tinyrun-{cid}.scope") and time.time() < deadline:
        time.sleep(0.1)
    assert not unit_listed(f"tinyrun-{cid}.scope")

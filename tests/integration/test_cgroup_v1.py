"""cgroup v1 (legacy and hybrid hosts: this project's machines), checked in
the kernel's files and by what the container can really do."""

import os
import time

import pytest

from cgroups import is_unified, read, v1_dir
from procwait import pidfds, wait_exited

pytestmark = pytest.mark.skipif(is_unified(), reason="needs cgroup v1 (legacy or hybrid host)")


def start(runtime, bundle, cid, resources, script="sleep 300"):
    bundle.linux["resources"] = resources
    bundle.sh(script).write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    return f"/tinyrun/{cid}"


def test_init_in_every_hierarchy(runtime, bundle, cid):
    path = start(runtime, bundle, cid, {})
    pid = str(runtime.state(cid)["pid"])
    for ctrl in ("memory", "cpu", "pids", "devices", "freezer"):
        assert pid in read(os.path.join(v1_dir(ctrl, path), "cgroup.procs")), ctrl
    runtime("delete", "--force", cid, check=True)


def test_memory_cpu_pids_files(runtime, bundle, cid):
    path = start(runtime, bundle, cid, {
        "memory": {"limit": 64 << 20, "swap": 128 << 20, "reservation": 32 << 20, "swappiness": 10},
        "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0"},
        "pids": {"limit": 42}})
    m = v1_dir("memory", path)
    assert read(f"{m}/memory.limit_in_bytes") == str(64 << 20)
    assert read(f"{m}/memory.memsw.limit_in_bytes") == str(128 << 20)
    assert read(f"{m}/memory.soft_limit_in_bytes") == str(32 << 20)
    assert read(f"{m}/memory.swappiness") == "10"
    c = v1_dir("cpu", path)
    assert read(f"{c}/cpu.shares") == "512"
    assert read(f"{c}/cpu.cfs_quota_us") == "50000"
    assert read(f"{c}/cpu.cfs_period_us") == "100000"
    assert read(os.path.join(v1_dir("cpuset", path), "cpuset.cpus")) == "0"
    assert read(os.path.join(v1_dir("pids", path), "pids.max")) == "42"
    runtime("delete", "--force", cid, check=True)


def test_pids_limit_refuses_forks(runtime, bundle, cid):
    path = start(runtime, bundle, cid, {"pids": {"limit": 5}},
                 script="for i in 1 2 3 4 5 6 7 8 9 10; do sleep 300 & done 2>/dev/null; wait")
    d = v1_dir("pids", path)
    deadline = time.time() + 30
    while time.time() < deadline and read(f"{d}/pids.events") == "max 0":
        time.sleep(0.05)
    assert read(f"{d}/pids.events") != "max 0"
    assert int(read(f"{d}/pids.current")) <= 5
    runtime("delete", "--force", cid, check=True)


def test_devices_in_order(runtime, bundle, cid):
    path = start(runtime, bundle, cid, {"devices": [
        {"allow": False, "access": "rwm"},
        {"allow": True, "type": "c", "major": 10, "minor": 229, "access": "rwm"},
        {"allow": True, "type": "b", "major": 8, "minor": 20, "access": "rw"}]})
    lines = read(os.path.join(v1_dir("devices", path), "devices.list")).splitlines()
    assert lines[:2] == ["c 10:229 rwm", "b 8:20 rw"]
    assert "c 1:3 rwm" in lines  # a default device
    runtime("delete", "--force", cid, check=True)


def test_denied_device_is_refused(runtime, bundle, cid):
    bundle.linux["resources"] = {"devices": [
        {"allow": False, "access": "rwm"},
        {"allow": False, "type": "c", "major": 1, "minor": 7, "access": "rwm"}]}
    bundle.sh("echo x > /dev/null && echo null-ok; (echo x > /dev/full) 2>&1; true").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert "null-ok" in proc.stdout
    assert "Operation not permitted" in proc.stdout


@pytest.mark.skipif(not os.path.exists("/sys/kernel/mm/hugepages/hugepages-2048kB"), reason="no 2MB huge pages")
def test_hugetlb_limit(runtime, bundle, cid):
    path = start(runtime, bundle, cid, {"hugepageLimits": [{"pageSize": "2MB", "limit": 4 << 20}]})
    if os.path.isdir("/sys/fs/cgroup/hugetlb"):
        f = os.path.join(v1_dir("hugetlb", path), "hugetlb.2MB.limit_in_bytes")
    else:  # hybrid host: hugetlb lives in the cgroup2 mount
        f = os.path.join("/sys/fs/cgroup/unified", path.lstrip("/"), "hugetlb.2MB.max")
    assert read(f) == str(4 << 20)
    runtime("delete", "--force", cid, check=True)


def test_missing_controller_names_the_field(runtime, bundle, cid):
    if os.path.isdir("/sys/fs/cgroup/net_cls"):
        pytest.skip("this host mounts net_cls")
    bundle.linux["resources"] = {"network": {"classID": 1048577}}
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert ("linux.resources.network.classID: the net_cls cgroup controller is not mounted on this host"
            in proc.stderr)


def test_kernel_rejects_value_names_field_and_file(runtime, bundle, cid):
    bundle.linux["resources"] = {"cpu": {"cpus": "999"}}
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert "linux.resources.cpu.cpus: write 999 to cpuset.cpus" in proc.stderr


def test_kill_all_uses_the_cgroup(runtime, bundle, cid):
    bundle.linux["namespaces"] = [ns for ns in bundle.linux["namespaces"] if ns["type"] != "pid"]
    path = start(runtime, bundle, cid, {}, script="sleep 300 & sleep 301 & sleep 302")
    d = v1_dir("pids", path)
    deadline = time.time() + 10
    while time.time() < deadline and len(read(f"{d}/cgroup.procs").split()) < 3:
        time.sleep(0.05)
    procs = [int(p) for p in read(f"{d}/cgroup.procs").split()]
    assert len(procs) >= 3, procs
    fds = pidfds(procs)
    runtime("kill", "--all", cid, "KILL", check=True)
    # Dead before delete, which would kill them itself.
    assert wait_exited(fds) == []
    runtime.wait_status(cid, "stopped")
    runtime("delete", cid, check=True)

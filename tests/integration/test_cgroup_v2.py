"""cgroup v2 resources, checked in the kernel's files.  These tests need a
unified hierarchy with controllers: on this project's hybrid hosts they
skip, and tests/vm/run-cgroup-v2-tests runs them in a VM that has one."""

import json
import os
import subprocess
import time

import pytest

from cgroups import is_unified, read, v2_controllers, v2_dir

pytestmark = pytest.mark.skipif(not (is_unified() and "memory" in v2_controllers()),
                                reason="needs a cgroup v2 host with controllers (see tests/vm)")


def start(runtime, bundle, cid, resources, script="sleep 300"):
    bundle.linux["resources"] = resources
    bundle.sh(script).write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    return v2_dir(f"/tinyrun/{cid}")


def test_init_is_in_its_cgroup(runtime, bundle, cid):
    d = start(runtime, bundle, cid, {})
    pid = runtime.state(cid)["pid"]
    assert str(pid) in read(os.path.join(d, "cgroup.procs"))
    with open(f"/proc/{pid}/cgroup") as f:
        assert f.read().strip() == f"0::/tinyrun/{cid}"
    runtime("delete", "--force", cid, check=True)
    # Inside, its own cgroup namespace has it at the root.
    bundle.sh("cat /proc/self/cgroup").write()
    assert runtime("run", "--bundle", bundle.path, cid, check=True).stdout.strip() == "0::/"


def test_memory_cpu_pids_files(runtime, bundle, cid):
    d = start(runtime, bundle, cid, {
        "memory": {"limit": 64 << 20, "reservation": 16 << 20, "swap": 96 << 20},
        "cpu": {"shares": 1024, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"},
        "pids": {"limit": 42}})
    assert read(os.path.join(d, "memory.max")) == str(64 << 20)
    assert read(os.path.join(d, "memory.low")) == str(16 << 20)
    assert read(os.path.join(d, "memory.swap.max")) == str(32 << 20)
    assert read(os.path.join(d, "cpu.max")) == "50000 100000"
    assert read(os.path.join(d, "cpu.weight")) == "39"  # 1 + (1024-2)*9999/262142
    assert read(os.path.join(d, "cpuset.cpus")) == "0"
    assert read(os.path.join(d, "pids.max")) == "42"
    runtime("delete", "--force", cid, check=True)


def test_unlimited_values(runtime, bundle, cid):
    d = start(runtime, bundle, cid, {"memory": {"limit": -1, "swap": -1}, "pids": {"limit": -1},
                                     "cpu": {"quota": -1, "period": 100000}})
    assert read(os.path.join(d, "memory.max")) == "max"
    assert read(os.path.join(d, "pids.max")) == "max"
    assert read(os.path.join(d, "cpu.max")) == "max 100000"
    runtime("delete", "--force", cid, check=True)


def test_pids_limit_refuses_forks(runtime, bundle, cid):
    d = start(runtime, bundle, cid, {"pids": {"limit": 5}},
              script="for i in 1 2 3 4 5 6 7 8 9 10; do sleep 300 & done 2>/dev/null; wait")
    events = os.path.join(d, "pids.events")
    deadline = time.time() + 60
    while time.time() < deadline and read(events) == "max 0":
        time.sleep(0.1)
    assert read(events) != "max 0"  # the kernel refused forks
    assert int(read(os.path.join(d, "pids.current"))) <= 5
    runtime("delete", "--force", cid, check=True)


def test_unified_and_bad_names(runtime, bundle, cid):
    d = start(runtime, bundle, cid, {"unified": {"memory.high": "33554432"}})
    assert read(os.path.join(d, "memory.high")) == "33554432"
    runtime("delete", "--force", cid, check=True)
    other = cid + "-x"
    runtime.ids.add(other)
    bundle.linux["resources"] = {"unified": {"../cgroup.procs": "1"}}
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, other)
    assert proc.returncode == 1
    assert "linux.resources.unified.../cgroup.procs: not a cgroup interface file name" in proc.stderr


def test_kernel_rejects_value_names_field_and_file(runtime, bundle, cid):
    bundle.linux["resources"] = {"cpu": {"cpus": "999"}}
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert "linux.resources.cpu.cpus: write 999 to cpuset.cpus" in proc.stderr


def test_device_filter_denies_and_allows(runtime, bundle, cid):
    """The eBPF device program: /dev/full denied, /dev/null allowed."""
    bundle.linux["resources"] = {"devices": [
        {"allow": False, "access": "rwm"},
        {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rw"},
        {"allow": False, "type": "c", "major": 1, "minor": 7, "access": "rwm"}]}
    bundle.sh("echo x > /dev/null && echo null-ok; (echo x > /dev/full) 2>&1; "
              "head -c1 /dev/zero >/dev/null && echo zero-ok").write()
    proc = runtime("run", "--bundle", bundle.path, cid, timeout=120)
    assert "null-ok" in proc.stdout
    assert "Operation not permitted" in proc.stdout
    assert "zero-ok" in proc.stdout  # a default device


def test_device_rules_last_match_wins(runtime, bundle, cid):
    bundle.linux["resources"] = {"devices": [
        {"allow": False, "access": "rwm"},
        {"allow": False, "type": "c", "major": 1, "minor": 5, "access": "rwm"},
        {"allow": True, "type": "c", "major": 1, "minor": 5, "access": "r"}]}
    bundle.sh("head -c1 /dev/zero >/dev/null && echo read-ok; (echo x > /dev/zero) 2>&1; true").write()
    proc = runtime("run", "--bundle", bundle.path, cid, timeout=120)
    assert "read-ok" in proc.stdout
    assert "Operation not permitted" in proc.stdout


def test_hugetlb_limit(runtime, bundle, cid):
    if not os.path.exists("/sys/kernel/mm/hugepages/hugepages-2048kB"):
        pytest.skip("no 2MB huge pages")
    d = start(runtime, bundle, cid, {"hugepageLimits": [{"pageSize": "2MB", "limit": 4 << 20}]})
    assert read(os.path.join(d, "hugetlb.2MB.max")) == str(4 << 20)
    runtime("delete", "--force", cid, check=True)


def test_check_before_update(runtime, bundle, cid):
    d = start(runtime, bundle, cid, {"memory": {"limit": 64 << 20}})
    usage = int(read(os.path.join(d, "memory.current")))
    proc = runtime("update", "-r", "-", cid,
                   input=json.dumps({"memory": {"limit": max(usage // 2, 4096), "checkBeforeUpdate": True}}))
    assert proc.returncode == 1 and "is below the current usage" in proc.stderr
    assert read(os.path.join(d, "memory.max")) == str(64 << 20)
    runtime("delete", "--force", cid, check=True)


def test_update_replaces_device_filter(runtime, bundle, cid):
    d = start(runtime, bundle, cid, {"devices": [
        {"allow": False, "access": "rwm"},
        {"allow": False, "type": "c", "major": 1, "minor": 7, "access": "rwm"}]})
    probe = ["exec", cid, "sh", "-c", "(echo x > /dev/full) 2>&1; true"]
    assert "Operation not permitted" in runtime(*probe).stdout
    runtime("update", "-r", "-", cid, check=True, input=json.dumps({"devices": [
        {"allow": False, "access": "rwm"},
        {"allow": True, "type": "c", "major": 1, "minor": 7, "access": "rw"}]}))
    assert "No space left on device" in runtime(*probe).stdout  # /dev/full, now allowed
    runtime("delete", "--force", cid, check=True)


# Docker 20.10 (Debian docker.io) sends these zeros on create, and the cpu
# ones again on every `docker update`: runc leaves those files alone.
DOCKER_ZEROS = {"blockIO": {"weight": 0, "leafWeight": 0},
                "cpu": {"shares": 0, "quota": 0, "period": 0, "realtimeRuntime": 0, "realtimePeriod": 0},
                "memory": {"limit": 64 << 20, "reservation": 0, "swap": 0, "kernel": 0, "kernelTCP": 0}}


def test_docker_zeros_leave_the_kernel_defaults(runtime, bundle, cid):
    d = start(runtime, bundle, cid, DOCKER_ZEROS)
    assert read(os.path.join(d, "cpu.max")) == "max 100000"
    assert read(os.path.join(d, "cpu.weight")) == "100"
    assert read(os.path.join(d, "memory.max")) == str(64 << 20)
    assert read(os.path.join(d, "memory.low")) == "0"
    if os.path.exists(os.path.join(d, "memory.swap.max")):
        assert read(os.path.join(d, "memory.swap.max")) == "max"
    runtime("update", "--cpu-period", "50000", "--cpu-quota", "20000", cid, check=True)
    # `docker update --memory 96m`: the memory limit and the cpu zeros.
    update = {"memory": {"limit": 96 << 20}, "cpu": {"shares": 0, "quota": 0, "period": 0},
              "blockIO": {"weight": 0}}
    runtime("update", "-r", "-", cid, check=True, input=json.dumps(update))
    assert read(os.path.join(d, "memory.max")) == str(96 << 20)
    assert read(os.path.join(d, "cpu.max")) == "20000 50000"
    runtime("delete", "--force", cid, check=True)


def test_swap_max_follows_runc(runtime, bundle, cid):
    d = start(runtime, bundle, cid, {"memory": {"limit": 64 << 20, "swap": 64 << 20}})
    if not os.path.exists(os.path.join(d, "memory.swap.max")):
        runtime("delete", "--force", cid, check=True)
        pytest.skip("no swap accounting in this kernel (no memory.swap.max)")
    assert read(os.path.join(d, "memory.swap.max")) == "0"  # memory+swap == memory: no swap
    # Unlimited memory and no word on swap: swap unlimited too.
    runtime("update", "--memory", "-1", cid, check=True)
    assert read(os.path.join(d, "memory.max")) == "max"
    assert read(os.path.join(d, "memory.swap.max")) == "max"
    runtime("delete", "--force", cid, check=True)

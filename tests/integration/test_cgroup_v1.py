"""cgroup v1 (legacy and hybrid hosts: this project's machines), checked in
the kernel's files and by what the container can really do."""

import json
import os
import subprocess
import time

import pytest

from cgroups import is_unified, read, v1_dir
from conftest import traced
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


CGROUP_AND_FDS = "cat /proc/self/cgroup; echo --; ls -l /proc/self/fd/"


def joined_itself(runtime, tmp_path, path, *args):
    """Runs tinyrun ARGS, whose process prints CGROUP_AND_FDS, under strace
    and checks that the process wrote "0" to the tasks file of path in every
    hierarchy it is in, that nobody wrote its pid to a cgroup.procs there,
    that it sees its cgroup as its cgroup namespace's root and holds no
    cgroup file."""
    lines, proc = traced(runtime, tmp_path / "strace.log", "trace=write", *args, flags=("-y",))
    assert proc.returncode == 0, proc.stderr
    cgroup_lines, fds = proc.stdout.split("--\n")
    assert "cgroup" not in fds and "tasks" not in fds, fds  # closed before the exec
    hierarchies = {l.split(":")[1] for l in cgroup_lines.splitlines() if l.split(":")[1]}
    # (a line may be cut by strace into "<unfinished ...>" and its resumption)
    joins = [w for w in lines if f"{path}/tasks>" in w and '"0", 1' in w]
    assert len(joins) == len(hierarchies), (joins, hierarchies)
    assert not [w for w in lines if f"{path}/cgroup.procs>" in w], lines
    for line in cgroup_lines.splitlines():
        _, ctrl, where = line.split(":", 2)
        if ctrl:
            assert where == "/", line  # the cgroup namespace's root is the container's cgroup


def test_init_joins_its_cgroups_itself(runtime, bundle, cid, tmp_path):
    """The runtime does not write the init's pid to a v1 cgroup.procs,
    which waits for an RCU grace period (linux/cgroup_join.h): the init
    writes "0" to each hierarchy's tasks file itself, is in every
    hierarchy's cgroup, and the container's process holds none of those
    files."""
    bundle.sh(CGROUP_AND_FDS).write()
    joined_itself(runtime, tmp_path, f"/tinyrun/{cid}", "run", "--bundle", bundle.path, cid)


def test_exec_process_joins_its_cgroups_itself(runtime, bundle, cid, tmp_path):
    """exec as create: the new process writes "0" to every hierarchy's
    tasks file itself (no cgroup.procs write, no RCU grace period), and
    is in the container's cgroup in every hierarchy."""
    path = start(runtime, bundle, cid, {})
    joined_itself(runtime, tmp_path, path, "exec", cid, "sh", "-c", CGROUP_AND_FDS)
    pid = str(runtime.state(cid)["pid"])
    for ctrl in ("memory", "cpu", "pids", "devices", "freezer"):
        assert len(read(os.path.join(v1_dir(ctrl, path), "cgroup.procs")).split()) == 1, ctrl  # the exec is gone
        assert pid in read(os.path.join(v1_dir(ctrl, path), "cgroup.procs"))
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


# Docker 20.10 (Debian docker.io) sends these zeros on create, and the cpu
# ones again on every `docker update`: runc leaves those files alone.
DOCKER_ZEROS = {"blockIO": {"weight": 0, "leafWeight": 0},
                "cpu": {"shares": 0, "quota": 0, "period": 0, "realtimeRuntime": 0, "realtimePeriod": 0},
                "memory": {"limit": 64 << 20, "reservation": 0, "swap": 0, "kernel": 0, "kernelTCP": 0}}


def test_docker_zeros_leave_the_kernel_defaults(runtime, bundle, cid):
    path = start(runtime, bundle, cid, DOCKER_ZEROS)
    c = v1_dir("cpu", path)
    assert read(f"{c}/cpu.shares") == "1024"
    assert read(f"{c}/cpu.cfs_quota_us") == "-1"
    assert read(f"{c}/cpu.cfs_period_us") == "100000"
    assert read(f"{c}/cpu.rt_runtime_us") == "0"
    m = v1_dir("memory", path)
    assert read(f"{m}/memory.limit_in_bytes") == str(64 << 20)
    assert int(read(f"{m}/memory.soft_limit_in_bytes")) > 1 << 60  # unlimited
    runtime("update", "--cpu-period", "50000", "--cpu-quota", "20000", cid, check=True)
    # `docker update --memory 96m`: the memory limit and the cpu zeros.
    update = {"memory": {"limit": 96 << 20}, "cpu": {"shares": 0, "quota": 0, "period": 0},
              "blockIO": {"weight": 0}}
    runtime("update", "-r", "-", cid, check=True, input=json.dumps(update))
    assert read(f"{m}/memory.limit_in_bytes") == str(96 << 20)
    assert read(f"{c}/cpu.cfs_period_us") == "50000"
    assert read(f"{c}/cpu.cfs_quota_us") == "20000"
    # runc's update flags at 0 leave the values alone too.
    runtime("update", "--cpu-quota", "0", "--cpu-period", "0", "--cpu-share", "0", "--blkio-weight", "0", cid,
            check=True)
    assert read(f"{c}/cpu.cfs_period_us") == "50000"
    assert read(f"{c}/cpu.cfs_quota_us") == "20000"
    assert read(f"{c}/cpu.shares") == "1024"
    runtime("delete", "--force", cid, check=True)


def rmdir_everywhere(path):
    for ctrl in os.listdir("/sys/fs/cgroup"):
        d = v1_dir(ctrl, path)
        if os.path.isdir(d):
            os.rmdir(d)


def test_smaller_period_goes_in_after_the_quota(runtime, bundle, cid):
    # The parent allows one CPU; a child at one CPU can only move to a
    # smaller period once its quota is smaller: the kernel refuses the
    # period first (old quota / new period = 2 CPUs).
    parent = f"/tinyrun/{cid}-parent"
    os.makedirs(v1_dir("cpu", parent))
    try:
        p = v1_dir("cpu", parent)
        with open(f"{p}/cpu.cfs_quota_us", "w") as f:
            f.write("100000")
        bundle.linux["cgroupsPath"] = f"{parent}/{cid}"
        start(runtime, bundle, cid, {"cpu": {"quota": 100000, "period": 100000}})
        c = v1_dir("cpu", f"{parent}/{cid}")
        runtime("update", "--cpu-period", "50000", "--cpu-quota", "50000", cid, check=True)
        assert read(f"{c}/cpu.cfs_period_us") == "50000"
        assert read(f"{c}/cpu.cfs_quota_us") == "50000"
        # And back up: the period first this time.
        runtime("update", "--cpu-period", "100000", "--cpu-quota", "100000", cid, check=True)
        assert read(f"{c}/cpu.cfs_period_us") == "100000"
        assert read(f"{c}/cpu.cfs_quota_us") == "100000"
        runtime("delete", "--force", cid, check=True)
    finally:
        runtime("delete", "--force", cid)
        rmdir_everywhere(parent)


@pytest.mark.skipif(not os.path.exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"),
                    reason="no swap accounting on this host (no memory.memsw.*)")
def test_memory_and_swap_in_either_direction(runtime, bundle, cid):
    path = start(runtime, bundle, cid, {"memory": {"limit": 128 << 20, "swap": 256 << 20}})
    m = v1_dir("memory", path)
    # Down: the limit first (the new memsw is below the old limit).
    runtime("update", "--memory", "32m", "--memory-swap", "64m", cid, check=True)
    assert read(f"{m}/memory.limit_in_bytes") == str(32 << 20)
    assert read(f"{m}/memory.memsw.limit_in_bytes") == str(64 << 20)
    # Up: memsw first (the new limit is above the old memsw).
    runtime("update", "--memory", "256m", "--memory-swap", "512m", cid, check=True)
    assert read(f"{m}/memory.limit_in_bytes") == str(256 << 20)
    assert read(f"{m}/memory.memsw.limit_in_bytes") == str(512 << 20)
    # Unlimited memory and no word on swap lifts memsw too.
    runtime("update", "--memory", "-1", cid, check=True)
    assert int(read(f"{m}/memory.limit_in_bytes")) > 1 << 60
    assert int(read(f"{m}/memory.memsw.limit_in_bytes")) > 1 << 60
    runtime("delete", "--force", cid, check=True)


def test_blkio_weight_file_is_cfq_or_bfq(runtime, bundle, cid):
    if not os.path.isdir("/sys/fs/cgroup/blkio"):
        pytest.skip("no blkio hierarchy on this host")
    # The weight files are not in the root cgroup: look in a scratch one.
    probe = v1_dir("blkio", f"/tinyrun/{cid}-probe")
    os.makedirs(probe)
    try:
        files = [f for f in ("blkio.weight", "blkio.bfq.weight") if os.path.exists(os.path.join(probe, f))]
    finally:
        os.rmdir(probe)
    bundle.linux["resources"] = {"blockIO": {"weight": 500}}
    bundle.sh("sleep 300").write()
    if not files:
        # Neither CFQ nor BFQ: a real weight is refused, naming both files;
        # the weight-0 case is in test_docker_zeros_leave_the_kernel_defaults.
        proc = runtime("create", "--bundle", bundle.path, cid)
        assert proc.returncode == 1
        assert "neither blkio.weight nor blkio.bfq.weight" in proc.stderr
        pytest.skip("this host's blkio has neither blkio.weight nor blkio.bfq.weight: only the refusal is tested")
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    assert read(os.path.join(v1_dir("blkio", f"/tinyrun/{cid}"), files[0])) == "500"
    runtime("delete", "--force", cid, check=True)


def test_cpuset_levels_get_their_parents_cpus_and_mems(runtime, bundle, cid):
    """A new cpuset cgroup has empty cpuset.cpus and .mems, and nothing can
    join it until both are set: every level create makes below an older
    one, and an older one left empty, gets its parent's."""
    top = f"/tinyrun-cpuset-{cid}"
    empty = v1_dir("cpuset", top)
    os.mkdir(empty)  # made by someone else, left empty
    try:
        assert read(f"{empty}/cpuset.cpus") == ""
        bundle.linux["cgroupsPath"] = f"{top}/a/{cid}"
        start(runtime, bundle, cid, {})
        root_cpus, root_mems = read(v1_dir("cpuset", "/") + "/cpuset.cpus"), read(v1_dir("cpuset", "/") + "/cpuset.mems")
        for level in (top, f"{top}/a", f"{top}/a/{cid}"):
            d = v1_dir("cpuset", level)
            assert (read(f"{d}/cpuset.cpus"), read(f"{d}/cpuset.mems")) == (root_cpus, root_mems), level
        pid = str(runtime.state(cid)["pid"])
        assert pid in read(v1_dir("cpuset", f"{top}/a/{cid}") + "/cgroup.procs")
        runtime("delete", "--force", cid, check=True)
    finally:
        runtime("delete", "--force", cid)
        rmdir_everywhere(f"{top}/a")
        rmdir_everywhere(top)


def conventional_layout():
    """Is every v1 hierarchy of /proc/self/cgroup mounted at
    /sys/fs/cgroup/<controllers> ("name=X" at .../X)?"""
    with open("/proc/self/cgroup") as f:
        ctrls = [l.split(":")[1] for l in f.read().splitlines() if l.split(":")[1]]
    return all(os.path.ismount(os.path.join("/sys/fs/cgroup", c.removeprefix("name="))) for c in ctrls)


def test_hierarchies_are_found_without_mountinfo(runtime, bundle, cid, tmp_path):
    """Where every v1 hierarchy of /proc/self/cgroup is mounted at
    /sys/fs/cgroup/<controllers> (cgroup/v1/hierarchies.h), `create` does
    not read /proc/self/mountinfo, whose cost grows with the host's mounts."""
    if not conventional_layout():
        pytest.skip("a v1 hierarchy of this host is not at /sys/fs/cgroup/<controllers>")
    bundle.set_args("true")
    bundle.write()
    lines, proc = traced(runtime, tmp_path / "strace.log", "trace=open,openat", "run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert any("/proc/self/cgroup" in l for l in lines), "\n".join(lines)
    assert not any("mountinfo" in l for l in lines), "\n".join(lines)


def in_own_mount_ns(runtime, tmp_path, script, script_args, *args):
    """tinyrun ARGS exec'd by `sh -c SCRIPT sh SCRIPT_ARGS... tinyrun ARGS...`
    in a private mount namespace of its own: its exit status and output."""
    argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", *script_args]
    # Files, not pipes: a container keeps the runtime's stdout and stderr.
    with open(tmp_path / "out", "w+") as out:
        proc = subprocess.run(argv + runtime.cmd(*args), stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                              timeout=60)
        out.seek(0)
        return proc.returncode, out.read()


@pytest.mark.parametrize("left_there", ["nothing", "the cpu hierarchy"])
def test_a_hierarchy_mounted_elsewhere_is_found_in_mountinfo(runtime, bundle, cid, tmp_path, left_there):
    """In a mount namespace where the pids hierarchy is not at
    /sys/fs/cgroup/pids (moved to a directory of the test's; the directory
    left behind empty, or with the cpu hierarchy bound on it: a cgroup v1
    mount, but one whose device cpu already has), the cgroup is made where
    mountinfo says it is, not in the directory left behind (which the
    host's pids mount covers)."""
    bundle.linux["resources"] = {"pids": {"limit": 42}}
    bundle.sh("sleep 300").write()
    elsewhere = tmp_path / "pids"
    elsewhere.mkdir()
    script = 'mount --move /sys/fs/cgroup/pids "$1" && shift && '
    if left_there == "the cpu hierarchy":
        script += "mount --bind /sys/fs/cgroup/cpu /sys/fs/cgroup/pids && "
    script += 'exec "$@"'
    rc, text = in_own_mount_ns(runtime, tmp_path, script, [str(elsewhere)], "run", "-d", "--bundle", bundle.path, cid)
    assert rc == 0, text
    try:
        # The same hierarchy, seen from the host's mount namespace.
        assert read(os.path.join(v1_dir("pids", f"/tinyrun/{cid}"), "pids.max")) == "42"
        pid = str(runtime.state(cid)["pid"])
        assert pid in read(os.path.join(v1_dir("pids", f"/tinyrun/{cid}"), "cgroup.procs"))
        # Nothing in the directory the move left behind (under the mount).
        below = f"/sys/fs/cgroup/pids/tinyrun/{cid}"
        subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                        f'umount /sys/fs/cgroup/pids && test ! -e "{below}"'], check=True)
    finally:
        runtime("delete", "--force", cid, check=True)
    assert not os.path.exists(v1_dir("pids", f"/tinyrun/{cid}"))


def test_a_covered_hierarchy_is_not_taken(runtime, bundle, cid, tmp_path):
    """In a mount namespace where the cpu hierarchy is bound over the pids
    mount, mountinfo still lists the pids mount, but its mount point now
    leads into cpu's: pids counts as not mounted (a clear error for a pids
    limit, and nothing made or left), not as a second name of cpu's
    directories."""
    bundle.linux["resources"] = {"pids": {"limit": 42}}
    bundle.sh("true").write()
    script = 'mount --bind /sys/fs/cgroup/cpu /sys/fs/cgroup/pids && exec "$@"'
    rc, text = in_own_mount_ns(runtime, tmp_path, script, [], "run", "--bundle", bundle.path, cid)
    assert rc == 1, text
    assert "linux.resources.pids: the pids cgroup controller is not mounted on this host" in text, text
    for ctrl in ("cpu", "memory", "pids"):
        assert not os.path.exists(v1_dir(ctrl, f"/tinyrun/{cid}")), ctrl

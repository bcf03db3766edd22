"""Nothing of the host reachable through tinyrun: a host cgroup named by
linux.cgroupsPath, the rootfs walker's fallback, tinyrun-net's names."""

import os
import subprocess
import time

import pytest

import cgroups
from conftest import traced

CGROUP_ROOT = "/sys/fs/cgroup"


def hierarchy_roots():
    """The root directory of every cgroup hierarchy mounted on the host."""
    if cgroups.is_unified():
        return [CGROUP_ROOT]
    roots = []
    for name in sorted(os.listdir(CGROUP_ROOT)):
        d = os.path.join(CGROUP_ROOT, name)
        if not os.path.islink(d) and os.path.isfile(os.path.join(d, "cgroup.procs")):
            roots.append(d)
    return roots


def make_host_cgroup(path):
    """Someone else's cgroup at path (relative to the hierarchy roots), made
    level by level in every hierarchy; returns its directories, deepest
    last per hierarchy."""
    made = []
    for root in hierarchy_roots():
        cur = root
        for comp in path.strip("/").split("/"):
            parent, cur = cur, os.path.join(cur, comp)
            os.mkdir(cur)
            made.append(cur)
            for f in ("cpuset.cpus", "cpuset.mems"):
                if os.path.exists(os.path.join(cur, f)):
                    with open(os.path.join(parent, f)) as src, open(os.path.join(cur, f), "w") as dst:
                        dst.write(src.read())
    return made


def leaves(path):
    return [os.path.join(root, path.strip("/")) for root in hierarchy_roots()]


def remove_host_cgroup(made):
    deadline = time.time() + 10
    for d in reversed(made):
        while os.path.isdir(d):
            try:
                os.rmdir(d)
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)


def procs_of(d):
    with open(os.path.join(d, "cgroup.procs")) as f:
        return [int(x) for x in f.read().split()]


def test_occupied_cgroups_path_is_refused(runtime, bundle, cid):
    """A cgroupsPath that holds someone else's process (a host service, say
    /system.slice) is refused at create, so the container's delete can
    never kill that process or remove its cgroup."""
    path = f"/tinyrun-test-{cid}/owner"
    made = make_host_cgroup(path)
    owner = subprocess.Popen(["sleep", "300"])
    try:
        for leaf in leaves(path):
            with open(os.path.join(leaf, "cgroup.procs"), "w") as f:
                f.write(str(owner.pid))
        bundle.linux["cgroupsPath"] = path
        bundle.sh("sleep 300").write()
        proc = runtime("create", "--bundle", bundle.path, cid)
        assert proc.returncode == 1, proc.stderr
        assert "linux.cgroupsPath" in proc.stderr and "not empty" in proc.stderr, proc.stderr
        runtime("delete", "--force", cid)
        assert owner.poll() is None, "the owner of the cgroup was killed"
        for leaf in leaves(path):
            assert os.path.isdir(leaf)
            assert owner.pid in procs_of(leaf)
    finally:
        owner.kill()
        owner.wait()
        remove_host_cgroup(made)


def test_existing_empty_cgroups_path_is_used_and_kept(runtime, bundle, cid):
    """An existing empty cgroup (made beforehand by podman or kubelet, say)
    is used as runc uses it; delete kills the container's processes in it
    but leaves the directory, which tinyrun did not make."""
    path = f"/tinyrun-test-{cid}/premade"
    made = make_host_cgroup(path)
    try:
        bundle.linux["cgroupsPath"] = path
        bundle.sh("sleep 300").write()
        runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
        pid = runtime.state(cid)["pid"]
        for leaf in leaves(path):
            assert pid in procs_of(leaf)
        runtime("delete", "--force", cid, check=True)
        for leaf in leaves(path):
            assert os.path.isdir(leaf), f"{leaf} was removed by delete"
            assert procs_of(leaf) == []
    finally:
        remove_host_cgroup(made)


def test_failed_create_keeps_existing_empty_cgroup(runtime, bundle, cid):
    """The rollback of a failed create removes only what create made."""
    path = f"/tinyrun-test-{cid}/premade"
    made = make_host_cgroup(path)
    try:
        bundle.linux["cgroupsPath"] = path + "/inner"
        bundle.linux["resources"] = {"cpu": {"cpus": "999"}}  # the kernel refuses it
        bundle.write()
        assert runtime("create", "--bundle", bundle.path, cid).returncode == 1
        for leaf in leaves(path):
            assert os.path.isdir(leaf)
            assert not os.path.exists(os.path.join(leaf, "inner"))
    finally:
        remove_host_cgroup(made)


def openat2_calls(runtime, bundle, cid, env):
    """How many openat2 calls `tinyrun run` and its children make."""
    bundle.set_args("true")
    bundle.write()
    log = os.path.join(os.path.dirname(bundle.path), "strace.log")
    lines, proc = traced(runtime, log, "trace=openat2", "run", "--bundle", bundle.path, cid, env=env)
    assert proc.returncode == 0, proc.stderr
    runtime("delete", "--force", cid)
    return sum(1 for line in lines if "openat2(" in line)


def test_fs_safe_fallback_switch_reaches_every_caller(runtime, bundle, cid):
    """TINYRUN_FS_SAFE_FALLBACK=1 forces the userspace walk for every rootfs
    path (safe_openat, mkdir_all_in_root, mount targets): not one openat2
    is left, while the same run without it uses openat2."""
    env = {k: v for k, v in os.environ.items() if k != "TINYRUN_FS_SAFE_FALLBACK"}
    if openat2_calls(runtime, bundle, cid, env) == 0:
        pytest.skip("this kernel has no openat2")
    assert openat2_calls(runtime, bundle, cid, dict(env, TINYRUN_FS_SAFE_FALLBACK="1")) == 0

"""runc's behaviour for namespaces (issue 11): the loopback interface is up
in a new network namespace, another container's user and time namespaces
can be joined (setns in runc's order), and a frozen cgroupsPath is refused
at create instead of leaving an init that never runs."""

import os
import subprocess
import time

import pytest

import cgroups

NET_RAW = "CAP_NET_RAW"


def ns_of(pid, kind):
    return os.readlink(f"/proc/{pid}/ns/{kind}")


def with_net_raw(bundle):
    caps = bundle.process["capabilities"]
    for kind in ("bounding", "effective", "permitted"):
        caps[kind].append(NET_RAW)
    return bundle


def run_out(runtime, bundle, cid, script):
    bundle.sh(script).write()
    proc = runtime("run", "--bundle", bundle.path, cid, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


# ---- 1. loopback -----------------------------------------------------------


def test_loopback_is_up_in_a_new_network_namespace(runtime, bundle, cid):
    """runc's "loopback" strategy: lo is up (IFF_UP in its flags, as `ip
    link` shows) and 127.0.0.1 answers a ping."""
    with_net_raw(bundle)
    out = run_out(runtime, bundle, cid,
                  "cat /sys/class/net/lo/flags; ip -o link show lo; ping -c 1 -W 2 127.0.0.1 >/dev/null && echo pong")
    lines = out.splitlines()
    assert int(lines[0], 16) & 0x1, out  # IFF_UP
    assert "UP" in lines[1].split("<")[1].split(">")[0].split(","), out
    assert lines[-1] == "pong", out


def test_loopback_of_a_joined_network_namespace_is_left_alone(runtime, bundle, cid):
    """A network namespace joined by path is someone else's: its lo stays
    as it is (down here, in a namespace the test made)."""
    holder = os.path.join(bundle.path, "netns")
    open(holder, "w").close()
    subprocess.run(["unshare", f"--net={holder}", "true"], check=True)
    try:
        bundle.linux["namespaces"] = [ns for ns in bundle.linux["namespaces"] if ns["type"] != "network"]
        bundle.linux["namespaces"].append({"type": "network", "path": holder})
        out = run_out(runtime, bundle, cid, "cat /sys/class/net/lo/flags")
        assert int(out.split()[0], 16) & 0x1 == 0, out
    finally:
        subprocess.run(["umount", holder], check=True)


# ---- 2. joining another container's user and time namespaces ---------------


def userns_time_bundle(bundle):
    bundle.linux["namespaces"] += [{"type": "user"}, {"type": "time"}]
    bundle.linux["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    bundle.linux["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    bundle.linux["timeOffsets"] = {"boottime": {"secs": 86400 * 365, "nanosecs": 0}}
    return bundle


def join_all_of(bundle, pid, kinds):
    names = {"network": "net"}
    bundle.linux["namespaces"] = [{"type": "mount"}, {"type": "cgroup"}] + [
        {"type": k, "path": f"/proc/{pid}/ns/{names.get(k, k)}"} for k in kinds]
    bundle.config.pop("hostname", None)
    bundle.linux.pop("uidMappings", None)
    bundle.linux.pop("gidMappings", None)
    bundle.linux.pop("timeOffsets", None)
    return bundle


@pytest.fixture
def container_a(runtime, bundle, cid):
    if not os.path.exists("/proc/self/ns/time"):
        pytest.skip("kernel without time namespaces")
    userns_time_bundle(bundle).sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    yield runtime.state(cid)["pid"]
    runtime("delete", "--force", cid)


def test_join_user_time_and_others_of_another_container(runtime, bundle, cid, container_a):
    """B joins A's user, time, network, pid, ipc and uts namespaces: its
    time namespace was made by the runtime (owned by the host's user
    namespace), its others by A's user namespace, so only runc's order
    (the time namespace before the user namespace) gets B into all."""
    pa = container_a
    second = cid + "-b"
    runtime.ids.add(second)
    join_all_of(bundle, pa, ("user", "time", "network", "pid", "ipc", "uts"))
    script = "cat /proc/self/uid_map; readlink /proc/self/ns/time; readlink /proc/self/ns/user; id -u; echo ok"
    out = run_out(runtime, bundle, second, script)
    lines = out.splitlines()
    with open(f"/proc/{pa}/uid_map") as f:
        assert lines[0].split() == f.read().split()
    assert lines[1] == ns_of(pa, "time")
    assert lines[2] == ns_of(pa, "user")
    assert lines[3:] == ["0", "ok"], out


def test_joined_user_namespace_is_seen_from_the_host(runtime, bundle, cid, container_a):
    pa = container_a
    second = cid + "-b"
    runtime.ids.add(second)
    join_all_of(bundle, pa, ("user", "time", "network"))
    # New ones next to the joined: created inside A's user namespace (the
    # host's pid namespace, say, would refuse B its /proc).
    bundle.linux["namespaces"] += [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}]
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, second, check=True, timeout=30)
    pb = runtime.state(second)["pid"]
    for kind in ("user", "time", "net"):
        assert ns_of(pb, kind) == ns_of(pa, kind), kind
    for kind in ("mnt", "pid", "ipc", "uts"):
        assert ns_of(pb, kind) != ns_of(pa, kind), kind
    with open(f"/proc/{pb}/status") as f:
        uid_line = [l for l in f if l.startswith("Uid:")][0]
    assert uid_line.split()[1:] == ["100000"] * 4  # root of A's namespace
    # exec reaches the same namespaces.
    proc = runtime("exec", second, "readlink", "/proc/self/ns/time", timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ns_of(pa, "time")
    runtime("delete", "--force", second, check=True)


def test_time_offsets_refused_with_a_joined_time_namespace(runtime, bundle, cid, container_a):
    """timeOffsets apply only to a new time namespace."""
    second = cid + "-b"
    runtime.ids.add(second)
    join_all_of(bundle, container_a, ("user", "time"))
    bundle.linux["timeOffsets"] = {"monotonic": {"secs": 10, "nanosecs": 0}}
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, second)
    assert proc.returncode == 1
    assert "linux.timeOffsets" in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


# ---- 3. a frozen cgroupsPath -------------------------------------------------


def frozen_cgroup(name):
    """Make and freeze an empty cgroup /tinyrun-test-<name>/c; returns
    (thaw-and-remove, cgroupsPath)."""
    path = f"/tinyrun-test-{name}/c"
    if cgroups.is_unified():
        dirs = [cgroups.v2_dir(os.path.dirname(path)), cgroups.v2_dir(path)]
        freeze, thaw = ("cgroup.freeze", "1"), ("cgroup.freeze", "0")
    else:
        dirs = [cgroups.v1_dir("freezer", os.path.dirname(path)), cgroups.v1_dir("freezer", path)]
        freeze, thaw = ("freezer.state", "FROZEN"), ("freezer.state", "THAWED")
    for d in dirs:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(dirs[-1], freeze[0]), "w") as f:
        f.write(freeze[1])

    def undo():
        with open(os.path.join(dirs[-1], thaw[0]), "w") as f:
            f.write(thaw[1])
        for d in reversed(dirs):
            deadline = time.time() + 5
            while os.path.isdir(d):
                try:
                    os.rmdir(d)
                except OSError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.05)

    return undo, path


def test_frozen_cgroups_path_is_refused_at_create(runtime, bundle, cid):
    undo, path = frozen_cgroup(cid)
    try:
        bundle.linux["cgroupsPath"] = path
        bundle.sh("sleep 300").write()
        proc = runtime("create", "--bundle", bundle.path, cid, timeout=20)
        assert proc.returncode == 1, proc.stderr
        err = proc.stderr.strip()
        assert len(err.splitlines()) == 1, err
        assert "linux.cgroupsPath" in err and path in err and "is frozen" in err, err
        assert runtime("state", cid).returncode != 0
    finally:
        undo()

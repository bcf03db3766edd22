"""Namespaces: created by clone3, joined by path, user namespaces with id
mappings, and time namespaces with offsets."""

import os
import subprocess
import time


def ns_of(pid, kind):
    return os.readlink(f"/proc/{pid}/ns/{kind}")


def run_out(runtime, bundle, cid, script, *flags):
    bundle.sh(script).write()
    proc = runtime("run", *flags, "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_every_namespace_is_new(runtime, bundle, cid):
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    pid = runtime.state(cid)["pid"]
    for kind in ("pid", "net", "ipc", "uts", "mnt", "cgroup"):
        assert ns_of(pid, kind) != ns_of(os.getpid(), kind), kind
    assert ns_of(pid, "user") == ns_of(os.getpid(), "user")
    runtime("delete", "--force", cid, check=True)


def test_without_a_namespace_the_host_one_is_shared(runtime, bundle, cid):
    bundle.linux["namespaces"] = [{"type": "mount"}, {"type": "pid"}]
    bundle.config.pop("hostname")
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    pid = runtime.state(cid)["pid"]
    assert ns_of(pid, "net") == ns_of(os.getpid(), "net")
    assert ns_of(pid, "uts") == ns_of(os.getpid(), "uts")
    runtime("delete", "--force", cid, check=True)


def test_network_namespace_has_only_loopback(runtime, bundle, cid):
    out = run_out(runtime, bundle, cid, "ls /sys/class/net")
    assert out.split() == ["lo"]


def test_join_namespaces_by_path(runtime, bundle, cid):
    """A second container joins the network, ipc, uts and pid namespaces of
    the first through /proc/<pid>/ns/* paths."""
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    pid = runtime.state(cid)["pid"]
    second = cid + "-b"
    runtime.ids.add(second)
    bundle.linux["namespaces"] = [
        {"type": "mount"},
        {"type": "network", "path": f"/proc/{pid}/ns/net"},
        {"type": "ipc", "path": f"/proc/{pid}/ns/ipc"},
        {"type": "uts", "path": f"/proc/{pid}/ns/uts"},
        {"type": "pid", "path": f"/proc/{pid}/ns/pid"},
    ]
    bundle.config.pop("hostname", None)
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, second, check=True)
    pid2 = runtime.state(second)["pid"]
    for kind in ("net", "ipc", "uts", "pid"):
        assert ns_of(pid2, kind) == ns_of(pid, kind), kind
    assert ns_of(pid2, "mnt") != ns_of(pid, "mnt")
    # In the shared pid namespace, the first container's init is pid 1.
    with open(f"/proc/{pid2}/status") as f:
        nspid = [l for l in f if l.startswith("NSpid:")][0].split()
    assert nspid[-1] != "1"
    runtime("delete", "--force", second, check=True)
    runtime("delete", "--force", cid, check=True)


def test_join_missing_namespace_path_fails(runtime, bundle, cid):
    bundle.linux["namespaces"] = [{"type": "mount"}, {"type": "network", "path": "/proc/999999999/ns/net"}]
    bundle.config.pop("hostname")
    bundle.write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert "open network namespace /proc/999999999/ns/net: No such file or directory" in proc.stderr


def userns_bundle(bundle, host_base=100000):
    bundle.linux["namespaces"].append({"type": "user"})
    bundle.linux["uidMappings"] = [{"containerID": 0, "hostID": host_base, "size": 65536}]
    bundle.linux["gidMappings"] = [{"containerID": 0, "hostID": host_base, "size": 65536}]
    # sysfs cannot be mounted for a network namespace the new user
    # namespace does not own... it does own it here, but keep the test
    # independent of that.
    return bundle


def test_user_namespace_mappings(runtime, bundle, cid):
    userns_bundle(bundle)
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    pid = runtime.state(cid)["pid"]
    assert ns_of(pid, "user") != ns_of(os.getpid(), "user")
    with open(f"/proc/{pid}/status") as f:
        uid_line = [l for l in f if l.startswith("Uid:")][0]
    assert uid_line.split()[1:] == ["100000"] * 4  # container root, seen from the host
    with open(f"/proc/{pid}/uid_map") as f:
        assert f.read().split() == ["0", "100000", "65536"]
    runtime("delete", "--force", cid, check=True)


def test_user_namespace_root_inside(runtime, bundle, cid):
    userns_bundle(bundle)
    out = run_out(runtime, bundle, cid, "id -u; cat /proc/self/gid_map")
    assert out.split() == ["0", "0", "100000", "65536"]


def test_user_namespace_with_joined_network(runtime, bundle, cid):
    """A new user namespace next to a joined one needs the intermediate
    process: the join happens before the user namespace exists."""
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    pid = runtime.state(cid)["pid"]
    second = cid + "-u"
    runtime.ids.add(second)
    userns_bundle(bundle)
    bundle.linux["namespaces"] = [ns for ns in bundle.linux["namespaces"] if ns["type"] != "network"]
    bundle.linux["namespaces"].append({"type": "network", "path": f"/proc/{pid}/ns/net"})
    # sysfs needs the network namespace's owner: bind /sys instead happens
    # automatically.
    # (sysfs cannot be mounted for a network namespace another user
    # namespace owns: /sys is the host's, bound read-only, as with runc;
    # /proc/net shows the namespace the process is really in.)
    bundle.sh("id -u; tail -n +3 /proc/net/dev | cut -d: -f1").write()
    proc = runtime("run", "--bundle", bundle.path, second)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["0", "lo"]
    runtime("delete", "--force", cid, check=True)


def test_time_namespace_offsets(runtime, bundle, cid):
    if not os.path.exists("/proc/self/ns/time"):
        import pytest
        pytest.skip("kernel without time namespaces")
    bundle.linux["namespaces"].append({"type": "time"})
    bundle.linux["timeOffsets"] = {"boottime": {"secs": 86400 * 365, "nanosecs": 0},
                                   "monotonic": {"secs": 86400 * 10, "nanosecs": 0}}
    with open("/proc/uptime") as f:
        host_uptime = float(f.read().split()[0])
    out = run_out(runtime, bundle, cid, "cat /proc/uptime")
    container_uptime = float(out.split()[0])
    assert container_uptime >= host_uptime + 86400 * 365 - 1

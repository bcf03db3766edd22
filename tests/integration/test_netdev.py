"""linux.netDevices (runtime-spec 1.3): a host network device moved into the
container's network namespace under its new name, with its permanent
global addresses, and up; never moved back (the spec forbids it), so a
dummy goes away with a namespace that dies and stays in one that lives."""

import json
import os
import subprocess
import time
import uuid

import pytest


def sh(*args, check=True):
    return subprocess.run(args, capture_output=True, text=True, check=check)


def host_links():
    return {l.split(": ")[1].split("@")[0] for l in sh("ip", "-o", "link").stdout.splitlines()}


def gone_from_host(names, timeout=10):
    """The kernel frees a dead network namespace from a work queue: its
    devices disappear a moment after its last process."""
    deadline = time.time() + timeout
    while names & host_links():
        if time.time() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def dummy():
    """One end of a veth pair (this kernel has no dummy driver), with a
    unique name, a global and a host-scope address; both ends are removed
    at the end wherever they are left."""
    name = "trt" + uuid.uuid4().hex[:8]
    sh("ip", "link", "add", name, "type", "veth", "peer", "name", name + "p")
    sh("ip", "addr", "add", "192.0.2.77/24", "dev", name)
    sh("ip", "addr", "add", "2001:db8::77/64", "dev", name, "nodad")
    sh("ip", "addr", "add", "127.0.0.77/8", "dev", name, "scope", "host")
    sh("ip", "link", "set", name, "mtu", "1789")
    yield name
    sh("ip", "link", "del", name, check=False)
    sh("ip", "link", "del", name + "p", check=False)


@pytest.fixture
def netns():
    name = "trt" + uuid.uuid4().hex[:8]
    sh("ip", "netns", "add", name)
    yield name
    sh("ip", "netns", "del", name, check=False)


def test_moved_renamed_with_addresses_and_up(runtime, bundle, cid, dummy):
    bundle.linux["netDevices"] = {dummy: {"name": "eth7"}}
    bundle.sh("ip -o link show eth7; ip -o addr show dev eth7; ls /sys/class/net").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    link = out.splitlines()[0]
    assert "eth7" in link and "mtu 1789" in link and ",UP" in link, out
    assert "inet 192.0.2.77/24" in out and "inet6 2001:db8::77/64" in out, out
    # Not global: left behind, as runc and crun do.
    assert "127.0.0.77" not in out, out
    assert dummy not in out.split() and "eth7" in out.split(), out
    # A virtual device dies with the container's namespace (a veth takes
    # its peer along); run has deleted the container.
    assert gone_from_host({dummy, dummy + "p"})


def test_name_kept_when_none_given(runtime, bundle, cid, dummy):
    bundle.linux["netDevices"] = {dummy: {}}
    bundle.sh(f"cat /sys/class/net/{dummy}/flags /sys/class/net/{dummy}/mtu").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    flags, mtu = proc.stdout.split()
    assert int(flags, 16) & 1 and mtu == "1789", proc.stdout


def test_stays_in_a_namespace_that_outlives_the_container(runtime, bundle, cid, dummy, netns):
    for ns in bundle.linux["namespaces"]:
        if ns["type"] == "network":
            ns["path"] = f"/var/run/netns/{netns}"
    bundle.linux["netDevices"] = {dummy: {"name": "ctr0"}}
    bundle.set_args("sleep", "100").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    assert dummy not in host_links()
    runtime("delete", "--force", cid, check=True)
    # Not moved back at delete: still in the namespace, under its new name.
    out = sh("ip", "netns", "exec", netns, "ip", "-o", "addr", "show", "dev", "ctr0").stdout
    assert "192.0.2.77/24" in out, out
    assert dummy not in host_links()


def test_kernel_template_name(runtime, bundle, cid, dummy):
    bundle.linux["netDevices"] = {dummy: {"name": "ctr%d"}}
    bundle.sh("ip -o addr show dev ctr0").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert "192.0.2.77/24" in proc.stdout, proc.stdout


@pytest.mark.parametrize("devices, message", [
    ({"trtnosuchdev0": {}}, "linux.netDevices.trtnosuchdev0: no such network device on the host"),
    ({"DUMMY": {"name": "bad/name"}}, 'linux.netDevices.DUMMY.name: "bad/name" is not a valid network device name'),
    ({"DUMMY": {"name": "a" * 16}}, "is not a valid network device name"),
    ({"DUMMY": {"name": "lo"}}, "linux.netDevices.DUMMY: the container already has a network device named lo"),
])
def test_errors(runtime, bundle, cid, dummy, devices, message):
    devices = {k.replace("DUMMY", dummy): v for k, v in devices.items()}
    message = message.replace("DUMMY", dummy)
    bundle.linux["netDevices"] = devices
    bundle.write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode != 0 and message in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert not os.path.exists(os.path.join(runtime.root, cid))


def test_two_devices_one_name(runtime, bundle, cid, dummy):
    bundle.linux["netDevices"] = {dummy: {"name": "eth7"}, "trtother0": {"name": "eth7"}}
    bundle.write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode != 0 and "linux.netDevices.trtother0: eth7 is also the name of" in proc.stderr, proc.stderr
    assert dummy in host_links()


def test_needs_a_network_namespace_of_its_own(runtime, bundle, cid, dummy):
    bundle.linux["netDevices"] = {dummy: {}}
    nss = bundle.linux["namespaces"]
    bundle.linux["namespaces"] = [ns for ns in nss if ns["type"] != "network"]
    bundle.write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert "linux.netDevices: moving network devices needs a network namespace" in proc.stderr, proc.stderr
    bundle.linux["namespaces"] = nss + [{"type": "network", "path": "/proc/self/ns/net"}]
    bundle.linux["namespaces"] = [ns for ns in bundle.linux["namespaces"]
                                  if ns["type"] != "network" or "path" in ns]
    bundle.write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert "linux.netDevices: the network namespace /proc/self/ns/net is the host's" in proc.stderr, proc.stderr
    assert dummy in host_links()


def test_features_report_net_devices(runtime):
    f = json.loads(runtime("features", check=True).stdout)
    assert f["linux"]["netDevices"] == {"enabled": True}

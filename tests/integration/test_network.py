"""tinyrun-net, the network hook: a bridge, a veth pair and NAT."""

import json
import os
import subprocess
import time
import uuid

import pytest

from conftest import TOP

NET = os.path.join(TOP, "tinyrun-net")


def sh(*args, check=True):
    return subprocess.run(args, capture_output=True, text=True, check=check)


def links():
    return {l.split(": ")[1].split("@")[0] for l in sh("ip", "-o", "link").stdout.splitlines()}


@pytest.fixture
def net(request):
    """A bridge name and a subnet of its own; whatever is left is removed."""
    tag = uuid.uuid4().hex[:6]
    third = int(tag[:2], 16) % 200 + 20
    bridge, subnet = f"trt{tag}", f"10.123.{third}.0/24"
    before = links()
    with open("/proc/sys/net/ipv4/ip_forward") as f:
        forwarding = f.read()
    yield bridge, subnet, f"10.123.{third}"
    for link in links() - before:
        sh("ip", "link", "del", link, check=False)
    sh("nft", "delete", "table", "ip", f"tinyrun-net-{bridge}", check=False)
    sh("rm", "-rf", f"/run/tinyrun-net/{bridge}", check=False)
    with open("/proc/sys/net/ipv4/ip_forward", "w") as f:
        f.write(forwarding)


def with_network(bundle, bridge, subnet):
    bundle.config["hooks"] = {
        "createRuntime": [{"path": NET, "args": ["tinyrun-net", "up", "--bridge", bridge, "--subnet", subnet]}],
        "poststop": [{"path": NET, "args": ["tinyrun-net", "down", "--bridge", bridge]}]}
    for key in ("bounding", "effective", "permitted"):
        bundle.process["capabilities"][key].append("CAP_NET_RAW")


def test_container_gets_address_route_and_gateway(runtime, bundle, cid, net):
    bridge, subnet, prefix = net
    with_network(bundle, bridge, subnet)
    bundle.sh(f"ip -o -4 addr show eth0; ip route; ping -c1 -W5 {prefix}.1 >/dev/null && echo gw-ok").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert f"inet {prefix}.2/24" in proc.stdout
    assert f"default via {prefix}.1 dev eth0" in proc.stdout
    assert "gw-ok" in proc.stdout
    # down took everything away again
    assert bridge not in links()
    assert not os.path.exists(f"/run/tinyrun-net/{bridge}")
    assert sh("nft", "list", "table", "ip", f"tinyrun-net-{bridge}", check=False).returncode != 0


def test_two_containers_talk(runtime, bundle, cid, net):
    bridge, subnet, prefix = net
    with_network(bundle, bridge, subnet)
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    other = cid + "-b"
    runtime.ids.add(other)
    bundle.sh(f"ip -o -4 addr show eth0; ping -c1 -W5 {prefix}.2 >/dev/null && echo peer-ok").write()
    proc = runtime("run", "--bundle", bundle.path, other)
    assert f"inet {prefix}.3/24" in proc.stdout and "peer-ok" in proc.stdout, proc.stdout + proc.stderr
    assert sh("nft", "list", "table", "ip", f"tinyrun-net-{bridge}").returncode == 0
    runtime("delete", "--force", cid, check=True)
    assert bridge not in links()


def test_nat_to_the_outside(runtime, bundle, cid, net):
    """A peer in its own network namespace only knows the host's side of
    its link: the container reaches it only if its traffic is masqueraded."""
    bridge, subnet, _ = net
    tag = uuid.uuid4().hex[:6]
    peer_ns, host_if, peer_if = f"trpeer{tag}", f"trh{tag}", f"trq{tag}"
    third = int(tag[:2], 16) % 200 + 20
    host_ip, peer_ip = f"192.168.{third}.1", f"192.168.{third}.2"
    sh("ip", "netns", "add", peer_ns)
    try:
        sh("ip", "link", "add", host_if, "type", "veth", "peer", "name", peer_if)
        sh("ip", "link", "set", peer_if, "netns", peer_ns)
        sh("ip", "addr", "add", f"{host_ip}/30", "dev", host_if)
        sh("ip", "link", "set", host_if, "up")
        sh("ip", "-n", peer_ns, "addr", "add", f"{peer_ip}/30", "dev", peer_if)
        sh("ip", "-n", peer_ns, "link", "set", peer_if, "up")
        with_network(bundle, bridge, subnet)
        bundle.sh(f"ping -c1 -W5 {peer_ip} >/dev/null && echo outside-ok").write()
        proc = runtime("run", "--bundle", bundle.path, cid)
        assert "outside-ok" in proc.stdout, proc.stdout + proc.stderr
    finally:
        sh("ip", "link", "del", host_if, check=False)
        sh("ip", "netns", "del", peer_ns, check=False)


def test_bad_subnet_fails_create_and_leaves_nothing(runtime, bundle, cid, net):
    bridge, _, _ = net
    with_network(bundle, bridge, "10.0.0.0/33")
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert "createRuntime hook" in proc.stderr and "exited with status 1" in proc.stderr
    assert bridge not in links()
    assert not os.path.exists(os.path.join(runtime.root, cid))


def nft_tables():
    return set(sh("nft", "list", "tables").stdout.splitlines())


@pytest.mark.parametrize("name", ["x;add table q1", "x;y", 'a"b', "a{b}", "..", ".", "", "a/b", "a b",
                                  "0123456789abcdef", "tab\tx", "new\nline"])
def test_hostile_bridge_name_is_refused(runtime, bundle, cid, name):
    """--bridge goes into nft commands and netlink: anything but a plain
    interface name ([A-Za-z0-9_.-], 1 to 15 bytes, not . or ..) is refused
    before a link, a table or an IPAM directory is made."""
    links_before, tables_before = links(), nft_tables()
    ipam_before = set(os.listdir("/run/tinyrun-net")) if os.path.isdir("/run/tinyrun-net") else set()
    with_network(bundle, name, "10.123.250.0/24")
    bundle.write()
    try:
        proc = runtime("create", "--bundle", bundle.path, cid)
        assert proc.returncode == 1
        assert "--bridge" in proc.stderr and "not a valid interface name" in proc.stderr, proc.stderr
        assert links() == links_before
        assert nft_tables() == tables_before
        ipam_after = set(os.listdir("/run/tinyrun-net")) if os.path.isdir("/run/tinyrun-net") else set()
        assert ipam_after <= ipam_before
    finally:
        for link in links() - links_before:
            sh("ip", "link", "del", link, check=False)


def old_veth_hash(cid):
    """The hash the veth names used to come from (djb2, 32 bits)."""
    h = 5381
    for c in cid.encode():
        h = (h * 33 + c) & 0xffffffff
    return h


def colliding_ids(prefix):
    """Two container ids whose old veth names were the same."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    seen = {}
    for a in alphabet:
        for b in alphabet:
            cid = f"{prefix}-{a}{b}"
            h = old_veth_hash(cid)
            if h in seen:
                return seen[h], cid
            seen[h] = cid
    raise AssertionError("no collision found")


def test_colliding_ids_get_distinct_veths(runtime, bundle, net):
    bridge, subnet, prefix = net
    first, second = colliding_ids("t-" + uuid.uuid4().hex[:8])
    assert first != second and old_veth_hash(first) == old_veth_hash(second)
    runtime.ids.update((first, second))
    with_network(bundle, bridge, subnet)
    bundle.sh("sleep 300").write()
    try:
        runtime("run", "-d", "--bundle", bundle.path, first, check=True)
        proc = runtime("run", "-d", "--bundle", bundle.path, second)
        assert proc.returncode == 0, proc.stderr
        ports = sh("ip", "-o", "link", "show", "master", bridge).stdout.splitlines()
        assert len(ports) == 2, ports
    finally:
        runtime("delete", "--force", first)
        runtime("delete", "--force", second)
    assert bridge not in links()


def hook(verb, bridge, cid, pid, *extra, env=None):
    """tinyrun-net run as a runtime runs a hook: state on stdin, stdout and
    stderr read to their end (subprocess.run waits for EOF on both)."""
    state = json.dumps({"ociVersion": "1.2.0", "id": cid, "status": "creating", "pid": pid, "bundle": "/"})
    return subprocess.run([NET, verb, "--bridge", bridge, *extra], input=state, capture_output=True,
                          text=True, timeout=30, env=env)


def wait_own_netns(proc, deadline):
    """Until proc (unshare -n, ip netns exec) is in a network namespace
    other than ours (polled, not timed)."""
    while os.readlink(f"/proc/{proc.pid}/ns/net") == os.readlink("/proc/self/ns/net"):
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_down_with_a_live_namespace_deletes_the_veth_holding_nothing(net):
    """A namespace kept alive (pinned by `ip netns add`, as engines do)
    keeps the pair: `down` deletes the veth from a detached process, which
    must hold neither the hook's pipes (the run below would wait for their
    EOF) nor the bridge's lock (the next `up` takes it), and the veth is
    gone once the kernel is done (polled, not timed)."""
    bridge, subnet, prefix = net
    ns = f"trns{uuid.uuid4().hex[:6]}"
    sh("ip", "netns", "add", ns)
    holder = subprocess.Popen(["ip", "netns", "exec", ns, "sleep", "300"])
    try:
        deadline = time.monotonic() + 10
        wait_own_netns(holder, deadline)
        anchor = subprocess.Popen(["unshare", "-n", "sleep", "300"])
        wait_own_netns(anchor, deadline)
        try:
            assert hook("up", bridge, "anchor", anchor.pid, "--subnet", subnet).returncode == 0
            before = links()
            up = hook("up", bridge, "pinned", holder.pid, "--subnet", subnet)
            assert up.returncode == 0, up.stderr
            veths = links() - before
            assert len(veths) == 1, veths
            down = hook("down", bridge, "pinned", holder.pid)
            assert down.returncode == 0, down.stderr
            again = hook("up", bridge, "pinned2", holder.pid, "--subnet", subnet)
            assert again.returncode == 0, again.stderr
            assert hook("down", bridge, "pinned2", holder.pid).returncode == 0
            while veths & links() or len(links() - before):
                assert time.monotonic() < deadline + 20, links() - before
                time.sleep(0.01)
            inside = sh("ip", "-n", ns, "-o", "link").stdout
            assert "eth0" not in inside, inside
        finally:
            hook("down", bridge, "anchor", anchor.pid)
            anchor.kill()
            anchor.wait()
    finally:
        holder.kill()
        holder.wait()
        sh("ip", "netns", "del", ns, check=False)
    assert bridge not in links()


def loaded_libraries(proc):
    """The shared objects the dynamic loader reported (LD_DEBUG=libs)."""
    return {line.split("calling init: ")[1].strip().rsplit("/", 1)[-1]
            for line in proc.stderr.splitlines() if "calling init: " in line}


def test_nftables_is_loaded_only_for_nftables_work(net):
    """libnftables and the five libraries it pulls in are loaded with
    dlopen only when there is nftables work: the first container of a
    bridge (its tables) and published ports load it; the up and down of a
    container without ports on an existing bridge do not."""
    bridge, subnet, _ = net
    boxes = [subprocess.Popen(["unshare", "-n", "sleep", "300"]) for _ in range(3)]
    try:
        deadline = time.monotonic() + 10
        for box in boxes:
            wait_own_netns(box, deadline)
        env = dict(os.environ, LD_DEBUG="libs")

        def run(verb, cid, pid, *extra):
            proc = hook(verb, bridge, cid, pid, *extra, env=env)
            assert proc.returncode == 0, proc.stderr[-2000:]
            return loaded_libraries(proc)

        assert "libnftables.so.1" in run("up", "first", boxes[0].pid, "--subnet", subnet)
        plain = run("up", "plain", boxes[1].pid, "--subnet", subnet)
        assert "libnftables.so.1" not in plain and "libc.so.6" in plain, plain
        assert "libnftables.so.1" not in run("down", "plain", boxes[1].pid)
        assert "libnftables.so.1" in run("up", "ports", boxes[2].pid, "--subnet", subnet, "--publish", "18081:80")
        assert "libnftables.so.1" in run("down", "ports", boxes[2].pid)
        assert "libnftables.so.1" in run("down", "first", boxes[0].pid)
    finally:
        for box in boxes:
            box.kill()
            box.wait()
    assert bridge not in links()

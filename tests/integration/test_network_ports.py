"""tinyrun-net as a container network: published ports (tcp, udp, from the
host's loopback, its bridge address and a peer "host"), IPv6, DNS, IPAM
under parallel starts, gc, bad input, and `tinyrun spec --net bridge`.

Everything talks only to loopback, to the bridges these tests make and to
a peer network namespace they make (a veth pair with addresses from
198.18.0.0/15, the benchmarking range, and fd7e::/16); each test compares
`nft -s list ruleset`, `ip -o link` and /run/tinyrun-net before and after."""

import json
import os
import signal
import socket
import subprocess
import threading
import time
import uuid

import pytest

from conftest import ROOTFS, TINYRUN

# tinyrun spec finds the hook next to the tinyrun binary it runs.
NET = os.path.join(os.path.dirname(os.path.realpath(TINYRUN)), "tinyrun-net")


def sh(*args, check=True, **kw):
    return subprocess.run(args, capture_output=True, text=True, check=check, **kw)


def links():
    return {l.split(": ")[1].split("@")[0] for l in sh("ip", "-o", "link").stdout.splitlines()}


def ruleset():
    return sh("nft", "-s", "list", "ruleset").stdout


def leases():
    return sorted(os.listdir("/run/tinyrun-net")) if os.path.isdir("/run/tinyrun-net") else []


def sysctl(path, value=None):
    with open(path, "r" if value is None else "w") as f:
        return f.read() if value is None else f.write(value)


FORWARDING = ("/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv6/conf/all/forwarding")


class Net:
    """A bridge and subnets of this test's own."""

    def __init__(self):
        tag = uuid.uuid4().hex[:6]
        self.n = int(tag[:2], 16) % 200 + 20
        self.bridge = f"trp{tag}"
        self.subnet, self.prefix = f"10.124.{self.n}.0/24", f"10.124.{self.n}"
        self.subnet6, self.prefix6 = f"fd7e:124:{self.n:x}::/64", f"fd7e:124:{self.n:x}::"

    def up_args(self, *extra, v6=False):
        args = ["tinyrun-net", "up", "--bridge", self.bridge, "--subnet", self.subnet]
        return args + (["--subnet6", self.subnet6] if v6 else []) + list(extra)

    def wire(self, bundle, *extra, v6=False):
        bundle.config["hooks"] = {
            "createRuntime": [{"path": NET, "args": self.up_args(*extra, v6=v6)}],
            "poststop": [{"path": NET, "args": ["tinyrun-net", "down", "--bridge", self.bridge]}]}
        for key in ("bounding", "effective", "permitted"):
            bundle.process["capabilities"][key].append("CAP_NET_RAW")
        return bundle


@pytest.fixture
def net(runtime):
    """A Net; after the test (its containers deleted) nothing of it may be
    left: no link, no nft rule, no lease; whatever is left is removed."""
    before = (links(), ruleset(), leases())
    forwarding = [sysctl(p) for p in FORWARDING]
    n = Net()
    yield n
    runtime.cleanup()
    after = (links(), ruleset(), leases())
    for link in after[0] - before[0]:
        sh("ip", "link", "del", link, check=False)
    for family in ("ip", "ip6"):
        sh("nft", "delete", "table", family, f"tinyrun-net-{n.bridge}", check=False)
    sh("rm", "-rf", f"/run/tinyrun-net/{n.bridge}", check=False)
    for p, v in zip(FORWARDING, forwarding):
        sysctl(p, v)
    assert after[0] == before[0], f"links left: {after[0] - before[0]}"
    assert after[1] == before[1], "nft rules left behind"
    assert after[2] == before[2], f"leases left: {after[2]}"


@pytest.fixture
def peer():
    """Another "host": a network namespace behind a veth pair."""
    tag = uuid.uuid4().hex[:6]
    n = int(tag[:2], 16) % 60 * 4
    ns, host_if, peer_if = f"trpeer{tag}", f"trh{tag}", f"trq{tag}"
    p = {"ns": ns, "host": f"198.18.9.{n + 1}", "peer": f"198.18.9.{n + 2}",
         "host6": f"fd7e:9:{tag}::1", "peer6": f"fd7e:9:{tag}::2"}
    p["host6"] = f"fd7e:9:{int(tag, 16) % 65536:x}::1"
    p["peer6"] = p["host6"][:-1] + "2"
    sh("ip", "netns", "add", ns)
    try:
        sh("ip", "link", "add", host_if, "type", "veth", "peer", "name", peer_if)
        sh("ip", "link", "set", peer_if, "netns", ns)
        sh("ip", "addr", "add", f"{p['host']}/30", "dev", host_if)
        sh("ip", "addr", "add", f"{p['host6']}/64", "dev", host_if, "nodad")
        sh("ip", "link", "set", host_if, "up")
        sh("ip", "-n", ns, "addr", "add", f"{p['peer']}/30", "dev", peer_if)
        sh("ip", "-n", ns, "addr", "add", f"{p['peer6']}/64", "dev", peer_if, "nodad")
        sh("ip", "-n", ns, "link", "set", peer_if, "up")
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        yield p
    finally:
        sh("ip", "link", "del", host_if, check=False)
        sh("ip", "netns", "del", ns, check=False)


def http_get(host, port, path="/passwd", ns=None, timeout=5):
    """GET through a plain socket (from the peer namespace when ns)."""
    code = ("import socket,sys\n"
            f"s=socket.create_connection(({host!r},{port}),timeout={timeout})\n"
            f"s.sendall(b'GET {path} HTTP/1.0\\r\\n\\r\\n')\n"
            "d=b''\n"
            "while True:\n"
            "  b=s.recv(4096)\n"
            "  if not b: break\n"
            "  d+=b\n"
            "sys.stdout.write(d.decode(errors='replace'))\n")
    argv = (["ip", "netns", "exec", ns] if ns else []) + ["/usr/bin/python3", "-c", code]
    return sh(*argv, check=False, timeout=timeout + 5)


def udp_ask(host, port, ns=None, timeout=3):
    family = "socket.AF_INET6" if ":" in host else "socket.AF_INET"
    code = (f"import socket\ns=socket.socket({family},socket.SOCK_DGRAM)\ns.settimeout({timeout})\n"
            f"s.sendto(b'ping',({host!r},{port}))\nprint(s.recv(100).decode())\n")
    argv = (["ip", "netns", "exec", ns] if ns else []) + ["/usr/bin/python3", "-c", code]
    return sh(*argv, check=False, timeout=timeout + 5)


def wait_for_port(host, port, ns=None):
    deadline = time.time() + 10
    while time.time() < deadline:
        if "root:" in http_get(host, port, ns=ns, timeout=1).stdout:
            return
        time.sleep(0.1)


def httpd(runtime, bundle, cid, net, port, *extra, v6=False):
    net.wire(bundle, "--publish", f"{port}:80", *extra, v6=v6)
    bundle.set_args("httpd", "-f", "-p", "80", "-h", "/etc")
    bundle.write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    wait_for_port("127.0.0.1", port)


def test_published_tcp_from_loopback_bridge_and_peer(runtime, bundle, cid, net, peer):
    port = 20000 + net.n
    httpd(runtime, bundle, cid, net, port)
    assert "root:x:0:0" in http_get("127.0.0.1", port).stdout
    assert "root:x:0:0" in http_get(f"{net.prefix}.1", port).stdout
    assert "root:x:0:0" in http_get(peer["host"], port, ns=peer["ns"]).stdout
    table = sh("nft", "list", "map", "ip", f"tinyrun-net-{net.bridge}", "ports").stdout
    assert f"tcp . {port} : {net.prefix}.2 . 80" in table
    runtime("delete", "--force", cid, check=True)
    assert http_get("127.0.0.1", port, timeout=1).stdout == ""


def udp_echo_in(pid, port, family="AF_INET", addr="0.0.0.0"):
    """A UDP echo server in the container's network namespace (busybox has
    no UDP server applet); it answers one datagram per client."""
    code = (f"import socket\ns=socket.socket(socket.{family},socket.SOCK_DGRAM)\n"
            f"s.bind(({addr!r},{port}))\nprint('ready',flush=True)\n"
            "while True:\n  d,a=s.recvfrom(100)\n  s.sendto(b'pong '+d,a)\n")
    proc = subprocess.Popen(["nsenter", "-t", str(pid), "-n", "/usr/bin/python3", "-c", code],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_published_udp(runtime, bundle, cid, net, peer):
    port = 21000 + net.n
    net.wire(bundle, "--publish", f"{port}:5353/udp")
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    server = udp_echo_in(runtime.state(cid)["pid"], 5353)
    try:
        assert udp_ask("127.0.0.1", port).stdout.strip() == "pong ping"
        assert udp_ask(peer["host"], port, ns=peer["ns"]).stdout.strip() == "pong ping"
        # tcp on the same number is not published
        assert http_get("127.0.0.1", port, timeout=1).stdout == ""
    finally:
        server.kill()
        server.wait()
    runtime("delete", "--force", cid, check=True)


def test_port_published_twice_is_refused_and_leaves_nothing(runtime, bundle, cid, net):
    port = 22000 + net.n
    httpd(runtime, bundle, cid, net, port)
    before = (links(), ruleset(), sorted(os.listdir(f"/run/tinyrun-net/{net.bridge}")))
    other = cid + "-b"
    runtime.ids.add(other)
    proc = runtime("create", "--bundle", bundle.path, other)
    assert proc.returncode == 1
    assert f"host port {port}/tcp is already published by container {cid}" in proc.stderr, proc.stderr
    assert (links(), ruleset(), sorted(os.listdir(f"/run/tinyrun-net/{net.bridge}"))) == before
    assert "root:x:0:0" in http_get("127.0.0.1", port).stdout
    runtime("delete", "--force", cid, check=True)


@pytest.mark.parametrize("publish, message", [
    ("70000:80", "a port is a number from 1 to 65535"), ("0:80", "a port is a number from 1 to 65535"),
    ("8080:80/sctp", "the protocol is /tcp or /udp"), ("8080", "is not HOSTPORT:CTRPORT")])
def test_bad_port_is_a_clear_error(runtime, bundle, cid, net, publish, message):
    net.wire(bundle, "--publish", publish)
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert message in proc.stderr, proc.stderr


def test_overlapping_subnets_are_refused(runtime, bundle, cid, net, peer):
    # a host route (the peer's /30)
    n = int(peer["host"].split(".")[3]) - 1
    net.subnet = f"198.18.9.{n // 16 * 16}/28"
    net.wire(bundle)
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert "overlaps the host's route to" in proc.stderr, proc.stderr
    # another tinyrun-net bridge
    first = Net()
    first.wire(bundle).sh("sleep 300").write()
    other = cid + "-a"
    runtime.ids.add(other)
    runtime("run", "-d", "--bundle", bundle.path, other, check=True)
    try:
        net.subnet = first.prefix + ".128/25"
        net.wire(bundle).write()
        proc = runtime("create", "--bundle", bundle.path, cid)
        assert proc.returncode == 1
        assert f"overlaps {first.subnet} of tinyrun-net bridge {first.bridge}" in proc.stderr, proc.stderr
        assert net.bridge not in links()
    finally:
        runtime("delete", "--force", other, check=True)


def test_static_ip_and_full_subnet(runtime, bundle, cid, net):
    net.wire(bundle, "--ip", f"{net.prefix}.77").sh("ip -o -4 addr show eth0; sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    other = cid + "-b"
    runtime.ids.add(other)
    proc = runtime("create", "--bundle", bundle.path, other)
    assert proc.returncode == 1 and f"{net.prefix}.77 is in use by container {cid}" in proc.stderr, proc.stderr
    runtime("delete", "--force", cid, check=True)
    # a /30 has one address for a container (.2; .1 is the gateway)
    net.subnet = f"{net.prefix}.0/30"
    net.wire(bundle).sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    proc = runtime("create", "--bundle", bundle.path, other)
    assert proc.returncode == 1 and "no free address left in the subnet" in proc.stderr, proc.stderr
    runtime("delete", "--force", cid, check=True)


def test_twenty_parallel_starts_get_distinct_addresses(runtime, bundle, net):
    net.wire(bundle).sh("sleep 300").write()
    ids = [f"t-par{i}-{uuid.uuid4().hex[:6]}" for i in range(20)]
    runtime.ids.update(ids)
    results = {}

    def start(i):
        results[i] = runtime("run", "-d", "--bundle", bundle.path, ids[i])

    threads = [threading.Thread(target=start, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.returncode == 0 for r in results.values()), [r.stderr for r in results.values() if r.returncode]
    addresses = set()
    for cid in ids:
        pid = runtime.state(cid)["pid"]
        out = sh("nsenter", "-t", str(pid), "-n", "ip", "-o", "-4", "addr", "show", "eth0").stdout
        addresses.add(out.split()[3])
    assert len(addresses) == 20, addresses
    assert len(sh("ip", "-o", "link", "show", "master", net.bridge).stdout.splitlines()) == 20
    threads = [threading.Thread(target=runtime, args=("delete", "--force", cid)) for cid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert net.bridge not in links()


def test_gc_after_sigkill(runtime, bundle, cid, net):
    port = 23000 + net.n
    net.wire(bundle, "--publish", f"{port}:80").sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    os.kill(runtime.state(cid)["pid"], signal.SIGKILL)
    deadline = time.time() + 10
    while len(sh("ip", "-o", "link", "show", "master", net.bridge, check=False).stdout.splitlines()) and \
            time.time() < deadline:
        time.sleep(0.05)
    assert os.listdir(f"/run/tinyrun-net/{net.bridge}")  # still leased: nobody ran `down`
    proc = sh(NET, "gc", "--bridge", net.bridge)
    assert f"{net.bridge} {cid}" in proc.stdout
    assert not os.path.exists(f"/run/tinyrun-net/{net.bridge}")
    assert net.bridge not in links()
    assert sh("nft", "list", "table", "ip", f"tinyrun-net-{net.bridge}", check=False).returncode != 0
    runtime("delete", "--force", cid, check=True)


def test_ipv6_between_containers_to_the_peer_and_published(runtime, bundle, cid, net, peer):
    port = 24000 + net.n
    httpd(runtime, bundle, cid, net, port, v6=True)
    other = cid + "-b"
    runtime.ids.add(other)
    net.wire(bundle, v6=True).sh(
        f"ip -o -6 addr show eth0 scope global; ip -6 route show default; "
        f"ping6 -c1 -W5 {net.prefix6}2 >/dev/null && echo peer-ok; "
        f"ping6 -c1 -W5 {peer['peer6']} >/dev/null && echo outside-ok; "
        f"wget -qO- http://[{net.prefix6}2]:80/group | head -1").write()
    proc = runtime("run", "--bundle", bundle.path, other)
    assert f"inet6 {net.prefix6}3/64" in proc.stdout, proc.stdout + proc.stderr
    assert f"default via {net.prefix6}1 dev eth0" in proc.stdout
    assert "peer-ok" in proc.stdout and "outside-ok" in proc.stdout and "root:x:0:" in proc.stdout, proc.stdout
    # the published port on the IPv6 side, from the peer and the host's bridge address
    assert "root:x:0:0" in http_get(peer["host6"], port, ns=peer["ns"]).stdout
    assert "root:x:0:0" in http_get(f"{net.prefix6}1", port).stdout
    runtime("delete", "--force", cid, check=True)
    assert sh("nft", "list", "table", "ip6", f"tinyrun-net-{net.bridge}", check=False).returncode != 0


def test_dns_from_flags_bound_over_resolv_conf(runtime, bundle, cid, net):
    bundle.config["mounts"].append({"destination": "/etc/resolv.conf", "type": "bind",
                                    "source": "/etc/resolv.conf", "options": ["rbind", "ro"]})
    net.wire(bundle, "--dns", "192.0.2.53", "--dns", "2001:db8::53").sh("cat /etc/resolv.conf").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert "nameserver 192.0.2.53\nnameserver 2001:db8::53\n" in proc.stdout, proc.stdout
    with open("/etc/resolv.conf") as f:
        host = f.read()
    assert "192.0.2.53" not in host  # the host's file is untouched


def test_settings_from_annotations(runtime, bundle, cid, net):
    port = 25000 + net.n
    bundle.config["annotations"] = {"org.tinyrun.net.bridge": net.bridge, "org.tinyrun.net.subnet": net.subnet,
                                    "org.tinyrun.net.publish": f"{port}:80", "org.tinyrun.net.ip": f"{net.prefix}.9"}
    bundle.config["hooks"] = {"createRuntime": [{"path": NET, "args": ["tinyrun-net", "up"]}],
                              "poststop": [{"path": NET, "args": ["tinyrun-net", "down"]}]}
    bundle.set_args("httpd", "-f", "-p", "80", "-h", "/etc").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    wait_for_port("127.0.0.1", port)
    assert "root:x:0:0" in http_get(f"{net.prefix}.9", 80).stdout
    assert "root:x:0:0" in http_get("127.0.0.1", port).stdout
    runtime("delete", "--force", cid, check=True)


def test_spec_net_bridge_serves_a_page(runtime, tmp_path, cid, net):
    port = 26000 + net.n
    bundle = tmp_path / "web"
    bundle.mkdir()
    proc = subprocess.run([TINYRUN, "spec", "--bundle", str(bundle), "--rootfs", ROOTFS, "--net", "bridge",
                           "--bridge", net.bridge, "--subnet", net.subnet, "-p", f"{port}:80",
                           "--memory", "64m", "--pids", "32", "--hostname", "web", "-e", "GREETING=hi",
                           "--", "httpd", "-f", "-p", "80", "-h", "/etc"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    with open(bundle / "config.json") as f:
        config = json.load(f)
    assert config["hooks"]["createRuntime"][0]["path"] == NET
    assert config["linux"]["resources"]["memory"]["limit"] == 64 << 20
    assert "GREETING=hi" in config["process"]["env"] and config["hostname"] == "web"
    runtime("run", "-d", "--bundle", str(bundle), cid, check=True)
    wait_for_port("127.0.0.1", port)
    assert "root:x:0:0" in http_get("127.0.0.1", port).stdout
    out = runtime("exec", cid, "cat", "/etc/resolv.conf", check=True).stdout
    assert out.startswith("# written by tinyrun-net")
    runtime("delete", "--force", cid, check=True)


def test_spec_net_host_and_none(tmp_path):
    for mode, has_netns in (("host", False), ("none", True)):
        bundle = tmp_path / mode
        bundle.mkdir()
        sh(TINYRUN, "spec", "--bundle", str(bundle), "--rootfs", ROOTFS, "--net", mode, "--", "true")
        with open(bundle / "config.json") as f:
            config = json.load(f)
        types = [ns["type"] for ns in config["linux"]["namespaces"]]
        assert ("network" in types) == has_netns
        assert "hooks" not in config
    proc = sh(TINYRUN, "spec", "--bundle", str(tmp_path), "--rootfs", ROOTFS, "-p", "80:80", check=False)
    assert proc.returncode != 0 and "need --net bridge" in proc.stderr

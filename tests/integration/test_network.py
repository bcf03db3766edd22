"""tinyrun-net, the network hook: a bridge, a veth pair and NAT."""

import contextlib
import json
import os
import signal
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
    state = state_of(cid, pid)
    return subprocess.run([NET, verb, "--bridge", bridge, *extra], input=state, capture_output=True,
                          text=True, timeout=30, env=env)


def wait_own_netns(proc, deadline):
    """Until proc (unshare -n, ip netns exec) is in a network namespace
    other than ours (polled, not timed)."""
    while os.readlink(f"/proc/{proc.pid}/ns/net") == os.readlink("/proc/self/ns/net"):
        assert time.monotonic() < deadline
        time.sleep(0.01)


def state_of(cid, pid, status="creating"):
    """The container state a runtime gives a hook on stdin."""
    return json.dumps({"ociVersion": "1.2.0", "id": cid, "status": status, "pid": pid, "bundle": "/"})


@contextlib.contextmanager
def sandboxes(n):
    """n processes in network namespaces of their own (unshare -n), the
    tests' containers; killed at the end."""
    boxes = [subprocess.Popen(["unshare", "-n", "sleep", "300"]) for _ in range(n)]
    try:
        deadline = time.monotonic() + 10
        for box in boxes:
            wait_own_netns(box, deadline)
        yield boxes
    finally:
        for box in boxes:
            box.kill()
            box.wait()


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


def programs_run(tmp_path, verb, bridge, cid, pid, *extra):
    """The programs the hook ran besides itself (strace -f, execve)."""
    log = tmp_path / f"{verb}-{cid}.strace"
    state = state_of(cid, pid)
    proc = subprocess.run(["strace", "-f", "-qq", "-e", "trace=execve", "-e", "signal=none", "-o", str(log),
                           NET, verb, "--bridge", bridge, *extra], input=state, capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 0, proc.stderr[-2000:]
    ran = [line.split('execve("', 1)[1].split('"', 1)[0] for line in log.read_text().splitlines()
           if 'execve("' in line and "= 0" in line]
    assert ran[0] == NET, ran
    return ran[1:]


def test_nft_runs_only_for_a_bridges_tables(net, tmp_path):
    """nft (nft -f -, src/net/nft.h) runs only to make a bridge's tables, at
    its first container; published ports go to the map and the tables'
    removal to the kernel over nfnetlink (src/net/nfnl.h): the up and down
    of any other container, and the last one's down, run no program."""
    bridge, subnet, _ = net
    nft = ["/usr/sbin/nft"]
    with sandboxes(3) as boxes:
        assert programs_run(tmp_path, "up", bridge, "first", boxes[0].pid, "--subnet", subnet) == nft
        assert programs_run(tmp_path, "up", bridge, "plain", boxes[1].pid, "--subnet", subnet) == []
        assert programs_run(tmp_path, "down", bridge, "plain", boxes[1].pid) == []
        assert programs_run(tmp_path, "up", bridge, "ports", boxes[2].pid, "--subnet", subnet,
                            "--publish", "18081:80", "--publish", "18082:53/udp") == []
        ports = sh("nft", "list", "map", "ip", f"tinyrun-net-{bridge}", "ports").stdout
        assert "tcp . 18081 : " in ports and "udp . 18082 : " in ports, ports
        assert programs_run(tmp_path, "down", bridge, "ports", boxes[2].pid) == []
        ports = sh("nft", "list", "map", "ip", f"tinyrun-net-{bridge}", "ports").stdout
        assert "18081" not in ports and "18082" not in ports, ports
        assert programs_run(tmp_path, "down", bridge, "first", boxes[0].pid) == []
        assert sh("nft", "list", "table", "ip", f"tinyrun-net-{bridge}", check=False).returncode != 0
    assert bridge not in links()


def test_the_nfnetlink_socket_is_let_go_of_by_a_detached_child(net, tmp_path):
    """The last close of an nfnetlink socket waits for the kernel's pending
    frees of nf_tables objects (a grace period: 13-15 ms here after a
    deleted map element); `down` of a container with a published port
    leaves that close to a detached child, which holds nothing else."""
    bridge, subnet, _ = net
    with sandboxes(2) as boxes:
        assert hook("up", bridge, "first", boxes[0].pid, "--subnet", subnet).returncode == 0
        assert hook("up", bridge, "ports", boxes[1].pid, "--subnet", subnet, "--publish", "18083:80").returncode == 0
        log = tmp_path / "down.strace"
        state = state_of("ports", boxes[1].pid, "stopped")
        proc = subprocess.run(["strace", "-f", "-qq", "-e", "trace=socket,close,close_range,clone,clone3,fork",
                               "-o", str(log), NET, "down", "--bridge", bridge], input=state, capture_output=True,
                              text=True, timeout=30)
        assert proc.returncode == 0, proc.stderr
        lines = log.read_text().splitlines()
        main = lines[0].split()[0]
        opened = [l for l in lines if l.startswith(main + " ") and "NETLINK_NETFILTER" in l]
        assert len(opened) == 1, lines
        fd = opened[0].rsplit("= ", 1)[1].strip()
        closers = {l.split()[0] for l in lines
                   if (f"close({fd})" in l or f"close({fd} <unfinished" in l) and l.split()[0] != main}
        assert closers, "\n".join(lines)
        assert programs_run(tmp_path, "down", bridge, "first", boxes[0].pid) == []
    assert bridge not in links()


def test_as_many_ports_as_allowed_on_both_families(net):
    """The most ports one container may publish (64) go to both families'
    maps in one batch each (src/net/nfnl.c: they fit one request), and down
    takes every one away again."""
    bridge, subnet, _ = net
    subnet6 = f"fd7e:125:{int(bridge[3:], 16) % 65536:x}::/64"
    publish = []
    for i in range(64):
        publish += ["--publish", f"{18200 + i}:{80 + i}" + ("/udp" if i % 2 else "")]
    with sandboxes(2) as boxes:
        v6 = ["--subnet", subnet, "--subnet6", subnet6, "--no-dns"]
        assert hook("up", bridge, "anchor", boxes[0].pid, *v6).returncode == 0
        proc = hook("up", bridge, "c1", boxes[1].pid, *v6, *publish)
        assert proc.returncode == 0, proc.stderr
        maps = {f: sh("nft", "list", "map", f, f"tinyrun-net-{bridge}", "ports").stdout for f in ("ip", "ip6")}
        for ports in maps.values():
            assert ports.count(" . 182") == 64, ports
            assert "udp . 18263 : " in ports and "tcp . 18262 : " in ports, ports
        assert hook("down", bridge, "c1", boxes[1].pid).returncode == 0
        for family in ("ip", "ip6"):
            ports = sh("nft", "list", "map", family, f"tinyrun-net-{bridge}", "ports").stdout
            assert " . 182" not in ports, ports
        assert hook("down", bridge, "anchor", boxes[0].pid).returncode == 0
    for family in ("ip", "ip6"):
        assert sh("nft", "list", "table", family, f"tinyrun-net-{bridge}", check=False).returncode != 0


def test_started_with_sigchld_ignored_it_still_waits_for_nft(net):
    """A runtime may start the hook with SIGCHLD ignored, which survives
    execve: the kernel would then reap nft itself and the wait for it fail
    (ECHILD) after nft had made the tables.  The first up still works."""
    bridge, subnet, _ = net
    with sandboxes(1) as (box,):
        state = state_of("c1", box.pid)

        def hostile():
            signal.signal(signal.SIGCHLD, signal.SIG_IGN)

        proc = subprocess.run([NET, "up", "--bridge", bridge, "--subnet", subnet, "--no-dns"], input=state,
                              capture_output=True, text=True, timeout=30, preexec_fn=hostile)
        assert proc.returncode == 0, proc.stderr
        assert f"tinyrun-net-{bridge}" in sh("nft", "list", "tables").stdout
        assert hook("down", bridge, "c1", box.pid).returncode == 0
    assert bridge not in links()


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="reads x86_64 syscall numbers")
def test_a_non_blocking_stdin_is_waited_for(net):
    """A runtime may hand the hook its state on a non-blocking pipe, the
    state written after the hook started: the hook waits for it (poll)
    instead of failing with EAGAIN."""
    bridge, subnet, _ = net
    with sandboxes(1) as (box,):
        state = state_of("c1", box.pid)

        def non_blocking():
            os.set_blocking(0, False)

        proc = subprocess.Popen([NET, "up", "--bridge", bridge, "--subnet", subnet, "--no-dns"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=non_blocking)
        # The state is written only once the hook waits for it, in poll or
        # ppoll (x86_64: 7, 271), or has given up (without the wait: EAGAIN).
        deadline = time.monotonic() + 10
        while proc.poll() is None:
            with open(f"/proc/{proc.pid}/syscall") as f:
                if f.read().split()[0] in ("7", "271"):
                    break
            assert time.monotonic() < deadline
            time.sleep(0.005)
        out, errs = proc.communicate(state, timeout=30)
        assert proc.returncode == 0, errs
        assert hook("down", bridge, "c1", box.pid).returncode == 0
    assert bridge not in links()


def test_a_table_left_by_a_crash_is_flushed_at_the_first_up(net):
    """A table of the bridge's name that a crash left (a stale port, a
    stray rule) is flushed, not deleted and remade (which would make nft's
    exit wait for the kernel's grace period): after the first up it holds
    exactly tinyrun-net's rules and no port."""
    bridge, subnet, _ = net
    table = f"tinyrun-net-{bridge}"
    subprocess.run(["nft", "-f", "-"], text=True, check=True, input=(
        f"add table ip {table}\n"
        f"add map ip {table} ports {{ type inet_proto . inet_service : ipv4_addr . inet_service; }}\n"
        f"add element ip {table} ports {{ tcp . 18999 : 10.9.9.9 . 80 }}\n"
        f"add chain ip {table} postrouting {{ type nat hook postrouting priority srcnat; policy accept; }}\n"
        f'add rule ip {table} postrouting counter comment "stale"\n'))
    with sandboxes(1) as (box,):
        proc = hook("up", bridge, "c1", box.pid, "--subnet", subnet, "--no-dns")
        assert proc.returncode == 0, proc.stderr
        listing = sh("nft", "list", "table", "ip", table).stdout
        assert "18999" not in listing and "stale" not in listing, listing
        assert listing.count("masquerade") == 3, listing  # the subnet's, the hairpin's, loopback's
        assert hook("down", bridge, "c1", box.pid).returncode == 0
    assert sh("nft", "list", "table", "ip", table, check=False).returncode != 0


def test_a_leftover_table_of_another_shape_is_made_anew(net):
    """A leftover table whose ports map has another type cannot be flushed
    into shape ("add map" of a different map fails): the first up deletes
    it and makes it again."""
    bridge, subnet, _ = net
    table = f"tinyrun-net-{bridge}"
    subprocess.run(["nft", "-f", "-"], text=True, check=True, input=(
        f"add table ip {table}\n"
        f"add map ip {table} ports {{ type ipv4_addr : ipv4_addr; }}\n"))
    with sandboxes(1) as (box,):
        proc = hook("up", bridge, "c1", box.pid, "--subnet", subnet, "--no-dns")
        assert proc.returncode == 0, proc.stderr
        listing = sh("nft", "list", "map", "ip", table, "ports").stdout
        assert "type inet_proto . inet_service : ipv4_addr . inet_service" in listing, listing
        assert hook("down", bridge, "c1", box.pid).returncode == 0
    assert sh("nft", "list", "table", "ip", table, check=False).returncode != 0


def with_nft(fake, *argv):
    """argv in a mount namespace of its own where fake is bound over nft."""
    return ["unshare", "-m", "--propagation", "private", "sh", "-c",
            f'mount --bind {fake} /usr/sbin/nft && exec "$@"', "sh", *argv]


def test_nft_gets_the_script_and_nothing_of_the_hook(net, tmp_path):
    """nft runs at its configured absolute path (not looked up in the PATH a
    hook was given) with an environment of PATH alone, the script on stdin
    and no fd beyond 0-2: neither a hook's environment (PATH, LD_PRELOAD)
    nor an fd the runtime let the hook inherit reaches it."""
    bridge, subnet, _ = net
    seen, evil = tmp_path / "seen", tmp_path / "evil"
    evil.mkdir()
    fake = tmp_path / "nft"
    fake.write_text(f'#!/bin/sh\n{{ echo "argv: $*"; env; echo fds: $(ls /proc/self/fd); echo script:; cat; }} >> {seen}\n')
    fake.chmod(0o755)
    (evil / "nft").write_text(f"#!/bin/sh\necho evil >> {seen}\n")
    (evil / "nft").chmod(0o755)
    leaked = os.open("/dev/null", os.O_RDONLY)  # inheritable
    box = subprocess.Popen(["unshare", "-n", "sleep", "300"])
    try:
        wait_own_netns(box, time.monotonic() + 10)
        state = state_of("c1", box.pid)
        hostile = ["env", f"PATH={evil}:/usr/bin:/bin", "LD_PRELOAD=/nonexistent/evil.so", "EVIL=1"]
        proc = subprocess.run(with_nft(fake, *hostile, NET, "up", "--bridge", bridge, "--subnet", subnet,
                                       "--no-dns"), input=state, capture_output=True, text=True, timeout=30,
                              pass_fds=(leaked,))
        assert proc.returncode == 0, proc.stderr
        text = seen.read_text()
        assert "evil" not in text.lower(), text
        lines = text.splitlines()
        assert lines[0] == "argv: -f -"
        env = lines[1:lines.index(next(l for l in lines if l.startswith("fds:")))]
        assert [l for l in env if not l.startswith("PWD=")] == ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], env
        assert next(l for l in lines if l.startswith("fds:")).split()[1:] == ["0", "1", "2", "3"], text  # 3: ls's
        assert f"add table ip tinyrun-net-{bridge}" in text
        proc = subprocess.run(with_nft(fake, NET, "down", "--bridge", bridge), input=state, capture_output=True,
                              text=True, timeout=30)
        assert proc.returncode == 0, proc.stderr
    finally:
        os.close(leaked)
        box.kill()
        box.wait()
    assert bridge not in links()


def test_a_failing_nft_is_one_line_and_up_undoes_its_part(net):
    """When nft fails (here /bin/false bound over it in a mount namespace of
    the test's), `up` of a bridge's first container says which step failed
    in one line and leaves no bridge, veth, lease or table behind."""
    bridge, subnet, _ = net
    with sandboxes(1) as (box,):
        before = links()
        state = state_of("c1", box.pid)
        proc = subprocess.run(with_nft("/bin/false", NET, "up", "--bridge", bridge, "--subnet", subnet, "--no-dns"),
                              input=state, capture_output=True, text=True, timeout=30)
        assert proc.returncode == 1
        assert proc.stderr == (f"tinyrun-net: up c1: set up NAT: nftables: /usr/sbin/nft exited with status 1\n")
        assert links() == before
        assert not os.path.exists(f"/run/tinyrun-net/{bridge}")  # no lease, no record
        assert sh("nft", "list", "table", "ip", f"tinyrun-net-{bridge}", check=False).returncode != 0

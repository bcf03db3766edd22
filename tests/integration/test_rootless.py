"""tinyrun run by an ordinary user: a dedicated user made for this module
(useradd, removed again with userdel -r), its own copy of the rootfs, its
state below $XDG_RUNTIME_DIR/tinyrun, and `tinyrun spec --rootless` as the
starting point.  Checked from the host: the process's uid, its maps, the
state directory, the cgroup files."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

from conftest import ROOTFS, TINYRUN

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from hostusers import ensure_packages, processes_of, subid_entries  # noqa: E402  (tests/hostusers.py)

SUBID_START = 300000
SUBID_COUNT = 65536


class User:
    """The unprivileged user, its files, and tinyrun run as it."""

    def __init__(self, name, base):
        self.name = name
        self.base = base
        self.uid = int(subprocess.run(["id", "-u", name], check=True, capture_output=True,
                                      text=True).stdout)
        self.gid = int(subprocess.run(["id", "-g", name], check=True, capture_output=True,
                                      text=True).stdout)
        self.rootfs = os.path.join(base, "rootfs")
        self.xdg = os.path.join(base, "xdg")
        self.state_root = os.path.join(self.xdg, "tinyrun")

    def argv(self, *args, prefix=()):
        return list(prefix) + ["runuser", "-u", self.name, "--", "env", f"XDG_RUNTIME_DIR={self.xdg}",
                               TINYRUN] + [str(a) for a in args]

    def tinyrun(self, *args, cwd=None, prefix=(), timeout=60):
        # Files, not pipes: a detached container keeps stdout and stderr.
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            proc = subprocess.run(self.argv(*args, prefix=prefix), stdout=out, stderr=err, text=True,
                                  stdin=subprocess.DEVNULL, cwd=cwd, timeout=timeout)
            out.seek(0)
            err.seek(0)
            proc.stdout, proc.stderr = out.read(), err.read()
        return proc

    def bundle(self, config_edit=None):
        """`tinyrun spec --rootless` in a new bundle of the user's, with the
        user's rootfs; config_edit(config) changes the rest."""
        path = tempfile.mkdtemp(prefix="b-", dir=self.base)
        os.chown(path, self.uid, self.gid)
        proc = self.tinyrun("spec", "--rootless", "--bundle", path)
        assert proc.returncode == 0, proc.stderr
        config_path = os.path.join(path, "config.json")
        with open(config_path) as f:
            config = json.load(f)
        config["root"]["path"] = self.rootfs
        config["process"]["terminal"] = False
        if config_edit:
            config_edit(config)
        with open(config_path, "w") as f:
            json.dump(config, f)
        return path

    def processes(self):
        return processes_of(self.uid)


@pytest.fixture(scope="module")
def user():
    name = "trrl" + uuid.uuid4().hex[:8]
    # No subordinate ids of useradd's choosing: the subids fixture adds them.
    subprocess.run(["useradd", "-M", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", "-K", "SUB_UID_COUNT=0",
                    "-K", "SUB_GID_COUNT=0", name], check=True)
    base = tempfile.mkdtemp(prefix="tinyrun-rootless-")
    try:
        os.chmod(base, 0o755)
        u = User(name, base)
        subprocess.run(["cp", "-a", ROOTFS, u.rootfs], check=True)
        subprocess.run(["chown", "-R", f"{u.uid}:{u.gid}", u.rootfs], check=True)
        os.mkdir(u.xdg, 0o700)
        os.chown(u.xdg, u.uid, u.gid)
        yield u
    finally:
        u_state = os.path.join(base, "xdg", "tinyrun")
        if os.path.isdir(u_state):
            for cid in os.listdir(u_state):
                subprocess.run(User(name, base).argv("delete", "--force", cid), capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
        subprocess.run(["userdel", "-r", name], capture_output=True)


@pytest.fixture
def subids(user):
    """A subordinate uid and gid range for the user, removed afterwards."""
    if not ensure_packages("uidmap"):
        pytest.skip("the uidmap package (newuidmap, newgidmap) cannot be installed")
    added = []
    for path, flag in (("/etc/subuid", "--add-subuids"), ("/etc/subgid", "--add-subgids")):
        if not subid_entries(path, user.name):
            span = f"{SUBID_START}-{SUBID_START + SUBID_COUNT - 1}"
            subprocess.run(["usermod", flag, span, user.name], check=True)
            added.append((path, flag.replace("add", "del"), span))
    starts = [int(subid_entries(p, user.name)[0].split(":")[1]) for p in ("/etc/subuid", "/etc/subgid")]
    yield starts
    for path, flag, span in added:
        subprocess.run(["usermod", flag, span, user.name], check=True)
        assert not subid_entries(path, user.name)


@pytest.fixture(autouse=True)
def no_user_process_left(user):
    yield
    deadline = time.time() + 5
    while user.processes() and time.time() < deadline:
        time.sleep(0.05)
    assert not user.processes(), "processes of the rootless user left behind"
    assert not os.path.isdir(user.state_root) or not os.listdir(user.state_root)


def test_spec_rootless_maps_the_caller(user):
    path = user.bundle()
    with open(os.path.join(path, "config.json")) as f:
        linux = json.load(f)["linux"]
    assert linux["uidMappings"] == [{"containerID": 0, "hostID": user.uid, "size": 1}]
    assert linux["gidMappings"] == [{"containerID": 0, "hostID": user.gid, "size": 1}]
    assert "network" not in [ns["type"] for ns in linux["namespaces"]]


def test_run_as_an_ordinary_user(user):
    def edit(c):
        c["process"]["args"] = ["sh", "-c", "id -u; id -g; cat /proc/self/uid_map /proc/self/setgroups; "
                                "hostname; test -c /dev/null && echo null"]
    path = user.bundle(edit)
    proc = user.tinyrun("run", "rl-run", cwd=path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.split("\n")
    assert lines[0:2] == ["0", "0"]
    assert lines[2].split() == ["0", str(user.uid), "1"]
    # A single mapping of one's own gid needs setgroups denied first.
    assert lines[3:6] == ["deny", "tinyrun", "null"]
    # No cgroup was delegated to this user and none was asked for.
    assert "rootless: running without a cgroup" in proc.stderr


def test_state_lives_below_xdg_runtime_dir(user):
    def edit(c):
        c["process"]["args"] = ["sleep", "60"]
    path = user.bundle(edit)
    proc = user.tinyrun("run", "-d", "rl-state", cwd=path)
    assert proc.returncode == 0, proc.stderr
    try:
        assert os.path.isfile(os.path.join(user.state_root, "rl-state", "state.json"))
        assert not os.path.exists("/run/tinyrun/rl-state")
        assert os.stat(user.state_root).st_uid == user.uid
        state = json.loads(user.tinyrun("state", "rl-state").stdout)
        assert state["status"] == "running"
        # From the host: the container's root is the user.
        with open(f"/proc/{state['pid']}/status") as f:
            uids = [line.split()[1:] for line in f if line.startswith("Uid:")][0]
        assert uids == [str(user.uid)] * 4
        assert "rl-state" in user.tinyrun("list", "-q").stdout.split()
        # Without a cgroup there is nothing to list or pause, and no root
        # cgroup is read in its place.
        ps = user.tinyrun("ps", "rl-state")
        assert ps.returncode != 0 and "no cgroup" in ps.stderr
    finally:
        proc = user.tinyrun("delete", "--force", "rl-state")
    assert proc.returncode == 0, proc.stderr
    assert not os.path.exists(os.path.join(user.state_root, "rl-state"))


def test_limits_without_a_delegated_cgroup_fail_clearly(user):
    def edit(c):
        c["process"]["args"] = ["true"]
        c["linux"]["resources"] = {"memory": {"limit": 32 << 20}}
    path = user.bundle(edit)
    proc = user.tinyrun("run", "rl-limits", cwd=path)
    assert proc.returncode != 0
    assert "rootless: linux.resources need a cgroup delegated to uid" in proc.stderr
    assert not os.path.exists(os.path.join(user.state_root, "rl-limits"))


def test_subordinate_ranges_through_newuidmap(user, subids):
    subuid, subgid = subids

    def edit(c):
        c["root"]["readonly"] = False
        c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": user.uid, "size": 1},
                                     {"containerID": 1, "hostID": subuid, "size": SUBID_COUNT}]
        c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": user.gid, "size": 1},
                                     {"containerID": 1, "hostID": subgid, "size": SUBID_COUNT}]
        c["process"]["user"] = {"uid": 1000, "gid": 1000}
        c["process"]["args"] = ["sh", "-c", "id -u; id -g; cat /proc/self/uid_map /proc/self/setgroups; "
                                "rm -f /tmp/rl-owner; touch /tmp/rl-owner"]
    path = user.bundle(edit)
    proc = user.tinyrun("run", "rl-subid", cwd=path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.split("\n")
    assert lines[0:2] == ["1000", "1000"]
    assert [line.split() for line in lines[2:4]] == [["0", str(user.uid), "1"],
                                                      ["1", str(subuid), str(SUBID_COUNT)]]
    # newgidmap, not a self-mapping: setgroups stays allowed.
    assert lines[4] == "allow"
    st = os.stat(os.path.join(user.rootfs, "tmp", "rl-owner"))
    assert (st.st_uid, st.st_gid) == (subuid + 999, subgid + 999)
    os.unlink(os.path.join(user.rootfs, "tmp", "rl-owner"))


def cgroup_mounts():
    with open("/proc/self/mounts") as f:
        return [(line.split()[1], line.split()[2]) for line in f
                if line.split()[2] in ("cgroup", "cgroup2") and line.split()[1].startswith("/sys/fs/cgroup")]


def delegate(name, user):
    """A cgroup `name` the user owns in every hierarchy, with a child
    `runner` for the runtime: on cgroup2 a process may move only below a
    common ancestor it can write to (a systemd user session gives its
    user the same)."""
    made = []
    for mnt, fstype in cgroup_mounts():
        d = os.path.join(mnt, name)
        os.makedirs(os.path.join(d, "runner"))
        made.append(d)
        if fstype == "cgroup2":
            with open(os.path.join(mnt, "cgroup.subtree_control")) as f:
                on = f.read().split()
            with open(os.path.join(d, "cgroup.controllers")) as f:
                avail = f.read().split()
            if avail:
                with open(os.path.join(d, "cgroup.subtree_control"), "w") as f:
                    f.write(" ".join("+" + c for c in avail))
            assert set(avail) <= set(on) or not avail
        for cpuset in ("cpuset.cpus", "cpuset.mems"):
            if os.path.exists(os.path.join(mnt, cpuset)) and fstype == "cgroup":
                with open(os.path.join(mnt, cpuset)) as f:
                    value = f.read().strip()
                for sub in (d, os.path.join(d, "runner")):
                    with open(os.path.join(sub, cpuset), "w") as f:
                        f.write(value)
        subprocess.run(["chown", "-R", f"{user.uid}:{user.gid}", d], check=True)
    return made


def test_a_delegated_cgroup_gets_the_limits(user):
    name = "tinyrun-rl-" + uuid.uuid4().hex[:8]
    made = delegate(name, user)
    try:
        def edit(c):
            c["process"]["args"] = ["sleep", "60"]
            c["linux"]["cgroupsPath"] = f"/{name}/c"
            c["linux"]["resources"] = {"memory": {"limit": 32 << 20}, "pids": {"limit": 42}}
        path = user.bundle(edit)
        procs = [os.path.join(d, "runner", "cgroup.procs") for d in made]
        # The runtime starts in runner (written by root), then drops to the
        # user: the process it moves then has a common ancestor with the
        # container's cgroup that the user owns.
        runner = ["sh", "-c", 'n=$1; shift; i=0; while [ $i -lt $n ]; do echo $$ > "$1"; shift; i=$((i+1)); done; '
                  'exec "$@"', "sh", str(len(procs))] + procs
        proc = user.tinyrun("run", "-d", "rl-deleg", cwd=path, prefix=runner)
        stderr = proc.stderr
        assert proc.returncode == 0, stderr
        assert "without a cgroup" not in stderr
        state = json.loads(user.tinyrun("state", "rl-deleg").stdout)
        limits = {"cgroup": "memory.limit_in_bytes", "cgroup2": "memory.max"}
        checked = 0
        for mnt, fstype in cgroup_mounts():
            c = os.path.join(mnt, name, "c")
            with open(os.path.join(c, "cgroup.procs")) as f:
                assert str(state["pid"]) in f.read().split()
            limit = os.path.join(c, limits[fstype])
            if os.path.exists(limit):
                with open(limit) as f:
                    assert int(f.read()) == 32 << 20
                checked += 1
        assert checked, "no memory controller in any hierarchy"
        pids = [os.path.join(mnt, name, "c", "pids.max") for mnt, _ in cgroup_mounts()]
        pids = [p for p in pids if os.path.exists(p)]
        assert pids, "no pids controller in any hierarchy"
        for p in pids:
            with open(p) as f:
                assert f.read().strip() == "42"
        # exec joins the delegated cgroup; its freezer pauses the container.
        proc = user.tinyrun("exec", "rl-deleg", "cat", "/proc/self/cgroup", prefix=runner)
        assert proc.returncode == 0, proc.stderr
        assert all(line.endswith(f"/{name}/c") or line.endswith(":/") for line in proc.stdout.split())
        ps = user.tinyrun("ps", "--format", "json", "rl-deleg")
        assert ps.returncode == 0 and state["pid"] in json.loads(ps.stdout), ps.stderr
        for cmd, status in (("pause", "paused"), ("resume", "running")):
            proc = user.tinyrun(cmd, "rl-deleg")
            assert proc.returncode == 0, proc.stderr
            assert json.loads(user.tinyrun("state", "rl-deleg").stdout)["status"] == status
        proc = user.tinyrun("delete", "--force", "rl-deleg")
        assert proc.returncode == 0, proc.stderr
        assert not any(os.path.exists(os.path.join(d, "c")) for d in made)
    finally:
        user.tinyrun("delete", "--force", "rl-deleg")
        for d in made:
            for sub in (os.path.join(d, "c"), os.path.join(d, "runner"), d):
                deadline = time.time() + 5
                while os.path.isdir(sub):
                    try:
                        os.rmdir(sub)
                    except OSError:
                        if time.time() > deadline:
                            raise
                        time.sleep(0.05)


def test_idmapped_mounts_are_refused(user):
    """As runc: a rootless runtime cannot idmap a host filesystem (the
    kernel wants privilege over its superblock), and says so up front."""
    def edit(c):
        c["mounts"].append({"destination": "/data", "type": "bind", "source": user.rootfs,
                            "options": ["rbind", "idmap"]})
    path = user.bundle(edit)
    proc = user.tinyrun("run", "rl-idmap", cwd=path)
    assert proc.returncode == 1
    with open(os.path.join(path, "config.json")) as f:
        n = len(json.load(f)["mounts"]) - 1
    assert f"mounts[{n}]: idmapped mounts are not supported for rootless containers" in proc.stderr


def ns_links(pid, names=("user", "pid", "mnt", "uts", "ipc")):
    return [os.readlink(f"/proc/{pid}/ns/{n}") for n in names]


def test_exec_kill_and_pause_as_an_ordinary_user(user):
    def edit(c):
        c["process"]["args"] = ["sleep", "60"]
    path = user.bundle(edit)
    proc = user.tinyrun("run", "-d", "rl-exec", cwd=path)
    assert proc.returncode == 0, proc.stderr
    try:
        init = json.loads(user.tinyrun("state", "rl-exec").stdout)["pid"]
        # The exec'd process: in the container's user and pid namespaces
        # (the pid is the namespace's, not the host's), as its root.
        proc = user.tinyrun("exec", "rl-exec", "sh", "-c",
                            "echo $$; id -u; for n in user pid mnt uts ipc; do readlink /proc/self/ns/$n; done; "
                            "cat /proc/1/cmdline | tr '\\0' ' '")
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.split("\n")
        assert int(lines[0]) < 100 and int(lines[0]) != 1
        assert lines[1] == "0"
        assert lines[2:7] == ns_links(init)
        assert lines[7].split() == ["sleep", "60"]
        assert user.tinyrun("exec", "rl-exec", "sh", "-c", "exit 3").returncode == 3
        # Without a cgroup there is no freezer: refused, and the container runs on.
        for cmd in ("pause", "resume"):
            proc = user.tinyrun(cmd, "rl-exec")
            assert proc.returncode != 0
            assert f"can't {cmd} a container without cgroup" in proc.stderr
        assert json.loads(user.tinyrun("state", "rl-exec").stdout)["status"] == "running"
        # The init is pid 1 of its namespace: only SIGKILL ends it.
        proc = user.tinyrun("kill", "rl-exec", "KILL")
        assert proc.returncode == 0, proc.stderr
        deadline = time.time() + 10
        while json.loads(user.tinyrun("state", "rl-exec").stdout)["status"] != "stopped":
            assert time.time() < deadline, "the container outlived SIGKILL"
            time.sleep(0.05)
        try:
            with open(f"/proc/{init}/stat") as f:
                assert f.read().rsplit(")", 1)[1].split()[0] == "Z"
        except FileNotFoundError:
            pass  # reaped already
        proc = user.tinyrun("exec", "rl-exec", "true")
        assert proc.returncode != 0 and "stopped" in proc.stderr
    finally:
        proc = user.tinyrun("delete", "--force", "rl-exec")
    assert proc.returncode == 0, proc.stderr


def test_exec_with_subordinate_ranges(user, subids):
    subuid, _ = subids

    def edit(c):
        c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": user.uid, "size": 1},
                                     {"containerID": 1, "hostID": subuid, "size": SUBID_COUNT}]
        c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": user.gid, "size": 1},
                                     {"containerID": 1, "hostID": subids[1], "size": SUBID_COUNT}]
        c["process"]["args"] = ["sleep", "60"]
    path = user.bundle(edit)
    proc = user.tinyrun("run", "-d", "rl-exec-sub", cwd=path)
    assert proc.returncode == 0, proc.stderr
    try:
        with tempfile.TemporaryDirectory(dir=user.base) as d:
            os.chown(d, user.uid, user.gid)
            pid_file = os.path.join(d, "pid")
            proc = user.tinyrun("exec", "-d", "--pid-file", pid_file, "--user", "1000:1000", "rl-exec-sub",
                                "sleep", "60")
            assert proc.returncode == 0, proc.stderr
            with open(pid_file) as f:
                pid = int(f.read())
            # From the host: a subordinate uid, as the map says.
            with open(f"/proc/{pid}/status") as f:
                uids = [line.split()[1:] for line in f if line.startswith("Uid:")][0]
            assert uids == [str(subuid + 999)] * 4
            init = json.loads(user.tinyrun("state", "rl-exec-sub").stdout)["pid"]
            assert ns_links(pid) == ns_links(init)
    finally:
        proc = user.tinyrun("delete", "--force", "rl-exec-sub")
    assert proc.returncode == 0, proc.stderr


def test_root_of_a_user_namespace_is_rootless(user):
    """As rootless podman runs it: uid 0 of a user namespace that maps the
    user (unshare -r), the container sharing that namespace.  Its state
    goes below XDG_RUNTIME_DIR (runc's shouldHonorXDGRuntimeDir), it gets
    no cgroup (with a warning), its devices are bind-mounted (no mknod
    there), a cgroup mount shows the cgroups it runs in, and exec enters
    its pid namespace without a way back to be needed."""
    def edit(c):
        c["linux"]["namespaces"] = [ns for ns in c["linux"]["namespaces"] if ns["type"] != "user"]
        del c["linux"]["uidMappings"], c["linux"]["gidMappings"]
        c["mounts"].append({"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
                            "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]})
        c["process"]["args"] = ["sleep", "60"]
    path = user.bundle(edit)
    t = TINYRUN
    script = (f"{t} run -d rl-inns 2>&1 </dev/null >/dev/null; echo state:$(ls {user.state_root}); "
              f"{t} exec rl-inns sh -c 'echo $$; id -u; test -c /dev/null && echo null; ls /sys/fs/cgroup; "
              f"readlink /proc/self/ns/user'; "
              f"{t} delete --force rl-inns; echo after:$(ls {user.state_root})")
    argv = ["runuser", "-u", user.name, "--", "env", f"XDG_RUNTIME_DIR={user.xdg}", f"USER={user.name}",
            "unshare", "--user", "--map-root-user", "sh", "-c", script]
    try:
        with tempfile.TemporaryFile("w+") as out:
            proc = subprocess.run(argv, cwd=path, stdout=out, stderr=subprocess.STDOUT, text=True,
                                  stdin=subprocess.DEVNULL, timeout=60)
            out.seek(0)
            output = out.read()
    finally:
        user.tinyrun("delete", "--force", "rl-inns")
    assert proc.returncode == 0, output
    lines = output.split("\n")
    assert "rootless: running without a cgroup" in lines[0], output
    assert lines[1] == "state:rl-inns", output
    pid, uid, null = lines[2:5]
    assert int(pid) != 1 and int(pid) < 100 and uid == "0" and null == "null", output
    # Every hierarchy, at the cgroup the runtime was in.
    assert "memory" in lines[5:-3] or "memory" in " ".join(lines[5:-3]), output
    assert lines[-3] != os.readlink("/proc/self/ns/user"), output
    assert lines[-2] == "after:", output
    assert not os.path.exists("/run/tinyrun/rl-inns")


def test_pasta_attached_to_a_rootless_container(user):
    """The rootless network podman >= 4.4 makes (Debian 12's 4.3 has no
    pasta mode): pasta, run by the user, joins the container's user and
    network namespaces by its pid, gives it an address and forwards a port
    of the host's loopback into it."""
    if not ensure_packages("passt"):
        pytest.skip("the passt package (pasta) cannot be installed")
    if not os.path.exists("/dev/net/tun"):
        pytest.skip("no /dev/net/tun (the test VM's kernel loads no tun module)")
    import socket
    import urllib.request
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def edit(c):
        c["linux"]["namespaces"].append({"type": "network"})
        c["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]})
        c["process"]["args"] = ["sh", "-c", "mkdir -p /tmp/www && echo hello-pasta > /tmp/www/index.html && "
                                "exec httpd -f -p 80 -h /tmp/www"]
    path = user.bundle(edit)
    tun_mode = os.stat("/dev/net/tun").st_mode & 0o7777
    pid_file = os.path.join(user.xdg, "pasta.pid")
    os.chmod("/dev/net/tun", 0o666)  # as udev's default rules make it; this host has no udev
    try:
        proc = user.tinyrun("run", "-d", "rl-pasta", cwd=path)
        assert proc.returncode == 0, proc.stderr
        init = json.loads(user.tinyrun("state", "rl-pasta").stdout)["pid"]
        proc = subprocess.run(["runuser", "-u", user.name, "--", "pasta", "--quiet", "--config-net", "-P", pid_file,
                               "-t", f"127.0.0.1/{port}:80", "-u", "none", "-T", "none", "-U", "none",
                               str(init)], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        addr = subprocess.run(["nsenter", "-t", str(init), "-n", "ip", "-o", "-4", "addr", "show", "scope", "global"],
                              capture_output=True, text=True, check=True).stdout
        assert "inet " in addr, addr

        def fetch():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    return r.read().decode()
            except OSError:
                return None
        deadline = time.time() + 30
        while fetch() != "hello-pasta\n" and time.time() < deadline:
            time.sleep(0.1)
        assert fetch() == "hello-pasta\n"
    finally:
        os.chmod("/dev/net/tun", tun_mode)
        if os.path.exists(pid_file):
            with open(pid_file) as f:
                try:
                    os.kill(int(f.read()), 15)
                except (ProcessLookupError, ValueError):
                    pass
            os.unlink(pid_file)
        proc = user.tinyrun("delete", "--force", "rl-pasta")
    assert proc.returncode == 0, proc.stderr


def test_rootless_flag_overrides_the_guess(user):
    """--rootless false: the root of a user namespace is taken for the
    host's root, and the cgroup it cannot make is an error, not skipped."""
    def edit(c):
        c["linux"]["namespaces"] = [ns for ns in c["linux"]["namespaces"] if ns["type"] != "user"]
        del c["linux"]["uidMappings"], c["linux"]["gidMappings"]
        c["process"]["args"] = ["true"]
    path = user.bundle(edit)
    base = ["runuser", "-u", user.name, "--", "env", f"XDG_RUNTIME_DIR={user.xdg}", f"USER={user.name}",
            "unshare", "--user", "--map-root-user", TINYRUN]
    try:
        proc = subprocess.run(base + ["--rootless", "false", "run", "rl-forced"], cwd=path, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL, timeout=60)
        assert proc.returncode != 0
        assert "running without a cgroup" not in proc.stderr and "Permission denied" in proc.stderr, proc.stderr
        proc = subprocess.run(base + ["--rootless", "auto", "run", "rl-forced"], cwd=path, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL, timeout=60)
        assert proc.returncode == 0 and "running without a cgroup" in proc.stderr, proc.stderr
    finally:
        user.tinyrun("delete", "--force", "rl-forced")
    proc = user.tinyrun("--rootless", "maybe", "list")
    assert proc.returncode != 0
    assert proc.stderr.strip() == 'tinyrun: --rootless: "maybe" is not true, false or auto', proc.stderr


def test_join_another_rootless_containers_namespaces(user):
    """A second container of the user's joins the first one's user,
    network and pid namespaces by path (as a pod does): the intermediate
    joins the user namespace first, whose root may then enter the rest."""
    def first(c):
        c["linux"]["namespaces"].append({"type": "network"})
        c["process"]["args"] = ["sleep", "60"]
    proc = user.tinyrun("run", "-d", "rl-pod-a", cwd=user.bundle(first))
    assert proc.returncode == 0, proc.stderr
    try:
        a = json.loads(user.tinyrun("state", "rl-pod-a").stdout)["pid"]
        joined = ("user", "net", "pid")

        def second(c):
            kinds = {"user": "user", "network": "net", "pid": "pid"}
            c["linux"]["namespaces"] = [ns for ns in c["linux"]["namespaces"] if ns["type"] not in kinds]
            c["linux"]["namespaces"] += [{"type": t, "path": f"/proc/{a}/ns/{n}"} for t, n in kinds.items()]
            del c["linux"]["uidMappings"], c["linux"]["gidMappings"]
            c["process"]["args"] = ["sh", "-c", "id -u; " + "; ".join(f"readlink /proc/self/ns/{n}" for n in
                                                                         joined + ("mnt",))]
        proc = user.tinyrun("run", "rl-pod-b", cwd=user.bundle(second))
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.split()
        assert lines[0] == "0"
        assert lines[1:4] == [os.readlink(f"/proc/{a}/ns/{n}") for n in joined]
        assert lines[4] != os.readlink(f"/proc/{a}/ns/mnt")
    finally:
        user.tinyrun("delete", "--force", "rl-pod-b")
        proc = user.tinyrun("delete", "--force", "rl-pod-a")
    assert proc.returncode == 0, proc.stderr

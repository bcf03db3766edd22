"""Rootless tinyrun --systemd-cgroup in a systemd user session: a dedicated
user made for this module (with /etc/subuid and /etc/subgid ranges), its
user manager (user@UID.service, which the system manager delegates cpu,
memory and pids to), and the container's scope made by that manager, as
runc does.  Checked from the host: `systemctl --user show`, the kernel's
files below user@UID.service, /proc/PID/cgroup.  The user, its manager and
its files are removed at the end.  Only in the systemd VM
(tests/vm/run-systemd-tests): elsewhere every test skips."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests"))
from hostusers import processes_of  # noqa: E402  (tests/hostusers.py, shared)
TINYRUN = os.path.join(TOP, "tinyrun")
ROOTFS = os.path.join(TOP, "bundles", "busybox", "rootfs")
CGROUP = "/sys/fs/cgroup"
SUBID_START = 400000
SUBID_COUNT = 65536
MEM = 64 << 20

pytestmark = pytest.mark.skipif(
    not (os.path.isdir("/run/systemd/system") and os.path.exists(f"{CGROUP}/cgroup.controllers")
         and os.environ.get("TINYRUN_TEST_SYSTEMD") == "1" and os.geteuid() == 0),
    reason="needs the systemd VM (tests/vm/run-systemd-tests)")


def run(argv, check=True, **kw):
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        # Files, not pipes: a detached container keeps stdout and stderr.
        proc = subprocess.run(argv, stdout=out, stderr=err, text=True, timeout=180, stdin=subprocess.DEVNULL,
                              **kw)
        out.seek(0)
        err.seek(0)
        proc.stdout, proc.stderr = out.read(), err.read()
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(argv)}: {proc.returncode}\n{proc.stdout}{proc.stderr}")
    return proc


class User:
    """The user, its session's environment, and commands run as it."""

    def __init__(self, name, base):
        self.name = name
        self.base = base
        self.uid = int(run(["id", "-u", name]).stdout)
        self.gid = int(run(["id", "-g", name]).stdout)
        self.rootfs = os.path.join(base, "rootfs")
        self.xdg = f"/run/user/{self.uid}"
        self.env = {"XDG_RUNTIME_DIR": self.xdg, "DBUS_SESSION_BUS_ADDRESS": f"unix:path={self.xdg}/bus"}
        self.manager = f"{CGROUP}/user.slice/user-{self.uid}.slice/user@{self.uid}.service"

    def as_user(self, *argv, env=None, check=False):
        env = dict(self.env if env is None else env)
        return run(["runuser", "-u", self.name, "--", "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                    *[f"{k}={v}" for k, v in env.items()], *map(str, argv)], check=check, cwd=self.base)

    def tinyrun(self, *args, env=None, check=False):
        return self.as_user(TINYRUN, "--systemd-cgroup", *args, env=env, check=check)

    def systemctl(self, *args):
        return self.as_user("systemctl", "--user", *args).stdout

    def show(self, unit, prop):
        return self.systemctl("show", "-p", prop, "--value", unit).strip()

    def listed(self, unit):
        return unit in self.systemctl("list-units", "--all", "--no-legend", "--plain", unit)

    def bundle(self, cgroups_path, resources=None, args=("sleep", "300"), mounts=()):
        path = tempfile.mkdtemp(prefix="b-", dir=self.base)
        os.chown(path, self.uid, self.gid)
        proc = self.as_user(TINYRUN, "spec", "--rootless", "--bundle", path)
        assert proc.returncode == 0, proc.stderr
        config_path = os.path.join(path, "config.json")
        with open(config_path) as f:
            config = json.load(f)
        config["root"]["path"] = self.rootfs
        config["process"]["terminal"] = False
        config["process"]["args"] = list(args)
        config["mounts"] += list(mounts)
        if cgroups_path is not None:
            config["linux"]["cgroupsPath"] = cgroups_path
        if resources is not None:
            config["linux"]["resources"] = resources
        with open(config_path, "w") as f:
            json.dump(config, f)
        return path

    def processes(self):
        return processes_of(self.uid)


def make_user(prefix, base):
    name = prefix + uuid.uuid4().hex[:8]
    run(["useradd", "-M", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", "-K", "SUB_UID_COUNT=0",
         "-K", "SUB_GID_COUNT=0", name])
    return name


def remove_user(name, uid):
    run(["systemctl", "stop", f"user@{uid}.service"], check=False)
    run(["loginctl", "terminate-user", str(uid)], check=False)
    run(["pkill", "-KILL", "-U", str(uid)], check=False)
    run(["userdel", "-r", name], check=False)
    for path in ("/etc/subuid", "/etc/subgid"):
        with open(path) as f:
            lines = f.read().splitlines()
        kept = [line for line in lines if line.split(":")[0] != name]
        if kept != lines:
            with open(path, "w") as f:
                f.write("".join(line + "\n" for line in kept))


@pytest.fixture(scope="module")
def user():
    base = tempfile.mkdtemp(prefix="tinyrun-userd-")
    os.chmod(base, 0o755)
    name = make_user("trud", base)
    uid = int(run(["id", "-u", name]).stdout)
    try:
        for flag in ("--add-subuids", "--add-subgids"):
            run(["usermod", flag, f"{SUBID_START}-{SUBID_START + SUBID_COUNT - 1}", name])
        u = User(name, base)
        os.chown(base, u.uid, u.gid)
        run(["cp", "-a", ROOTFS, u.rootfs])
        run(["chown", "-R", f"{u.uid}:{u.gid}", u.rootfs])
        run(["systemctl", "start", f"user@{u.uid}.service"])
        yield u
        state = os.path.join(u.xdg, "tinyrun")
        for cid in os.listdir(state) if os.path.isdir(state) else []:
            u.tinyrun("delete", "--force", cid)
    finally:
        remove_user(name, uid)
        shutil.rmtree(base, ignore_errors=True)
    # Nothing of the user's is left: no manager, no slice, no processes.
    assert not os.path.exists(f"{CGROUP}/user.slice/user-{uid}.slice")
    assert run(["id", name], check=False).returncode != 0


def test_the_user_manager_is_delegated_memory_and_pids(user):
    with open(f"{user.manager}/cgroup.controllers") as f:
        controllers = f.read().split()
    assert "memory" in controllers and "pids" in controllers
    assert os.stat(user.manager).st_uid == user.uid
    assert user.as_user("systemctl", "--user", "show", "-p", "ControlGroup", "--value").stdout.strip() \
        == f"/user.slice/user-{user.uid}.slice/user@{user.uid}.service"


def read(path):
    with open(path) as f:
        return f.read().strip()


def cgroup_of(pid):
    for line in read(f"/proc/{pid}/cgroup").splitlines():
        if line.startswith("0::"):
            return line[3:]
    return None


def wait_for_file(path):
    deadline = time.time() + 60
    while time.time() < deadline and not (os.path.exists(path) and os.path.getsize(path) > 0):
        time.sleep(0.1)
    return read(path)


def test_scope_in_the_user_manager_with_limits(user):
    cid = "ud1"
    unit = f"tinyrun-{cid}.scope"
    # memory.high has no property here: tinyrun writes it, as the user.
    resources = {"memory": {"limit": MEM}, "pids": {"limit": 50}, "cpu": {"quota": 50000, "period": 100000},
                 "unified": {"memory.high": str(48 << 20)}}
    bundle = user.bundle(f"user.slice:tinyrun:{cid}", resources)
    pidfile = os.path.join(user.base, f"{cid}.pid")
    proc = user.tinyrun("run", "-d", "--bundle", bundle, "--pid-file", pidfile, cid)
    assert proc.returncode == 0, proc.stderr
    try:
        assert "without a cgroup" not in proc.stderr
        pid = int(read(pidfile))
        # The user's manager made the scope, in its own user.slice.
        assert user.show(unit, "ActiveState") == "active"
        assert user.show(unit, "Slice") == "user.slice"
        assert user.show(unit, "MemoryMax") == str(MEM)
        assert user.show(unit, "TasksMax") == "50"
        assert user.show(unit, "Delegate") == "yes"
        rel = f"/user.slice/user-{user.uid}.slice/user@{user.uid}.service/user.slice/{unit}"
        assert user.show(unit, "ControlGroup") == rel
        # The system manager has no such unit.
        assert unit not in run(["systemctl", "list-units", "--all", "--no-legend", "--plain", unit]).stdout
        d = CGROUP + rel
        assert read(f"{d}/memory.max") == str(MEM)
        assert read(f"{d}/pids.max") == "50"
        assert read(f"{d}/cpu.max") == "50000 100000"
        assert user.show(unit, "CPUQuotaPerSecUSec") == "500ms"
        assert read(f"{d}/memory.high") == str(48 << 20)
        assert os.stat(f"{d}/cgroup.procs").st_uid == user.uid
        assert cgroup_of(pid) == rel
        state = json.loads(user.tinyrun("state", cid, check=True).stdout)
        assert state["status"] == "running"

        # exec lands in the scope's cgroup.
        expid = os.path.join(user.base, f"{cid}.exec.pid")
        user.tinyrun("exec", "-d", "--pid-file", expid, cid, "sleep", "300", check=True)
        assert cgroup_of(int(wait_for_file(expid))) == rel
        ps = user.tinyrun("ps", "--format", "json", cid, check=True)
        assert int(read(expid)) in json.loads(ps.stdout)

        # update: the file and the unit's property.
        user.tinyrun("update", "--memory", str(MEM // 2), "--pids-limit", "40", cid, check=True)
        assert read(f"{d}/memory.max") == str(MEM // 2)
        assert read(f"{d}/pids.max") == "40"
        assert user.show(unit, "MemoryMax") == str(MEM // 2)
        assert user.show(unit, "TasksMax") == "40"

        # pause and resume: the scope's freezer.
        user.tinyrun("pause", cid, check=True)
        assert "frozen 1" in read(f"{d}/cgroup.events").splitlines()
        assert json.loads(user.tinyrun("state", cid, check=True).stdout)["status"] == "paused"
        user.tinyrun("resume", cid, check=True)
        assert "frozen 0" in read(f"{d}/cgroup.events").splitlines()
        assert json.loads(user.tinyrun("state", cid, check=True).stdout)["status"] == "running"

        user.tinyrun("kill", cid, "KILL", check=True)
        deadline = time.time() + 60
        while time.time() < deadline and json.loads(user.tinyrun("state", cid).stdout or "{}").get(
                "status") != "stopped":
            time.sleep(0.1)
        user.tinyrun("delete", cid, check=True)
    finally:
        user.tinyrun("delete", "--force", cid)
    assert not user.listed(unit)
    assert not os.path.exists(d)
    assert not os.path.exists(os.path.join(user.xdg, "tinyrun", cid))


def test_an_empty_slice_is_the_user_slice(user):
    for cid, path in (("ud2", ":tinyrun:ud2"), ("ud3", None)):
        unit = f"tinyrun-{cid}.scope"
        bundle = user.bundle(path, {"pids": {"limit": 30}})
        pidfile = os.path.join(user.base, f"{cid}.pid")
        proc = user.tinyrun("run", "-d", "--bundle", bundle, "--pid-file", pidfile, cid)
        assert proc.returncode == 0, proc.stderr
        try:
            rel = f"/user.slice/user-{user.uid}.slice/user@{user.uid}.service/user.slice/{unit}"
            assert user.show(unit, "Slice") == "user.slice"
            assert cgroup_of(int(read(pidfile))) == rel
            assert read(f"{CGROUP}{rel}/pids.max") == "30"
        finally:
            user.tinyrun("delete", "--force", cid)
        assert not user.listed(unit)


def test_foreground_run_and_the_exit_status(user):
    cid = "ud4"
    unit = f"tinyrun-{cid}.scope"
    cgroup_mount = {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
                    "options": ["nosuid", "noexec", "nodev"]}
    bundle = user.bundle(f"user.slice:tinyrun:{cid}", {"memory": {"limit": MEM}}, mounts=[cgroup_mount],
                         args=("sh", "-c", "cat /proc/self/cgroup /sys/fs/cgroup/memory.max; exit 3"))
    proc = user.tinyrun("run", "--bundle", bundle, cid)
    # The container's cgroup namespace is rooted at its scope.
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout.split() == ["0::/", str(MEM)]
    assert not user.listed(unit)


def test_subordinate_ids_through_newuidmap(user):
    cid = "ud5"
    unit = f"tinyrun-{cid}.scope"

    def maps(c):
        c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": user.uid, "size": 1},
                                     {"containerID": 1, "hostID": SUBID_START, "size": SUBID_COUNT}]
        c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": user.gid, "size": 1},
                                     {"containerID": 1, "hostID": SUBID_START, "size": SUBID_COUNT}]
        c["process"]["user"] = {"uid": 1000, "gid": 1000}
    bundle = user.bundle(f"user.slice:tinyrun:{cid}", {"pids": {"limit": 20}})
    with open(os.path.join(bundle, "config.json")) as f:
        config = json.load(f)
    maps(config)
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(config, f)
    pidfile = os.path.join(user.base, f"{cid}.pid")
    proc = user.tinyrun("run", "-d", "--bundle", bundle, "--pid-file", pidfile, cid)
    assert proc.returncode == 0, proc.stderr
    try:
        pid = int(read(pidfile))
        assert os.stat(f"/proc/{pid}").st_uid == SUBID_START + 999
        rel = f"/user.slice/user-{user.uid}.slice/user@{user.uid}.service/user.slice/{unit}"
        assert cgroup_of(pid) == rel
        assert user.show(unit, "TasksMax") == "20"
    finally:
        user.tinyrun("delete", "--force", cid)
    assert not user.listed(unit)


def test_without_a_user_session_limits_fail_clearly(user):
    """Another user, without a manager: nothing to ask for a scope."""
    base = tempfile.mkdtemp(prefix="tinyrun-userd-nosession-")
    os.chmod(base, 0o755)
    name = make_user("trun", base)
    uid = int(run(["id", "-u", name]).stdout)
    try:
        other = User(name, base)
        other.rootfs = user.rootfs
        os.chown(base, uid, other.gid)
        xdg = os.path.join(base, "xdg")
        os.mkdir(xdg, 0o700)
        os.chown(xdg, uid, other.gid)
        other.env = {"XDG_RUNTIME_DIR": xdg}
        # Without limits too, as runc: --systemd-cgroup asks for a scope.
        for resources in ({"memory": {"limit": MEM}}, None):
            bundle = other.bundle("user.slice:tinyrun:ud6", resources)
            proc = other.tinyrun("run", "--bundle", bundle, "ud6")
            assert proc.returncode != 0
            err = proc.stderr.strip().splitlines()
            assert len(err) == 1, proc.stderr
            assert err[0].startswith("tinyrun: run ud6: --systemd-cgroup: cannot reach systemd over D-Bus: user bus")
            assert f"uid {uid} needs a systemd user session: user@{uid}.service" in err[0]
            assert not os.path.exists(os.path.join(xdg, "tinyrun", "ud6"))
            assert other.processes() == []
    finally:
        remove_user(name, uid)
        shutil.rmtree(base, ignore_errors=True)


def test_rootless_podman_with_the_systemd_cgroup_manager(user):
    """podman, run by the user, runs tinyrun as uid 0 of its user
    namespace; tinyrun asks the user's manager for the scope."""
    if shutil.which("podman") is None:
        pytest.skip("podman is not installed")
    base = os.path.join(user.base, "podman")
    os.mkdir(base)
    os.chown(base, user.uid, user.gid)
    tar = os.path.join(base, "rootfs.tar")
    run(["tar", "-C", ROOTFS, "-cf", tar, "."])
    os.chown(tar, user.uid, user.gid)
    env = dict(user.env, HOME=base)

    def podman(*args, check=True):
        return user.as_user("podman", "--root", f"{base}/root", "--runroot", f"{user.xdg}/podman-run",
                            "--storage-driver", "vfs", "--runtime", TINYRUN, "--cgroup-manager", "systemd",
                            "--events-backend", "file", "--tmpdir", f"{base}/tmp", *args, env=env, check=check)

    image = "localhost/tinyrun-userd:latest"
    podman("import", "--change", 'CMD ["/bin/sh"]', tar, image)
    cid = None
    try:
        cid = podman("run", "-d", "--network", "none", "--memory", "64m", "--pids-limit", "50", image,
                     "sleep", "300").stdout.strip()
        unit = f"libpod-{cid}.scope"
        assert user.show(unit, "ActiveState") == "active"
        assert user.show(unit, "MemoryMax") == str(MEM)
        assert user.show(unit, "TasksMax") == "50"
        rel = user.show(unit, "ControlGroup")
        assert rel.startswith(f"/user.slice/user-{user.uid}.slice/user@{user.uid}.service/"), rel
        assert read(f"{CGROUP}{rel}/memory.max") == str(MEM)
        assert read(f"{CGROUP}{rel}/pids.max") == "50"
        assert podman("exec", cid, "echo", "hi").stdout.strip() == "hi"
        podman("stop", "-t", "1", cid)
        podman("rm", cid)
        cid = None
        assert not user.listed(unit)
    finally:
        if cid:
            podman("rm", "-f", "-t", "0", cid, check=False)
        podman("system", "reset", "--force", check=False)

"""podman (cgroup_manager = "systemd") and containerd (ctr
--runc-systemd-cgroup, what SystemdCgroup = true does) with tinyrun
--systemd-cgroup.  Only in the systemd VM (tests/vm/run-systemd-tests):
elsewhere every test skips."""

import os
import subprocess
import tarfile
import time

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINYRUN = os.path.join(TOP, "tinyrun")
ROOTFS = os.path.join(TOP, "bundles", "busybox", "rootfs")
IMAGE = "localhost/tinyrun-systemd:latest"

pytestmark = pytest.mark.skipif(
    not (os.path.isdir("/run/systemd/system") and os.path.exists("/sys/fs/cgroup/cgroup.controllers")
         and os.environ.get("TINYRUN_TEST_SYSTEMD") == "1"),
    reason="needs the systemd VM (tests/vm/run-systemd-tests)")


def show(unit, prop):
    return subprocess.run(["systemctl", "show", "-p", prop, "--value", unit], capture_output=True, text=True,
                          check=True).stdout.strip()


def unit_listed(unit):
    out = subprocess.run(["systemctl", "list-units", "--all", "--no-legend", "--plain", unit], capture_output=True,
                         text=True).stdout
    return unit in out


def run(argv, check=True, **kw):
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(argv)}: {proc.returncode}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def podman(tmp_path_factory):
    base = str(tmp_path_factory.mktemp("podman"))
    os.makedirs(f"{base}/tmp", exist_ok=True)
    # The distribution's containers.conf stays in effect (no CONTAINERS_CONF):
    # only podman's global flags choose tinyrun, systemd's cgroup manager and
    # private directories.
    env = dict(os.environ)
    env.pop("CONTAINERS_CONF", None)

    def p(*args, check=True):
        return run(["podman", "--root", f"{base}/root", "--runroot", f"{base}/run", "--storage-driver", "vfs",
                    "--tmpdir", f"{base}/tmp", "--runtime", TINYRUN, "--cgroup-manager", "systemd",
                    "--events-backend", "file", *map(str, args)], check=check, env=env)

    tar = f"{base}/rootfs.tar"
    with tarfile.open(tar, "w") as t:
        t.add(ROOTFS, arcname=".")
    p("import", "--change", 'CMD ["/bin/sh"]', "--change", "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin", tar, IMAGE)
    p.base = base
    yield p
    p("rm", "--all", "--force", "--time", "0", check=False)


def test_podman_run_in_a_libpod_scope(podman):
    out = podman("run", "--rm", "--network", "none", "--cgroupns", "host", IMAGE, "cat", "/proc/self/cgroup").stdout
    line = out.strip()
    assert line.startswith("0::/machine.slice/libpod-") and line.endswith(".scope"), out


def test_podman_limits_exec_stop(podman):
    cid = podman("run", "-d", "--network", "none", "--memory", "64m", "--cpus", "0.5", "--pids-limit", "50", IMAGE,
                 "sleep", "300").stdout.strip()
    unit = f"libpod-{cid}.scope"
    try:
        assert show(unit, "ActiveState") == "active"
        assert show(unit, "MemoryMax") == str(64 << 20)
        assert show(unit, "TasksMax") == "50"
        assert show(unit, "CPUQuotaPerSecUSec") == "500ms"
        d = f"/sys/fs/cgroup/machine.slice/{unit}"
        with open(f"{d}/memory.max") as f:
            assert f.read().strip() == str(64 << 20)
        with open(f"{d}/cpu.max") as f:
            assert f.read().split()[0] == "50000"
        assert podman("exec", cid, "echo", "hi").stdout.strip() == "hi"
        podman("stop", "-t", "1", cid)
    finally:
        podman("rm", "-f", cid, check=False)
    assert not unit_listed(unit)


@pytest.fixture(scope="module")
def containerd(tmp_path_factory, podman):
    base = str(tmp_path_factory.mktemp("containerd"))
    sock = f"{base}/containerd.sock"
    with open(f"{base}/config.toml", "w") as f:
        f.write(f"""version = 2
root = "{base}/root"
state = "{base}/state"
[grpc]
  address = "{sock}"
[ttrpc]
  address = "{sock}.ttrpc"
""")
    log = open(f"{base}/containerd.log", "w")
    proc = subprocess.Popen(["containerd", "--config", f"{base}/config.toml"], stdout=log, stderr=subprocess.STDOUT)

    def ctr(*args, check=True):
        return run(["ctr", "--address", sock, *map(str, args)], check=check)

    deadline = time.time() + 60
    while time.time() < deadline and ctr("version", check=False).returncode != 0:
        time.sleep(0.2)
    archive = f"{base}/image.tar"
    podman("save", "--format", "oci-archive", "-o", archive, IMAGE)
    ctr("image", "import", archive)
    yield ctr
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def test_containerd_systemd_cgroup(containerd):
    cid = "ctr-systemd-1"
    containerd("run", "-d", "--runc-binary", TINYRUN, "--runc-systemd-cgroup", "--cgroup",
               f"system.slice:cri-containerd:{cid}", "--memory-limit", str(64 << 20), IMAGE, cid, "sleep", "300")
    unit = f"cri-containerd-{cid}.scope"
    try:
        assert show(unit, "ActiveState") == "active"
        assert show(unit, "MemoryMax") == str(64 << 20)
        assert show(unit, "Delegate") == "yes"
    finally:
        containerd("task", "kill", "-s", "KILL", cid, check=False)
        deadline = time.time() + 30
        while time.time() < deadline and containerd("task", "delete", cid, check=False).returncode != 0:
            time.sleep(0.2)
        containerd("container", "delete", cid, check=False)
    assert not unit_listed(unit)

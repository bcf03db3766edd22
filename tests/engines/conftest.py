"""podman and containerd driving tinyrun, each with its own configuration,
storage and state under a temporary directory: nothing of the host's
engine setup is used or changed.  The engines are installed from Debian's
repositories when missing; a suite is skipped only if that fails."""

import glob
import json
import os
import shutil
import subprocess
import tarfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
TINYRUN = os.environ.get("TINYRUN", os.path.join(TOP, "tinyrun"))
ROOTFS = os.path.join(TOP, "bundles", "busybox", "rootfs")
IMAGE = "localhost/tinyrun-busybox:latest"


def ensure_packages(*packages):
    missing = [p for p in packages
               if subprocess.run(["dpkg-query", "-W", "-f=${Status}", p], capture_output=True,
                                 text=True).stdout != "install ok installed"]
    if not missing:
        return True
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    proc = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends"] + missing,
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], capture_output=True)
        proc = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends"] + missing,
                              capture_output=True, text=True, env=env)
    return proc.returncode == 0


def hard_nofile():
    import resource
    return resource.getrlimit(resource.RLIMIT_NOFILE)[1]


class Podman:
    def __init__(self, base):
        self.base = base
        os.makedirs(f"{base}/net", exist_ok=True)
        os.makedirs(f"{base}/tmp", exist_ok=True)
        nofile = hard_nofile()
        self.conf = f"{base}/containers.conf"
        with open(self.conf, "w") as f:
            f.write(f"""[containers]
default_ulimits = ["nofile={nofile}:{nofile}", "nproc=32768:32768"]
[network]
network_config_dir = "{base}/net"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "{base}/events.log"
runtime = "tinyrun"
runtime_supports_json = ["crun", "runc", "tinyrun"]
tmp_dir = "{base}/tmp"
[engine.runtimes]
tinyrun = ["{TINYRUN}"]
""")
        self.env = dict(os.environ, CONTAINERS_CONF=self.conf)

    def argv(self, *args):
        return ["podman", "--root", f"{self.base}/root", "--runroot", f"{self.base}/run",
                "--storage-driver", "overlay"] + [str(a) for a in args]

    def __call__(self, *args, check=False, timeout=120, input=None):
        proc = subprocess.run(self.argv(*args), capture_output=True, text=True, timeout=timeout,
                              input=input, env=self.env,
                              stdin=None if input is not None else subprocess.DEVNULL)
        if check and proc.returncode != 0:
            raise AssertionError(f"podman {' '.join(map(str, args))}: {proc.returncode}\n{proc.stderr}")
        return proc


class HostNetworkSnapshot:
    """podman's default bridge network (CNI) leaves a bridge, firewall rules
    and IPAM files on the host; the session puts the host back as it was."""

    def __init__(self):
        self.links = self._links()
        self.ruleset = subprocess.run(["nft", "list", "ruleset"], capture_output=True, text=True).stdout
        self.had_cni = os.path.exists("/var/lib/cni")

    @staticmethod
    def _links():
        out = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
        return {line.split(": ")[1].split("@")[0] for line in out.splitlines()}

    def restore(self):
        for link in self._links() - self.links:
            subprocess.run(["ip", "link", "del", link], capture_output=True)
        now = subprocess.run(["nft", "list", "ruleset"], capture_output=True, text=True).stdout
        if now != self.ruleset:
            subprocess.run(["nft", "flush", "ruleset"], check=True)
            if self.ruleset.strip():
                subprocess.run(["nft", "-f", "-"], input=self.ruleset, text=True, check=True)
        if not self.had_cni:
            shutil.rmtree("/var/lib/cni", ignore_errors=True)


def rootfs_tarball(path):
    with tarfile.open(path, "w") as t:
        t.add(ROOTFS, arcname=".")


@pytest.fixture(scope="session")
def podman(tmp_path_factory):
    if not ensure_packages("podman", "conmon", "containernetworking-plugins", "catatonit", "util-linux",
                           "nftables", "iptables"):
        pytest.skip("podman cannot be installed")
    network = HostNetworkSnapshot()
    base = str(tmp_path_factory.mktemp("podman"))
    p = Podman(base)
    had_parent = bool(glob.glob("/sys/fs/cgroup/*/libpod_parent") or os.path.exists("/sys/fs/cgroup/libpod_parent"))
    tar = f"{base}/rootfs.tar"
    rootfs_tarball(tar)
    p("import", "--change", 'CMD ["/bin/sh"]', "--change", "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin", tar, IMAGE,
      check=True)
    yield p
    p("rm", "--all", "--force", "--time", "0")
    p("system", "reset", "--force")
    subprocess.run(["umount", "-R", f"{base}/root"], capture_output=True)
    shutil.rmtree(base, ignore_errors=True)
    network.restore()
    # podman's cgroupfs manager leaves conmon's cgroup (libpod_parent/conmon)
    # behind; it is ours to remove if the session made it.
    if not had_parent:
        for d in sorted(glob.glob("/sys/fs/cgroup/*/libpod_parent/conmon") + glob.glob("/sys/fs/cgroup/libpod_parent/conmon")
                        + glob.glob("/sys/fs/cgroup/*/libpod_parent") + glob.glob("/sys/fs/cgroup/libpod_parent"),
                        key=len, reverse=True):
            try:
                os.rmdir(d)
            except OSError:
                pass


class Containerd:
    def __init__(self, base):
        self.base = base
        self.sock = f"{base}/containerd.sock"
        with open(f"{base}/config.toml", "w") as f:
            f.write(f"""version = 2
root = "{base}/root"
state = "{base}/state"
[grpc]
  address = "{self.sock}"
[ttrpc]
  address = "{self.sock}.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
""")
        self.log = open(f"{base}/containerd.log", "w")
        self.proc = subprocess.Popen(["containerd", "--config", f"{base}/config.toml"], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline and self("version").returncode != 0:
            time.sleep(0.1)

    def argv(self, *args):
        return ["ctr", "--address", self.sock] + [str(a) for a in args]

    def __call__(self, *args, check=False, timeout=120, input=None):
        proc = subprocess.run(self.argv(*args), capture_output=True, text=True, timeout=timeout, input=input,
                              stdin=None if input is not None else subprocess.DEVNULL)
        if check and proc.returncode != 0:
            raise AssertionError(f"ctr {' '.join(map(str, args))}: {proc.returncode}\n{proc.stderr}")
        return proc

    def run_args(self, *args):
        return ["run", "--runc-binary", TINYRUN, *args]

    def stop(self):
        for line in self("task", "ls", "-q").stdout.split():
            self("task", "kill", "-s", "KILL", line)
            time.sleep(0.2)
            self("task", "delete", "-f", line)
        for line in self("container", "ls", "-q").stdout.split():
            self("container", "delete", line)
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


@pytest.fixture(scope="session")
def containerd(tmp_path_factory, podman):
    if not ensure_packages("containerd"):
        pytest.skip("containerd cannot be installed")
    base = str(tmp_path_factory.mktemp("containerd"))
    c = Containerd(base)
    archive = f"{base}/image.tar"
    podman("save", "--format", "oci-archive", "-o", archive, IMAGE, check=True)
    c("image", "import", archive, check=True)
    yield c
    c.stop()
    subprocess.run(["umount", "-R", base], capture_output=True)
    shutil.rmtree(base, ignore_errors=True)


def cgroup_file(cgroup_path, controller, name):
    """A v1 (this host) or v2 (elsewhere) cgroup file of a container."""
    if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        return os.path.join("/sys/fs/cgroup", cgroup_path.lstrip("/"), name)
    return os.path.join("/sys/fs/cgroup", controller, cgroup_path.lstrip("/"), name)


def state_of(container_id, root="/run/tinyrun"):
    with open(os.path.join(root, container_id, "state.json")) as f:
        return json.load(f)

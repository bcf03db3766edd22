"""podman, containerd and Docker driving tinyrun with the distribution's
defaults in effect: podman reads Debian's /usr/share/containers/containers.conf
(the runtime and private storage/state directories come from podman's
command line flags), containerd runs `containerd config default` with only
its paths changed, and dockerd runs stock with --add-runtime.  Every engine
keeps its storage, state and sockets under a temporary directory: nothing of
the host's engine setup is used or changed.  The engines are installed from
Debian's repositories when missing; a suite is skipped only if that fails.

TINYRUN=/usr/sbin/runc (or crun) runs the same scenarios with a reference
runtime: the xfail marks of tinyrun's known bugs then do not apply."""

import glob
import gzip
import hashlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests"))
from hostusers import PODMAN_PACKAGES, ensure_packages  # noqa: E402  (tests/hostusers.py, shared)
TINYRUN = os.path.abspath(os.environ.get("TINYRUN", os.path.join(TOP, "tinyrun")))
ROOTFS = os.path.join(TOP, "bundles", "busybox", "rootfs")
IMAGE = "localhost/tinyrun-busybox:latest"
REFERENCE = os.path.basename(TINYRUN) in ("runc", "crun")


def tinyrun_bug(reason):
    """A scenario that fails because of a known tinyrun bug; strict, so the
    suite fails once the bug is fixed.  Not applied to runc/crun."""
    return pytest.mark.xfail(not REFERENCE, reason=f"tinyrun: {reason}", strict=True)


def hard_nofile():
    import resource
    return resource.getrlimit(resource.RLIMIT_NOFILE)[1]


def wait_until(predicate, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


# `stty size` in a process that `podman exec -it` started, once the pty has
# a size.  Debian's podman 4.3 passes no process.consoleSize to `exec`:
# conmon sizes the pty from podman's terminal only after the process has
# started, so a process that asks at once may find 0 rows (busybox's stty
# then fails, with whatever errno its shell left: "No child processes").
# A fast runtime makes that window wider; the runtime cannot know the size.
STTY_SIZE_ONCE_SIZED = "n=0; until stty size >/dev/null 2>&1 || [ $n -ge 200 ]; do sleep 0.05; n=$((n+1)); done; stty size"


def in_pty(argv, input="", rows=40, cols=100, env=None, timeout=120):
    """Runs argv on a pty of rows x cols (util-linux script(1)), typing input."""
    cmd = shlex.join([str(a) for a in argv])
    return subprocess.run(["script", "-qec", f"stty rows {rows} cols {cols}; {cmd}", "/dev/null"],
                          input=input, capture_output=True, text=True, timeout=timeout, env=env)


def cgroup_value(pid, controller, name):
    """A cgroup v1 (this host) or v2 file of the cgroup process pid is in."""
    with open(f"/proc/{pid}/cgroup") as f:
        lines = [line.rstrip("\n").split(":", 2) for line in f]
    if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        path = next(p for i, c, p in lines if i == "0")
        return open(os.path.join("/sys/fs/cgroup", path.lstrip("/"), name)).read().strip()
    for _i, controllers, path in lines:
        if controller in controllers.split(","):
            mount = next(d for d in glob.glob("/sys/fs/cgroup/*")
                         if controller in os.path.basename(d).split(",") and not os.path.islink(d))
            return open(os.path.join(mount, path.lstrip("/"), name)).read().strip()
    raise FileNotFoundError(f"{controller} of {pid}")


def cap_eff(status_text):
    return int(re.search(r"CapEff:\s*([0-9a-f]+)", status_text).group(1), 16)


CAP_SYS_ADMIN = 1 << 21


class HostNetworkSnapshot:
    """Engines leave bridges, veths, firewall rules and IPAM files on the
    host; each test module puts the host back as it was."""

    def __init__(self):
        self.links = self._links()
        self.ruleset = self._ruleset()
        self.had_cni = os.path.exists("/var/lib/cni")
        self.netns = set(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else None

    @staticmethod
    def _links():
        out = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
        return {line.split(": ")[1].split("@")[0] for line in out.splitlines()}

    @staticmethod
    def _ruleset():
        return subprocess.run(["nft", "list", "ruleset"], capture_output=True, text=True).stdout

    def restore(self):
        for link in self._links() - self.links:
            subprocess.run(["ip", "link", "del", link], capture_output=True)
        if self._ruleset() != self.ruleset:
            subprocess.run(["nft", "flush", "ruleset"], check=True)
            if self.ruleset.strip():
                subprocess.run(["nft", "-f", "-"], input=self.ruleset, text=True, check=True)
        if not self.had_cni:
            shutil.rmtree("/var/lib/cni", ignore_errors=True)
        if os.path.isdir("/run/netns"):
            for ns in set(os.listdir("/run/netns")) - (self.netns or set()):
                subprocess.run(["umount", f"/run/netns/{ns}"], capture_output=True)
                try:
                    os.unlink(f"/run/netns/{ns}")
                except OSError:
                    pass
            if self.netns is None and not os.listdir("/run/netns"):
                # `ip netns add` made /run/netns a mount of its own
                subprocess.run(["umount", "/run/netns"], capture_output=True)
                os.rmdir("/run/netns")
        assert self._links() == self.links, "links left on the host"
        assert self._ruleset() == self.ruleset, "nft rules left on the host"


@pytest.fixture(scope="module", autouse=True)
def host_network():
    """Requested before the engine fixtures, so torn down after them."""
    snap = HostNetworkSnapshot()
    yield snap
    snap.restore()


def umount_under(base):
    """Unmounts whatever an engine left mounted under base, deepest first."""
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    for point in sorted((p for p in points if p == base or p.startswith(base + "/")), key=len, reverse=True):
        subprocess.run(["umount", "-l", point], capture_output=True)


def remove_cgroups(pattern):
    for d in sorted(glob.glob(pattern, recursive=True), key=len, reverse=True):
        try:
            os.rmdir(d)
        except OSError:
            pass


def rootfs_tarball(path):
    with tarfile.open(path, "w") as t:
        t.add(ROOTFS, arcname=".")


def oci_archive(path, name=IMAGE):
    """An OCI image archive of the busybox rootfs, named for containerd."""
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as t:
        t.add(ROOTFS, arcname=".")
    raw = layer.getvalue()
    blobs = {}

    def blob(data, media):
        digest = hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return {"mediaType": media, "digest": f"sha256:{digest}", "size": len(data)}

    compressed = gzip.compress(raw, mtime=0)
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "config": {"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["/bin/sh"]},
                         "rootfs": {"type": "layers",
                                    "diff_ids": [f"sha256:{hashlib.sha256(raw).hexdigest()}"]}}).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": blob(config, "application/vnd.oci.image.config.v1+json"),
                           "layers": [blob(compressed, "application/vnd.oci.image.layer.v1.tar+gzip")]}).encode()
    desc = blob(manifest, "application/vnd.oci.image.manifest.v1+json")
    desc["annotations"] = {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": "latest"}
    desc["platform"] = {"architecture": "amd64", "os": "linux"}
    index = json.dumps({"schemaVersion": 2, "manifests": [desc]}).encode()
    with tarfile.open(path, "w") as t:
        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        add("oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
        add("index.json", index)
        for digest, data in blobs.items():
            add(f"blobs/sha256/{digest}", data)


class Engine:
    name = "engine"
    env = None

    def argv(self, *args):
        raise NotImplementedError

    def __call__(self, *args, check=False, timeout=120, input=None):
        proc = subprocess.run(self.argv(*args), capture_output=True, text=True, timeout=timeout,
                              input=input, env=self.env,
                              stdin=None if input is not None else subprocess.DEVNULL)
        if check and proc.returncode != 0:
            raise AssertionError(f"{self.name} {' '.join(map(str, args))}: {proc.returncode}\n{proc.stderr}")
        return proc


class Podman(Engine):
    """Rootful podman 4.3 reads no user containers.conf and has no
    CONTAINERS_CONF_OVERRIDE; the system file stays in effect and only
    podman's global flags point it at tinyrun and private directories."""
    name = "podman"

    def __init__(self, base):
        self.base = base
        for d in ("net", "tmp", "volumes"):
            os.makedirs(f"{base}/{d}", exist_ok=True)
        self.env = dict(os.environ)
        self.env.pop("CONTAINERS_CONF", None)

    def argv(self, *args):
        return ["podman", "--root", f"{self.base}/root", "--runroot", f"{self.base}/run",
                "--storage-driver", "overlay", "--tmpdir", f"{self.base}/tmp",
                "--network-config-dir", f"{self.base}/net", "--volumepath", f"{self.base}/volumes",
                "--runtime", TINYRUN,
                # no systemd on this project's hosts; events go to a file in --tmpdir
                "--cgroup-manager", "cgroupfs", "--events-backend", "file"] + [str(a) for a in args]


def libpod_cgroups():
    return glob.glob("/sys/fs/cgroup/*/libpod_parent") + glob.glob("/sys/fs/cgroup/libpod_parent")


@pytest.fixture(scope="module")
def podman(tmp_path_factory):
    if not ensure_packages(*PODMAN_PACKAGES):
        pytest.skip("podman cannot be installed")
    base = str(tmp_path_factory.mktemp("podman"))
    p = Podman(base)
    had_parent = bool(libpod_cgroups())
    # Rootful podman passes the runtime no --root: its state goes to the
    # runtime's default root, where tinyrun also keeps its seccomp cache.
    default_root = f"/run/{os.path.basename(TINYRUN)}"
    had_root = os.path.exists(default_root)
    tar = f"{base}/rootfs.tar"
    rootfs_tarball(tar)
    p("import", "--change", 'CMD ["/bin/sh"]', "--change", "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin", tar, IMAGE,
      check=True)
    yield p
    p("rm", "--all", "--force", "--time", "0")
    p("system", "reset", "--force")
    umount_under(base)
    shutil.rmtree(base, ignore_errors=True)
    # podman's cgroupfs manager leaves conmon's cgroup (libpod_parent/conmon)
    # behind; it is ours to remove if the module made it.
    if not had_parent:
        remove_cgroups("/sys/fs/cgroup/*/libpod_parent/*")
        remove_cgroups("/sys/fs/cgroup/*/libpod_parent")
    # The root the module made goes too, once it holds no container: only
    # the cache (its dot-directories) may be left in it.
    if not had_root and os.path.isdir(default_root):
        for name in os.listdir(default_root):
            if name.startswith("."):
                shutil.rmtree(os.path.join(default_root, name), ignore_errors=True)
        try:
            os.rmdir(default_root)
        except OSError:
            pass


class Containerd(Engine):
    name = "ctr"

    def __init__(self, base):
        self.base = base
        self.sock = f"{base}/containerd.sock"
        self.runc_root = f"{base}/runc"
        config = subprocess.run(["containerd", "config", "default"], capture_output=True, text=True,
                                check=True).stdout
        # only the paths are ours: everything else is containerd's default
        config = re.sub(r'(?m)^root = ".*"$', f'root = "{base}/root"', config)
        config = re.sub(r'(?m)^state = ".*"$', f'state = "{base}/state"', config)
        config = re.sub(r'(?m)^(\s*)address = "/run/containerd/containerd.sock"$', rf'\1address = "{self.sock}"',
                        config)
        config = re.sub(r'(?m)^(\s*)path = "/opt/containerd"$', rf'\1path = "{base}/opt"', config)
        # the runtime entry (for CRI clients; ctr names the binary with --runc-binary)
        config += f"""
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.tinyrun]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.tinyrun.options]
    BinaryName = "{TINYRUN}"
    Root = "{self.runc_root}"
"""
        assert f'root = "{base}/root"' in config and self.sock in config and f"{base}/opt" in config, config
        with open(f"{base}/config.toml", "w") as f:
            f.write(config)
        self.log = open(f"{base}/containerd.log", "w")
        self.proc = subprocess.Popen(["containerd", "--config", f"{base}/config.toml"], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        wait_until(lambda: self("version").returncode == 0, 30)

    def argv(self, *args):
        return ["ctr", "--address", self.sock] + [str(a) for a in args]

    def run_args(self, *args):
        return ["run", "--runc-binary", TINYRUN, "--runc-root", self.runc_root, *args]

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


@pytest.fixture(scope="module")
def containerd(tmp_path_factory):
    if not ensure_packages("containerd"):
        pytest.skip("containerd cannot be installed")
    base = str(tmp_path_factory.mktemp("containerd"))
    c = Containerd(base)
    archive = f"{base}/image.tar"
    oci_archive(archive)
    c("image", "import", archive, check=True)
    yield c
    c.stop()
    umount_under(base)
    shutil.rmtree(base, ignore_errors=True)
    remove_cgroups("/sys/fs/cgroup/*/default")


class Docker(Engine):
    """dockerd as Debian ships it (bridge network and iptables on), with its
    own data root, exec root, socket and pid file, and tinyrun added as a
    runtime that each container asks for with --runtime tinyrun."""
    name = "docker"

    def __init__(self, base):
        self.base = base
        self.sock = f"{base}/docker.sock"
        with open(f"{base}/daemon.json", "w") as f:
            f.write("{}\n")   # not the host's /etc/docker/daemon.json
        self.env = dict(os.environ, DOCKER_CONFIG=f"{base}/client")
        self.log = open(f"{base}/dockerd.log", "w")
        self.proc = subprocess.Popen(["dockerd", "--config-file", f"{base}/daemon.json",
                                      "--data-root", f"{base}/data", "--exec-root", f"{base}/exec",
                                      "-H", f"unix://{self.sock}", "--pidfile", f"{base}/docker.pid",
                                      "--add-runtime", f"tinyrun={TINYRUN}"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_until(lambda: self("version").returncode == 0, 60):
            self.stop()
            raise AssertionError(open(f"{base}/dockerd.log").read()[-3000:])

    def argv(self, *args):
        # /usr/local/bin/docker on these hosts is another client
        return ["/usr/bin/docker", "-H", f"unix://{self.sock}"] + [str(a) for a in args]

    def run_argv(self, *args):
        return self.argv("run", "--runtime", "tinyrun", *args)

    def run(self, *args, **kw):
        return self("run", "--runtime", "tinyrun", *args, **kw)

    def stop(self):
        ids = self("ps", "-aq").stdout.split()
        if ids:
            self("rm", "-f", *ids)
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture(scope="module")
def docker(tmp_path_factory):
    if not ensure_packages("docker.io", "tini", "iptables"):
        pytest.skip("docker.io cannot be installed")
    base = str(tmp_path_factory.mktemp("docker"))
    d = Docker(base)
    tar = f"{base}/rootfs.tar"
    rootfs_tarball(tar)
    d("import", "--change", 'CMD ["/bin/sh"]', "--change", "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin", tar, IMAGE,
      check=True)
    yield d
    d.stop()
    umount_under(base)
    shutil.rmtree(base, ignore_errors=True)
    remove_cgroups("/sys/fs/cgroup/*/docker")

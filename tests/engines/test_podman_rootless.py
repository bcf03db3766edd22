"""Rootless podman 4.3 (Debian 12) with tinyrun as its OCI runtime, run by an
ordinary user this module makes (useradd, with a subordinate uid and gid
range in /etc/subuid and /etc/subgid) and removes again, with every file and
process of it, whatever the outcome.

The user's setup is what a user of a Debian desktop has, minus what
systemd-logind would make: the module makes XDG_RUNTIME_DIR itself (0700,
the user's), and opens /dev/net/tun to everyone (0666, as udev's default
rules do; this host has no udev) for slirp4netns and pasta, restoring its
mode afterwards.  The storage is the user's own default, a storage.conf in
~/.config/containers (graphroot in the home, runroot in XDG_RUNTIME_DIR);
Debian's containers.conf stays in effect, and only podman's flags choose
the runtime (--runtime), cgroupfs (no systemd user session here) and a file
for events.  podman, as rootless podman does, runs tinyrun as uid 0 of the
user namespace it made: tinyrun is rootless there (no cgroup on this v1
host: resource limits are skipped with a warning, as with runc)."""

import os
import pwd
import re
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.request
import uuid

import pytest

from conftest import IMAGE, ROOTFS, STTY_SIZE_ONCE_SIZED, TINYRUN, Engine, ensure_packages, in_pty, wait_until
from hostusers import processes_of, subid_entries  # tests/hostusers.py (conftest puts tests/ on sys.path)

SUBID_START = 500000
SUBID_COUNT = 65536
TUN = "/dev/net/tun"

needs_script = pytest.mark.skipif(shutil.which("script") is None, reason="util-linux script(1) missing")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RootlessPodman(Engine):
    name = "podman (rootless)"

    def __init__(self, user, base):
        self.user = user
        self.base = base
        pw = pwd.getpwnam(user)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        self.home = pw.pw_dir
        self.xdg = os.path.join(base, "xdg")

    def argv(self, *args):
        return ["runuser", "-u", self.user, "--", "env", f"HOME={self.home}", f"USER={self.user}",
                f"XDG_RUNTIME_DIR={self.xdg}", "podman", "--runtime", TINYRUN, "--cgroup-manager", "cgroupfs",
                "--events-backend", "file"] + [str(a) for a in args]

    def __call__(self, *args, check=False, timeout=120, input=None):
        proc = subprocess.run(self.argv(*args), capture_output=True, text=True, timeout=timeout, input=input,
                              cwd=self.home, stdin=None if input is not None else subprocess.DEVNULL)
        if check and proc.returncode != 0:
            raise AssertionError(f"{self.name} {' '.join(map(str, args))}: {proc.returncode}\n{proc.stderr}")
        return proc

    def processes(self):
        return processes_of(self.uid)

    def files_elsewhere(self):
        """What the user owns outside the module's directory."""
        proc = subprocess.run(["find", "/tmp", "/var/tmp", "/run", "/dev/shm", "-xdev", "-uid", str(self.uid),
                               "-not", "-path", f"{self.base}*", "-prune", "-print"],
                              capture_output=True, text=True)
        return proc.stdout.split()


def make_user(name, base):
    home = os.path.join(base, "home")
    # Subordinate ids of our choosing only (added below, removed afterwards).
    subprocess.run(["useradd", "-m", "-d", home, "-s", "/bin/sh", "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0",
                    name], check=True)
    span = f"{SUBID_START}-{SUBID_START + SUBID_COUNT - 1}"
    subprocess.run(["usermod", "--add-subuids", span, "--add-subgids", span, name], check=True)
    p = RootlessPodman(name, base)
    os.mkdir(p.xdg, 0o700)
    os.chown(p.xdg, p.uid, p.gid)
    conf = os.path.join(home, ".config", "containers")
    os.makedirs(conf)
    with open(os.path.join(conf, "storage.conf"), "w") as f:
        f.write(f'[storage]\ndriver = "overlay"\ngraphroot = "{home}/storage"\n'
                f'runroot = "{p.xdg}/containers"\n')
    with tarfile.open(os.path.join(home, "rootfs.tar"), "w") as t:
        t.add(ROOTFS, arcname=".")
    subprocess.run(["chown", "-R", f"{p.uid}:{p.gid}", home], check=True)
    return p


def remove_user(p):
    """Every process, file and subordinate range of the user: gone."""
    p("rm", "--all", "--force", "--time", "0")
    p("system", "reset", "--force")
    # podman's pause process (catatonit), slirp4netns, pasta, conmon: the
    # user's, and so ours to end, one pid at a time.
    deadline = time.time() + 10
    while p.processes() and time.time() < deadline:
        for pid in p.processes():
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        time.sleep(0.05)
    leftovers = p.files_elsewhere()
    for path in leftovers:
        shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.unlink(path)
    # podman's own lock file, which no podman command removes.
    leftovers = [f for f in leftovers if f != f"/dev/shm/libpod_rootless_lock_{p.uid}"]
    subprocess.run(["usermod", "--del-subuids", f"{SUBID_START}-{SUBID_START + SUBID_COUNT - 1}", "--del-subgids",
                    f"{SUBID_START}-{SUBID_START + SUBID_COUNT - 1}", p.user], capture_output=True)
    subprocess.run(["userdel", "-r", p.user], capture_output=True)
    shutil.rmtree(p.base, ignore_errors=True)
    return leftovers


@pytest.fixture(scope="module")
def podman():
    if not ensure_packages("podman", "conmon", "catatonit", "uidmap", "slirp4netns", "passt", "util-linux"):
        pytest.skip("podman, uidmap, slirp4netns or passt cannot be installed")
    for path in ("/etc/subuid", "/etc/subgid"):
        with open(path, "a"):
            pass
    name = "trpm" + uuid.uuid4().hex[:8]
    base = tempfile.mkdtemp(prefix="tinyrun-podman-rootless-")
    os.chmod(base, 0o755)
    tun_mode = os.stat(TUN).st_mode & 0o7777 if os.path.exists(TUN) else None
    p = None
    try:
        p = make_user(name, base)
        if tun_mode is not None:
            os.chmod(TUN, 0o666)
        p("import", "--change", 'CMD ["/bin/sh"]', "--change", "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin",
          os.path.join(p.home, "rootfs.tar"), IMAGE, check=True)
        yield p
    finally:
        if tun_mode is not None:
            os.chmod(TUN, tun_mode)
        leftovers = remove_user(p) if p else []
        shutil.rmtree(base, ignore_errors=True)
        subprocess.run(["userdel", "-r", name], capture_output=True)
    assert not p.processes(), "processes of the rootless user left behind"
    for path in ("/etc/subuid", "/etc/subgid"):
        assert not subid_entries(path, name), path
    assert subprocess.run(["id", name], capture_output=True).returncode != 0, "the user is still there"
    # The runtime and podman keep to the user's XDG_RUNTIME_DIR and home.
    assert not leftovers, leftovers


def run(podman, *args, **kw):
    return podman("run", *args, **kw)


def pid_of(podman, name):
    return int(podman("inspect", "-f", "{{.State.Pid}}", name, check=True).stdout)


def status(podman, name):
    return podman("inspect", "-f", "{{.State.Status}}", name, check=True).stdout.strip()


def host_uids(pid):
    with open(f"/proc/{pid}/status") as f:
        return [line.split()[1:] for line in f if line.startswith("Uid:")][0]


@pytest.fixture
def running(podman):
    name = "tr-rl-%d" % (time.time_ns() % 10**9)
    run(podman, "-d", "--network", "none", "--name", name, IMAGE, "sleep", "600", check=True)
    yield name
    podman("rm", "-f", "-t", "0", name)


def test_run_exit_code_and_output(podman):
    proc = run(podman, "--rm", "--network", "none", IMAGE, "sh", "-c",
               "echo out; echo err >&2; cat /proc/self/uid_map; exit 3")
    assert proc.returncode == 3, proc.stderr
    lines = proc.stdout.split("\n")
    assert lines[0] == "out" and "err" in proc.stderr
    # podman's user namespace: root is the user, 1.. the subordinate range.
    assert [line.split() for line in lines[1:3]] == [["0", str(podman.uid), "1"],
                                                      ["1", str(SUBID_START), str(SUBID_COUNT)]]


def test_the_runtime_is_tinyrun_rootless(podman, running):
    assert podman("inspect", "-f", "{{.OCIRuntime}}", running, check=True).stdout.strip() == TINYRUN
    pid = pid_of(podman, running)
    assert host_uids(pid) == [str(podman.uid)] * 4
    cid = podman("inspect", "-f", "{{.Id}}", running, check=True).stdout.strip()
    # tinyrun's state is the user's (XDG_RUNTIME_DIR), not /run/tinyrun
    # (runc's and crun's: $XDG_RUNTIME_DIR/runc, /crun).
    runtime = os.path.basename(TINYRUN)
    state = os.path.join(podman.xdg, runtime, cid, "state.json")
    assert os.path.isfile(state) and not os.path.exists(f"/run/{runtime}/{cid}")
    with open(state) as f:
        assert str(pid) in f.read()


def test_exec(podman, running):
    pid = pid_of(podman, running)
    proc = podman("exec", running, "sh", "-c", "echo $$; id -u; readlink /proc/self/ns/pid; readlink /proc/self/ns/mnt; "
                  "exit 4")
    assert proc.returncode == 4, proc.stderr
    lines = proc.stdout.split()
    assert int(lines[0]) != 1 and int(lines[0]) < 100 and lines[1] == "0"
    assert lines[2:4] == [os.readlink(f"/proc/{pid}/ns/{n}") for n in ("pid", "mnt")]
    proc = podman("exec", "-u", "1000", "-w", "/tmp", "-e", "A=b", running, "sh", "-c", 'echo "$(id -u) $PWD $A"')
    assert proc.stdout == "1000 /tmp b\n", proc.stderr


def test_stop_and_rm(podman, running):
    pid = pid_of(podman, running)
    cid = podman("inspect", "-f", "{{.Id}}", running, check=True).stdout.strip()
    podman("stop", "-t", "1", running, check=True)
    assert status(podman, running) == "exited"
    assert wait_until(lambda: not os.path.exists(f"/proc/{pid}") or
                      open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z")
    podman("rm", running, check=True)
    assert podman("inspect", running).returncode != 0
    assert not os.path.exists(os.path.join(podman.xdg, os.path.basename(TINYRUN), cid))


@needs_script
def test_run_and_exec_with_a_terminal(podman, running):
    proc = in_pty(podman.argv("run", "--rm", "-it", "--network", "none", IMAGE, "sh", "-c",
                              "tty; stty size; read x; echo got:$x; exit 5"), input="yes\n")
    assert "/dev/pts/" in proc.stdout and "40 100" in proc.stdout and "got:yes" in proc.stdout, proc.stdout
    assert proc.returncode == 5
    proc = in_pty(podman.argv("exec", "-it", running, "sh", "-c", f"tty; {STTY_SIZE_ONCE_SIZED}; exit 6"),
                  rows=30, cols=90)
    assert "/dev/pts/" in proc.stdout and "30 90" in proc.stdout, proc.stdout
    assert proc.returncode == 6


def test_userns_keep_id(podman):
    proc = run(podman, "--rm", "--network", "none", "--userns", "keep-id", IMAGE, "sh", "-c",
               "id -u; id -g; touch /tmp/mine; stat -c %u /tmp/mine")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [str(podman.uid), str(podman.gid), str(podman.uid)]


def test_network_none(podman):
    proc = run(podman, "--rm", "--network", "none", IMAGE, "ip", "-o", "link", check=True)
    assert [line.split(":")[1].strip() for line in proc.stdout.splitlines()] == ["lo"]


def serve_and_fetch(podman, network, device):
    """busybox httpd published on the host's loopback through `network`;
    the container's `device` has an address."""
    name = "tr-rl-web-%d" % (time.time_ns() % 10**9)
    port = free_port()
    run(podman, "-d", "--name", name, "--network", network, "-p", f"127.0.0.1:{port}:80", IMAGE, "sh", "-c",
        f"mkdir -p /www && echo hello-{name} > /www/index.html && exec httpd -f -p 80 -h /www", check=True)
    try:
        addr = podman("exec", name, "ip", "-o", "-4", "addr", "show", device, check=True).stdout
        assert re.search(r"inet \d+\.\d+\.\d+\.\d+/\d+", addr), addr

        def fetch():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    return r.read().decode()
            except OSError:
                return None
        assert wait_until(lambda: fetch() == f"hello-{name}\n", 30), fetch()
    finally:
        podman("rm", "-f", "-t", "0", name)


def test_slirp4netns_address_and_published_port(podman):
    serve_and_fetch(podman, "slirp4netns", "tap0")


def podman_version(podman):
    out = podman("version", "-f", "{{.Client.Version}}", check=True).stdout.strip()
    return tuple(int(x) for x in re.findall(r"\d+", out)[:2])


def test_pasta_address_and_published_port(podman):
    if podman_version(podman) < (4, 4):
        pytest.skip("podman < 4.4 (Debian 12 has 4.3.1) has no pasta network mode; "
                    "tests/integration/test_rootless.py attaches pasta to a rootless tinyrun container instead")
    serve_and_fetch(podman, "pasta", "eth0")

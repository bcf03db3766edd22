"""Shared fixtures for the integration tests: they drive the real tinyrun
binary on real bundles built from busybox-static, and check that nothing
(state directory, mount, cgroup, process) is left behind after each test."""

import copy
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
TINYRUN = os.environ.get("TINYRUN", os.path.join(TOP, "tinyrun"))
SYSTEMD_CGROUP = os.environ.get("TINYRUN_TEST_SYSTEMD") == "1"
ROOTFS = os.environ.get("TINYRUN_ROOTFS", os.path.join(TOP, "bundles", "busybox", "rootfs"))
CONFIG_TEMPLATE = os.path.join(TOP, "bundles", "busybox", "config.json")


def mountinfo(prefixes):
    """Mount points below any of the given paths."""
    with open("/proc/self/mountinfo") as f:
        return {(line.split()[0], line.split()[4]) for line in f
                if any(line.split()[4].startswith(p) for p in prefixes)}


def cgroups_named(names):
    """cgroup directories (any hierarchy) whose name is one of names."""
    found = set()
    if not names:
        return found
    for base, dirs, _files in os.walk("/sys/fs/cgroup"):
        for d in dirs:
            if d in names:
                found.add(os.path.join(base, d))
    return found


def processes_rooted_in(roots):
    """Processes whose root directory is one of the given directories:
    container processes of this test (other tests use other roots)."""
    keys = set()
    for r in roots:
        try:
            st = os.stat(r)
            keys.add((st.st_dev, st.st_ino))
        except OSError:
            pass
    pids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            st = os.stat(f"/proc/{entry}/root/")
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in keys:
            pids.add(int(entry))
    return pids


def one_line_failure(proc, *needles):
    """A refused command: exit 1 and one line on stderr, "tinyrun: ..."
    holding every needle; returns that line."""
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-500:])
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr[-2000:]
    assert lines[0].startswith("tinyrun: "), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def ptrace_env(base=None):
    """The environment for tinyrun under strace: LeakSanitizer cannot run
    under ptrace, so the sanitizer build (tests/sanitize/run) checks leaks
    everywhere but there."""
    env = dict(os.environ if base is None else base)
    if env.get("ASAN_OPTIONS"):
        env["ASAN_OPTIONS"] += ":detect_leaks=0"
    return env


def traced(runtime, log, trace, *args, env=None, flags=()):
    """tinyrun ARGS under strace -f, tracing only `trace` (for example
    "trace=write"), written to `log` (more strace flags in `flags`): the
    trace's lines and the command's result.  Skips without strace."""
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")
    # musl's open() is the open syscall, glibc's is openat: both are
    # traced, and an open(PATH, ...) line reads as openat(AT_FDCWD, PATH, ...).
    names = trace.split("=", 1)[1].split(",") if trace.startswith("trace=") else []
    if "openat" in names and "open" not in names:
        trace += ",open"
    argv = ["strace", "-f", "-qq", *flags, "-o", str(log), "-e", trace] + runtime.cmd(*args)
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
                          env=ptrace_env(env))
    with open(log) as f:
        lines = [re.sub(r"^(\d+ +)open\(", r"\1openat(AT_FDCWD, ", l) for l in f.read().splitlines()]
    return lines, proc


class Runtime:
    """tinyrun with a private --root, so tests never see each other."""

    def __init__(self, root):
        self.root = root
        self.ids = set()  # every container id this test used

    def cmd(self, *args, root=True):
        argv = [TINYRUN]
        if root:
            argv += ["--root", self.root]
        # tests/vm/run-systemd-tests: the same tests with systemd's scopes
        # (a bundle without cgroupsPath gets /system.slice/tinyrun-<id>.scope).
        if SYSTEMD_CGROUP:
            argv += ["--systemd-cgroup"]
        return argv + [str(a) for a in args]

    def __call__(self, *args, check=False, timeout=60, input=None, root=True, **kw):
        # Files, not pipes: after `create` or `run -d` the container keeps
        # the runtime's stdout and stderr open, so a pipe would never see EOF.
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            proc = subprocess.run(self.cmd(*args, root=root), stdout=out, stderr=err, text=True,
                                  timeout=timeout, input=input,
                                  stdin=None if input is not None else subprocess.DEVNULL, **kw)
            out.seek(0)
            err.seek(0)
            proc.stdout, proc.stderr = out.read(), err.read()
        if check and proc.returncode != 0:
            raise AssertionError(f"tinyrun {' '.join(map(str, args))} failed "
                                 f"({proc.returncode}): {proc.stderr}")
        return proc

    def state(self, cid):
        proc = self("state", cid, check=True)
        return json.loads(proc.stdout)

    def wait_status(self, cid, status, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            proc = self("state", cid)
            if proc.returncode == 0 and json.loads(proc.stdout)["status"] == status:
                return
            time.sleep(0.02)
        raise AssertionError(f"{cid} never reached {status}: {self.state(cid)}")

    def cleanup(self):
        if not os.path.isdir(self.root):
            return
        for cid in os.listdir(self.root):
            self("delete", "--force", cid)
        shutil.rmtree(self.root, ignore_errors=True)


class Bundle:
    """A bundle directory whose config.json is edited in Python."""

    def __init__(self, path, rootfs=ROOTFS):
        self.path = path
        with open(CONFIG_TEMPLATE) as f:
            self.config = json.load(f)
        self.config["root"]["path"] = rootfs
        self.config["process"]["args"] = ["true"]

    @property
    def process(self):
        return self.config["process"]

    @property
    def linux(self):
        return self.config["linux"]

    def set_args(self, *args):
        self.config["process"]["args"] = list(args)
        return self

    def sh(self, script):
        return self.set_args("sh", "-c", script)

    def write(self):
        with open(os.path.join(self.path, "config.json"), "w") as f:
            json.dump(self.config, f, indent=1)
        return self.path

    def copy_rootfs(self):
        """A private, writable rootfs (for tests that change it)."""
        dest = os.path.join(self.path, "rootfs")
        subprocess.run(["cp", "-a", ROOTFS, dest], check=True)
        self.config["root"]["path"] = "rootfs"
        return dest


@pytest.fixture
def runtime(tmp_path, request):
    rt = Runtime(str(tmp_path / "state"))
    request.node.tinyrun_runtime = rt
    yield rt
    rt.cleanup()


@pytest.fixture
def bundle(tmp_path):
    path = tmp_path / "bundle"
    path.mkdir()
    return Bundle(str(path))


@pytest.fixture
def cid(runtime):
    """A fresh container id, remembered for the leftover check."""
    name = "t-" + uuid.uuid4().hex[:10]
    runtime.ids.add(name)
    return name


def is_mountpoint(path):
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == path for line in f)


@pytest.fixture(scope="session", autouse=True)
def run_netns_as_it_was():
    """`ip netns add` (the tests' peers and pinned namespaces) makes
    /run/netns a mount of its own and leaves it; the session takes it away
    again when it made it and nothing is left in it."""
    existed, mounted = os.path.isdir("/run/netns"), is_mountpoint("/run/netns")
    yield
    if not mounted and is_mountpoint("/run/netns") and not os.listdir("/run/netns"):
        subprocess.run(["umount", "/run/netns"], capture_output=True)
        if not existed:
            try:
                os.rmdir("/run/netns")
            except OSError:
                pass


@pytest.fixture(autouse=True)
def nothing_left_behind(request, tmp_path):
    """Fail a test that leaves a mount, a cgroup or a container process.
    Only this test's paths and ids are looked at, so tests of other
    checkouts running at the same time do not interfere."""
    prefixes = [ROOTFS, str(tmp_path)]
    mounts = mountinfo(prefixes)
    roots = [ROOTFS, str(tmp_path / "bundle" / "rootfs")]
    procs = processes_rooted_in(roots)
    yield
    if request.node.get_closest_marker("allow_leftovers"):
        return
    rt = getattr(request.node, "tinyrun_runtime", None)
    ids = rt.ids if rt else set()
    deadline = time.time() + 5
    while True:
        new_mounts = mountinfo(prefixes) - mounts
        new_cgroups = cgroups_named(ids | {f"tinyrun-{i}.scope" for i in ids})
        new_procs = processes_rooted_in(roots) - procs
        if not (new_mounts or new_cgroups or new_procs) or time.time() > deadline:
            break
        time.sleep(0.05)
    assert not new_mounts, f"mounts left behind: {new_mounts}"
    assert not new_cgroups, f"cgroups left behind: {new_cgroups}"
    assert not new_procs, f"processes left behind: {new_procs}"


def pytest_configure(config):
    config.addinivalue_line("markers", "allow_leftovers: the test cleans up by itself later")
    if not os.access(TINYRUN, os.X_OK):
        raise pytest.UsageError(f"{TINYRUN} not built (run ./build.sh)")
    if not os.path.isdir(ROOTFS):
        raise pytest.UsageError(f"{ROOTFS} missing (run make)")
    if os.geteuid() != 0:
        raise pytest.UsageError("the integration tests need root")


def _parent_cgroups():
    """The /tinyrun parent of the tests' cgroupsPath (/tinyrun/<id>) in
    every hierarchy: delete removes the levels it made only when they are
    empty, so a parent other containers or a test's own cgroups still used
    stays behind."""
    root = "/sys/fs/cgroup"
    if not os.path.isdir(root):
        return set()
    return {os.path.join(root, h, "tinyrun") for h in os.listdir(root)
            if os.path.isdir(os.path.join(root, h, "tinyrun"))}


_PARENTS_BEFORE = set()


def pytest_sessionstart(session):
    _PARENTS_BEFORE.update(_parent_cgroups())


def pytest_sessionfinish(session, exitstatus):
    """Leave no cgroup behind: the empty parents this run made go."""
    for d in sorted(_parent_cgroups() - _PARENTS_BEFORE):
        try:
            os.rmdir(d)
        except OSError:
            pass

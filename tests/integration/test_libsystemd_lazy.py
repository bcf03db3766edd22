"""libsystemd is loaded only for --systemd-cgroup (src/cgroup/systemd/sd_lib.c):
with it hidden (an empty file bound over it in a private mount namespace),
a container still runs, and --systemd-cgroup fails with one line."""

import os
import subprocess

import pytest

from conftest import TINYRUN


def libsystemd_path():
    for d in ("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib"):
        p = os.path.join(d, "libsystemd.so.0")
        if os.path.exists(p):
            return os.path.realpath(p)
    return None


LIB = libsystemd_path()
needs_lib = pytest.mark.skipif(LIB is None, reason="libsystemd.so.0 is not installed")


def hidden(runtime, *args):
    """tinyrun ARGS in a mount namespace where libsystemd.so.0 is an empty file."""
    script = 'mount --bind /dev/null "$0" && exec "$@"'
    argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, LIB] + runtime.cmd(*args)
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


@needs_lib
def test_runs_without_libsystemd(runtime, bundle, cid):
    bundle.sh("echo hello").write()
    proc = hidden(runtime, "run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "hello"


@needs_lib
def test_systemd_cgroup_without_libsystemd_fails_in_one_line(runtime, bundle, cid):
    bundle.sh("true").write()
    proc = hidden(runtime, "--systemd-cgroup", "run", "--bundle", bundle.path, cid)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--systemd-cgroup: load libsystemd.so.0" in lines[0], proc.stderr
    assert runtime("list", "-q").stdout.strip() == ""

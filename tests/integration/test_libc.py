"""tinyrun linked against musl (musl/README.md), and tinyrun-glibc beside it
for what needs dlopen (src/linux/libc_sibling.h): the systemd driver."""

import json
import os
import shutil
import subprocess

import pytest

from conftest import TINYRUN

SANITIZED = bool(os.environ.get("ASAN_OPTIONS"))  # tests/sanitize/run: a glibc build
SIBLING = os.path.join(os.path.dirname(os.path.realpath(TINYRUN)), "tinyrun-glibc")

STEPPER = r"""
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
#include <errno.h>
#include <sys/user.h>
/* Single-steps argv[1..] and counts the cpuid instructions (0f a2) it runs. */
int main (int argc, char **argv)
{
  pid_t p = fork ();
  if (p == 0) { ptrace (PTRACE_TRACEME, 0, 0, 0); execv (argv[1], argv + 1); _exit (127); }
  int s; long n = 0;
  waitpid (p, &s, 0);
  while (!WIFEXITED (s)) {
    struct user_regs_struct r;
    ptrace (PTRACE_GETREGS, p, 0, &r);
    errno = 0;
    long w = ptrace (PTRACE_PEEKTEXT, p, r.rip, 0);
    if (errno == 0 && (w & 0xffff) == 0xa20f) n++;
    if (ptrace (PTRACE_SINGLESTEP, p, 0, 0) < 0) break;
    waitpid (p, &s, 0);
  }
  printf ("%ld\n", n);
  return !WIFEXITED (s) || WEXITSTATUS (s) != 0;
}
"""


def is_musl_build(path):
    """glibc's start files put a GNU ABI tag note in every program."""
    notes = subprocess.run(["readelf", "-n", path], capture_output=True, text=True).stdout
    return "NT_GNU_ABI_TAG" not in notes


@pytest.mark.skipif(SANITIZED, reason="the sanitizer build is linked against glibc")
@pytest.mark.skipif(os.uname().machine != "x86_64", reason="counts x86 cpuid instructions")
def test_startup_asks_the_cpu_nothing(tmp_path):
    """glibc 2.36's start-up runs cpuid some 70 times before main (its CPU
    and cache probes), each one a trap to the hypervisor on a VM (6 µs on
    the test VMs: a sixth of a `run`); musl's runs none."""
    if shutil.which("gcc") is None:
        pytest.skip("needs gcc")
    src, exe = tmp_path / "step.c", tmp_path / "step"
    src.write_text(STEPPER)
    subprocess.run(["gcc", "-O2", "-o", str(exe), str(src)], check=True)
    proc = subprocess.run([str(exe), TINYRUN, "--version"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "0", proc.stdout


@pytest.mark.skipif(SANITIZED, reason="the sanitizer build is linked against glibc")
def test_the_glibc_build_is_installed_beside_it():
    assert is_musl_build(TINYRUN)
    assert os.access(SIBLING, os.X_OK), SIBLING
    assert not is_musl_build(SIBLING)


def alone(tmp_path, sibling=None):
    """A copy of tinyrun in a directory of its own, with `sibling` (a
    mode for a copy of tinyrun-glibc) or no sibling."""
    d = tmp_path / "bin"
    d.mkdir()
    shutil.copy(TINYRUN, d / "tinyrun")
    if sibling is not None:
        shutil.copy(SIBLING, d / "tinyrun-glibc")
        os.chmod(d / "tinyrun-glibc", sibling)
    return str(d / "tinyrun")


def run_as(binary, runtime, *args):
    argv = runtime.cmd(*args)
    argv[0] = binary
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


needs_musl = pytest.mark.skipif(SANITIZED or not is_musl_build(TINYRUN), reason="the musl build's re-execution")


@needs_musl
def test_systemd_cgroup_without_the_glibc_build_is_one_clear_line(runtime, bundle, cid, tmp_path):
    bundle.linux["cgroupsPath"] = f"system.slice:tinyrun:{cid}"
    bundle.write()
    binary = alone(tmp_path)
    proc = run_as(binary, runtime, "--systemd-cgroup", "run", "-d", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    want = (f"tinyrun: --systemd-cgroup: this tinyrun is built with musl, which cannot load libsystemd; its "
            f"glibc build {tmp_path}/bin/tinyrun-glibc is needed: No such file or directory\n")
    assert proc.stderr == want
    assert not os.path.exists(os.path.join(runtime.root, cid))


@needs_musl
@pytest.mark.parametrize("mode, why", [(0o757, "is writable by others"), (0o644, "is not executable")])
def test_an_unsafe_glibc_build_is_refused(runtime, bundle, cid, tmp_path, mode, why):
    bundle.linux["cgroupsPath"] = f"system.slice:tinyrun:{cid}"
    bundle.write()
    binary = alone(tmp_path, sibling=mode)
    proc = run_as(binary, runtime, "--systemd-cgroup", "run", "-d", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert proc.stderr == f"tinyrun: --systemd-cgroup: {tmp_path}/bin/tinyrun-glibc {why}\n"


@needs_musl
@pytest.mark.parametrize("command", [["delete", "--force"], ["update", "--pids-limit", "10"], ["exec"]])
def test_a_container_recorded_with_systemd_goes_to_the_glibc_build(runtime, bundle, cid, tmp_path, command):
    """delete, update and exec of a container that systemd's driver made
    may talk to systemd too: with no tinyrun-glibc they stop before doing
    anything; with it, it is what runs them (here, without systemd, delete
    and update fail saying so, and exec as root needs no D-Bus)."""
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    try:
        path = os.path.join(runtime.root, cid, "state.json")
        with open(path) as f:
            state = json.load(f)
        state["systemdCgroup"] = True
        with open(path, "w") as f:
            json.dump(state, f)
        args = [*command, cid] + (["true"] if command == ["exec"] else [])
        proc = run_as(alone(tmp_path), runtime, *args)
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr.endswith("tinyrun-glibc is needed: No such file or directory\n"), proc.stderr
        assert runtime.state(cid)["status"] == "running"
        proc = runtime(*args)
        if command == ["exec"]:
            # as root the process joins the cgroup itself (systemd only
            # for a rootless exec)
            assert proc.returncode == 0, proc.stderr
        else:
            assert proc.returncode != 0
            assert "--systemd-cgroup: " in proc.stderr and "musl" not in proc.stderr, proc.stderr
    finally:
        state["systemdCgroup"] = False
        with open(path, "w") as f:
            json.dump(state, f)
        runtime("delete", "--force", cid)

"""tinyrun and tinyrun-net linked against musl (musl/README.md), and
tinyrun-glibc beside tinyrun for what needs dlopen
(src/linux/libc_sibling.h): the systemd driver."""

import json
import os
import shutil
import subprocess

import pytest

from conftest import TINYRUN, TOP

SANITIZED = bool(os.environ.get("ASAN_OPTIONS"))  # tests/sanitize/run: a glibc build
SIBLING = os.path.join(os.path.dirname(os.path.realpath(TINYRUN)), "tinyrun-glibc")
NET = os.path.join(TOP, "tinyrun-net")

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
@pytest.mark.parametrize("argv", [[TINYRUN, "--version"], [NET, "gc", "--bridge", "trnone0"]],
                         ids=["tinyrun", "tinyrun-net"])
def test_startup_asks_the_cpu_nothing(tmp_path, argv):
    """glibc 2.36's start-up runs cpuid some 70 times before main (its CPU
    and cache probes), each one a trap to the hypervisor on a VM (6 µs on
    the test VMs: a sixth of a `run`, a third of the network hook's up and
    down); musl's runs none."""
    if shutil.which("gcc") is None:
        pytest.skip("needs gcc")
    src, exe = tmp_path / "step.c", tmp_path / "step"
    src.write_text(STEPPER)
    subprocess.run(["gcc", "-O2", "-o", str(exe), str(src)], check=True)
    proc = subprocess.run([str(exe), *argv], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "0", proc.stdout


@pytest.mark.skipif(SANITIZED, reason="the sanitizer build is linked against glibc")
def test_the_glibc_build_is_installed_beside_it():
    assert is_musl_build(TINYRUN)
    assert is_musl_build(NET)
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


def recorded_with_systemd(runtime, cid, on=True):
    path = os.path.join(runtime.root, cid, "state.json")
    with open(path) as f:
        state = json.load(f)
    state["systemdCgroup"] = on
    with open(path, "w") as f:
        json.dump(state, f)


@needs_musl
@pytest.mark.parametrize("command", [["delete", "--force"], ["update", "--pids-limit", "10"],
                                     ["update", "--resources", "-"], ["exec"], ["checkpoint", "--image-path"]])
def test_a_container_recorded_with_systemd_goes_to_the_glibc_build(runtime, bundle, cid, tmp_path, command):
    """delete, update, exec and checkpoint of a container that systemd's
    driver made may talk to systemd too: with no tinyrun-glibc they stop
    before doing anything (checkpoint before its dump, update before it
    reads --resources); with it, it is what runs them (here, without
    systemd, delete and update fail saying so, and exec as root needs no
    D-Bus)."""
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    try:
        recorded_with_systemd(runtime, cid)
        args = [*command] + ([str(tmp_path / "image")] if command[0] == "checkpoint" else []) + [cid]
        args += ["true"] if command == ["exec"] else []
        stdin = '{"pids": {"limit": 10}}' if "-" in command else None
        argv = runtime.cmd(*args)
        argv[0] = alone(tmp_path)
        proc = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr.endswith("tinyrun-glibc is needed: No such file or directory\n"), proc.stderr
        assert runtime.state(cid)["status"] == "running"
        if command[0] == "checkpoint":
            return
        proc = runtime(*args, input=stdin)
        if command == ["exec"]:
            # as root the process joins the cgroup itself (systemd only
            # for a rootless exec)
            assert proc.returncode == 0, proc.stderr
        else:
            # the systemd error: --resources - was still there to read
            assert proc.returncode != 0
            assert "--systemd-cgroup: " in proc.stderr and "musl" not in proc.stderr, proc.stderr
    finally:
        recorded_with_systemd(runtime, cid, False)
        runtime("delete", "--force", cid)


@needs_musl
def test_only_commands_that_may_talk_to_systemd_go_to_the_glibc_build(runtime, bundle, cid, tmp_path):
    """Engines pass --systemd-cgroup to every command: state, kill, start
    and list need no tinyrun-glibc."""
    bundle.sh("sleep 300").write()
    binary = alone(tmp_path)
    proc = run_as(binary, runtime, "--systemd-cgroup", "create", "--bundle", bundle.path, cid)
    assert "tinyrun-glibc is needed" in proc.stderr
    runtime("create", "--bundle", bundle.path, cid, check=True)
    try:
        for args in (["state", cid], ["list"], ["start", cid], ["kill", cid, "KILL"]):
            proc = run_as(binary, runtime, "--systemd-cgroup", *args)
            assert proc.returncode == 0, (args, proc.stderr)
    finally:
        runtime("delete", "--force", cid)


@needs_musl
def test_a_sibling_that_is_the_musl_build_is_refused(runtime, bundle, cid, tmp_path):
    binary = alone(tmp_path)
    shutil.copy(TINYRUN, os.path.join(os.path.dirname(binary), "tinyrun-glibc"))
    bundle.linux["cgroupsPath"] = f"system.slice:tinyrun:{cid}"
    bundle.write()
    proc = run_as(binary, runtime, "--systemd-cgroup", "run", "-d", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert proc.stderr == "tinyrun: --systemd-cgroup: tinyrun-glibc is not a glibc build (it re-executed itself)\n"


@pytest.mark.skipif(SANITIZED or not os.access(SIBLING, os.X_OK), reason="needs tinyrun-glibc")
def test_a_glibc_build_of_another_commit_is_refused(runtime):
    proc = subprocess.run([SIBLING, "--root", runtime.root, "list"], capture_output=True, text=True,
                          env={**os.environ, "_TINYRUN_FROM_MUSL": "0000000"})
    assert proc.returncode == 1
    assert "tinyrun-glibc is of commit " in proc.stderr and "the tinyrun that ran it of 0000000" in proc.stderr
    assert "install the two from one build" in proc.stderr

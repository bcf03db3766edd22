"""Security labels and hardening."""

import json
import os
import subprocess

import pytest


def lsm_enabled(name):
    if name == "apparmor":
        try:
            with open("/sys/module/apparmor/parameters/enabled") as f:
                return f.read().startswith("Y")
        except OSError:
            return False
    return os.path.exists("/sys/fs/selinux/enforce")


@pytest.mark.parametrize("field,value,message", [
    ("apparmorProfile", "tinyrun-test", "process.apparmorProfile: AppArmor is not enabled on this host"),
    ("selinuxLabel", "system_u:system_r:container_t:s0", "process.selinuxLabel: SELinux is not enabled on this host"),
    ("mountLabel", "system_u:object_r:container_file_t:s0", "linux.mountLabel: SELinux is not enabled on this host"),
])
def test_labels_without_lsm_are_errors(runtime, bundle, cid, field, value, message):
    """A label that cannot be applied is an error of `create` (as runc
    refuses it), not a warning: the container would run unconfined."""
    if lsm_enabled("apparmor") or lsm_enabled("selinux"):
        pytest.skip("this host has an LSM enabled")
    (bundle.linux if field == "mountLabel" else bundle.process)[field] = value
    bundle.sh("echo ran").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert message in proc.stderr, proc.stderr


@pytest.mark.parametrize("flag,value,message", [
    ("--apparmor", "tinyrun-test", "process.apparmorProfile: AppArmor is not enabled on this host"),
    ("--process-label", "system_u:system_r:container_t:s0", "process.selinuxLabel: SELinux is not enabled on this host"),
])
def test_exec_labels_without_lsm_are_errors(runtime, bundle, cid, flag, value, message):
    """exec checks its process's label against the host before its child
    is forked (linux/lsm.h), with create's message."""
    if lsm_enabled("apparmor") or lsm_enabled("selinux"):
        pytest.skip("this host has an LSM enabled")
    bundle.sh("sleep 300").write()
    runtime("run", "--detach", "--bundle", bundle.path, cid, check=True)
    proc = runtime("exec", flag, value, cid, "echo", "ran")
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert message in proc.stderr, proc.stderr
    runtime("delete", "--force", cid, check=True)


def test_created_init_holds_no_fd_of_the_hosts_cgroupfs(runtime, bundle, cid):
    """The runtime reaches cgroupfs from an fd of /sys/fs/cgroup
    (cgroup/root_fd.h), a host directory: the init, a copy of the runtime,
    closes it first thing with the other runtime fds it inherits
    (CVE-2024-21626 was runc's leak of such an fd)."""
    bundle.sh("sleep 300").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    pid = runtime.state(cid)["pid"]
    targets = [os.readlink(f"/proc/{pid}/fd/{n}") for n in os.listdir(f"/proc/{pid}/fd")]
    assert not [t for t in targets if t.startswith("/sys/fs/cgroup")], targets
    runtime("delete", "--force", cid, check=True)


def test_runtime_binary_is_out_of_reach(runtime, bundle, cid):
    """CVE-2019-5736 class: /proc/<pid>/exe of a tinyrun process inside a
    container must not open for a process of the same uid and the same
    capabilities (without CAP_SYS_PTRACE), as a container process would
    be.  Both sides run without CAP_SYS_PTRACE so that only tinyrun's own
    protection (a non-dumpable process) stands in the way."""
    drop = ["capsh", "--drop=cap_sys_ptrace", "--"]
    bundle.sh("sleep 300").write()
    subprocess.run(drop + ["-c", " ".join(runtime.cmd("create", "--bundle", bundle.path, cid))],
                   check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    pid = runtime.state(cid)["pid"]
    assert os.readlink(f"/proc/{pid}/exe").endswith("tinyrun")  # we (with CAP_SYS_PTRACE) can look
    probe = subprocess.run(drop + ["-c", f"cat /proc/{pid}/exe > /dev/null"], capture_output=True, text=True)
    assert probe.returncode != 0
    assert "Permission denied" in probe.stderr
    runtime("delete", "--force", cid, check=True)


def test_cwd_cannot_be_a_runtime_fd(runtime, bundle, cid):
    """CVE-2024-21626 class: /proc/self/fd/N as cwd is refused."""
    for n in range(3, 12):
        bundle.process["cwd"] = f"/proc/self/fd/{n}"
        bundle.sh("pwd").write()
        proc = runtime("run", "--bundle", bundle.path, cid)
        assert proc.returncode != 0, (n, proc.stdout)
        assert "process.cwd" in proc.stderr


def test_no_runtime_fd_reaches_the_container(runtime, bundle, cid, tmp_path):
    log = tmp_path / "log"
    bundle.sh("ls -l /proc/self/fd/").write()
    proc = runtime("--log", log, "run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    fds = [l.split("->")[0].split()[-1] for l in proc.stdout.splitlines() if "->" in l]
    assert sorted(fds, key=int) == ["0", "1", "2"]

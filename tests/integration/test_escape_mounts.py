"""Escapes through mounts, device nodes and cleanup (docs/security.md)."""

import os
import stat

import pytest

from conftest import traced


def mount_options(out, mountpoint):
    """The per-mount options of mountpoint in a /proc/self/mountinfo dump."""
    for line in out.splitlines():
        f = line.split()
        if len(f) > 5 and f[4] == mountpoint:
            return set(f[5].split(","))
    raise AssertionError(f"{mountpoint} not mounted:\n{out}")


def test_bind_mount_attributes_land_on_the_bind_mount(runtime, bundle, cid, tmp_path):
    """ro/nosuid/nodev/noexec/noatime of a bind mount (a file and a
    directory) are on that mount, seen from inside; the mount below keeps
    its own options."""
    src = tmp_path / "data"
    src.mkdir()
    (src / "f").write_text("x\n")
    bundle.config["mounts"].append({"destination": "/data", "type": "bind", "source": str(src),
                                    "options": ["bind", "ro", "nosuid", "nodev", "noexec", "noatime"]})
    bundle.config["mounts"].append({"destination": "/etc/data-file", "type": "bind", "source": str(src / "f"),
                                    "options": ["bind", "ro", "nosuid"]})
    bundle.sh("cat /proc/self/mountinfo").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert {"ro", "nosuid", "nodev", "noexec", "noatime"} <= mount_options(out, "/data")
    assert {"ro", "nosuid"} <= mount_options(out, "/etc/data-file")
    assert "ro" not in mount_options(out, "/tmp")


def test_masked_and_readonly_paths_land_on_their_paths(runtime, bundle, cid):
    bundle.linux["maskedPaths"] = ["/proc/keys", "/proc/acpi", "/sys/firmware"]
    bundle.linux["readonlyPaths"] = ["/proc/sys"]
    bundle.sh("cat /proc/self/mountinfo; stat -c '%t:%T' /proc/keys").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "ro" in mount_options(out, "/proc/sys")
    assert "ro" not in mount_options(out, "/proc")
    assert "ro" in mount_options(out, "/sys/firmware")
    assert out.strip().endswith("1:3")


def mount_syscalls(runtime, bundle, cid, tmp_path):
    """The mount-related syscalls of `tinyrun run` (create, start, the init
    runs `true`), under strace -f."""
    trace = "trace=mount,open_tree,move_mount,mount_setattr,fsopen,fsmount"
    lines, proc = traced(runtime, tmp_path / "strace.log", trace, "run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    return "".join(line + "\n" for line in lines)


def test_mount_attributes_are_set_by_fd_not_by_path(runtime, bundle, cid, tmp_path):
    """Attributes go on the detached mount (mount_setattr on an open_tree or
    fsmount fd), before move_mount attaches it: no remount looks the
    destination up again, so a rename or symlink swap in the rootfs
    between the mount and the remount cannot move them elsewhere."""
    src = tmp_path / "data"
    src.mkdir()
    bundle.config["root"]["readonly"] = True
    bundle.config["mounts"].append({"destination": "/data", "type": "bind", "source": str(src),
                                    "options": ["rbind", "ro", "nosuid", "rnodev"]})
    bundle.linux["maskedPaths"] = ["/proc/kcore", "/proc/acpi"]
    bundle.linux["readonlyPaths"] = ["/proc/sys"]
    bundle.sh("true").write()
    calls = mount_syscalls(runtime, bundle, cid, tmp_path)
    mounts = [l for l in calls.splitlines() if " mount(" in l and "resumed" not in l]
    assert not [l for l in mounts if "MS_REMOUNT" in l], "\n".join(mounts)
    assert not [l for l in mounts if "MS_BIND" in l], "\n".join(mounts)
    assert "open_tree(" in calls and "move_mount(" in calls and "mount_setattr(" in calls
    assert "fsopen(\"proc\"" in calls and "fsmount(" in calls


def own_dev_bundle(bundle):
    """A private rootfs whose own /dev is used (no tmpfs over it)."""
    rootfs = bundle.copy_rootfs()
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["destination"] != "/dev"]
    os.makedirs(os.path.join(rootfs, "dev"), exist_ok=True)
    return rootfs


def test_console_symlink_is_refused(runtime, bundle, cid, tmp_path):
    """A /dev/console symlink in the rootfs is refused, not followed (the
    pty would be mounted over the file it points at)."""
    from console import ConsoleSocket
    rootfs = own_dev_bundle(bundle)
    victim = os.path.join(rootfs, "victim")
    with open(victim, "w") as f:
        f.write("keep\n")
    os.symlink("../victim", os.path.join(rootfs, "dev", "console"))
    bundle.process["terminal"] = True
    bundle.sh("true").write()
    console = ConsoleSocket(tmp_path / "console.sock")
    try:
        proc = runtime("create", "--bundle", bundle.path, "--console-socket", console.path, cid)
    finally:
        console.close()
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "/dev/console: is a symlink in the rootfs" in lines[0], proc.stderr
    with open("/proc/self/mountinfo") as f:
        assert f" {victim} " not in f.read()


@pytest.mark.parametrize("userns", [False, True], ids=["mknod", "userns-bind"])
def test_device_symlink_target_is_untouched(runtime, bundle, cid, userns):
    """/dev/null and /dev/zero of the rootfs are symlinks to other files:
    the device is made in their place, the files they point at keep their
    mode, owner and content, and nothing is mounted over them."""
    import shutil
    import subprocess
    import tempfile
    from conftest import ROOTFS
    # Outside pytest's 0700 tmp dirs, so that the user namespace's root
    # (uid 100000 on the host) can reach its rootfs.
    base = tempfile.mkdtemp(prefix="tinyrun-devsym-")
    try:
        os.chmod(base, 0o755)
        rootfs = os.path.join(base, "rootfs")
        subprocess.run(["cp", "-a", ROOTFS, rootfs], check=True)
        bundle.config["root"]["path"] = rootfs
        bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["destination"] != "/dev"]
        os.makedirs(os.path.join(rootfs, "dev"), exist_ok=True)
        victim = os.path.join(rootfs, "victim")
        with open(victim, "w") as f:
            f.write("keep\n")
        os.symlink("/victim", os.path.join(rootfs, "dev", "null"))
        os.symlink("../../../../../../../victim", os.path.join(rootfs, "dev", "zero"))
        if userns:
            bundle.linux["namespaces"].append({"type": "user"})
            bundle.linux["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
            bundle.linux["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
            subprocess.run(["chown", "-hR", "100000:100000", rootfs], check=True)
        os.chmod(victim, 0o600)
        before = os.lstat(victim)
        bundle.sh("cat /victim; stat -c '%F %t:%T' /victim /dev/null /dev/zero").write()
        proc = runtime("run", "--bundle", bundle.path, cid)
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.splitlines()
        assert lines[0] == "keep"
        assert lines[1].startswith("regular file"), proc.stdout
        assert lines[2:4] == ["character special file 1:3", "character special file 1:5"], proc.stdout
        after = os.lstat(victim)
        assert (after.st_mode, after.st_uid, after.st_gid) == (before.st_mode, before.st_uid, before.st_gid)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def pre_mounted_rootfs(bundle, tmp_path):
    """No mount namespace, and a rootfs with a bind mount below it made
    before create (by the test, which removes it)."""
    import subprocess
    rootfs = bundle.copy_rootfs()
    bundle.linux["namespaces"] = [{"type": "pid"}]
    bundle.config.pop("hostname", None)
    src = tmp_path / "pre-src"
    src.mkdir()
    (src / "mark").write_text("pre\n")
    pre = os.path.join(rootfs, "mnt", "pre")
    os.makedirs(pre, exist_ok=True)
    subprocess.run(["mount", "--bind", str(src), pre], check=True)
    return pre


def is_mounted(path):
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == path for line in f)


def test_delete_keeps_mounts_that_were_there_before(runtime, bundle, cid, tmp_path):
    """Without a mount namespace delete detaches only what create mounted:
    a mount already below the rootfs (with root.path "/": the host's own
    tree) stays."""
    import subprocess
    pre = pre_mounted_rootfs(bundle, tmp_path)
    try:
        bundle.sh("sleep 300").write()
        runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
        rootfs = os.path.dirname(os.path.dirname(pre))
        assert is_mounted(os.path.join(rootfs, "proc"))
        runtime("delete", "--force", cid, check=True)
        assert not is_mounted(os.path.join(rootfs, "proc"))
        assert is_mounted(pre)
        assert open(os.path.join(pre, "mark")).read() == "pre\n"
    finally:
        subprocess.run(["umount", "-l", pre])


def test_failed_create_keeps_mounts_that_were_there_before(runtime, bundle, cid, tmp_path):
    import subprocess
    pre = pre_mounted_rootfs(bundle, tmp_path)
    try:
        bundle.config["mounts"].append({"destination": "/x", "type": "nosuchfs", "source": "none"})
        bundle.sh("true").write()
        proc = runtime("create", "--bundle", bundle.path, cid)
        assert proc.returncode == 1
        rootfs = os.path.dirname(os.path.dirname(pre))
        assert not is_mounted(os.path.join(rootfs, "proc"))
        assert is_mounted(pre)
    finally:
        subprocess.run(["umount", "-l", pre])


@pytest.mark.parametrize("missing", ["mount_setattr", "open_tree,fsopen,mount_setattr"],
                         ids=["no-mount_setattr", "no-new-mount-api"])
def test_fallback_without_new_mount_api(runtime, bundle, cid, tmp_path, missing):
    """Kernels without mount_setattr (5.2-5.11) or without the whole new
    mount API (before 5.2), simulated by strace's fault injection: the
    mount(2) fallbacks put the same attributes on the same mounts."""
    src = tmp_path / "data"
    src.mkdir()
    bundle.config["root"]["readonly"] = True
    bundle.config["mounts"].append({"destination": "/data", "type": "bind", "source": str(src),
                                    "options": ["rbind", "ro", "nosuid"]})
    bundle.linux["maskedPaths"] = ["/proc/keys", "/proc/acpi"]
    bundle.linux["readonlyPaths"] = ["/proc/sys"]
    bundle.sh("cat /proc/self/mountinfo").write()
    _, proc = traced(runtime, "/dev/null", f"trace={missing}", "run", "--bundle", bundle.path, cid,
                     flags=("-e", f"inject={missing}:error=ENOSYS"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "ro" in mount_options(out, "/")
    assert {"ro", "nosuid"} <= mount_options(out, "/data")
    assert "ro" in mount_options(out, "/proc/sys") and "ro" not in mount_options(out, "/proc")
    assert "ro" in mount_options(out, "/proc/acpi")
    assert " /proc/keys " in out

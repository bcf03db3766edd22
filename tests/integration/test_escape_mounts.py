"""Escapes through mounts, device nodes and cleanup (docs/security-mounts.md)."""

import os
import stat

import pytest


def mount_options(out, mountpoint):
    """The per-mount options of mountpoint in a /proc/self/mountinfo dump."""
    for line in out.splitlines():
        f = line.split()
        if len(f) > 5 and f[4] == mountpoint:
            return set(f[5].split(","))
    raise AssertionError(f"{mountpoint} not mounted:\n{out}")


@pytest.mark.parametrize("option", ["idmap", "ridmap"])
def test_idmap_option_is_refused(runtime, bundle, cid, tmp_path, option):
    bundle.config["mounts"].append({"destination": "/data", "type": "bind", "source": str(tmp_path),
                                    "options": ["rbind", option]})
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    n = len(bundle.config["mounts"]) - 1
    assert f"mounts[{n}].options: {option}: not supported" in proc.stderr


@pytest.mark.parametrize("field", ["uidMappings", "gidMappings"])
def test_mount_id_mappings_are_refused(runtime, bundle, cid, tmp_path, field):
    bundle.config["mounts"].append({"destination": "/data", "type": "bind", "source": str(tmp_path),
                                    "options": ["rbind"],
                                    field: [{"containerID": 0, "hostID": 100000, "size": 65536}]})
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    n = len(bundle.config["mounts"]) - 1
    assert f"mounts[{n}].{field}: not supported" in proc.stderr


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
    import shutil
    import subprocess
    if shutil.which("strace") is None:
        pytest.skip("strace not installed")
    log = tmp_path / "strace.log"
    trace = "trace=mount,open_tree,move_mount,mount_setattr,fsopen,fsmount"
    argv = ["strace", "-f", "-qq", "-e", trace, "-o", str(log)] + runtime.cmd("run", "--bundle", bundle.path, cid)
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return log.read_text()


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

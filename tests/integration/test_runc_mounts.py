"""Mount behaviour that follows runc where it is observable (issue 11):
each test reads the kernel's view from inside the container
(/proc/self/mountinfo, stat, writes that must fail)."""

import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import ROOTFS


def mountinfo_lines(out, mountpoint):
    """The /proc/self/mountinfo lines (split) of mountpoint, in order."""
    return [line.split() for line in out.splitlines()
            if len(line.split()) > 5 and line.split()[4] == mountpoint]


def mount_line(out, mountpoint):
    lines = mountinfo_lines(out, mountpoint)
    assert lines, f"{mountpoint} not mounted:\n{out}"
    return lines[-1]  # the top one


def mount_options(out, mountpoint):
    return set(mount_line(out, mountpoint)[5].split(","))


def optional_fields(out, mountpoint):
    f = mount_line(out, mountpoint)
    return f[6:f.index("-")]


def fs_type(out, mountpoint):
    f = mount_line(out, mountpoint)
    return f[f.index("-") + 1]


def userns(bundle, host_base=100000):
    bundle.linux["namespaces"].append({"type": "user"})
    bundle.linux["uidMappings"] = [{"containerID": 0, "hostID": host_base, "size": 65536}]
    bundle.linux["gidMappings"] = [{"containerID": 0, "hostID": host_base, "size": 65536}]


@pytest.fixture
def open_base():
    """A directory outside pytest's 0700 tmp dirs, so that the root of a
    user namespace (uid 100000 on the host) can reach what is in it."""
    base = tempfile.mkdtemp(prefix="tinyrun-runc-")
    os.chmod(base, 0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)


def userns_rootfs(bundle, base):
    rootfs = os.path.join(base, "rootfs")
    subprocess.run(["cp", "-a", ROOTFS, rootfs], check=True)
    subprocess.run(["chown", "-hR", "100000:100000", rootfs], check=True)
    bundle.config["root"]["path"] = rootfs
    return rootfs


# 1. /dev with "ro": writable while the devices are made, read-only at the end.

def test_dev_ro_is_remounted_read_only_after_the_devices(runtime, bundle, cid):
    dev = [m for m in bundle.config["mounts"] if m["destination"] == "/dev"][0]
    dev["options"].append("ro")
    bundle.sh("cat /proc/self/mountinfo; stat -c '%F %t:%T' /dev/null; readlink /dev/fd; "
              "echo x > /dev/null && echo null-ok; touch /dev/new 2>/dev/null || echo dev-ro; "
              "touch /dev/shm/new && echo shm-rw").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "ro" in mount_options(out, "/dev")
    assert fs_type(out, "/dev") == "tmpfs"
    assert "character special file 1:3" in out
    assert "/proc/self/fd" in out
    assert "null-ok" in out and "dev-ro" in out
    assert "shm-rw" in out  # the mounts below /dev keep their own options


# 2. Masked directories share one read-only tmpfs.

def test_masked_directories_share_one_read_only_tmpfs(runtime, bundle, cid):
    bundle.linux["maskedPaths"] = ["/proc/acpi", "/sys/firmware", "/proc/scsi", "/proc/keys", "/sys/kernel/mm"]
    bundle.sh("cat /proc/self/mountinfo; stat -c '%t:%T' /proc/keys; ls -A /sys/kernel/mm | wc -l; "
              "touch /sys/kernel/mm/x 2>/dev/null || echo mask-ro").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    dirs = [d for d in ("/proc/acpi", "/sys/firmware", "/proc/scsi", "/sys/kernel/mm") if mountinfo_lines(out, d)]
    assert len(dirs) >= 2, out
    devs = {mount_line(out, d)[2] for d in dirs}
    assert len(devs) == 1, f"one tmpfs expected, got {devs}:\n{out}"
    for d in dirs:
        assert fs_type(out, d) == "tmpfs"
        assert {"ro", "nosuid", "nodev", "noexec"} <= mount_options(out, d)
    lines = out.splitlines()
    assert "1:3" in lines  # a masked file keeps the /dev/null bind
    assert "0" in lines and "mask-ro" in lines


# 3. Locked flags of host mounts in a user namespace.

@pytest.fixture
def locked_source(open_base):
    """A tmpfs mounted ro,nodev,nosuid on the host: in a user namespace
    the kernel locks those flags on every copy of it."""
    src = os.path.join(open_base, "locked")
    os.mkdir(src)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=755", "tmpfs", src], check=True)
    with open(os.path.join(src, "f"), "w") as f:
        f.write("locked\n")
    subprocess.run(["mount", "-o", "remount,bind,ro,nodev,nosuid", src], check=True)
    yield src
    subprocess.run(["umount", "-l", src], check=True)


def test_bind_of_locked_mount_keeps_its_locked_flags(runtime, bundle, cid, open_base, locked_source):
    userns(bundle)
    userns_rootfs(bundle, open_base)
    bundle.config["mounts"].append({"destination": "/locked", "type": "bind", "source": locked_source,
                                    "options": ["bind", "noexec"]})
    bundle.sh("cat /proc/self/mountinfo; cat /locked/f").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert {"ro", "nodev", "nosuid", "noexec"} <= mount_options(proc.stdout, "/locked")
    assert "locked" in proc.stdout.splitlines()


def test_rw_on_a_locked_read_only_source_fails_as_runc(runtime, bundle, cid, open_base, locked_source):
    userns(bundle)
    userns_rootfs(bundle, open_base)
    bundle.config["mounts"].append({"destination": "/locked", "type": "bind", "source": locked_source,
                                    "options": ["bind", "rw"]})
    bundle.write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    n = len(bundle.config["mounts"]) - 1
    assert f"mounts[{n}] (/locked): cannot clear locked flags ro" in proc.stderr, proc.stderr


# 5. linux.rootfsPropagation on the rootfs mount, as runc.

@pytest.fixture
def shared_rootfs(bundle):
    """The rootfs on a mount of its own that the host shares: what runc's
    rootfsParentMountPrivate looks at."""
    rootfs = bundle.copy_rootfs()
    subprocess.run(["mount", "--bind", rootfs, rootfs], check=True)
    subprocess.run(["mount", "--make-shared", rootfs], check=True)
    yield rootfs
    subprocess.run(["umount", "-l", rootfs], check=True)


@pytest.mark.parametrize("prop,shared,master", [
    ("rshared", True, False),
    ("shared", True, False),
    ("rslave", False, True),
    ("slave", False, False),
    ("rprivate", False, False),
    ("private", False, False),
])
def test_rootfs_propagation_as_runc(runtime, bundle, cid, shared_rootfs, prop, shared, master):
    """runc sets rootfsPropagation on "/", makes the rootfs's mount
    private if it is then shared, binds the rootfs and, after pivot_root,
    sets rootfsPropagation on "/" again."""
    bundle.linux["rootfsPropagation"] = prop
    bundle.sh("cat /proc/self/mountinfo").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    fields = optional_fields(proc.stdout, "/")
    assert any(f.startswith("shared:") for f in fields) == shared, fields
    assert any(f.startswith("master:") for f in fields) == master, fields


# 6. sysfs and proc only on an ordinary directory.

@pytest.mark.parametrize("dst,fstype", [("/sys", "sysfs"), ("/proc", "proc")])
def test_symlinked_sysfs_or_proc_destination_is_refused(runtime, bundle, cid, dst, fstype):
    rootfs = bundle.copy_rootfs()
    path = os.path.join(rootfs, dst[1:])
    shutil.rmtree(path)
    os.makedirs(os.path.join(rootfs, "elsewhere"))
    os.symlink("/elsewhere", path)
    bundle.write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    n = [m["destination"] for m in bundle.config["mounts"]].index(dst)
    # /proc is caught first by the proc destinations step (its own wording).
    expected = (f"mounts[{n}]: destination /proc is a symlink in the rootfs" if fstype == "proc" else
                f'mounts[{n}] ({dst}): filesystem "{fstype}" must be mounted on ordinary directory')
    assert expected in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


# 7. A second cgroup mount at /sys/fs/cgroup.

def test_duplicate_cgroup_mount(runtime, bundle, cid):
    cg = {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
          "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
    bundle.config["mounts"] += [dict(cg), dict(cg)]
    bundle.sh("cat /proc/self/mountinfo; ls /sys/fs/cgroup").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert mountinfo_lines(proc.stdout, "/sys/fs/cgroup"), proc.stdout
    assert proc.stdout.split("\n", 1)[1].strip(), proc.stdout



# 4. Bind sources opened with the host's rights, not the user namespace's.

def test_bind_source_the_user_namespace_cannot_reach(runtime, bundle, cid, open_base):
    """A bind source inside a 0700 directory of host root: the root of
    the container's user namespace (uid 100000 on the host) cannot walk
    into it, so runc opens bind sources before the user namespace."""
    userns(bundle)
    userns_rootfs(bundle, open_base)
    secret = os.path.join(open_base, "secret")
    os.makedirs(os.path.join(secret, "src"))
    os.chmod(secret, 0o700)
    with open(os.path.join(secret, "src", "f"), "w") as f:
        f.write("reached\n")
    bundle.config["mounts"].append({"destination": "/data", "type": "bind", "source": os.path.join(secret, "src"),
                                    "options": ["rbind", "ro"]})
    bundle.sh("cat /data/f; cat /proc/self/mountinfo").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "reached"
    assert "ro" in mount_options(proc.stdout, "/data")

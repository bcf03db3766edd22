"""root, mounts, devices, masked and read-only paths, propagation."""

import os
import stat


def run(runtime, bundle, cid, script):
    bundle.sh(script).write()
    return runtime("run", "--bundle", bundle.path, cid)


def run_out(runtime, bundle, cid, script):
    proc = run(runtime, bundle, cid, script)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def mount_options(out, mountpoint):
    """The per-mount options of mountpoint in a /proc/self/mountinfo dump."""
    for line in out.splitlines():
        f = line.split()
        if len(f) > 5 and f[4] == mountpoint:
            return set(f[5].split(","))
    raise AssertionError(f"{mountpoint} not mounted:\n{out}")


def test_readonly_root(runtime, bundle, cid):
    bundle.config["root"]["readonly"] = True
    out = run_out(runtime, bundle, cid, "touch /x 2>&1; touch /tmp/ok && echo tmp-writable")
    assert "Read-only file system" in out and "tmp-writable" in out


def test_writable_root(runtime, bundle, cid):
    bundle.copy_rootfs()
    bundle.config["root"]["readonly"] = False
    assert run_out(runtime, bundle, cid, "touch /x && echo ok") == "ok\n"
    assert os.path.exists(os.path.join(bundle.path, "rootfs", "x"))


def test_pid_is_1_and_proc_is_the_containers(runtime, bundle, cid):
    out = run_out(runtime, bundle, cid, "echo $$; ls /proc | grep -c '^[0-9]'")
    pid, count = out.split()
    assert pid == "1" and int(count) <= 3


def test_bind_mount_options(runtime, bundle, cid, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    (src / "file").write_text("hello\n")
    bundle.config["mounts"].append({"destination": "/data", "type": "bind", "source": str(src),
                                    "options": ["rbind", "ro", "nosuid", "nodev", "noexec"]})
    out = run_out(runtime, bundle, cid, "cat /data/file; touch /data/new 2>&1; cat /proc/self/mountinfo")
    assert out.startswith("hello\n")
    assert "Read-only file system" in out
    assert {"ro", "nosuid", "nodev", "noexec"} <= mount_options(out, "/data")
    assert not (src / "new").exists()


def test_bind_mount_of_a_file_and_relative_source(runtime, bundle, cid):
    with open(os.path.join(bundle.path, "greeting"), "w") as f:
        f.write("hi\n")
    bundle.config["mounts"].append({"destination": "/etc/greeting", "type": "none", "source": "greeting",
                                    "options": ["bind"]})
    assert run_out(runtime, bundle, cid, "cat /etc/greeting") == "hi\n"


def test_tmpfs_options(runtime, bundle, cid):
    bundle.config["mounts"].append({"destination": "/scratch", "type": "tmpfs", "source": "tmpfs",
                                    "options": ["size=1m", "mode=700", "noexec"]})
    out = run_out(runtime, bundle, cid, "stat -c %a /scratch; cat /proc/self/mountinfo")
    assert out.startswith("700\n")
    assert "noexec" in mount_options(out, "/scratch")
    assert "size=1024k" in out


def test_default_mounts_present(runtime, bundle, cid):
    out = run_out(runtime, bundle, cid, "cat /proc/self/mountinfo")
    for mp in ("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys"):
        mount_options(out, mp)
    assert "ro" in mount_options(out, "/sys")


def test_cgroup_mount(runtime, bundle, cid):
    bundle.config["mounts"].append({"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
                                    "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]})
    out = run_out(runtime, bundle, cid, "ls /sys/fs/cgroup; cat /proc/self/cgroup; cat /proc/self/mountinfo")
    assert "memory" in out or "cgroup.procs" in out
    # With a cgroup namespace the container sees itself at the root.
    assert "0::/\n" in out or ":/\n" in out


def test_default_devices_and_symlinks(runtime, bundle, cid):
    out = run_out(runtime, bundle, cid,
                  "for d in null zero full random urandom tty; do stat -c '%n %t:%T %a' /dev/$d; done;"
                  "for l in fd stdin ptmx; do readlink /dev/$l; done; echo x > /dev/null && echo null-ok;"
                  "head -c 4 /dev/zero | od -An -tx1")
    assert "/dev/null 1:3 666" in out and "/dev/tty 5:0 666" in out and "/dev/urandom 1:9 666" in out
    assert "/proc/self/fd\n/proc/self/fd/0\npts/ptmx\n" in out
    assert "null-ok" in out and "00 00 00 00" in out


def test_linux_devices(runtime, bundle, cid):
    bundle.linux["devices"] = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3,
                                "fileMode": 0o640, "uid": 65534, "gid": 5}]
    out = run_out(runtime, bundle, cid, "stat -c '%t:%T %a %u %g %F' /dev/mynull")
    assert out == "1:3 640 65534 5 character special file\n"


def test_masked_paths(runtime, bundle, cid):
    bundle.linux["maskedPaths"] = ["/proc/keys", "/proc/acpi", "/sys/firmware", "/does/not/exist"]
    out = run_out(runtime, bundle, cid,
                  "wc -c < /proc/keys; ls /sys/firmware | wc -l; touch /sys/firmware/x 2>&1; true")
    lines = out.splitlines()
    assert lines[0].strip() == "0" and lines[1].strip() == "0"
    assert "Read-only file system" in out


def test_readonly_paths(runtime, bundle, cid):
    bundle.linux["readonlyPaths"] = ["/proc/sys", "/does/not/exist"]
    out = run_out(runtime, bundle, cid, "(echo 1 > /proc/sys/kernel/shmmni) 2>&1; cat /proc/self/mountinfo")
    assert "Read-only file system" in out
    assert "ro" in mount_options(out, "/proc/sys")


def test_rootfs_propagation(runtime, bundle, cid):
    # "slave" of a host mount that is itself private has no master: it
    # looks private, so only private and shared are told apart here.
    for prop, tag in (("private", None), ("shared", "shared:"), ("rslave", None)):
        bundle.linux["rootfsPropagation"] = prop
        out = run_out(runtime, bundle, cid, "cat /proc/self/mountinfo")
        root = [l for l in out.splitlines() if l.split()[4] == "/"][0]
        if tag:
            assert tag in root, (prop, root)
        else:
            assert "shared:" not in root and "master:" not in root, (prop, root)


def test_no_pivot(runtime, bundle, cid):
    bundle.write()
    out = run_out(runtime, bundle, cid, "ls / | tr '\\n' ' '")
    bundle.sh("ls / | tr '\\n' ' '").write()
    proc = runtime("run", "--no-pivot", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == out


def test_mount_destination_symlink_cannot_escape(runtime, bundle, cid, tmp_path):
    """CVE-2021-30465 class: a symlink in the rootfs must not redirect a
    mount to the host."""
    rootfs = bundle.copy_rootfs()
    os.symlink("/../../../../../../tmp/escape-target", os.path.join(rootfs, "evil"))
    bundle.config["mounts"].append({"destination": "/evil", "type": "tmpfs", "source": "tmpfs"})
    out = run_out(runtime, bundle, cid, "cat /proc/self/mountinfo")
    assert " /tmp/escape-target " in out
    # Created inside the container (in its /tmp tmpfs), never on the host.
    assert not os.path.exists("/tmp/escape-target")


def test_dev_null_must_be_the_null_device(runtime, bundle, cid):
    """Masking binds /dev/null over files: a fake /dev/null is refused."""
    rootfs = bundle.copy_rootfs()
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if not m["destination"].startswith("/dev")]
    bundle.config["mounts"].append({"destination": "/dev", "type": "bind", "source": os.path.join(rootfs, "fakedev"),
                                    "options": ["bind"]})
    os.makedirs(os.path.join(rootfs, "fakedev"))
    with open(os.path.join(rootfs, "fakedev", "null"), "w") as f:
        f.write("not a device")
    bundle.linux["maskedPaths"] = ["/proc/keys"]
    bundle.sh("true").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert "/dev/null is not the null device" in proc.stderr


def test_bad_mount_fails_naming_the_entry(runtime, bundle, cid):
    bundle.config["mounts"].append({"destination": "/x", "type": "nosuchfs", "source": "none"})
    bundle.write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    n = len(bundle.config["mounts"]) - 1
    assert f"mounts: mounts[{n}] (/x): mount nosuchfs on /x: No such device" in proc.stderr


def test_unbindable_root_propagation(runtime, bundle, cid):
    bundle.linux["rootfsPropagation"] = "unbindable"
    out = run_out(runtime, bundle, cid, "cat /proc/self/mountinfo")
    root = [l for l in out.splitlines() if l.split()[4] == "/"][0]
    assert "unbindable" in root


def test_without_mount_namespace(runtime, bundle, cid):
    """Like runc: the mounts land in the host's namespace below the rootfs,
    the process is chrooted, and delete takes the mounts away again (the
    autouse fixture checks that none is left)."""
    from conftest import ROOTFS
    bundle.linux["namespaces"] = [{"type": "pid"}]
    bundle.config.pop("hostname")
    bundle.linux["maskedPaths"] = ["/proc/keys"]
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    pid = runtime.state(cid)["pid"]
    assert os.readlink(f"/proc/{pid}/ns/mnt") == os.readlink("/proc/self/ns/mnt")
    with open("/proc/self/mountinfo") as f:
        host_view = f.read()
    assert f" {ROOTFS}/proc " in host_view
    runtime("delete", "--force", cid, check=True)
    with open("/proc/self/mountinfo") as f:
        assert ROOTFS not in f.read()


def test_rootfs_path_dot(runtime, bundle, cid):
    """root.path "." (the bundle is the rootfs) without a mount namespace:
    the mounts must still be found and removed at delete."""
    rootfs = bundle.copy_rootfs()
    bundle.path = rootfs
    bundle.config["root"]["path"] = "."
    bundle.linux["namespaces"] = [{"type": "pid"}]
    bundle.config.pop("hostname")
    bundle.sh("true").write()
    runtime("run", "--bundle", bundle.path, cid, check=True)


def test_tmpcopyup(runtime, bundle, cid):
    """podman's --read-only: a tmpfs that starts with what it covers."""
    rootfs = bundle.copy_rootfs()
    os.makedirs(os.path.join(rootfs, "data", "sub"))
    with open(os.path.join(rootfs, "data", "sub", "f"), "w") as f:
        f.write("kept\n")
    os.symlink("sub/f", os.path.join(rootfs, "data", "link"))
    bundle.config["mounts"].append({"destination": "/data", "type": "tmpfs", "source": "tmpfs",
                                    "options": ["rw", "rprivate", "nosuid", "nodev", "tmpcopyup"]})
    out = run_out(runtime, bundle, cid, "cat /data/link; echo new > /data/g; stat -f -c %T /data")
    assert out.splitlines() == ["kept", "tmpfs"]
    assert not os.path.exists(os.path.join(rootfs, "data", "g"))

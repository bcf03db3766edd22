"""Idmapped mounts: the "idmap"/"ridmap" options and mounts[].uidMappings
/ gidMappings (runtime-spec 1.3).  A mapping {containerID C, hostID H}
makes a file owned by C on disk show as owned by H through the mount, and
a file created through the mount by H land on disk owned by C (the
kernel's MOUNT_ATTR_IDMAP, as runc and crun set it up).  Every test reads
the owners the kernel reports, inside the container and on the host."""

import json
import os
import subprocess

import pytest

from test_escape_mounts import mount_options

MAP = [{"containerID": 0, "hostID": 100000, "size": 65536}]


def owners(out):
    """'name uid:gid' lines of the script's stat output -> {name: 'uid:gid'}."""
    return dict(line.split() for line in out.splitlines() if line.startswith("/data") or line.startswith("/home"))


def data_dir(tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    os.chmod(src, 0o777)
    (src / "root-owned").write_text("x\n")
    (src / "five").write_text("x\n")
    os.chown(src / "five", 5, 5)
    return src


def idmap_entry(src, options, mappings=True):
    m = {"destination": "/data", "type": "bind", "source": str(src), "options": options}
    if mappings:
        m["uidMappings"] = MAP
        m["gidMappings"] = MAP
    return m


def userns(bundle):
    bundle.linux["namespaces"].append({"type": "user"})
    bundle.linux["uidMappings"] = MAP
    bundle.linux["gidMappings"] = MAP


STAT = "stat -c '%n %u:%g' /data/root-owned /data/five; cat /proc/self/mountinfo"


# Without a container user namespace: on-disk 0 shows as 100000, and what
# uid 100007 creates lands on disk as 7.  Mappings without the option mean
# "idmap", as with runc.
@pytest.mark.parametrize("options", [["bind", "idmap"], ["rbind", "idmap", "nosuid", "nodev"], ["bind"]])
def test_idmap_mount_maps_owners_without_userns(runtime, bundle, cid, tmp_path, options):
    src = data_dir(tmp_path)
    bundle.config["mounts"].append(idmap_entry(src, options))
    bundle.process["user"] = {"uid": 100007, "gid": 100007}
    bundle.sh(STAT + "; touch /data/made-inside").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert owners(proc.stdout) == {"/data/root-owned": "100000:100000", "/data/five": "100005:100005"}
    opts = mount_options(proc.stdout, "/data")
    assert "idmapped" in opts
    assert set(options) - {"bind", "rbind", "idmap"} <= opts
    st = os.stat(src / "made-inside")
    assert (st.st_uid, st.st_gid) == (7, 7)


def test_root_outside_the_mapping_cannot_create_files(runtime, bundle, cid, tmp_path):
    """Container root (host uid 0) has no id on an idmapped mount that maps
    only 100000-165535: the kernel refuses the new file (EOVERFLOW)."""
    src = data_dir(tmp_path)
    bundle.config["mounts"].append(idmap_entry(src, ["bind", "idmap"]))
    bundle.sh("touch /data/by-root 2>&1; echo rc=$?").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert "rc=1" in proc.stdout
    assert not (src / "by-root").exists()


def test_idmap_uses_the_container_user_namespace(runtime, bundle, cid, tmp_path):
    """The Kubernetes case: in a user namespace (0 -> 100000), "idmap" with
    no mappings of its own uses the container's.  Host files owned by 0
    show as the container's root, and what its root creates is owned by 0
    on the host; the same directory bound plainly shows the overflow id."""
    src = data_dir(tmp_path)
    userns(bundle)
    bundle.config["mounts"].append(idmap_entry(src, ["rbind", "idmap"], mappings=False))
    bundle.config["mounts"].append({"destination": "/home", "type": "bind", "source": str(src),
                                    "options": ["rbind"]})
    bundle.sh(STAT + "; stat -c '%n %u:%g' /home/root-owned; touch /data/made-inside").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert owners(proc.stdout) == {"/data/root-owned": "0:0", "/data/five": "5:5",
                                   "/home/root-owned": "65534:65534"}
    assert "idmapped" in mount_options(proc.stdout, "/data")
    assert "idmapped" not in mount_options(proc.stdout, "/home")
    st = os.stat(src / "made-inside")
    assert (st.st_uid, st.st_gid) == (0, 0)


def test_mount_mappings_in_a_user_namespace(runtime, bundle, cid, tmp_path):
    """Mappings of the mount's own, other than the container's: a host file
    owned by 100005 shows as uid 5 inside a container whose root is 100000
    only through a mount that maps 100000 on disk to 100000 (identity)."""
    src = data_dir(tmp_path)
    os.chown(src / "five", 100005, 100005)
    userns(bundle)
    ident = [{"containerID": 100000, "hostID": 100000, "size": 65536}]
    m = idmap_entry(src, ["bind", "idmap"], mappings=False)
    m["uidMappings"] = m["gidMappings"] = ident
    bundle.config["mounts"].append(m)
    bundle.sh(STAT).write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert owners(proc.stdout) == {"/data/root-owned": "65534:65534", "/data/five": "5:5"}
    assert "idmapped" in mount_options(proc.stdout, "/data")


@pytest.fixture
def held_userns():
    """A user namespace (0 -> 100000) held by a process outside any
    container, for a config that joins it by path."""
    holder = subprocess.Popen(["unshare", "-U", "sh", "-c", "echo ready; exec cat"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "ready\n"
        for f in ("uid_map", "gid_map"):
            with open(f"/proc/{holder.pid}/{f}", "w") as m:
                m.write("0 100000 65536\n")
        yield f"/proc/{holder.pid}/ns/user"
    finally:
        holder.kill()
        holder.wait()


def test_idmap_uses_a_joined_user_namespace(runtime, bundle, cid, tmp_path, held_userns):
    """Joining a user namespace by path, "idmap" without mappings uses
    that namespace's (runc's UserNSPath)."""
    src = data_dir(tmp_path)
    bundle.linux["namespaces"].append({"type": "user", "path": held_userns})
    bundle.config["mounts"].append(idmap_entry(src, ["rbind", "idmap"], mappings=False))
    bundle.sh(STAT + "; touch /data/made-inside").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert owners(proc.stdout) == {"/data/root-owned": "0:0", "/data/five": "5:5"}
    st = os.stat(src / "made-inside")
    assert (st.st_uid, st.st_gid) == (0, 0)


@pytest.fixture
def with_submount(tmp_path):
    """data/ with a tmpfs mounted at data/sub (the host's mount, removed after)."""
    src = data_dir(tmp_path)
    sub = src / "sub"
    sub.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0777", "tmpfs", str(sub)], check=True)
    try:
        (sub / "inner").write_text("x\n")
        yield src
    finally:
        subprocess.run(["umount", "-l", str(sub)], check=True)


@pytest.mark.parametrize("option, inner", [("ridmap", "100000:100000"), ("idmap", "0:0")])
def test_ridmap_maps_submounts_too(runtime, bundle, cid, with_submount, option, inner):
    """rbind of a tree with a submount: "ridmap" idmaps every mount of it,
    "idmap" only the top one."""
    bundle.config["mounts"].append(idmap_entry(with_submount, ["rbind", option]))
    bundle.sh("stat -c '%n %u:%g' /data/root-owned /data/sub/inner; cat /proc/self/mountinfo").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert owners(proc.stdout) == {"/data/root-owned": "100000:100000", "/data/sub/inner": inner}
    assert "idmapped" in mount_options(proc.stdout, "/data")
    assert ("idmapped" in mount_options(proc.stdout, "/data/sub")) == (option == "ridmap")


def test_features_report_idmap(runtime):
    f = json.loads(runtime("features", check=True).stdout)
    assert {"idmap", "ridmap"} <= set(f["mountOptions"])
    assert f["linux"]["mountExtensions"]["idmap"]["enabled"] is True


def _create_error(runtime, bundle, cid, entry, extra=None):
    bundle.config["mounts"].append(entry)
    if extra:
        extra(bundle)
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    return proc.stderr, len(bundle.config["mounts"]) - 1


def test_idmap_on_a_filesystem_without_support(runtime, bundle, cid):
    """sysfs has no idmapped mounts: the kernel's EINVAL, said plainly."""
    err, n = _create_error(runtime, bundle, cid, idmap_entry("/sys", ["bind", "idmap"]))
    assert f"mounts[{n}] (/data): idmap on /data: filesystem does not support idmapped mounts" in err


def test_idmap_only_for_bind_mounts(runtime, bundle, cid):
    entry = {"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"],
             "uidMappings": MAP, "gidMappings": MAP}
    err, n = _create_error(runtime, bundle, cid, entry)
    assert f"mounts[{n}]: idmapped mounts are only supported for bind mounts" in err


@pytest.mark.parametrize("given, missing", [("uidMappings", "gidMappings"), ("gidMappings", "uidMappings")])
def test_idmap_needs_both_maps(runtime, bundle, cid, tmp_path, given, missing):
    entry = {"destination": "/data", "type": "bind", "source": str(tmp_path), "options": ["bind"], given: MAP}
    err, n = _create_error(runtime, bundle, cid, entry)
    assert f"mounts[{n}].{missing}: required with {given}" in err


def test_idmap_without_mappings_needs_a_user_namespace(runtime, bundle, cid, tmp_path):
    err, n = _create_error(runtime, bundle, cid, idmap_entry(tmp_path, ["bind", "idmap"], mappings=False))
    assert f"mounts[{n}].uidMappings: idmap without mappings needs a user namespace" in err

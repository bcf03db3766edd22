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

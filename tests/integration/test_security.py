"""Security labels and hardening."""

import json
import os
import subprocess


def lsm_enabled(name):
    if name == "apparmor":
        try:
            with open("/sys/module/apparmor/parameters/enabled") as f:
                return f.read().startswith("Y")
        except OSError:
            return False
    return os.path.exists("/sys/fs/selinux/enforce")


def test_labels_without_lsm_only_warn(runtime, bundle, cid, tmp_path):
    if lsm_enabled("apparmor") or lsm_enabled("selinux"):
        import pytest
        pytest.skip("this host has an LSM enabled")
    bundle.process["apparmorProfile"] = "tinyrun-test"
    bundle.process["selinuxLabel"] = "system_u:system_r:container_t:s0"
    bundle.linux["mountLabel"] = "system_u:object_r:container_file_t:s0"
    bundle.sh("echo ran").write()
    log = tmp_path / "log"
    proc = runtime("--log", log, "run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "ran\n"
    text = log.read_text()
    assert "AppArmor is not enabled" in text and "SELinux is not enabled" in text

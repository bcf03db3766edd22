"""Where a container's cgroup files are, whatever the host's layout."""

import os

V2_ROOT = "/sys/fs/cgroup"


def is_unified():
    return os.path.exists(os.path.join(V2_ROOT, "cgroup.controllers"))


def v2_controllers():
    try:
        with open(os.path.join(V2_ROOT, "cgroup.controllers")) as f:
            return f.read().split()
    except OSError:
        return []


def systemd_path(path):
    """With TINYRUN_TEST_SYSTEMD=1 (tests/vm/run-systemd-tests) the default
    cgroup "/tinyrun/<id>" is the scope "/system.slice/tinyrun-<id>.scope"."""
    parts = path.strip("/").split("/")
    if os.environ.get("TINYRUN_TEST_SYSTEMD") == "1" and len(parts) == 2 and parts[0] == "tinyrun":
        return f"/system.slice/tinyrun-{parts[1]}.scope"
    return path


def v1_dir(controller, path):
    return os.path.join(V2_ROOT, controller, systemd_path(path).lstrip("/"))


def v2_dir(path):
    return os.path.join(V2_ROOT, systemd_path(path).lstrip("/"))


def read(path):
    with open(path) as f:
        return f.read().strip()


def memory_limit(path):
    """The container's memory limit as the kernel has it (bytes or 'max')."""
    if is_unified():
        return read(os.path.join(v2_dir(path), "memory.max"))
    return read(os.path.join(v1_dir("memory", path), "memory.limit_in_bytes"))


def pids_limit(path):
    d = v2_dir(path) if is_unified() else v1_dir("pids", path)
    return read(os.path.join(d, "pids.max"))


def cpu_quota(path):
    if is_unified():
        return read(os.path.join(v2_dir(path), "cpu.max")).split()[0]
    return read(os.path.join(v1_dir("cpu", path), "cpu.cfs_quota_us"))

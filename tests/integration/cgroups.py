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


def v1_dir(controller, path):
    return os.path.join(V2_ROOT, controller, path.lstrip("/"))


def v2_dir(path):
    return os.path.join(V2_ROOT, path.lstrip("/"))


def read(path):
    with open(path) as f:
        return f.read().strip()

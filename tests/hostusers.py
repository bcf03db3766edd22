"""Helpers shared by the suites that run tinyrun or an engine as an
ordinary user the test makes and removes (tests/integration/test_rootless.py,
tests/engines/test_podman_rootless.py, tests/vm/test_systemd_user.py), and
by every suite that installs what it needs.  A module imports it after
putting tests/ on sys.path."""

import os
import subprocess


# What the podman fixture (tests/engines/conftest.py) needs; also installed
# on the host before the checkpoint VM boots (tests/vm/run-checkpoint-tests).
PODMAN_PACKAGES = ("podman", "conmon", "containernetworking-plugins", "catatonit", "util-linux", "nftables",
                   "iptables")


def ensure_packages(*packages):
    """Install the Debian packages that are missing; False if apt cannot."""
    missing = [p for p in packages
               if subprocess.run(["dpkg-query", "-W", "-f=${Status}", p], capture_output=True,
                                 text=True).stdout != "install ok installed"]
    if not missing:
        return True
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends"] + missing
    if subprocess.run(cmd, capture_output=True, env=env).returncode == 0:
        return True
    subprocess.run(["apt-get", "update", "-q"], capture_output=True)
    return subprocess.run(cmd, capture_output=True, env=env).returncode == 0


def processes_of(uid):
    """The pids of the processes that uid owns."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    pids.append(int(entry))
            except OSError:
                pass
    return pids


def subid_entries(path, name):
    """The lines of /etc/subuid or /etc/subgid (path) for user name."""
    try:
        with open(path) as f:
            return [line for line in f.read().splitlines() if line.split(":")[0] == name]
    except FileNotFoundError:
        return []

"""What `start` and `delete`, on every engine's hot path, leave out: the
saved config.json is read only when it has hooks for them (create records
"poststartHooks" and "poststopHooks" in state.json)."""

import json
import os

import pytest

from conftest import SYSTEMD_CGROUP, traced
from test_namespaces import userns_bundle


def opened(runtime, tmp_path, *args):
    """The files the command opened (strace), and its result."""
    lines, proc = traced(runtime, tmp_path / "strace.log", "trace=openat,openat2", *args)
    return "\n".join(lines), proc


def cgroup_mounts():
    """The mount points of the cgroup v1 hierarchies and of cgroup2."""
    v1, v2 = [], []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            before, after = line.split(" - ", 1)
            kind = after.split()[0]
            if kind in ("cgroup", "cgroup2"):
                (v1 if kind == "cgroup" else v2).append(before.split()[4])
    return v1, v2


def saved_config_read(trace):
    return any('"config.json"' in line or "/config.json" in line for line in trace.splitlines())


def test_start_and_delete_do_not_read_the_saved_config_without_hooks(runtime, bundle, cid, tmp_path):
    bundle.sh("true").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    with open(os.path.join(runtime.root, cid, "state.json")) as f:
        state = json.load(f)
    assert state["poststartHooks"] is False and state["poststopHooks"] is False
    trace, proc = opened(runtime, tmp_path, "start", cid)
    assert proc.returncode == 0, proc.stderr
    assert not saved_config_read(trace), trace
    trace, proc = opened(runtime, tmp_path, "delete", "--force", cid)
    assert proc.returncode == 0, proc.stderr
    assert not saved_config_read(trace), trace


def test_start_reads_the_saved_config_for_its_poststart_hook(runtime, bundle, cid, tmp_path):
    mark = tmp_path / "poststart"
    bundle.config["hooks"] = {"poststart": [{"path": "/bin/sh", "args": ["sh", "-c", f"echo ran > {mark}"]}]}
    bundle.sh("sleep 300").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    with open(os.path.join(runtime.root, cid, "state.json")) as f:
        assert json.load(f)["poststartHooks"] is True
    trace, proc = opened(runtime, tmp_path, "start", cid)
    assert proc.returncode == 0, proc.stderr
    assert saved_config_read(trace)
    assert mark.read_text() == "ran\n"
    runtime("delete", "--force", cid, check=True)


def test_start_of_a_config_without_process_still_fails_in_one_line(runtime, bundle, cid):
    del bundle.config["process"]
    bundle.write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    with open(os.path.join(runtime.root, cid, "state.json")) as f:
        assert json.load(f)["poststartHooks"] is True  # start must read the config
    proc = runtime("start", cid)
    assert proc.returncode == 1
    assert "config.json has no process" in proc.stderr
    runtime("delete", "--force", cid, check=True)


def helper_task(lines):
    """The pid the runtime's clone of its netns helper returned, from a
    trace with trace=clone: the call's own line, or where strace shows it
    resumed (the task may print first)."""
    calls = [(i, l) for i, l in enumerate(lines) if "clone(" in l and "CLONE_VM|CLONE_FILES" in l]
    assert len(calls) == 1 and "CLONE_THREAD" not in calls[0][1], "\n".join(lines)
    i, line = calls[0]
    if "<unfinished ...>" in line:
        caller = line.split()[0]
        line = next(l for l in lines[i + 1:] if l.split()[0] == caller and "<... clone resumed>" in l)
    return line.rstrip().rsplit("= ", 1)[1]


def test_the_new_network_namespace_is_made_ahead_by_a_helper_task(runtime, bundle, cid, tmp_path):
    """linux/netns_ahead.h: as root without a new user namespace, a helper
    task of the runtime (clone with CLONE_VM | CLONE_FILES, not a thread)
    makes the container's network namespace while the runtime records,
    makes cgroups and clones the init, which joins it once the runtime has
    passed it on; clone3 no longer makes it.  The container still gets a
    namespace of its own, lo up, and the task brought it up (the init does
    not do it a second time)."""
    bundle.sh("readlink /proc/self/ns/net; cat /sys/class/net/lo/flags").write()
    lines, proc = traced(runtime, tmp_path / "strace.log", "trace=clone,clone3,unshare,setns,ioctl", "run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    inode, flags = proc.stdout.split()
    assert inode != os.readlink("/proc/self/ns/net")
    assert int(flags, 16) & 1, "lo is not up"
    init_clone = [l for l in lines if "clone3(" in l and "CLONE_NEWPID" in l]
    assert len(init_clone) == 1 and "CLONE_NEWNET" not in init_clone[0], "\n".join(lines)
    task = helper_task(lines)
    assert any(l.split()[0] == task and "unshare(CLONE_NEWNET" in l for l in lines), "\n".join(lines)
    assert any("setns(" in l and "CLONE_NEWNET" in l for l in lines), "\n".join(lines)
    lo_up = [l for l in lines if "SIOCSIFFLAGS" in l]
    assert len(lo_up) == 1 and lo_up[0].split()[0] == task, "\n".join(lines)


def test_the_network_namespace_task_is_kept_off_the_runtimes_cpu(runtime, bundle, cid, tmp_path):
    """linux/netns_ahead.c: a scheduler that packs a VM's tasks onto few
    vCPUs queued the helper behind the runtime, which made the namespace in
    series; the runtime gives it an affinity that leaves out its own CPU."""
    cpus = os.sched_getaffinity(0)
    if len(cpus) < 2:
        pytest.skip("one CPU: nowhere else to run")
    bundle.sh("true").write()
    lines, proc = traced(runtime, tmp_path / "strace.log", "trace=clone,sched_setaffinity", "run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    task = helper_task(lines)
    pinned = [l for l in lines if f"sched_setaffinity({task}," in l]
    assert len(pinned) == 1, "\n".join(lines)
    mask = pinned[0].split("[", 1)[1].split("]", 1)[0].split()
    assert mask and len(mask) < len(cpus), pinned[0]


def test_the_init_holds_no_thread_of_the_runtimes_glibc(runtime, bundle, cid, tmp_path):
    """The init is cloned while the helper may still be at work: were the
    helper a glibc thread, the init would hang in setgroups() (glibc
    broadcasts set*id() to every thread it lists).  A user with
    additional groups makes the init call it."""
    bundle.process["user"] = {"uid": 0, "gid": 0, "additionalGids": [5, 6]}
    bundle.sh("id -G").write()
    proc = runtime("run", "--bundle", bundle.path, cid, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["0", "5", "6"]


def test_cgroup_paths_are_walked_from_one_fd_of_the_cgroup_root(runtime, bundle, cid, tmp_path):
    """cgroup/root_fd.h: a walk through /sys takes sysfs's lock, which the
    kernel holds while it makes (the thread's network namespace) and tears
    down (after the container's exit) a namespace's lo: `run` opens
    /sys/fs/cgroup once and reaches every cgroup from that fd."""
    bundle.sh("true").write()
    lines, proc = traced(runtime, tmp_path / "strace.log", "trace=%file,%desc", "run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    by_path = [l for l in lines if '"/sys/fs/cgroup' in l]
    assert len(by_path) == 1 and '"/sys/fs/cgroup",' in by_path[0], "\n".join(by_path)
    assert any("mkdirat(" in l and "tinyrun/" in l for l in lines), "\n".join(lines)


def test_no_lsm_probe_without_a_label(runtime, bundle, cid, tmp_path):
    """linux/lsm.h: the host's LSMs are looked at only for a requested
    label (three lookups of every create otherwise)."""
    bundle.sh("true").write()
    lines, proc = traced(runtime, tmp_path / "strace.log", "trace=%file", "run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    probes = [l for l in lines if "/sys/kernel/security" in l or "/sys/module/apparmor" in l or "/sys/fs/selinux" in l]
    assert probes == [], "\n".join(probes)


def test_cgroup_levels_below_an_existing_parent_take_one_mkdir(runtime, bundle, cid, tmp_path):
    """cgroup/util.c: the deepest level is made first; only where its parent
    is missing are the levels made from the top (here "tinyrun" exists:
    one mkdir per v1 hierarchy, none of them EEXIST)."""
    bundle.sh("true").write()
    runtime("run", "--bundle", bundle.path, cid + "-first", check=True)  # makes the parents
    lines, proc = traced(runtime, tmp_path / "strace.log", "trace=mkdir,mkdirat", "run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    cgroup = [l for l in lines if "cgroup" in l or "tinyrun/" in l]
    assert cgroup and not [l for l in cgroup if "EEXIST" in l], "\n".join(cgroup)


def test_oom_kills_are_counted_only_under_a_memory_limit(runtime, bundle, cid, tmp_path):
    """create reads the OOM kill counter before the clone only to explain a
    death under linux.resources.memory.limit."""
    bundle.sh("true").write()
    lines, proc = traced(runtime, tmp_path / "strace.log", "trace=openat", "run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert not [l for l in lines if "oom_control" in l or '"memory.events' in l], "\n".join(lines)


def test_a_network_namespace_with_a_new_user_namespace_still_comes_from_clone(runtime, bundle, cid, tmp_path):
    """Owned by the container's user namespace, it cannot be made ahead."""
    userns_bundle(bundle)
    bundle.sh("true").write()
    lines, proc = traced(runtime, tmp_path / "strace.log", "trace=clone3,unshare", "run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert not any("unshare(CLONE_NEWNET)" in l for l in lines), "\n".join(lines)
    assert any("CLONE_NEWNET" in l for l in lines if "clone3(" in l), "\n".join(lines)


def test_signal_dispositions_are_reset_before_start_releases_the_init(runtime, bundle, cid, tmp_path):
    """process_reset_dispositions (init/process.h) runs while the runtime
    records the container: after `start` releases the init (its poll on
    exec.fifo), only SIGPIPE's disposition is still to reset."""
    bundle.set_args("/bin/true").write()
    lines, proc = traced(runtime, tmp_path / "strace.log", "trace=poll,rt_sigaction,execve", "run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    init = next(l.split()[0] for l in lines if 'execve("/bin/true"' in l)
    mine = [l for l in lines if l.split()[0] == init]
    last_poll = max(i for i, l in enumerate(mine) if "poll(" in l)
    after = [l for l in mine[last_poll:] if "rt_sigaction(" in l]
    assert len(after) == 1 and "SIGPIPE" in after[0], "\n".join(mine[last_poll:])
    assert sum("rt_sigaction(" in l for l in mine[:last_poll]) >= 50


def test_run_in_the_foreground_does_not_wait_for_the_exec(runtime, bundle, cid, tmp_path):
    """Without poststart hooks, `run` releases the init and goes straight to
    waiting for its exit: no poll for the fifo's POLLERR and no ptrace
    attach (`start` on its own still waits for the exec)."""
    bundle.set_args("/bin/true").write()
    lines, proc = traced(runtime, tmp_path / "strace.log", "trace=poll,ptrace,execve", "run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    runtime_pid = lines[0].split()[0]  # its own execve
    mine = [l for l in lines if l.split()[0] == runtime_pid]
    assert not any("ptrace(" in l for l in mine), "\n".join(mine)
    assert not any("poll(" in l and "events=0}" in l for l in mine), "\n".join(mine)


def test_default_device_nodes_take_one_lookup_of_dev_and_no_chmod(runtime, bundle, cid, tmp_path):
    """linux/devices.c: /dev is resolved and reopened once for its six
    nodes, mknod (under umask 0) gives them their mode, so there is no
    chmod after it; they are still checked, and still 0666."""
    bundle.sh("stat -c '%a %t:%T' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty").write()
    lines, proc = traced(runtime, tmp_path / "strace.log", "trace=mknodat,fchmodat,openat",
                         "run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:6] == ["666 1:3", "666 1:5", "666 1:7", "666 1:8", "666 1:9", "666 5:0"]
    mknods = [l for l in lines if "mknodat(" in l and "S_IFCHR" in l]
    assert len(mknods) == 6, "\n".join(lines)
    assert not any("fchmodat(" in l for l in lines), "\n".join(lines)
    reopened = [l for l in lines if 'openat(AT_FDCWD, "/proc/self/fd/' in l and "O_DIRECTORY" in l]
    assert len(reopened) == 1, "\n".join(lines)


def test_cgroup_planning_asks_each_hierarchy_only_about_deeper_levels(runtime, bundle, cid, tmp_path):
    """cgroup_planned_top: once one hierarchy has shown that the parent
    level exists, the others are asked only about the container's own
    level; each v1 level is made by its path (no open per level) but in
    cpuset, whose levels need cpus and mems copied."""
    v1, v2 = cgroup_mounts()
    if len(v1) < 2 or SYSTEMD_CGROUP:
        pytest.skip("needs cgroup v1 hierarchies and the cgroupfs driver")
    bundle.set_args("/bin/true").write()
    runtime("run", "--bundle", bundle.path, cid + "-first", check=True)  # /tinyrun exists now
    lines, proc = traced(runtime, tmp_path / "strace.log", "trace=newfstatat,mkdir,mkdirat",
                         "run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    # before the first mkdir: two levels looked at in the first hierarchy,
    # one in each other (paths relative to the cgroup root's fd,
    # cgroup/root_fd.h)
    hierarchies = [m.split("/sys/fs/cgroup/", 1)[1] for m in v1 + v2]
    def below_root(line):
        return any(f'"{h}/' in line for h in hierarchies)
    first_mkdir = next(i for i, l in enumerate(lines) if "mkdirat(" in l and below_root(l))
    planning = [l for l in lines[:first_mkdir] if "newfstatat(" in l and below_root(l)]
    assert len(planning) == len(v1) + len(v2) + 1, "\n".join(planning)
    # the container's level only (its parent exists): one mkdir, by its
    # path, in every hierarchy but cpuset
    by_path = [l for l in lines if "mkdirat(" in l and below_root(l)]
    assert len(by_path) == len(v1) - 1 and not [l for l in by_path if "EEXIST" in l], "\n".join(lines)

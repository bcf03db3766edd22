"""What `start` and `delete`, on every engine's hot path, leave out: the
saved config.json is read only when it has hooks for them (create records
"poststartHooks" and "poststopHooks" in state.json)."""

import json
import os

from conftest import traced
from test_namespaces import userns_bundle


def opened(runtime, tmp_path, *args):
    """The files the command opened (strace), and its result."""
    lines, proc = traced(runtime, tmp_path / "strace.log", "trace=openat,openat2", *args)
    return "\n".join(lines), proc


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


def test_the_new_network_namespace_is_made_ahead_by_a_thread(runtime, bundle, cid, tmp_path):
    """linux/netns_ahead.h: as root without a new user namespace, a thread of
    the runtime makes the container's network namespace while the runtime
    records and makes cgroups, and the init joins it; clone3 no longer
    makes it.  The container still gets a namespace of its own, lo up, and
    the thread brought it up (the init does not do it a second time)."""
    bundle.sh("readlink /proc/self/ns/net; cat /sys/class/net/lo/flags").write()
    lines, proc = traced(runtime, tmp_path / "strace.log", "trace=clone3,unshare,setns,ioctl", "run", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    inode, flags = proc.stdout.split()
    assert inode != os.readlink("/proc/self/ns/net")
    assert int(flags, 16) & 1, "lo is not up"
    init_clone = [l for l in lines if "clone3(" in l and "CLONE_NEWPID" in l]
    assert len(init_clone) == 1 and "CLONE_NEWNET" not in init_clone[0], "\n".join(lines)
    assert any("unshare(CLONE_NEWNET)" in l for l in lines), "\n".join(lines)
    assert any("setns(" in l and "CLONE_NEWNET" in l for l in lines), "\n".join(lines)
    thread = {l.split()[0] for l in lines if "unshare(CLONE_NEWNET)" in l}
    lo_up = [l for l in lines if "SIOCSIFFLAGS" in l]
    assert len(lo_up) == 1 and lo_up[0].split()[0] in thread, "\n".join(lines)


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

"""Warnings logged inside the container's processes reach the runtime's
logger over the sync channel (SYNC_WARNING), never the container's own
terminal.  The test machines lack CAP_SYS_RESOURCE in their bounding set,
so asking for it makes the child warn (see DEVELOPERS.md)."""

from console import ConsoleSocket

WARNING = "capability cap_sys_resource is not in the host's bounding set: dropped"


def host_has_sys_resource():
    with open("/proc/self/status") as f:
        bnd = [l for l in f if l.startswith("CapBnd:")][0].split()[1]
    return int(bnd, 16) & (1 << 24) != 0


def start(runtime, bundle, cid):
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)


def exec_on_tty(runtime, cid, tmp_path, *log_args):
    console = ConsoleSocket(tmp_path / "c.sock")
    try:
        proc = runtime(*log_args, "exec", "-t", "-d", "--console-socket", console.path, "--cap", "CAP_SYS_RESOURCE",
                       cid, "sh", "-c", "echo done; sleep 1", check=True)
        console.wait_master()
        return proc, console.read_until("done")
    finally:
        console.close()


def test_exec_warning_goes_to_the_runtime_not_the_terminal(runtime, bundle, cid, tmp_path):
    if host_has_sys_resource():
        import pytest
        pytest.skip("this host has CAP_SYS_RESOURCE in its bounding set")
    start(runtime, bundle, cid)
    proc, terminal = exec_on_tty(runtime, cid, tmp_path)
    assert "done" in terminal
    assert "bounding set" not in terminal
    assert WARNING in proc.stderr
    runtime("delete", "--force", cid, check=True)


def test_exec_warning_goes_to_the_log_file(runtime, bundle, cid, tmp_path):
    if host_has_sys_resource():
        import pytest
        pytest.skip("this host has CAP_SYS_RESOURCE in its bounding set")
    start(runtime, bundle, cid)
    log = tmp_path / "log.json"
    proc, terminal = exec_on_tty(runtime, cid, tmp_path, "--log", log, "--log-format", "json")
    assert "bounding set" not in terminal and "bounding set" not in proc.stderr
    lines = [l for l in log.read_text().splitlines() if "bounding set" in l]
    assert lines and lines[0].startswith('{"level":"warning","msg":"' + WARNING)
    runtime("delete", "--force", cid, check=True)


def test_create_warns_once_on_its_own_stderr_not_on_the_terminal(runtime, bundle, cid, tmp_path):
    """The capability the host lacks is named once by `create` itself (in
    every set it is listed in), and the container's terminal stays clean
    when `start` lets the init drop it."""
    if host_has_sys_resource():
        import pytest
        pytest.skip("this host has CAP_SYS_RESOURCE in its bounding set")
    caps = bundle.process["capabilities"]
    for s in ("bounding", "effective", "permitted"):
        caps[s] = caps.get(s, []) + ["CAP_SYS_RESOURCE"]
    bundle.process["terminal"] = True
    bundle.sh("echo done; sleep 1").write()
    console = ConsoleSocket(tmp_path / "c.sock")
    try:
        proc = runtime("create", "--bundle", bundle.path, "--console-socket", console.path, cid, check=True)
        console.wait_master()
        runtime("start", cid, check=True)
        terminal = console.read_until("done")
    finally:
        console.close()
    assert proc.stderr.count(WARNING) == 1, proc.stderr
    assert "bounding set" not in terminal
    runtime("delete", "--force", cid, check=True)

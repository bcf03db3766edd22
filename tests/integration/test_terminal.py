"""process.terminal: --console-socket, consoleSize, and `run` relaying a
terminal itself."""

import os
import shutil
import subprocess

import pytest

from console import ConsoleSocket


def test_console_socket_receives_pty(runtime, bundle, cid, tmp_path):
    bundle.process["terminal"] = True
    bundle.process["consoleSize"] = {"height": 33, "width": 111}
    bundle.sh("tty; stty size; echo ready; read x; echo got:$x").write()
    console = ConsoleSocket(tmp_path / "console.sock")
    try:
        runtime("create", "--bundle", bundle.path, "--console-socket", console.path, cid, check=True)
        master = console.wait_master()
        runtime("start", cid, check=True)
        out = console.read_until("ready")
        assert "/dev/pts/0" in out
        assert "33 111" in out
        os.write(master, b"hello\n")
        out = console.read_until("got:hello")
        assert "got:hello" in out
        runtime.wait_status(cid, "stopped")
    finally:
        console.close()
    runtime("delete", cid, check=True)


def test_console_is_the_controlling_terminal(runtime, bundle, cid, tmp_path):
    bundle.process["terminal"] = True
    bundle.sh("ls -l /proc/self/fd/0; stat -c %t:%T /dev/console; cat /proc/self/stat | cut -d' ' -f7; echo done").write()
    console = ConsoleSocket(tmp_path / "console.sock")
    try:
        runtime("run", "-d", "--bundle", bundle.path, "--console-socket", console.path, cid, check=True)
        console.wait_master()
        out = console.read_until("done")
        assert "/dev/pts/0" in out
        # /dev/console is the pty slave (major 136 = 0x88)
        assert "88:0" in out
        tty_nr = [l for l in out.splitlines() if l.strip().isdigit()]
        assert tty_nr and tty_nr[0].strip() != "0"
    finally:
        console.close()
    runtime("delete", "--force", cid, check=True)


def test_terminal_requires_console_socket_for_create(runtime, bundle, cid):
    bundle.process["terminal"] = True
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert "process.terminal: a terminal needs --console-socket" in proc.stderr


def test_console_socket_without_terminal_is_refused(runtime, bundle, cid, tmp_path):
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, "--console-socket", tmp_path / "x.sock", cid)
    assert proc.returncode == 1
    assert "--console-socket: only valid with process.terminal" in proc.stderr


@pytest.mark.skipif(shutil.which("script") is None, reason="util-linux script(1) missing")
def test_run_relays_the_terminal(runtime, bundle, cid):
    """tinyrun run -t without a console socket relays the pty itself."""
    bundle.process["terminal"] = True
    bundle.sh("tty; read x; echo got:$x; exit 5").write()
    cmd = " ".join(runtime.cmd("run", "--bundle", bundle.path, cid))
    proc = subprocess.run(["script", "-qec", cmd, "/dev/null"], input="abc\n", capture_output=True,
                          text=True, timeout=30)
    assert "/dev/pts/0" in proc.stdout
    assert "got:abc" in proc.stdout
    assert proc.returncode == 5

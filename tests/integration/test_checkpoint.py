"""checkpoint and restore with criu (Debian's criu 3.17.1).

criu 3.17.1 cannot initialise on Linux 6.13 and later (the [vvar_vclock]
mapping, criu issue #2532): on such a host only the errors are tested,
including the one that says so.  The real round trips run where `criu
check` passes, e.g. in the VM with Debian's kernel:

    tests/vm/run-checkpoint-tests
"""

import json
import os
import subprocess

import pytest

from conftest import SYSTEMD_CGROUP, one_line_failure
from console import ConsoleSocket
from procwait import wait_for

COUNTER = "i=0; while true; do i=$((i+1)); echo $i > /tmp/count; usleep 100000; done"


def criu_check():
    """(works, why not) for this machine's criu."""
    try:
        proc = subprocess.run(["criu", "check"], capture_output=True, text=True, timeout=60,
                              env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    except FileNotFoundError:
        return False, "criu is not installed"
    if proc.returncode == 0:
        return True, ""
    errors = [line for line in proc.stderr.splitlines() if "Error" in line]
    return False, "criu check fails here: " + " ".join(errors[-2:])


CRIU_WORKS, CRIU_WHY_NOT = criu_check()
needs_criu = pytest.mark.skipif(not CRIU_WORKS, reason=CRIU_WHY_NOT)


def vvar_vclock():
    with open("/proc/self/maps") as f:
        return "[vvar_vclock]" in f.read()


def fake_criu(tmp_path, script):
    """A criu that runs script (sh) after finding its --work-dir and
    --log-file; every argument goes to argv.txt."""
    path = tmp_path / "fake-criu"
    path.write_text("#!/bin/sh\n"
                    f"printf '%s\\n' \"$@\" > {tmp_path}/argv.txt\n"
                    "while [ $# -gt 0 ]; do case $1 in\n"
                    "  --work-dir) W=$2; shift;; --log-file) L=$2; shift;; esac; shift; done\n"
                    "LOG=$W/$L\n" + script + "\n")
    path.chmod(0o755)
    return str(path)


class Pipes:
    """Three pipes as a container's stdin, stdout and stderr (criu cannot
    dump fds of host files, and restores pipes by --inherit-fd)."""

    def __init__(self):
        self.pairs = [os.pipe() for _ in range(3)]

    def child_fds(self):
        return dict(stdin=self.pairs[0][0], stdout=self.pairs[1][1], stderr=self.pairs[2][1])

    def close(self):
        for r, w in self.pairs:
            os.close(r)
            os.close(w)


def run_with_pipes(runtime, *args):
    """Exit status of tinyrun with pipes as its stdio; what it wrote to
    stderr is shown when it fails."""
    pipes = Pipes()
    try:
        proc = subprocess.run(runtime.cmd(*args), **pipes.child_fds(), timeout=600)
        if proc.returncode:
            os.set_blocking(pipes.pairs[2][0], False)
            try:
                print(os.read(pipes.pairs[2][0], 65536).decode(errors="replace"))
            except BlockingIOError:
                pass
    finally:
        pipes.close()
    return proc.returncode


def count(pid):
    with open(f"/proc/{pid}/root/tmp/count") as f:
        text = f.read().strip()
    return int(text) if text else 0


def keeps_counting(pid):
    """The counter in pid's container goes on (polled): its value before."""
    before = count(pid)
    wait_for(lambda: count(pid) > before, timeout=60)
    return before


def start_counter(runtime, bundle, cid):
    bundle.sh(COUNTER).write()
    assert run_with_pipes(runtime, "run", "-d", "--bundle", bundle.path, cid) == 0
    pid = runtime.state(cid)["pid"]
    wait_for(lambda: os.path.exists(f"/proc/{pid}/root/tmp/count") and count(pid) >= 3, timeout=60)
    return pid


def tinyrun(runtime, *args):
    return subprocess.run([runtime.cmd()[0], "--root", runtime.root] + [str(a) for a in args],
                          capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)


# ---- errors (any host) ---------------------------------------------------

def test_checkpoint_without_criu_says_so(runtime, bundle, cid, tmp_path):
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    proc = tinyrun(runtime, "--criu", tmp_path / "no-criu", "checkpoint", "--image-path", tmp_path / "img", cid)
    one_line_failure(proc, f"checkpoint {cid}: ", "no-criu: not found", "criu package")
    assert runtime.state(cid)["status"] == "running"
    runtime("delete", "--force", cid, check=True)


def test_checkpoint_failure_shows_the_log_tail(runtime, bundle, cid, tmp_path):
    criu = fake_criu(tmp_path, "echo '(00.01) Error (criu/a.c:1): first' >> $LOG\n"
                               "echo '(00.02) Error (criu/b.c:2): the reason' >> $LOG\nexit 1")
    bundle.sh("sleep 300").write()
    bundle.config["mounts"].append({"destination": "/mnt", "type": "bind", "source": str(tmp_path),
                                    "options": ["rbind"]})
    bundle.write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    proc = tinyrun(runtime, "--criu", criu, "checkpoint", "--image-path", tmp_path / "img", "--work-path",
                   tmp_path / "work", "--tcp-established", "--leave-running", cid)
    one_line_failure(proc, f"checkpoint {cid}: criu dump (log {tmp_path}/work/dump.log): ",
                     "exit status 1", "Error (criu/a.c:1): first; Error (criu/b.c:2): the reason")
    argv = (tmp_path / "argv.txt").read_text().split("\n")
    st = runtime.state(cid)
    assert argv[0] == "dump"
    assert argv[argv.index("--tree") + 1] == str(st["pid"])
    assert argv[argv.index("--images-dir") + 1] == str(tmp_path / "img")
    assert "--tcp-established" in argv and "--leave-running" in argv
    assert "mnt[/mnt]:/mnt" in argv
    # The failed dump left the container running.
    assert st["status"] == "running"
    descriptors = json.loads((tmp_path / "img" / "descriptors.json").read_text())
    assert descriptors[0] == "/dev/null"
    runtime("delete", "--force", cid, check=True)


def test_the_vdso_error_is_quoted_first_wherever_it_is_in_the_log(runtime, bundle, cid, tmp_path):
    """criu's complaint about this kernel's vDSO is the cause even when
    other errors come before it and more after it than the tail holds."""
    lines = ["(00.01) Error (criu/a.c:1): an earlier one",
             "(00.02) Error (criu/vdso.c:2): vdso: Unexpected rt vDSO area bounds"]
    lines += [f"(00.0{i}) Error (criu/c.c:{i}): later {i}" for i in range(3, 8)]
    criu = fake_criu(tmp_path, "".join(f"echo '{line}' >> $LOG\n" for line in lines) + "exit 1")
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    proc = tinyrun(runtime, "--criu", criu, "checkpoint", "--image-path", tmp_path / "img", cid)
    line = one_line_failure(proc, f"checkpoint {cid}: criu dump",
                            "exit status 1): Error (criu/vdso.c:2): vdso: Unexpected rt vDSO area bounds; "
                            "Error (criu/a.c:1): an earlier one; ...; Error (criu/c.c:6): later 6; "
                            "Error (criu/c.c:7): later 7")
    if vvar_vclock():
        assert line.endswith("criu cannot checkpoint or restore on this kernel"), line
    runtime("delete", "--force", cid, check=True)


def test_criu_runs_with_a_clean_environment_and_no_runtime_fd(runtime, bundle, cid, tmp_path):
    """criu runs as root over the container: it gets no environment of
    tinyrun's caller (only PATH and LANG) and no fd but stdio, whatever the
    caller had open (here a variable and an fd on the host's /etc)."""
    criu = fake_criu(tmp_path, f"env > {tmp_path}/env; ls /proc/self/fd > {tmp_path}/fds; exit 1")
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    host_dir = os.open("/etc", os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.set_inheritable(host_dir, True)
        proc = subprocess.run([runtime.cmd()[0], "--root", runtime.root, "--criu", criu, "checkpoint",
                               "--image-path", str(tmp_path / "img"), cid], capture_output=True, text=True,
                              timeout=600, stdin=subprocess.DEVNULL, close_fds=False,
                              env=dict(os.environ, LD_PRELOAD_NOT="x", TINYRUN_SECRET="s3cret"))
    finally:
        os.close(host_dir)
    assert proc.returncode == 1
    names = {line.split("=", 1)[0] for line in (tmp_path / "env").read_text().splitlines() if "=" in line}
    assert names <= {"PATH", "LANG", "PWD", "SHLVL", "_", "OLDPWD"}, names  # the last four: sh's own
    assert "TINYRUN_SECRET" not in names
    # ls's own directory fd is the one above stdio.
    assert sorted(map(int, (tmp_path / "fds").read_text().split())) == [0, 1, 2, 3]
    assert runtime.state(cid)["status"] == "running"
    runtime("delete", "--force", cid, check=True)


def test_restore_failure_leaves_nothing(runtime, bundle, cid, tmp_path):
    criu = fake_criu(tmp_path, "echo '(00.01) Error (criu/cr-restore.c:9): no luck' >> $LOG\nexit 1")
    bundle.sh("sleep 300").write()
    img = tmp_path / "img"
    img.mkdir()
    (img / "descriptors.json").write_text('["pipe:[11]","pipe:[12]","/dev/null"]')
    proc = tinyrun(runtime, "--criu", criu, "restore", "--detach", "--bundle", bundle.path, "--image-path", img, cid)
    one_line_failure(proc, f"restore {cid}: criu restore", "Error (criu/cr-restore.c:9): no luck")
    argv = (tmp_path / "argv.txt").read_text().split("\n")
    assert argv[0] == "restore"
    assert "--restore-detached" in argv and "--restore-sibling" in argv
    assert "fd[0]:pipe:[11]" in argv and "fd[1]:pipe:[12]" in argv
    assert argv[argv.index("--cgroup-root") + 1].endswith(cid)
    assert tinyrun(runtime, "state", cid).returncode == 1
    assert not os.path.exists(os.path.join(runtime.root, cid))


def test_checkpoint_of_a_stopped_container_is_refused(runtime, bundle, cid, tmp_path):
    bundle.sh("true").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    proc = tinyrun(runtime, "checkpoint", "--image-path", tmp_path / "img", cid)
    one_line_failure(proc, f"checkpoint {cid}: container is created, not running")
    runtime("delete", "--force", cid, check=True)


def test_restore_refuses_a_terminal_without_console_socket_and_an_existing_id(runtime, bundle, cid, tmp_path):
    bundle.process["terminal"] = True
    bundle.sh("sleep 300").write()
    (tmp_path / "img").mkdir()
    proc = tinyrun(runtime, "restore", "-d", "--bundle", bundle.path, "--image-path", tmp_path / "img", cid)
    one_line_failure(proc, f"restore {cid}: process.terminal: a terminal needs --console-socket")
    bundle.process["terminal"] = False
    bundle.write()
    proc = tinyrun(runtime, "restore", "-d", "--bundle", bundle.path, "--image-path", tmp_path / "img",
                   "--console-socket", tmp_path / "c.sock", cid)
    one_line_failure(proc, f"restore {cid}: --console-socket: only valid with process.terminal set to true")
    runtime("create", "--bundle", bundle.path, cid, check=True)
    proc = tinyrun(runtime, "restore", "-d", "--bundle", bundle.path, "--image-path", tmp_path / "img", cid)
    one_line_failure(proc, f"restore {cid}: container \"{cid}\" already exists")
    assert runtime.state(cid)["status"] == "created"
    runtime("delete", "--force", cid, check=True)


def test_checkpoint_of_a_terminal_makes_its_pty_external(runtime, bundle, cid, tmp_path):
    """criu is told that the init's pty (its master is the console
    socket's) and /dev/console are outside the tree; tty.info keeps the
    pty's name for restore."""
    criu = fake_criu(tmp_path, "exit 1")
    bundle.process["terminal"] = True
    bundle.sh("sleep 300").write()
    console = ConsoleSocket(tmp_path / "c.sock")
    try:
        runtime("run", "-d", "--bundle", bundle.path, "--console-socket", console.path, cid, check=True)
        console.wait_master()
        pid = runtime.state(cid)["pid"]
        proc = tinyrun(runtime, "--criu", criu, "checkpoint", "--image-path", tmp_path / "img", cid)
        one_line_failure(proc, f"checkpoint {cid}: criu dump", "exit status 1")
        pts = os.stat(f"/proc/{pid}/fd/0")
        name = f"tty[{pts.st_rdev:x}:{pts.st_dev:x}]"
        argv = (tmp_path / "argv.txt").read_text().split("\n")
        assert argv[argv.index(name) - 1] == "--external", argv
        assert "mnt[/dev/console]:/dev/console" in argv
        assert (tmp_path / "img" / "tty.info").read_text() == name
        assert runtime.state(cid)["status"] == "running"
    finally:
        console.close()
    runtime("delete", "--force", cid, check=True)


def test_restore_of_a_terminal_gives_criu_a_new_pty(runtime, bundle, cid, tmp_path):
    """The new pty's slave stands for the checkpointed one (--inherit-fd,
    an fd criu has) and is bound on /dev/console; a failed restore sends
    no master and leaves nothing."""
    criu = fake_criu(tmp_path, f"for f in /proc/self/fd/*; do echo $f $(readlink $f); done > {tmp_path}/fds\n"
                               "exit 1")
    bundle.process["terminal"] = True
    bundle.sh("sleep 300").write()
    img = tmp_path / "img"
    img.mkdir()
    (img / "descriptors.json").write_text('["/dev/pts/0","/dev/pts/0","/dev/pts/0"]')
    proc = tinyrun(runtime, "--criu", criu, "restore", "-d", "--bundle", bundle.path, "--image-path", img,
                   "--console-socket", tmp_path / "nobody-listens", cid)
    one_line_failure(proc, f"restore {cid}: console socket")
    console = ConsoleSocket(tmp_path / "c.sock")
    try:
        proc = tinyrun(runtime, "--criu", criu, "restore", "-d", "--bundle", bundle.path, "--image-path", img,
                       "--console-socket", console.path, cid)
        one_line_failure(proc, f"restore {cid}: process.terminal: the checkpoint has no terminal", "tty.info")
        (img / "tty.info").write_text("tty[8800:1a]")
        proc = tinyrun(runtime, "--criu", criu, "restore", "-d", "--bundle", bundle.path, "--image-path", img,
                       "--console-socket", console.path, cid)
        one_line_failure(proc, f"restore {cid}: criu restore", "exit status 1")
        assert console.master is None
    finally:
        console.close()
    argv = (tmp_path / "argv.txt").read_text().split("\n")
    inherit = [a for a in argv if a.endswith(":tty[8800:1a]")]
    assert len(inherit) == 1 and argv[argv.index(inherit[0]) - 1] == "--inherit-fd", argv
    fd = inherit[0][len("fd["):inherit[0].index("]")]
    fds = dict(line.split(" ", 1) for line in (tmp_path / "fds").read_text().splitlines() if " " in line)
    slave = fds[f"/proc/self/fd/{fd}"]
    assert slave.startswith("/dev/pts/"), fds
    assert f"mnt[/dev/console]:{slave}" in argv
    assert tinyrun(runtime, "state", cid).returncode == 1
    assert not os.path.exists(os.path.join(runtime.root, cid))


def test_checkpoint_of_a_paused_container_uses_its_freezer(runtime, bundle, cid, tmp_path):
    """As runc: a paused container can be checkpointed, criu working with
    the container's freezer (ptrace alone would wait on the frozen tasks)."""
    criu = fake_criu(tmp_path, "exit 1")
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    runtime("pause", cid, check=True)
    proc = tinyrun(runtime, "--criu", criu, "checkpoint", "--leave-running", "--image-path", tmp_path / "img", cid)
    one_line_failure(proc, f"checkpoint {cid}: criu dump", "exit status 1")
    argv = (tmp_path / "argv.txt").read_text().split("\n")
    freezer = argv[argv.index("--freeze-cgroup") + 1]
    frozen = [os.path.join(freezer, f) for f in ("freezer.state", "cgroup.freeze")]
    frozen = [f for f in frozen if os.path.exists(f)]
    assert frozen and open(frozen[0]).read().strip() in ("FROZEN", "1"), freezer
    assert runtime.state(cid)["status"] == "paused"
    runtime("delete", "--force", cid, check=True)


@pytest.mark.skipif(CRIU_WORKS or not vvar_vclock() or not os.path.exists("/usr/sbin/criu"),
                    reason="only where Debian's criu fails on the kernel's [vvar_vclock]")
def test_checkpoint_says_why_criu_cannot_work_on_this_kernel(runtime, bundle, cid, tmp_path):
    pid = start_counter(runtime, bundle, cid)
    proc = tinyrun(runtime, "checkpoint", "--image-path", tmp_path / "img", cid)
    one_line_failure(proc, f"checkpoint {cid}: criu dump", "vdso: Unexpected rt vDSO area bounds",
                     "this kernel maps [vvar_vclock] beside the vDSO (Linux 6.13 and later), which criu before 4.1 "
                     "cannot handle")
    assert runtime.state(cid)["pid"] == pid
    runtime("delete", "--force", cid, check=True)


# ---- real checkpoint and restore (where criu works) ----------------------

@needs_criu
def test_checkpoint_then_restore_continues_the_counter(runtime, bundle, cid, tmp_path):
    pid = start_counter(runtime, bundle, cid)
    img, work = tmp_path / "img", tmp_path / "work"
    assert run_with_pipes(runtime, "checkpoint", "--image-path", img, "--work-path", work, cid) == 0
    # As runc: the checkpointed container is gone, and so is its process.
    assert tinyrun(runtime, "state", cid).returncode == 1
    assert not os.path.exists(f"/proc/{pid}")
    assert (work / "dump.log").exists()
    with open(img / "descriptors.json") as f:
        assert json.load(f)[0].startswith("pipe:[")
    pidfile = tmp_path / "restored.pid"
    assert run_with_pipes(runtime, "restore", "--detach", "--bundle", bundle.path, "--image-path", img,
                          "--work-path", tmp_path / "work2", "--pid-file", pidfile, cid) == 0
    st = runtime.state(cid)
    assert st["status"] == "running"
    assert int(pidfile.read_text()) == st["pid"]
    new = st["pid"]
    # The counter goes on from where it was, it did not start again at 1.
    assert keeps_counting(new) >= 3
    # The restored init is pid 1 of its own pid namespace again.
    with open(f"/proc/{new}/status") as f:
        nspid = [line.split()[1:] for line in f if line.startswith("NSpid:")][0]
    assert nspid[-1] == "1"
    runtime("kill", cid, "KILL", check=True)
    runtime.wait_status(cid, "stopped", timeout=60)
    runtime("delete", cid, check=True)


@needs_criu
def test_checkpoint_leave_running(runtime, bundle, cid, tmp_path):
    pid = start_counter(runtime, bundle, cid)
    assert run_with_pipes(runtime, "checkpoint", "--leave-running", "--image-path", tmp_path / "img", cid) == 0
    assert runtime.state(cid)["status"] == "running"
    assert runtime.state(cid)["pid"] == pid
    now = count(pid)
    wait_for(lambda: count(pid) > now, timeout=60)
    assert os.listdir(tmp_path / "img")
    runtime("delete", "--force", cid, check=True)


@needs_criu
def test_pre_dump_then_dump_with_parent_path(runtime, bundle, cid, tmp_path):
    pid = start_counter(runtime, bundle, cid)
    assert run_with_pipes(runtime, "checkpoint", "--pre-dump", "--image-path", tmp_path / "pre", cid) == 0
    assert runtime.state(cid)["pid"] == pid
    assert any(n.startswith("pages-") for n in os.listdir(tmp_path / "pre"))
    assert run_with_pipes(runtime, "checkpoint", "--image-path", tmp_path / "final", "--parent-path", "../pre",
                          cid) == 0
    assert tinyrun(runtime, "state", cid).returncode == 1
    # The final dump's images refer to the pre-dump's.
    assert os.readlink(tmp_path / "final" / "parent") == "../pre"
    assert run_with_pipes(runtime, "restore", "-d", "--bundle", bundle.path, "--image-path", tmp_path / "final",
                          cid) == 0
    new = runtime.state(cid)["pid"]
    keeps_counting(new)
    runtime("delete", "--force", cid, check=True)


@needs_criu
def test_restore_maps_bind_mounts_and_the_cgroup(runtime, bundle, cid, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "marker").write_text("from the host\n")
    bundle.config["mounts"].append({"destination": "/data", "type": "bind", "source": str(data),
                                    "options": ["rbind", "ro"]})
    start_counter(runtime, bundle, cid)
    assert run_with_pipes(runtime, "checkpoint", "--image-path", tmp_path / "img", cid) == 0
    (data / "later").write_text("written while checkpointed\n")
    assert run_with_pipes(runtime, "restore", "-d", "--bundle", bundle.path, "--image-path", tmp_path / "img",
                          cid) == 0
    new = runtime.state(cid)["pid"]
    # The bind mount is the host directory again (criu's external mount).
    assert (open(f"/proc/{new}/root/data/later").read() == "written while checkpointed\n")
    with open(f"/proc/{new}/mountinfo") as f:
        data_mounts = [line.split() for line in f if line.split()[4] == "/data"]
    assert data_mounts and "ro" in data_mounts[0][5].split(",")
    # In the container's own cgroup, which restore made (with systemd's
    # cgroup manager: the scope tinyrun-<id>.scope).
    own = f"/tinyrun-{cid}.scope" if SYSTEMD_CGROUP else "/" + cid
    with open(f"/proc/{new}/cgroup") as f:
        assert any(line.rstrip().endswith(own) for line in f), open(f"/proc/{new}/cgroup").read()
    runtime("delete", "--force", cid, check=True)


@needs_criu
def test_network_namespace_by_path_is_handed_back(runtime, bundle, cid, tmp_path):
    """podman's case: the container joins a netns the engine made; criu
    leaves it out (extRootNetNS) and restore puts the init back into it."""
    name = "trck-" + cid
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        path = f"/run/netns/{name}"
        for ns in bundle.linux["namespaces"]:
            if ns["type"] == "network":
                ns["path"] = path
        start_counter(runtime, bundle, cid)
        assert run_with_pipes(runtime, "checkpoint", "--image-path", tmp_path / "img", cid) == 0
        assert run_with_pipes(runtime, "restore", "-d", "--bundle", bundle.path, "--image-path", tmp_path / "img",
                              cid) == 0
        new = runtime.state(cid)["pid"]
        assert os.stat(f"/proc/{new}/ns/net").st_ino == os.stat(path).st_ino
        runtime("delete", "--force", cid, check=True)
    finally:
        subprocess.run(["ip", "netns", "del", name])


def test_stdio_on_dev_null_is_the_containers(runtime, bundle, cid, tmp_path):
    """As runc's reOpenDevNull: the host's /dev/null given as stdio is the
    container's own /dev/null in the container (criu cannot dump an fd on
    a host mount); other stdio is left alone."""
    bundle.sh("sleep 300").write()
    out = tmp_path / "out"
    with open(os.devnull, "rb") as null, open(out, "wb") as f:
        proc = subprocess.run(runtime.cmd("run", "-d", "--bundle", bundle.path, cid), stdin=null, stdout=f,
                              stderr=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 0
    pid = runtime.state(cid)["pid"]
    inside = os.stat(f"/proc/{pid}/root/dev/null")
    fd0 = os.stat(f"/proc/{pid}/fd/0")
    assert (fd0.st_dev, fd0.st_ino) == (inside.st_dev, inside.st_ino)
    assert (fd0.st_dev, fd0.st_ino) != (os.stat("/dev/null").st_dev, os.stat("/dev/null").st_ino)
    assert os.readlink(f"/proc/{pid}/fd/1") == str(out)
    runtime("delete", "--force", cid, check=True)


def checkpoint_a_terminal(runtime, bundle, cid, tmp_path, script):
    """Run script (it prints "ready" first) on a terminal whose master goes
    to a console socket, and checkpoint it into tmp_path/img."""
    bundle.process["terminal"] = True
    bundle.sh(script).write()
    console = ConsoleSocket(tmp_path / "old.sock")
    try:
        runtime("run", "-d", "--bundle", bundle.path, "--console-socket", console.path, cid, check=True)
        console.wait_master()
        assert "ready" in console.read_until("ready")
        assert run_with_pipes(runtime, "checkpoint", "--image-path", tmp_path / "img", cid) == 0
    finally:
        console.close()


@needs_criu
def test_terminal_checkpoint_and_restore_on_a_new_console(runtime, bundle, cid, tmp_path):
    """A container with a terminal: restored, its init reads and writes a
    new pty, whose master arrives on the new console socket, and that pty
    is its controlling terminal and /dev/console."""
    checkpoint_a_terminal(runtime, bundle, cid, tmp_path, "echo ready; while read x; do echo got:$x; done")
    assert tinyrun(runtime, "state", cid).returncode == 1
    new = ConsoleSocket(tmp_path / "new.sock")
    try:
        assert run_with_pipes(runtime, "restore", "-d", "--bundle", bundle.path, "--image-path", tmp_path / "img",
                              "--console-socket", new.path, cid) == 0
        master = new.wait_master()
        pid = runtime.state(cid)["pid"]
        os.write(master, b"hello\n")
        assert "got:hello" in new.read_until("got:hello")
        slave = os.stat(f"/proc/{pid}/fd/0")
        assert os.readlink(f"/proc/{pid}/fd/0").startswith("/dev/pts/")
        assert os.stat(f"/proc/{pid}/root/dev/console").st_rdev == slave.st_rdev
        with open(f"/proc/{pid}/stat") as f:
            tty_nr = int(f.read().rsplit(")", 1)[1].split()[4])
        assert tty_nr == slave.st_rdev
    finally:
        new.close()
    runtime("delete", "--force", cid, check=True)


@needs_criu
def test_paused_container_checkpoint_and_restore(runtime, bundle, cid, tmp_path):
    """As runc: a paused container is dumped with its freezer; left
    running it is still paused; restored, it runs."""
    pid = start_counter(runtime, bundle, cid)
    runtime("pause", cid, check=True)
    assert run_with_pipes(runtime, "checkpoint", "--leave-running", "--image-path", tmp_path / "pre", cid) == 0
    assert runtime.state(cid)["status"] == "paused"
    with open(f"/proc/{pid}/stat") as f:
        assert f.read().rsplit(")", 1)[1].split()[0] in ("D", "S", "T")
    assert run_with_pipes(runtime, "checkpoint", "--image-path", tmp_path / "img", cid) == 0
    assert tinyrun(runtime, "state", cid).returncode == 1
    assert run_with_pipes(runtime, "restore", "-d", "--bundle", bundle.path, "--image-path", tmp_path / "img",
                          cid) == 0
    assert runtime.state(cid)["status"] == "running"
    new = runtime.state(cid)["pid"]
    keeps_counting(new)
    runtime("delete", "--force", cid, check=True)


@needs_criu
def test_restore_in_the_foreground_waits_and_deletes(runtime, bundle, cid, tmp_path):
    """Without --detach, restore is run's foreground: it returns the
    restored init's exit status, then the container is gone."""
    bundle.sh("i=0; while [ ! -e /tmp/stop ]; do i=$((i+1)); echo $i > /tmp/count; usleep 100000; done; exit 7")
    bundle.write()
    assert run_with_pipes(runtime, "run", "-d", "--bundle", bundle.path, cid) == 0
    pid = runtime.state(cid)["pid"]
    wait_for(lambda: os.path.exists(f"/proc/{pid}/root/tmp/count") and count(pid) >= 3, timeout=60)
    assert run_with_pipes(runtime, "checkpoint", "--image-path", tmp_path / "img", cid) == 0
    pipes = Pipes()
    try:
        proc = subprocess.Popen(runtime.cmd("restore", "--bundle", bundle.path, "--image-path", tmp_path / "img",
                                            cid), **pipes.child_fds())
        wait_for(lambda: tinyrun(runtime, "state", cid).returncode == 0 or proc.poll() is not None, timeout=60)
        assert proc.poll() is None
        new = runtime.state(cid)["pid"]
        assert runtime.state(cid)["status"] == "running"
        keeps_counting(new)
        open(f"/proc/{new}/root/tmp/stop", "w").close()
        assert proc.wait(timeout=60) == 7
    finally:
        pipes.close()
    assert tinyrun(runtime, "state", cid).returncode == 1
    assert not os.path.exists(os.path.join(runtime.root, cid))


@needs_criu
def test_restore_makes_missing_mountpoints(runtime, bundle, cid, tmp_path):
    """As runc's prepareCriuRestoreMounts: a fresh rootfs without a bind
    mount's destination (a directory, a file) gets it before criu runs."""
    rootfs = bundle.copy_rootfs()
    data = tmp_path / "data"
    data.mkdir()
    (data / "marker").write_text("dir\n")
    single = tmp_path / "single"
    single.write_text("file\n")
    bundle.config["mounts"] += [
        {"destination": "/srv/data", "type": "bind", "source": str(data), "options": ["rbind"]},
        {"destination": "/etc/single", "type": "bind", "source": str(single), "options": ["bind"]}]
    start_counter(runtime, bundle, cid)
    assert run_with_pipes(runtime, "checkpoint", "--image-path", tmp_path / "img", cid) == 0
    # A fresh rootfs: what create made there is gone.
    os.rmdir(os.path.join(rootfs, "srv/data"))
    os.rmdir(os.path.join(rootfs, "srv"))
    os.unlink(os.path.join(rootfs, "etc/single"))
    assert run_with_pipes(runtime, "restore", "-d", "--bundle", bundle.path, "--image-path", tmp_path / "img",
                          cid) == 0
    new = runtime.state(cid)["pid"]
    assert open(f"/proc/{new}/root/srv/data/marker").read() == "dir\n"
    assert open(f"/proc/{new}/root/etc/single").read() == "file\n"
    assert os.path.isfile(os.path.join(rootfs, "etc/single"))
    runtime("delete", "--force", cid, check=True)


@needs_criu
def test_restore_in_the_foreground_relays_a_terminal(runtime, bundle, cid, tmp_path):
    """Without --detach and --console-socket, restore relays the new pty to
    its own terminal, as run does; ^D there ends the restored shell loop."""
    checkpoint_a_terminal(runtime, bundle, cid, tmp_path, "echo ready; while read x; do echo got:$x; done; exit 3")
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(runtime.cmd("restore", "--bundle", bundle.path, "--image-path", tmp_path / "img",
                                            cid), stdin=slave, stdout=slave, stderr=slave)
        os.close(slave)
        slave = -1
        relay = ConsoleSocket.__new__(ConsoleSocket)
        relay.master = master
        os.write(master, b"hello\n")
        assert "got:hello" in relay.read_until("got:hello", timeout=60)
        os.write(master, b"\x04")
        assert proc.wait(timeout=60) == 3
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
    assert tinyrun(runtime, "state", cid).returncode == 1


@needs_criu
@pytest.mark.skipif(not SYSTEMD_CGROUP, reason="with --systemd-cgroup only (tests/vm/run-checkpoint-tests --systemd)")
def test_systemd_cgroup_restore_starts_the_scope(runtime, bundle, cid, tmp_path):
    """--systemd-cgroup: the restored tree is in a scope systemd started
    (with the config's memory limit), which delete stops."""
    bundle.linux.setdefault("resources", {})["memory"] = {"limit": 64 << 20}
    start_counter(runtime, bundle, cid)
    assert run_with_pipes(runtime, "checkpoint", "--image-path", tmp_path / "img", cid) == 0
    unit = f"tinyrun-{cid}.scope"
    assert subprocess.run(["systemctl", "is-active", unit], capture_output=True, text=True).stdout.strip() \
        != "active"
    assert run_with_pipes(runtime, "restore", "-d", "--bundle", bundle.path, "--image-path", tmp_path / "img",
                          cid) == 0
    new = runtime.state(cid)["pid"]
    show = subprocess.run(["systemctl", "show", "-p", "ActiveState", "-p", "ControlGroup", "-p", "MemoryMax", unit],
                          capture_output=True, text=True).stdout
    assert "ActiveState=active" in show and f"MemoryMax={64 << 20}" in show, show
    group = [line.split("=", 1)[1] for line in show.splitlines() if line.startswith("ControlGroup=")][0]
    with open(f"/sys/fs/cgroup{group}/cgroup.procs") as f:
        assert str(new) in f.read().split()
    runtime("delete", "--force", cid, check=True)
    assert not os.path.exists(f"/sys/fs/cgroup{group}")

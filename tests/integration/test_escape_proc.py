"""Escapes through /proc and through the runtime's own binary.

* CVE-2025-52881 class: after pivot_root the container's "/proc" is
  whatever the rootfs and its mounts put there; tinyrun's own writes
  (linux.sysctl, oom_score_adj, LSM labels) must reach the real procfs,
  never a host file that the container arranged at /proc.
* CVE-2019-5736 class with CAP_SYS_PTRACE: a container that may ptrace
  its peers can open /proc/<pid>/exe of a tinyrun process that entered
  it; the binary behind that link must not open for writing."""

import errno
import hashlib
import json
import os
import shutil
import subprocess
import time

from conftest import TINYRUN

SENTINEL = "host file, not procfs\n"


def host_volume(tmp_path):
    """A host directory laid out like the procfs files tinyrun writes."""
    vol = tmp_path / "hostvol"
    for rel in ("x/sys/net/ipv4/ip_forward", "x/self/oom_score_adj", "x/thread-self/oom_score_adj"):
        f = vol / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(SENTINEL)
    return vol


def untouched(vol):
    return {str(p.relative_to(vol)): p.read_text() for p in vol.rglob("*") if p.is_file()
            if p.read_text() != SENTINEL}


def proc_config(bundle, vol):
    bundle.linux["sysctl"] = {"net.ipv4.ip_forward": "1"}
    bundle.process["oomScoreAdj"] = 100
    bundle.config["mounts"].append({"destination": "/vol", "type": "bind", "source": str(vol),
                                    "options": ["rbind", "rw"]})


def test_proc_symlink_into_volume(runtime, bundle, cid, tmp_path):
    """The rootfs's /proc is a symlink into a bind-mounted host volume:
    tinyrun refuses it (or writes only to the real procfs); the host files
    in the volume stay as they were."""
    rootfs = bundle.copy_rootfs()
    os.rmdir(os.path.join(rootfs, "proc"))
    os.symlink("vol/x", os.path.join(rootfs, "proc"))
    vol = host_volume(tmp_path)
    proc_config(bundle, vol)
    bundle.sh("cat /proc/sys/net/ipv4/ip_forward").write()
    host_forward = open("/proc/sys/net/ipv4/ip_forward").read()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert untouched(vol) == {}
    assert open("/proc/sys/net/ipv4/ip_forward").read() == host_forward
    if proc.returncode != 0:
        assert "mounts[0]" in proc.stderr and "symlink" in proc.stderr, proc.stderr


def test_proc_destination_symlink_refused(runtime, bundle, cid, tmp_path):
    rootfs = bundle.copy_rootfs()
    os.rmdir(os.path.join(rootfs, "proc"))
    os.mkdir(os.path.join(rootfs, "realproc"))
    os.symlink("realproc", os.path.join(rootfs, "proc"))
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "mounts[0]" in lines[0] and "/proc" in lines[0] and "symlink" in lines[0], proc.stderr


def test_volume_over_proc(runtime, bundle, cid, tmp_path):
    """A later mount puts a host directory at /proc: the sysctl and the
    OOM score still go to the real procfs."""
    vol = host_volume(tmp_path)
    proc_config(bundle, vol)
    bundle.config["mounts"].append({"destination": "/proc", "type": "bind", "source": str(vol / "x"),
                                    "options": ["rbind", "rw"]})
    bundle.linux["maskedPaths"] = []
    bundle.linux["readonlyPaths"] = []
    bundle.sh("cat /vol/x/sys/net/ipv4/ip_forward").write()
    host_forward = open("/proc/sys/net/ipv4/ip_forward").read()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert untouched(vol) == {}
    assert open("/proc/sys/net/ipv4/ip_forward").read() == host_forward
    assert proc.returncode == 0, proc.stderr


# The container's side: every tinyrun binary it sees behind /proc/<pid>/exe
# (recognised by its size) is kept open read-only, as the attack of
# CVE-2019-5736 does with O_PATH, and reopened for writing through
# /proc/self/fd/3 until it works or the round ends.  Nothing is ever
# written: a successful open is only reported.
PROBE = r"""
seen=0
while [ ! -e /tmp/stop ]; do
  for d in /proc/[0-9]*; do
    p=${d#/proc/}
    [ "$p" = "$$" ] && continue
    command exec 3</proc/$p/exe 2>/dev/null || continue
    if [ "$(wc -c </proc/self/fd/3)" = "$SIZE" ]; then
      seen=$((seen + 1))
      echo "saw $p" >> /tmp/log
      i=0
      while [ $i -lt 200 ]; do
        if (exec 4>>/proc/self/fd/3) 2>/dev/null; then echo "OPENED $p" >> /tmp/log; break; fi
        i=$((i + 1))
      done
    fi
    exec 3<&-
  done
done
echo "done $seen" >> /tmp/log
exec sleep 1000
"""


def test_exe_not_writable_with_cap_sys_ptrace(runtime, bundle, cid, tmp_path):
    binary = str(tmp_path / "tinyrun")
    shutil.copy2(TINYRUN, binary)
    digest = hashlib.sha256(open(binary, "rb").read()).hexdigest()
    caps = ["CAP_SYS_PTRACE", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_KILL", "CAP_CHOWN", "CAP_FOWNER"]
    bundle.process["capabilities"] = {k: caps for k in ("bounding", "effective", "permitted")}
    bundle.process["env"].append(f"SIZE={os.path.getsize(binary)}")
    bundle.config["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"})
    bundle.set_args("sh", "-c", PROBE).write()
    root = ["--root", runtime.root]
    subprocess.run([binary] + root + ["run", "-d", "--bundle", bundle.path, cid], check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    busy = ""
    try:
        for _ in range(50):
            try:
                subprocess.run([binary] + root + ["exec", cid, "true"], check=True, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL)
            except OSError as e:
                # ETXTBSY: the container holds the binary open for writing.
                if e.errno != errno.ETXTBSY:
                    raise
                busy = "OPENED (the binary was busy: open for writing in the container)"
                time.sleep(0.05)
        # The gap after the last exec, when no tinyrun keeps the file busy.
        time.sleep(0.3)
        subprocess.run([binary] + root + ["exec", cid, "touch", "/tmp/stop"], check=True,
                       stdin=subprocess.DEVNULL)
        deadline = time.time() + 10
        log = ""
        while time.time() < deadline and "done" not in log:
            log = subprocess.run([binary] + root + ["exec", cid, "cat", "/tmp/log"], capture_output=True,
                                 text=True).stdout
            time.sleep(0.1)
    finally:
        runtime("delete", "--force", cid)
    assert hashlib.sha256(open(binary, "rb").read()).hexdigest() == digest
    assert "OPENED" not in log + busy, log + busy
    assert "saw" in log, f"the probe never saw a tinyrun process: {log}"


def test_exec_with_ptrace_into_a_created_container_is_refused(runtime, bundle, cid):
    """A container created without CAP_SYS_PTRACE has an init that runs from
    the writable binary until `start`: an exec that grants CAP_SYS_PTRACE
    then is refused (the process could open the init's /proc/<pid>/exe and
    write the binary once the init has moved on); after start it is fine."""
    bundle.sh("sleep 100").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    runtime("exec", cid, "true", check=True)
    proc = runtime("exec", "--cap", "CAP_SYS_PTRACE", cid, "true")
    assert proc.returncode == 1
    assert "CAP_SYS_PTRACE could reach the runtime binary" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    runtime("start", cid, check=True)
    runtime("exec", "--cap", "CAP_SYS_PTRACE", cid, "true", check=True)
    runtime("delete", "--force", cid, check=True)

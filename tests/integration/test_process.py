"""process.* and the UTS/sysctl fields, checked from inside the container."""

import os
import signal
import subprocess


def run_out(runtime, bundle, cid, script, **kw):
    bundle.sh(script).write()
    proc = runtime("run", "--bundle", bundle.path, cid, **kw)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_args_env_cwd(runtime, bundle, cid):
    bundle.process["env"] = ["PATH=/bin", "FOO=bar baz"]
    bundle.process["cwd"] = "/tmp"
    out = run_out(runtime, bundle, cid, 'echo "$FOO|$(pwd)|$HOME|$0"')
    assert out == "bar baz|/tmp|/root|sh\n"


def test_cwd_is_created(runtime, bundle, cid):
    bundle.process["cwd"] = "/tmp/made/for/you"
    assert run_out(runtime, bundle, cid, "pwd") == "/tmp/made/for/you\n"


def test_user_uid_gid_groups_umask(runtime, bundle, cid):
    bundle.process["user"] = {"uid": 65534, "gid": 65534, "additionalGids": [5, 100], "umask": 0o077}
    out = run_out(runtime, bundle, cid, "id -u; id -g; id -G; umask; grep -E '^(Uid|Gid|Groups)' /proc/self/status")
    lines = out.splitlines()
    assert lines[0] == "65534" and lines[1] == "65534"
    assert set(lines[2].split()) == {"65534", "5", "100"}
    assert lines[3] == "0077"
    assert "Uid:\t65534\t65534\t65534\t65534" in out


def test_umask_defaults_to_0022_whatever_the_callers(runtime, bundle, cid):
    # runc and crun: 0022 when process.user.umask is absent, not the umask
    # the engine happened to run the runtime with.
    out = run_out(runtime, bundle, cid, "umask; stat -c %a /dev/null /dev/zero",
                  preexec_fn=lambda: os.umask(0o077))
    assert out.splitlines() == ["0022", "666", "666"]


def test_exec_keeps_the_callers_umask(runtime, bundle, cid):
    # ...while exec without process.user.umask keeps the caller's (runc
    # and crun both).
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    proc = runtime("exec", cid, "sh", "-c", "umask", preexec_fn=lambda: os.umask(0o077))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "0077\n"


def test_home_from_passwd(runtime, bundle, cid):
    bundle.process["user"] = {"uid": 65534, "gid": 65534}
    assert run_out(runtime, bundle, cid, "echo $HOME") == "/nonexistent\n"


def test_rlimits(runtime, bundle, cid):
    bundle.process["rlimits"] = [
        {"type": "RLIMIT_NOFILE", "hard": 2048, "soft": 1000},
        {"type": "RLIMIT_CORE", "hard": 0, "soft": 0},
        {"type": "RLIMIT_NPROC", "hard": 4000, "soft": 3000},
    ]
    out = run_out(runtime, bundle, cid, "ulimit -n; ulimit -Hn; ulimit -c; ulimit -u")
    assert out.split() == ["1000", "2048", "0", "3000"]


def test_rlimit_above_host_hard_limit_fails_clearly(runtime, bundle, cid):
    with open("/proc/self/limits") as f:
        hard = [l for l in f if l.startswith("Max open files")][0].split()[4]
    bundle.process["rlimits"] = [{"type": "RLIMIT_NOFILE", "hard": int(hard) * 100, "soft": int(hard) * 100}]
    bundle.write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert f"run {cid}: process limits: process.rlimits[0]: RLIMIT_NOFILE hard limit" in proc.stderr
    assert "CAP_SYS_RESOURCE" in proc.stderr


def test_no_new_privileges(runtime, bundle, cid):
    bundle.process["noNewPrivileges"] = True
    assert run_out(runtime, bundle, cid, "grep NoNewPrivs /proc/self/status") == "NoNewPrivs:\t1\n"
    bundle.process["noNewPrivileges"] = False
    assert run_out(runtime, bundle, cid, "grep NoNewPrivs /proc/self/status") == "NoNewPrivs:\t0\n"


def test_oom_score_adj(runtime, bundle, cid):
    bundle.process["oomScoreAdj"] = 500
    assert run_out(runtime, bundle, cid, "cat /proc/self/oom_score_adj") == "500\n"


def test_capabilities_from_inside(runtime, bundle, cid):
    bundle.process["capabilities"] = {
        "bounding": ["CAP_KILL", "CAP_CHOWN"], "effective": ["CAP_KILL"],
        "permitted": ["CAP_KILL", "CAP_CHOWN"], "inheritable": [], "ambient": []}
    bundle.process["user"] = {"uid": 0, "gid": 0}
    out = run_out(runtime, bundle, cid, "grep -E '^Cap(Bnd|Eff)' /proc/self/status")
    # CAP_CHOWN = bit 0, CAP_KILL = bit 5; root's execve raises effective to permitted
    assert "CapBnd:\t0000000000000021" in out


def test_hostname_and_domainname(runtime, bundle, cid):
    bundle.config["hostname"] = "box1"
    bundle.config["domainname"] = "example.org"
    assert run_out(runtime, bundle, cid, "hostname; cat /proc/sys/kernel/domainname") == "box1\nexample.org\n"
    assert os.uname().nodename != "box1"


def test_hostname_needs_uts_namespace(runtime, bundle, cid):
    bundle.linux["namespaces"] = [ns for ns in bundle.linux["namespaces"] if ns["type"] != "uts"]
    bundle.config["hostname"] = "box1"
    bundle.write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert "hostname: setting it needs a uts namespace" in proc.stderr


def test_sysctl(runtime, bundle, cid):
    bundle.linux["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234"}
    out = run_out(runtime, bundle, cid, "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni")
    assert out == "1\n1234\n"


def test_sysctl_that_would_change_the_host_is_refused(runtime, bundle, cid):
    bundle.linux["sysctl"] = {"kernel.panic": "10"}
    bundle.write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert "linux.sysctl.kernel.panic: not a namespaced sysctl" in proc.stderr
    bundle.linux["sysctl"] = {"net.ipv4.ip_forward": "1"}
    bundle.linux["namespaces"] = [ns for ns in bundle.linux["namespaces"] if ns["type"] != "network"]
    bundle.write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert "linux.sysctl.net.ipv4.ip_forward: not allowed in the host's network namespace" in proc.stderr


def test_net_sysctl_in_a_network_namespace_joined_by_path(runtime, bundle, cid):
    """podman joins the network namespace it made by path and sends
    default_sysctls (net.ipv4.ping_group_range): that is allowed, as in
    runc; only the runtime's own network namespace is refused."""
    name = "tr-" + cid
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        bundle.linux["sysctl"] = {"net.ipv4.ping_group_range": "0 2147483647"}
        for ns in bundle.linux["namespaces"]:
            if ns["type"] == "network":
                ns["path"] = f"/run/netns/{name}"
        out = run_out(runtime, bundle, cid, "cat /proc/sys/net/ipv4/ping_group_range")
        assert out.split() == ["0", "2147483647"]
        host = subprocess.run(["ip", "netns", "exec", name, "cat", "/proc/sys/net/ipv4/ping_group_range"],
                              capture_output=True, text=True, check=True).stdout
        assert host.split() == ["0", "2147483647"]
        for ns in bundle.linux["namespaces"]:
            if ns["type"] == "network":
                ns["path"] = "/proc/self/ns/net"
        bundle.write()
        proc = runtime("run", "--bundle", bundle.path, cid)
        assert proc.returncode == 1
        assert "not allowed in the host's network namespace" in proc.stderr
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=True)


def test_kernel_hostname_sysctl_is_refused(runtime, bundle, cid):
    bundle.linux["sysctl"] = {"kernel.hostname": "x"}
    bundle.write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert "linux.sysctl.kernel.hostname: set the hostname field instead" in proc.stderr


def test_missing_executable_is_a_create_error(runtime, bundle, cid):
    bundle.set_args("no-such-program").write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (f'tinyrun: create {cid}: prepare process: exec: "no-such-program": '
                                   "executable file not found in $PATH")
    assert runtime("state", cid).returncode == 1


def test_new_session_keyring(runtime, bundle, cid):
    bundle.linux["maskedPaths"] = []
    out = run_out(runtime, bundle, cid, "cat /proc/keys")
    assert f"_ses.{cid}" in out


def test_no_new_keyring(runtime, bundle, cid):
    bundle.linux["maskedPaths"] = []
    bundle.sh("cat /proc/keys").write()
    proc = runtime("run", "--no-new-keyring", "--bundle", bundle.path, cid)
    assert proc.returncode == 0, proc.stderr
    assert f"_ses.{cid}" not in proc.stdout


def test_scheduler(runtime, bundle, cid):
    bundle.process["scheduler"] = {"policy": "SCHED_BATCH", "nice": 7}
    out = run_out(runtime, bundle, cid, "cut -d' ' -f19,41 /proc/self/stat")
    assert out.split() == ["7", "3"]  # nice, policy


def test_io_priority(runtime, bundle, cid):
    bundle.process["ioPriority"] = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}
    assert "idle" in run_out(runtime, bundle, cid, "ionice -p $$").lower()


def test_exec_cpu_affinity(runtime, bundle, cid):
    """For exec'd processes only: "not applicable to the container's init
    process" (runtime-spec 1.3), whose affinity runc resets to every CPU
    of its cgroup.  More in test_exec_attrs.py."""
    bundle.process["execCPUAffinity"] = {"initial": "0-1", "final": "1"}
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    pid = runtime.state(cid)["pid"]
    with open(f"/proc/{pid}/status") as f:
        init = [l.split()[1] for l in f if l.startswith("Cpus_allowed_list")][0]
    out = runtime("exec", cid, "grep", "Cpus_allowed_list", "/proc/self/status", check=True).stdout
    assert out.split()[-1] == "1" and init != "1", (init, out)
    runtime("delete", "--force", cid, check=True)


def test_personality(runtime, bundle, cid):
    bundle.linux["personality"] = {"domain": "LINUX32"}
    assert run_out(runtime, bundle, cid, "uname -m").strip() in ("i686", "i386")


def test_process_attribute_errors(runtime, bundle, cid):
    for field, value, message in (
            ("scheduler", {"policy": "SCHED_SOMETIMES"}, 'process.scheduler.policy: unknown policy "SCHED_SOMETIMES"'),
            ("ioPriority", {"class": "IOPRIO_CLASS_BE", "priority": 9}, "process.ioPriority.priority: 9 is outside"),
            ("execCPUAffinity", {"initial": "x-y"}, 'process.execCPUAffinity.initial: "x-y" is not a CPU list')):
        bundle.process.pop("scheduler", None)
        bundle.process.pop("ioPriority", None)
        bundle.process.pop("execCPUAffinity", None)
        bundle.process[field] = value
        bundle.write()
        proc = runtime("create", "--bundle", bundle.path, cid)
        assert proc.returncode == 1 and message in proc.stderr, proc.stderr


def test_intel_rdt_is_refused_clearly(runtime, bundle, cid):
    bundle.linux["intelRdt"] = {"closID": "c1", "l3CacheSchema": "L3:0=f"}
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert proc.returncode == 1 and "linux.intelRdt:" in proc.stderr


def test_the_process_gets_default_signal_dispositions_and_an_empty_mask(runtime, bundle, cid):
    """Ignored signals and the mask survive execve: neither the runtime's
    (SIGPIPE ignored, the signals `run` forwards blocked) nor its caller's
    (SIGHUP, SIGINT ignored, as under nohup or a shell's background job)
    may reach the container's process.  The init resets the dispositions
    while the runtime records the container, the mask and SIGPIPE right
    before execve."""
    bundle.set_args("cat", "/proc/self/status").write()

    def ignore_some():
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)

    proc = subprocess.run(runtime.cmd("run", "--bundle", bundle.path, cid), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60, preexec_fn=ignore_some)
    assert proc.returncode == 0, proc.stderr
    fields = dict(line.split(":\t", 1) for line in proc.stdout.splitlines() if ":\t" in line)
    assert int(fields["SigIgn"], 16) == 0, fields["SigIgn"]
    assert int(fields["SigBlk"], 16) == 0, fields["SigBlk"]

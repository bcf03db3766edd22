"""exec and the runtime-spec 1.3 process attributes of the container: the
exec'd process gets linux.memoryPolicy as the init does, and
process.execCPUAffinity (the config's, or --process's own): born on the
initial CPUs before it joins the container's cgroup, moved to the final
ones after, left alone when there is no final list."""

import json
import os

import pytest


def start(runtime, bundle, cid):
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)


def cpus_allowed(text):
    return [l.split()[1] for l in text.splitlines() if l.startswith("Cpus_allowed_list")][0]


def two_cpus():
    if len(os.sched_getaffinity(0)) < 2 or not {0, 1} <= os.sched_getaffinity(0):
        pytest.skip("needs CPUs 0 and 1")


def policies(numa_maps):
    return {line.split()[1] for line in numa_maps.splitlines()}


def test_exec_gets_the_memory_policy(runtime, bundle, cid):
    bundle.linux["memoryPolicy"] = {"mode": "MPOL_BIND", "nodes": "0"}
    start(runtime, bundle, cid)
    proc = runtime("exec", cid, "cat", "/proc/self/numa_maps", check=True)
    assert policies(proc.stdout) == {"bind:0"}, proc.stdout
    runtime("delete", "--force", cid, check=True)


def test_exec_process_json_gets_the_memory_policy(runtime, bundle, cid, tmp_path):
    bundle.linux["memoryPolicy"] = {"mode": "MPOL_PREFERRED", "nodes": "0"}
    start(runtime, bundle, cid)
    pj = tmp_path / "p.json"
    pj.write_text(json.dumps({"args": ["cat", "/proc/self/numa_maps"], "cwd": "/", "user": {"uid": 0, "gid": 0}}))
    proc = runtime("exec", "--process", pj, cid, check=True)
    assert policies(proc.stdout) == {"prefer:0"}, proc.stdout
    runtime("delete", "--force", cid, check=True)


def test_exec_without_memory_policy_keeps_the_default(runtime, bundle, cid):
    start(runtime, bundle, cid)
    proc = runtime("exec", cid, "cat", "/proc/self/numa_maps", check=True)
    assert policies(proc.stdout) == {"default"}, proc.stdout
    runtime("delete", "--force", cid, check=True)


def test_exec_uses_the_configs_exec_cpu_affinity(runtime, bundle, cid):
    two_cpus()
    bundle.process["execCPUAffinity"] = {"initial": "0", "final": "1"}
    start(runtime, bundle, cid)
    proc = runtime("exec", cid, "cat", "/proc/self/status", check=True)
    assert cpus_allowed(proc.stdout) == "1"
    runtime("delete", "--force", cid, check=True)


def test_exec_process_json_inherits_or_overrides_exec_cpu_affinity(runtime, bundle, cid, tmp_path):
    two_cpus()
    bundle.process["execCPUAffinity"] = {"final": "1"}
    start(runtime, bundle, cid)
    base = {"args": ["cat", "/proc/self/status"], "cwd": "/", "user": {"uid": 0, "gid": 0}}
    pj = tmp_path / "p.json"
    pj.write_text(json.dumps(base))
    assert cpus_allowed(runtime("exec", "-p", pj, cid, check=True).stdout) == "1"
    pj.write_text(json.dumps(dict(base, execCPUAffinity={"final": "0"})))
    assert cpus_allowed(runtime("exec", "-p", pj, cid, check=True).stdout) == "0"
    runtime("delete", "--force", cid, check=True)


def test_exec_initial_only_is_kept(runtime, bundle, cid):
    """No final list: the runtime leaves the affinity alone after the
    cgroup (runtime-spec); the process stays on its initial CPU."""
    two_cpus()
    bundle.process["execCPUAffinity"] = {"initial": "1"}
    start(runtime, bundle, cid)
    proc = runtime("exec", cid, "cat", "/proc/self/status", check=True)
    assert cpus_allowed(proc.stdout) == "1"
    runtime("delete", "--force", cid, check=True)


def test_exec_initial_cpu_outside_the_cpuset(runtime, bundle, cid):
    """The initial CPUs are the runtime's before the cgroup: one the
    container's cpuset leaves out is fine (a process already in the
    cgroup could not be put there), and the final list applies after."""
    two_cpus()
    bundle.linux["resources"] = {"cpu": {"cpus": "0"}}
    bundle.process["execCPUAffinity"] = {"initial": "1", "final": "0"}
    start(runtime, bundle, cid)
    proc = runtime("exec", cid, "cat", "/proc/self/status")
    assert proc.returncode == 0, proc.stderr
    assert cpus_allowed(proc.stdout) == "0"
    runtime("delete", "--force", cid, check=True)


def test_init_does_not_keep_the_runtimes_affinity(runtime, bundle, cid):
    """runc resets the init's affinity once it is in its cgroup, so
    `taskset -c 0 tinyrun run` does not pin the container."""
    two_cpus()
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True,
            preexec_fn=lambda: os.sched_setaffinity(0, {0}))
    pid = runtime.state(cid)["pid"]
    with open(f"/proc/{pid}/status") as f:
        assert cpus_allowed(f.read()) != "0"
    runtime("delete", "--force", cid, check=True)

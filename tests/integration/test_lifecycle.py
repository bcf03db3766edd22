"""The OCI lifecycle: create, start, state, kill, delete, run."""

import json
import os
import signal
import subprocess
import time

from procwait import children, pidfds, wait_exited, wait_for


def test_create_start_state_delete(runtime, bundle, cid, tmp_path):
    bundle.sh("sleep 300").write()
    pidfile = tmp_path / "pid"
    runtime("create", "--bundle", bundle.path, "--pid-file", pidfile, cid, check=True)
    st = runtime.state(cid)
    assert st["status"] == "created"
    assert st["id"] == cid
    assert st["ociVersion"]
    assert st["bundle"] == bundle.path
    assert int(pidfile.read_text()) == st["pid"]
    # The init is blocked before the user process: it is still tinyrun.
    assert os.readlink(f"/proc/{st['pid']}/exe").endswith("tinyrun")

    runtime("start", cid, check=True)
    st = runtime.state(cid)
    assert st["status"] == "running"
    assert os.readlink(f"/proc/{st['pid']}/exe").endswith("busybox")

    runtime("kill", cid, "KILL", check=True)
    runtime.wait_status(cid, "stopped")
    st = runtime.state(cid)
    assert "pid" not in st
    runtime("delete", cid, check=True)
    assert runtime("state", cid).returncode == 1


def test_state_json_has_annotations(runtime, bundle, cid):
    bundle.config["annotations"] = {"org.example.key": "value"}
    bundle.sh("sleep 300").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    assert runtime.state(cid)["annotations"] == {"org.example.key": "value"}
    runtime("delete", "--force", cid, check=True)


def test_start_twice_fails(runtime, bundle, cid):
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    proc = runtime("start", cid)
    assert proc.returncode == 1
    assert f"start {cid}: cannot start a container that is running" in proc.stderr
    runtime("delete", "--force", cid, check=True)


def test_delete_running_needs_force(runtime, bundle, cid):
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    proc = runtime("delete", cid)
    assert proc.returncode == 1
    assert "running" in proc.stderr and "--force" in proc.stderr
    assert runtime.state(cid)["status"] == "running"
    runtime("delete", "--force", cid, check=True)
    assert runtime("state", cid).returncode == 1


def test_delete_force_of_missing_container_succeeds(runtime):
    assert runtime("delete", "--force", "nope").returncode == 0
    proc = runtime("delete", "nope")
    assert proc.returncode == 1
    assert 'container "nope" does not exist' in proc.stderr


def test_kill_by_name_and_number(runtime, bundle, cid):
    bundle.sh("trap 'exit 42' USR1; while true; do sleep 0.1; done").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    time.sleep(0.3)
    runtime("kill", cid, "SIGUSR1", check=True)
    runtime.wait_status(cid, "stopped")
    runtime("delete", cid, check=True)

    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    runtime("kill", cid, "9", check=True)
    runtime.wait_status(cid, "stopped")
    # A stopped container cannot be signalled.
    assert runtime("kill", cid, "TERM").returncode == 1
    runtime("delete", cid, check=True)


def test_kill_rejects_unknown_signal(runtime, bundle, cid):
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    proc = runtime("kill", cid, "SIGNOPE")
    assert proc.returncode == 1
    assert 'unknown signal "SIGNOPE"' in proc.stderr
    runtime("delete", "--force", cid, check=True)


def test_kill_all(runtime, bundle, cid):
    bundle.linux["namespaces"] = [ns for ns in bundle.linux["namespaces"] if ns["type"] != "pid"]
    bundle.sh("sleep 300 & sleep 301 & wait").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    init = runtime.state(cid)["pid"]
    siblings = wait_for(lambda: len(children(init)) == 2 and children(init))
    assert siblings, "the two sleeps never started"
    fds = pidfds([init] + siblings)
    runtime("kill", "--all", cid, "KILL", check=True)
    # Dead before delete, which would kill them itself.
    assert wait_exited(fds) == []
    runtime.wait_status(cid, "stopped")
    runtime("delete", cid, check=True)


def test_run_exit_status_and_output(runtime, bundle, cid):
    bundle.sh("echo out; echo err >&2; exit 7").write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 7
    assert proc.stdout == "out\n"
    assert "err\n" in proc.stderr
    # run deletes the container afterwards.
    assert runtime("state", cid).returncode == 1


def test_run_killed_by_signal_is_128_plus_n(runtime, bundle, cid):
    bundle.sh("sleep 300").write()
    proc = subprocess.Popen(runtime.cmd("run", "--bundle", bundle.path, cid))
    runtime.wait_status(cid, "running")
    runtime("kill", cid, "KILL", check=True)
    assert proc.wait(timeout=10) == 128 + 9


def test_run_forwards_signals(runtime, bundle, cid):
    bundle.sh("trap 'echo got TERM; exit 3' TERM; while true; do sleep 0.1; done").write()
    proc = subprocess.Popen(runtime.cmd("run", "--bundle", bundle.path, cid), stdout=subprocess.PIPE, text=True)
    runtime.wait_status(cid, "running")
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 3
    assert "got TERM" in out


def test_run_stdin(runtime, bundle, cid):
    bundle.sh("read line; echo got:$line").write()
    proc = runtime("run", "--bundle", bundle.path, cid, input="hello\n")
    assert proc.stdout == "got:hello\n"


def test_list(runtime, bundle, cid):
    bundle.sh("sleep 300").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    table = runtime("list", check=True).stdout
    assert cid in table and "created" in table
    entries = json.loads(runtime("list", "--format", "json", check=True).stdout)
    assert [e["id"] for e in entries] == [cid]
    assert entries[0]["status"] == "created"
    assert runtime("list", "-q", check=True).stdout == cid + "\n"
    runtime("delete", "--force", cid, check=True)


def test_list_empty_root(runtime):
    assert json.loads(runtime("list", "--format", "json", check=True).stdout) == []


def test_spec_writes_default_config(runtime, tmp_path):
    runtime("spec", "--bundle", tmp_path, check=True, root=False)
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["process"]["args"] == ["sh"]
    assert config["root"] == {"path": "rootfs", "readonly": True}
    # It never overwrites an existing config.json.
    assert runtime("spec", "--bundle", tmp_path, root=False).returncode == 1


def test_features(runtime):
    features = json.loads(runtime("features", check=True).stdout)
    assert features["ociVersionMin"] == "1.0.0"
    assert "createRuntime" in features["hooks"]
    assert "pid" in features["linux"]["namespaces"]
    assert "CAP_SYS_ADMIN" in features["linux"]["capabilities"]


def test_version(runtime):
    proc = runtime("--version", check=True, root=False)
    assert proc.stdout.startswith("tinyrun version ")


def test_default_specs_run(runtime, cid, tmp_path):
    """What `spec` and `spec --rootless` write actually runs."""
    from conftest import ROOTFS
    for flags in ([], ["--rootless"]):
        d = tmp_path / ("b" + "".join(flags))
        d.mkdir()
        runtime("spec", "--bundle", d, *flags, check=True, root=False)
        config = json.loads((d / "config.json").read_text())
        config["root"]["path"] = ROOTFS
        config["process"]["terminal"] = False
        config["process"]["args"] = ["sh", "-c", "id -u; hostname"]
        (d / "config.json").write_text(json.dumps(config))
        proc = runtime("run", "--bundle", d, cid)
        assert proc.returncode == 0, (flags, proc.stderr)
        assert proc.stdout == "0\ntinyrun\n"

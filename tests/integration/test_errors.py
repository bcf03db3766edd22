"""Bad input: one clear line on stderr naming the container, the step and
the path or field; exit status 1; nothing left behind (the autouse
fixture checks mounts, cgroups and processes; these tests check the
state directory)."""

import json
import os

import pytest


def assert_clean_failure(runtime, proc, cid, *needles):
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("tinyrun: "), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    assert not os.path.exists(os.path.join(runtime.root, cid))
    assert runtime("state", cid).returncode == 1


def test_missing_bundle(runtime, cid, tmp_path):
    proc = runtime("create", "--bundle", tmp_path / "nope", cid)
    assert_clean_failure(runtime, proc, cid, f"create {cid}: load bundle", "config.json: No such file or directory")


def test_malformed_json(runtime, bundle, cid):
    with open(os.path.join(bundle.path, "config.json"), "w") as f:
        f.write('{"ociVersion": "1.2.0", "process": {')
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert_clean_failure(runtime, proc, cid, f"create {cid}: config.json: invalid JSON")


def test_wrong_type(runtime, bundle, cid):
    bundle.linux["resources"] = {"memory": {"limit": "a lot"}}
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert_clean_failure(runtime, proc, cid,
                         'config.json: linux.resources.memory.limit: expected an integer, got "a lot"')


def test_unknown_namespace(runtime, bundle, cid):
    bundle.linux["namespaces"].append({"type": "bogus"})
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert_clean_failure(runtime, proc, cid, 'linux.namespaces[6].type: unknown namespace type "bogus"')


def test_missing_executable(runtime, bundle, cid):
    bundle.set_args("/bin/nope").write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert_clean_failure(runtime, proc, cid, f'create {cid}: prepare process: exec: "/bin/nope"')


def test_missing_rootfs(runtime, bundle, cid, tmp_path):
    bundle.config["root"]["path"] = str(tmp_path / "no-rootfs")
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert_clean_failure(runtime, proc, cid, "root.path:", "No such file or directory")


def test_failure_inside_the_container_is_rolled_back(runtime, bundle, cid):
    """A mount that fails inside the new namespaces: the init, its cgroup
    and its state directory all go."""
    bundle.config["mounts"].append({"destination": "/x", "type": "nosuchfs", "source": "none"})
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert_clean_failure(runtime, proc, cid, f"create {cid}: mounts: mounts[", "mount nosuchfs on /x")


@pytest.mark.parametrize("bad_id", ["../x", "a/b", "..", "with space", ""])
def test_invalid_id(runtime, bundle, bad_id):
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, bad_id)
    assert proc.returncode == 1
    assert "container id" in proc.stderr
    assert not os.path.exists(os.path.join(os.path.dirname(runtime.root), "x"))
    if os.path.isdir(runtime.root):
        assert os.listdir(runtime.root) == []


def test_duplicate_id(runtime, bundle, cid):
    bundle.sh("sleep 300").write()
    runtime("create", "--bundle", bundle.path, cid, check=True)
    pid = runtime.state(cid)["pid"]
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert f'create {cid}: container "{cid}" already exists' in proc.stderr
    # The first container is untouched.
    assert runtime.state(cid)["pid"] == pid
    assert runtime.state(cid)["status"] == "created"
    runtime("delete", "--force", cid, check=True)


def test_commands_on_missing_container(runtime):
    for args in (["start", "nope"], ["state", "nope"], ["kill", "nope"], ["delete", "nope"]):
        proc = runtime(*args)
        assert proc.returncode == 1
        assert proc.stderr.strip() == f'tinyrun: {args[0]} nope: container "nope" does not exist'


def test_usage_errors(runtime):
    proc = runtime("create")
    assert proc.returncode == 1 and "usage: tinyrun create" in proc.stderr
    proc = runtime("frobnicate", "x")
    assert proc.returncode == 1 and 'unknown command "frobnicate"' in proc.stderr


def test_json_log(runtime, bundle, cid, tmp_path):
    log = tmp_path / "log.json"
    bundle.set_args("/bin/nope").write()
    proc = runtime("--log", log, "--log-format", "json", "create", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert entries[-1]["level"] == "error"
    assert '"/bin/nope"' in entries[-1]["msg"]
    assert entries[-1]["time"].endswith("Z")
    # ... and the same message on stderr.
    assert entries[-1]["msg"] in proc.stderr


def test_pid_file_and_preserve_fds(runtime, bundle, cid, tmp_path):
    extra = tmp_path / "extra"
    extra.write_text("from fd 3\n")
    bundle.sh("cat <&3; ls /proc/self/fd | sort -n | tr '\\n' ' '").write()
    with open(extra) as f:
        os.set_inheritable(f.fileno(), True)
        fd = f.fileno()
        # The runtime receives the file as its fd 3.
        import subprocess
        proc = subprocess.run(runtime.cmd("run", "--preserve-fds", "1", "--pid-file", tmp_path / "pid",
                                          "--bundle", bundle.path, cid),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30,
                              pass_fds=(3,), preexec_fn=lambda: os.dup2(fd, 3))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("from fd 3\n")
    # 0, 1, 2, 3 and the fd ls itself opens: nothing else leaked in.
    assert proc.stdout.splitlines()[1].split() == ["0", "1", "2", "3", "4"]
    assert (tmp_path / "pid").read_text().isdigit()


def test_preserve_fds_must_be_open(runtime, bundle, cid):
    bundle.write()
    proc = runtime("create", "--preserve-fds", "40", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert "--preserve-fds 40: fd" in proc.stderr and "is not open" in proc.stderr


def test_unsupported_oci_version(runtime, bundle, cid):
    bundle.config["ociVersion"] = "invalid"
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert_clean_failure(runtime, proc, cid, 'ociVersion: "invalid" is not a supported version')

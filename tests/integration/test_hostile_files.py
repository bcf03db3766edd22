"""Hostile files (issue 10, the remaining items): a FIFO, a device or a huge
file where tinyrun expects a small document; an image's /etc/passwd that
is one; a hook that never reads its state; and error messages that echo
hostile values.  Each fails (or falls back) with exit status 1 and one
line, leaves nothing behind (the autouse fixture checks) and never hangs:
every command runs with a timeout that only guards against a hang."""

import json
import os

import pytest

from conftest import one_line_failure

HANG_GUARD = 30  # seconds; not a timing threshold, only a guard against hanging


def config_path(bundle):
    return os.path.join(bundle.path, "config.json")


# 1. config.json, exec --process FILE, update --resources FILE


def test_config_fifo(runtime, bundle, cid):
    os.mkfifo(config_path(bundle))
    proc = runtime("create", "--bundle", bundle.path, cid, timeout=HANG_GUARD)
    one_line_failure(proc, f"create {cid}", "config.json: not a regular file")
    assert not os.path.exists(os.path.join(runtime.root, cid))


def test_config_symlink_to_device(runtime, bundle, cid):
    os.symlink("/dev/zero", config_path(bundle))
    proc = runtime("create", "--bundle", bundle.path, cid, timeout=HANG_GUARD)
    one_line_failure(proc, f"create {cid}", "config.json: not a regular file")


def test_config_symlink_to_regular_file_is_fine(runtime, bundle, cid):
    bundle.write()
    os.rename(config_path(bundle), os.path.join(bundle.path, "real.json"))
    os.symlink("real.json", config_path(bundle))
    proc = runtime("run", "--bundle", bundle.path, cid, timeout=HANG_GUARD)
    assert proc.returncode == 0, proc.stderr


def test_config_huge_is_refused_by_size(runtime, bundle, cid):
    with open(config_path(bundle), "w") as f:
        f.truncate((16 << 20) + 4096)  # sparse: NULs, never parsed
    proc = runtime("create", "--bundle", bundle.path, cid, timeout=HANG_GUARD)
    one_line_failure(proc, "config.json: larger than 16777216 bytes")


@pytest.fixture
def running(runtime, bundle, cid):
    bundle.linux["resources"] = {"pids": {"limit": 100}}
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    yield cid
    runtime("delete", "--force", cid, check=True)


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_exec_process_not_regular(runtime, running, tmp_path, kind):
    path = str(tmp_path / "process.json")
    if kind == "fifo":
        os.mkfifo(path)
    else:
        os.symlink("/dev/zero", path)
    proc = runtime("exec", "--process", path, running, timeout=HANG_GUARD)
    one_line_failure(proc, "process.json: not a regular file")


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_update_resources_not_regular(runtime, running, tmp_path, kind):
    path = str(tmp_path / "resources.json")
    if kind == "fifo":
        os.mkfifo(path)
    else:
        os.symlink("/dev/zero", path)
    proc = runtime("update", "--resources", path, running, timeout=HANG_GUARD)
    one_line_failure(proc, "resources: not a regular file")


def test_update_resources_stdin_still_allowed(runtime, running):
    proc = runtime("update", "--resources", "-", running, timeout=HANG_GUARD,
                   input=json.dumps({"pids": {"limit": 50}}))
    assert proc.returncode == 0, proc.stderr


# 2. The image's /etc/passwd (HOME for a process.env without HOME)


@pytest.mark.parametrize("kind", ["zero", "fifo", "huge"])
def test_hostile_etc_passwd_falls_back_to_slash(runtime, bundle, cid, kind):
    rootfs = bundle.copy_rootfs()
    passwd = os.path.join(rootfs, "etc", "passwd")
    os.unlink(passwd)
    if kind == "zero":
        os.symlink("/dev/zero", passwd)
    elif kind == "fifo":
        os.mkfifo(passwd)
    else:
        with open(passwd, "w") as f:
            f.write("root:x:0:0:root:/root:/bin/sh\n")
            f.truncate(5 << 20)
    bundle.process["env"] = [e for e in bundle.process["env"] if not e.startswith("HOME=")]
    bundle.sh('echo "HOME=$HOME"').write()
    proc = runtime("run", "--bundle", bundle.path, cid, timeout=HANG_GUARD)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "HOME=/", proc.stdout


def test_etc_passwd_still_gives_home(runtime, bundle, cid):
    bundle.process["env"] = [e for e in bundle.process["env"] if not e.startswith("HOME=")]
    bundle.sh('echo "HOME=$HOME"').write()
    proc = runtime("run", "--bundle", bundle.path, cid, timeout=HANG_GUARD)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "HOME=/root", proc.stdout


# 3. A hook that never reads its stdin, with more state than a pipe holds


def test_hook_timeout_with_large_state(runtime, bundle, cid):
    bundle.config["annotations"] = {f"a{i}": "x" * 1024 for i in range(200)}
    bundle.config["hooks"] = {"prestart": [{"path": "/bin/sleep", "args": ["sleep", "1000"], "timeout": 1}]}
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid, timeout=HANG_GUARD)
    one_line_failure(proc, "hook /bin/sleep timed out after 1 s")
    assert not os.path.exists(os.path.join(runtime.root, cid))


# 4. Error messages that misled


def test_non_executable_args0(runtime, bundle, cid):
    bundle.set_args("/etc/passwd").write()
    proc = runtime("run", "--bundle", bundle.path, cid, timeout=HANG_GUARD)
    line = one_line_failure(proc, 'exec: "/etc/passwd": permission denied')
    assert "No such file" not in line


def test_tiny_memory_limit_says_oom(runtime, bundle, cid):
    bundle.linux["resources"] = {"memory": {"limit": 4096}}
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid, timeout=HANG_GUARD)
    one_line_failure(proc, "linux.resources.memory.limit: the container was killed by the OOM killer during create",
                     "(limit 4096 bytes)")


def test_huge_hostname_is_refused_short(runtime, bundle, cid):
    bundle.config["hostname"] = "h" * (1 << 20)
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid, timeout=HANG_GUARD)
    line = one_line_failure(proc, "hostname: ", "is longer than 64 bytes")
    assert len(line) < 400, len(line)


def test_hostname_of_64_is_fine(runtime, bundle, cid):
    bundle.config["hostname"] = "h" * 64
    bundle.sh("hostname").write()
    proc = runtime("run", "--bundle", bundle.path, cid, timeout=HANG_GUARD)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "h" * 64


def test_id_with_newline_stays_one_line(runtime, bundle):
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, "a\nb\x01c", timeout=HANG_GUARD)
    one_line_failure(proc, 'invalid container id "a\\nb\\x01c"')

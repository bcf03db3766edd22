"""Hostile documents (bundles come from untrusted images): every parser of
the runtime refuses them with exit status 1 and exactly one line on stderr
naming the document and the field; nothing is left behind (the autouse
fixture checks mounts, cgroups and processes) and nothing hangs (every
command runs with a timeout).  Issue 10."""

import json
import os

import pytest

from conftest import one_line_failure

from cgroups import pids_limit

TIMEOUT = 30
DEEP = 300000  # levels: enough to overflow any recursive parser's stack


def deep(n=DEEP):
    return "[" * n + "]" * n


# config.json: (name, edit of the config as JSON text or as a dict, message)
def _set(path, value):
    def edit(cfg):
        obj = cfg
        for key in path[:-1]:
            obj = obj.setdefault(key, {}) if isinstance(key, str) else obj[key]
        obj[path[-1]] = value
    return edit


def _env_nul(cfg):
    cfg["process"]["env"] = cfg["process"]["env"][:3]
    while len(cfg["process"]["env"]) < 3:
        cfg["process"]["env"].append("X=1")
    cfg["process"]["env"].append("TERM=x\0LD_PRELOAD=/x")


def _mount_nul(cfg):
    cfg["mounts"].append({"destination": "/dev/mq\0ueue", "type": "mqueue", "source": "mqueue"})
    return len(cfg["mounts"]) - 1


def _devices(cfg):
    cfg["linux"]["devices"] = [{"path": "/dev/x", "type": "c", "major": 1, "minor": 1 << 32}]


CONFIG_CASES = [
    ("env_nul", _env_nul, "config.json: process.env[3]: contains a NUL character"),
    ("mount_nul", _mount_nul, "].destination: contains a NUL character"),
    ("memory_negative", _set(["linux", "resources", "memory", "limit"], -5),
     "config.json: linux.resources.memory.limit: -5 is negative (-1 means unlimited)"),
    ("memory_huge", _set(["linux", "resources", "memory", "limit"], 99999999999999999999),
     "config.json: linux.resources.memory.limit: 99999999999999999999 is out of range"),
    ("pids_negative", _set(["linux", "resources", "pids", "limit"], -2), "linux.resources.pids.limit: -2 is negative"),
    ("cpu_quota_huge", _set(["linux", "resources", "cpu", "quota"], 99999999999999999999),
     "linux.resources.cpu.quota: 99999999999999999999 is out of range"),
    ("gids", _set(["process", "user", "additionalGids"], list(range(65537))),
     "config.json: process.user.additionalGids: more than 65536 groups"),
    ("errno_ret", _set(["linux", "seccomp"], {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 4096}]}),
     "config.json: linux.seccomp.syscalls[0].errnoRet: 4096 is more than 4095"),
    ("device_rule_major", _set(["linux", "resources", "devices"], [{"allow": True, "type": "c", "major": 1 << 32}]),
     "config.json: linux.resources.devices[0].major: 4294967296 is outside -1..4294967295"),
    ("device_minor", _devices, "config.json: linux.devices[0].minor: 4294967296 is outside -1..4294967295"),
    ("hook_timeout_zero", _set(["hooks"], {"prestart": [{"path": "/bin/true", "timeout": 0}]}),
     "config.json: hooks.prestart[0].timeout: must be greater than zero"),
    ("hook_timeout_huge", _set(["hooks"], {"poststop": [{"path": "/bin/true", "timeout": 1 << 62}]}),
     "config.json: hooks.poststop[0].timeout: 4611686018427387904 s is more than 2147483 s"),
    ("idmap_size_zero", _set(["linux", "uidMappings"], [{"containerID": 0, "hostID": 100000, "size": 0}]),
     "config.json: linux.uidMappings[0].size: must be greater than zero"),
    ("idmap_overflow", _set(["linux", "gidMappings"], [{"containerID": 0, "hostID": 4294967295, "size": 2}]),
     "config.json: linux.gidMappings[0]: hostID + size overflows 2^32"),
]


@pytest.mark.parametrize("name,edit,message", CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES])
def test_create_refuses_hostile_config(runtime, bundle, cid, name, edit, message):
    edit(bundle.config)
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid, timeout=TIMEOUT)
    one_line_failure(proc, f"create {cid}", message)
    assert not os.path.exists(os.path.join(runtime.root, cid))


RAW_CONFIG_CASES = [
    ("deep", lambda text: text[:-1] + ', "x": ' + deep() + "}", "config.json: nested deeper than 128 levels"),
    ("raw_nul", lambda text: text + "\0garbage", "config.json: contains a NUL byte at offset"),
    ("key_nul", lambda text: text[:-1] + ', "annotations": {"a\\u0000b": "c"}}',
     "config.json: annotations.a\\u0000b: key contains a NUL character"),
    ("huge", lambda text: text[:-1] + ', "x": "' + "a" * (16 << 20) + '"}', "config.json"),
]


@pytest.mark.parametrize("name,edit,message", RAW_CONFIG_CASES, ids=[c[0] for c in RAW_CONFIG_CASES])
def test_create_refuses_hostile_config_text(runtime, bundle, cid, name, edit, message):
    path = bundle.write()
    with open(os.path.join(path, "config.json")) as f:
        text = f.read().rstrip()
    with open(os.path.join(path, "config.json"), "w") as f:
        f.write(edit(text))
    proc = runtime("create", "--bundle", bundle.path, cid, timeout=TIMEOUT)
    one_line_failure(proc, f"create {cid}", message)
    assert not os.path.exists(os.path.join(runtime.root, cid))


@pytest.fixture
def running(runtime, bundle, cid):
    bundle.linux["resources"] = {"pids": {"limit": 100}}
    bundle.sh("sleep 300").write()
    runtime("run", "-d", "--bundle", bundle.path, cid, check=True)
    yield cid
    runtime("delete", "--force", cid, check=True)


PROCESS = {"args": ["true"], "cwd": "/", "env": ["A=1", "B=2", "C=3"]}
PROCESS_CASES = [
    ("deep", '{"args": ["true"], "cwd": "/", "x": ' + deep() + "}", "process.json: nested deeper than 128 levels"),
    ("env_nul", json.dumps(dict(PROCESS, env=PROCESS["env"] + ["TERM=x\0LD_PRELOAD=/x"])),
     "process.json: env[3]: contains a NUL character"),
    ("gids", json.dumps(dict(PROCESS, user={"uid": 0, "gid": 0, "additionalGids": list(range(65537))})),
     "process.json: user.additionalGids: more than 65536 groups"),
    ("uid_huge", json.dumps(dict(PROCESS, user={"uid": 99999999999999999999, "gid": 0})),
     "process.json: user.uid: 99999999999999999999 is out of range"),
    ("huge", json.dumps(dict(PROCESS, cwd="/" + "a" * (1 << 20))), "process.json: larger than 1048576 bytes"),
]


@pytest.mark.parametrize("name,text,message", PROCESS_CASES, ids=[c[0] for c in PROCESS_CASES])
def test_exec_refuses_hostile_process(runtime, running, tmp_path, name, text, message):
    f = tmp_path / "process.json"
    f.write_text(text)
    proc = runtime("exec", "--process", f, running, timeout=TIMEOUT)
    one_line_failure(proc, message)
    assert runtime.state(running)["status"] == "running"


RESOURCES_CASES = [
    ("deep", '{"pids": {"limit": 5}, "x": ' + deep() + "}", "resources: nested deeper than 128 levels"),
    ("memory_negative", '{"memory": {"limit": -5}}', "resources: memory.limit: -5 is negative (-1 means unlimited)"),
    ("pids_huge", '{"pids": {"limit": 99999999999999999999}}',
     "resources: pids.limit: 99999999999999999999 is out of range"),
    ("device_minor", '{"devices": [{"allow": true, "type": "c", "major": 1, "minor": -2}]}',
     "resources: devices[0].minor: -2 is outside -1..4294967295"),
    ("unified_nul", '{"unified": {"pids.max": "5\\u0000"}}', "resources: unified.pids.max: contains a NUL character"),
    ("huge", '{"unified": {"x": "' + "a" * (1 << 20) + '"}}', "resources: larger than 1048576 bytes"),
]


@pytest.mark.parametrize("name,text,message", RESOURCES_CASES, ids=[c[0] for c in RESOURCES_CASES])
def test_update_refuses_hostile_resources(runtime, running, name, text, message):
    proc = runtime("update", "-r", "-", running, input=text, timeout=TIMEOUT)
    one_line_failure(proc, message)
    assert pids_limit(f"/tinyrun/{running}") == "100"


@pytest.mark.parametrize("flag", ["--memory", "--cpu-quota", "--pids-limit"])
def test_update_refuses_huge_flag(runtime, running, flag):
    proc = runtime("update", flag, "99999999999999999999", running, timeout=TIMEOUT)
    one_line_failure(proc, f'{flag}: "99999999999999999999" is out of range')
    assert pids_limit(f"/tinyrun/{running}") == "100"


STATE_CASES = [
    ("deep", '{"id": "x", "pid": 1, "x": ' + deep() + "}", "state.json: nested deeper than 128 levels"),
    ("id_nul", '{"id": "x\\u0000y", "pid": 1}', "state.json: id: contains a NUL character"),
    ("pid_huge", '{"id": "x", "pid": 99999999999999999999}', "state.json: pid: 99999999999999999999 is out of range"),
    ("long_string", '{"id": "x", "pid": 1, "x": "' + "a" * ((1 << 20) + 1) + '"}',
     "state.json: x: string longer than 1 MiB"),
]


@pytest.mark.parametrize("name,text,message", STATE_CASES, ids=[c[0] for c in STATE_CASES])
def test_corrupt_state_json(runtime, bundle, cid, name, text, message):
    """One corrupt state.json in the root: state and a plain delete of that
    container fail with one line; list still lists the others and shows it
    as unknown, with the reason, instead of crashing; delete --force
    removes it (docs/reliability.md)."""
    good = cid + "-good"
    runtime.ids.add(good)
    bundle.sh("sleep 300").write()
    runtime("create", "--bundle", bundle.path, good, check=True)
    bad = os.path.join(runtime.root, cid)
    os.makedirs(bad)
    with open(os.path.join(bad, "state.json"), "w") as f:
        f.write(text)
    for command in (["state", cid], ["delete", cid]):
        one_line_failure(runtime(*command, timeout=TIMEOUT), message)
    proc = runtime("list", "--format", "json", timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    listed = {c["id"]: c for c in json.loads(proc.stdout)}
    assert set(listed) == {good, cid}
    assert listed[cid]["status"] == "unknown" and message.split(": ", 1)[1] in listed[cid].get("reason", "")
    runtime("delete", "--force", cid, check=True, timeout=TIMEOUT)
    assert not os.path.exists(bad)
    runtime("delete", "--force", good, check=True)


def test_large_annotations_still_work(runtime, bundle, cid):
    """The limits leave room for real documents: state.json carries a copy
    of config.json's annotations, so it has config.json's size limit, not
    the 1 MiB of a process or resources document."""
    bundle.config["annotations"] = {f"a{i}": "x" * (512 << 10) for i in range(8)}
    bundle.sh("sleep 300").write()
    runtime("create", "--bundle", bundle.path, cid, check=True, timeout=TIMEOUT)
    assert len(runtime.state(cid)["annotations"]) == 8
    runtime("start", cid, check=True, timeout=TIMEOUT)
    proc = runtime("list", "--format", "json", timeout=TIMEOUT)
    assert [c["id"] for c in json.loads(proc.stdout)] == [cid]
    runtime("delete", "--force", cid, check=True, timeout=TIMEOUT)

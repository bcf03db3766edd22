"""linux.intelRdt: built (src/linux/intelrdt.c, unit-tested on a plain
directory in tests/unit/test_intelrdt.c), but this project's machines have
no RDT and no resctrl mount, so here only the refusal is checked: one line,
naming the field, and nothing left behind."""

import json
import os

import pytest


def resctrl_mounted():
    with open("/proc/self/mountinfo") as f:
        return any(line.split(" - ")[1].split()[0] == "resctrl" for line in f)


@pytest.mark.skipif(resctrl_mounted(), reason="this host has resctrl")
@pytest.mark.parametrize("rdt", [
    {"closID": "c1", "l3CacheSchema": "L3:0=f"},
    {"schemata": ["L3:0=f", "MB:0=50"], "enableMonitoring": True},
    {},
])
def test_without_resctrl_one_clear_error(runtime, bundle, cid, rdt):
    bundle.linux["intelRdt"] = rdt
    bundle.write()
    proc = runtime("run", "--bundle", bundle.path, cid)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"tinyrun: run {cid}: config.json: "
        "linux.intelRdt: resctrl filesystem is not mounted (no Intel RDT on this host)"], proc.stderr
    assert not os.path.exists(os.path.join(runtime.root, cid))


@pytest.mark.parametrize("rdt, message", [
    ({"closID": ".."}, 'linux.intelRdt.closID: ".." is not a group name'),
    ({"closID": "a/b"}, 'linux.intelRdt.closID: "a/b" is not a group name'),
    ({"memBwSchema": "L3:0=f"}, 'linux.intelRdt.memBwSchema: "L3:0=f" is not one line starting with "MB:"'),
    ({"schemata": ["L3:0=f\nMB:0=1"]}, "linux.intelRdt.schemata[0]: must be one line"),
])
def test_bad_fields_named(runtime, bundle, cid, rdt, message):
    bundle.linux["intelRdt"] = rdt
    bundle.write()
    proc = runtime("create", "--bundle", bundle.path, cid)
    assert proc.returncode == 1 and message in proc.stderr, proc.stderr


def test_features_report_intel_rdt(runtime):
    f = json.loads(runtime("features", check=True).stdout)
    assert f["linux"]["intelRdt"] == {"enabled": True, "schemata": True, "monitoring": True}

"""Run every test suite in turn and sum their results.

Each suite prints its own summary ("N passed, N failed" from the unit
tests, pytest's "N passed, M skipped in Xs"); this script adds them up and
ends with a single "N passed, N failed" line that CI reads.  A suite that
crashes without a summary counts as one failure."""

import os
import re
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTEST = ["/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts="]

SUITES = [
    ("layers (architecture rules)", ["tests/layers/check"]),
    ("unit", ["sh", "-c", "make -s tests/unit/unit-tests && tests/unit/unit-tests"]),
    ("integration (host)", PYTEST + ["tests/integration"]),
    ("faults (SIGKILL at every syscall)", ["tests/faults/run-faults"]),
    ("fuzzing every parser (60 s)", ["tests/fuzz/run-fuzz", "60"]),
    ("unit + integration under ASan/UBSan", ["tests/sanitize/run"]),
]
if os.path.exists(os.path.join(TOP, "tests/vm/run-cgroup-v2-tests")):
    SUITES.append(("cgroup v2 (VM)", ["tests/vm/run-cgroup-v2-tests"]))
# One VM booted with systemd as PID 1: boot ~15 s, tests ~45 s.
if os.path.exists(os.path.join(TOP, "tests/vm/run-systemd-tests")):
    SUITES.append(("--systemd-cgroup (systemd VM)", ["tests/vm/run-systemd-tests"]))
# Debian's criu works only under Debian's own kernel: the checkpoint tests
# in the VM, about 35 s.
if os.path.exists(os.path.join(TOP, "tests/vm/run-checkpoint-tests")):
    SUITES.append(("checkpoint/restore with criu (VM)", ["tests/vm/run-checkpoint-tests"]))
    SUITES.append(("checkpoint/restore with --systemd-cgroup (systemd VM)",
                   ["tests/vm/run-checkpoint-tests", "--systemd"]))
if os.path.isdir(os.path.join(TOP, "tests/engines")):
    SUITES.append(("engines (podman, containerd, Docker)", PYTEST + ["tests/engines"]))


def counts(output):
    """passed, failed from the last summary line of a suite's output."""
    for line in reversed(output.splitlines()):
        passed = re.search(r"(\d+) passed", line)
        failed = re.search(r"(\d+) failed", line)
        errors = re.search(r"(\d+) errors?\b", line)
        if passed or failed or errors:
            return (int(passed.group(1)) if passed else 0,
                    (int(failed.group(1)) if failed else 0) + (int(errors.group(1)) if errors else 0))
    return None


def main():
    only = sys.argv[1:]
    total_passed = total_failed = 0
    report = []
    for name, cmd in SUITES:
        if only and not any(o in name for o in only):
            continue
        print(f"==> {name}: {' '.join(cmd)}", flush=True)
        start = time.time()
        proc = subprocess.Popen(cmd, cwd=TOP, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        output = []
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            output.append(line)
        rc = proc.wait()
        result = counts("".join(output))
        if result is None:
            result = (0, 1)
        passed, failed = result
        if rc != 0 and failed == 0:
            failed = 1  # the suite failed without saying which test
        total_passed += passed
        total_failed += failed
        report.append(f"{name}: {passed} passed, {failed} failed ({time.time() - start:.0f}s)")
    print("==> summary")
    for line in report:
        print("    " + line)
    print(f"{total_passed} passed, {total_failed} failed")
    return 1 if total_failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""The rootfs, mount and device tests again, with the userspace walk of
src/util/fs_safe.c forced for every rootfs path (TINYRUN_FS_SAFE_FALLBACK=1),
as on kernels without openat2 or under a seccomp filter that refuses it."""

import pytest

from test_rootfs import *  # noqa: F401,F403  (the tests, collected again here)


@pytest.fixture(autouse=True)
def fs_safe_fallback(monkeypatch):
    monkeypatch.setenv("TINYRUN_FS_SAFE_FALLBACK", "1")

# Sourced by the benchmarks.
#
# delete leaves the containers' common parent cgroup (/tinyrun by default)
# in place, as runc and crun do; a benchmark removes the parents it made
# when it ends, so that it leaves nothing: remember_parents first, then
# remove_new_parents on exit.
tinyrun_parents() {
    for d in /sys/fs/cgroup/*/tinyrun /sys/fs/cgroup/tinyrun; do
        [ -d "$d" ] && printf '%s ' "$d"
    done
    return 0
}
remember_parents() {
    parents_before=$(tinyrun_parents)
}
remove_new_parents() {
    for d in $(tinyrun_parents); do
        case " $parents_before" in *" $d "*) ;; *) rmdir "$d" 2>/dev/null || true ;; esac
    done
}

# Inside a benchmark's own mount namespace: DIR, the runtimes' state
# roots, on a tmpfs, as /run is on a host that boots systemd (on these VMs
# /run is a directory of the ext4 root); STATE_ON_DISK=1 leaves it on disk.
state_on_tmpfs() {
    mkdir -p "$1"
    [ "${STATE_ON_DISK:-}" ] || mount -t tmpfs -o mode=0700 tinyrun-bench "$1"
}

# Inside a benchmark's own mount namespace, with HOST_MOUNTS=N set: N more
# mounts (tmpfs, below DIR), as a host that runs many containers has; the
# runtimes' mount namespaces copy them and whatever reads mountinfo pays
# for each.  Gone with the namespace.
host_mounts() {
    case ${HOST_MOUNTS:-0} in
    ''|*[!0-9]*) echo "bench: HOST_MOUNTS must be a number, not '$HOST_MOUNTS'" >&2; exit 2 ;;
    esac
    [ "${HOST_MOUNTS:-0}" -gt 0 ] || return 0
    mkdir -p "$1"
    mount -t tmpfs tinyrun-bench-mounts "$1"
    host_mounts_i=0
    while [ $host_mounts_i -lt "$HOST_MOUNTS" ]; do
        mkdir "$1/$host_mounts_i" && mount -t tmpfs tinyrun-bench-mounts "$1/$host_mounts_i"
        host_mounts_i=$((host_mounts_i + 1))
    done
}

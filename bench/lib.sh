# Sourced by the benchmarks.  delete leaves the containers' common parent
# cgroup (/tinyrun by default) in place, as runc and crun do; a benchmark
# removes the parents it made when it ends, so that it leaves nothing.
tinyrun_parents() {
    for d in /sys/fs/cgroup/*/tinyrun /sys/fs/cgroup/tinyrun; do
        [ -d "$d" ] && printf '%s ' "$d"
    done
    return 0
}
parents_before=$(tinyrun_parents)
remove_new_parents() {
    for d in $(tinyrun_parents); do
        case " $parents_before" in *" $d "*) ;; *) rmdir "$d" 2>/dev/null || true ;; esac
    done
}

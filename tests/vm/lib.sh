# shellcheck shell=bash disable=SC2034
# Helpers shared by the VM harness scripts (bash). Source, do not run.
# Everything the harness says goes to stderr: stdout belongs to the command.

VM_CACHE=${TINYRUN_VM_CACHE:-/var/cache/tinyrun-vm}

note() { printf 'vm-run: %s\n' "$*" >&2; }
die() { note "$*"; exit 125; }   # 125: the harness failed, not the command

pkg_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

# apt_locked CMD...: run an apt command; while another apt/dpkg holds a lock,
# wait and retry (for up to ~20 minutes). Other failures return at once.
apt_locked() {
	local err try rc
	err=$(mktemp)
	for try in $(seq 120); do
		"$@" -o DPkg::Lock::Timeout=10 >&2 2>"$err"
		rc=$?
		cat "$err" >&2
		[ "$rc" -eq 0 ] && break
		grep -qiE 'could not get lock|unable to (lock|acquire)' "$err" || break
		note "apt/dpkg is locked by another process; retrying ($try)"
		sleep 10
	done
	rm -f "$err"
	return "$rc"
}

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return 0
	apt_locked apt-get -q update && apt_updated=1
}

# ensure_host_packages: qemu, a static busybox (for the initramfs) and xz
# (fetch-kernel unpacks the kernel image with it, for a faster boot).
ensure_host_packages() {
	local missing=()
	command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
	pkg_installed busybox-static || missing+=(busybox-static)
	command -v xz >/dev/null || missing+=(xz-utils)
	[ "${#missing[@]}" -eq 0 ] && return 0
	note "installing ${missing[*]}"
	apt_update || die "apt-get update failed"
	apt_locked apt-get -q install -y --no-install-recommends "${missing[@]}" ||
		die "cannot install ${missing[*]}"
}

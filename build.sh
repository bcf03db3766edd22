#!/bin/sh
# Install the build dependencies from Debian's repositories and build
# tinyrun and the example bundle.  Safe to run again: apt-get and make do
# nothing when everything is already there.
set -eu
cd "$(dirname "$0")"

PACKAGES="autoconf automake libtool pkg-config make gcc file
  libyajl-dev libseccomp-dev libcap-dev nftables
  busybox-static python3-pytest iproute2 libcap2-bin libsystemd-dev
  strace uidmap slirp4netns passt criu
  musl-tools musl-dev cmake gperf dpkg-dev"

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "build.sh: installing$missing"
    [ "$(id -u)" = 0 ] || { echo "build.sh: run as root to install packages" >&2; exit 1; }
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

# tinyrun is linked against musl (musl/README.md): its libraries built
# for musl once, from Debian's source packages, in .musl/.
# TINYRUN_LIBC=glibc builds it against glibc only.
musl=--with-musl="$PWD/.musl"
if [ "${TINYRUN_LIBC:-musl}" = glibc ]; then
    musl=
else
    musl/build-deps .musl
fi

[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure --enable-werror $musl
make -j"$(nproc)"

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# zoned on a pure cgroup v2 host, on any host: boots the VM of
# tests/fixtures/cgroup2-vm.sh (only cgroup2 there) and runs the test program
# test-cgroup2-vm (GUEST_PROGRAM, built from test-cgroup2-vm.c) in it, with the
# zoned of this build tree, as the other integration tests run on the host.
#
#     test-cgroup2-vm.sh GUEST_PROGRAM
#
# Prints TAP: the guest program's own TAP, read back from the file that the
# VM wrote, or "Bail out!" with the reason when the VM or the program did not
# finish, or "1..0 # SKIP reason" when no VM can be run here at all (not root,
# not amd64, qemu not installable, no kernel package obtainable).
#
# The environment of meson's integration tests (ZONED_TEST_*) is handed to the
# program in the VM. The busybox rootfs and the Debian bookworm tarball are
# built (or found in the cache) here on the host first: in the VM the host's
# / is read-only. The Debian tarball reaches the VM as a read-only disk, read
# by "zonectl import-tar /dev/vda" (much faster than reading 10000 files over
# 9p under emulation). When it cannot be built, the systemd part skips and
# says why.
#
# ZONED_TEST_CGROUP2_VM_LIMIT (seconds, default 480) bounds the VM's run; the
# VM is killed after it, and whenever this script ends.

set -uo pipefail

HERE="$(dirname "$(realpath "${BASH_SOURCE[0]}")")"
VM_SCRIPT="$HERE/../fixtures/cgroup2-vm.sh"
LIMIT="${ZONED_TEST_CGROUP2_VM_LIMIT:-480}"

skip() {
        echo "1..0 # SKIP $*"
        exit 0
}

bail() {
        echo "Bail out! $*"
        exit 1
}

[ $# -eq 1 ] || bail "usage: test-cgroup2-vm.sh GUEST_PROGRAM"
GUEST="$(realpath "$1")"
[ -x "$GUEST" ] || bail "no program $1"
[ "$(id -u)" = 0 ] || skip "needs root (zones in the VM; qemu exports the host's / to it)"
[ -n "${ZONED_TEST_ROOTFS_SCRIPT:-}" ] || skip "ZONED_TEST_ROOTFS_SCRIPT is not set: run this through meson test"

job="$(mktemp -d "${TMPDIR:-/tmp}/zoned-cgroup2-vm.XXXXXX")" || bail "mktemp failed"
trap 'rm -rf "$job"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# The VM's kernel and initramfs. 77: no VM here at all.
"$VM_SCRIPT" build >/dev/null 2>"$job/build.err"
rc=$?
if [ $rc -eq 77 ]; then
        skip "$(tail -n1 "$job/build.err")"
elif [ $rc -ne 0 ]; then
        cat "$job/build.err" >&2
        bail "tests/fixtures/cgroup2-vm.sh build failed ($rc): $(tail -n1 "$job/build.err")"
fi

bash "$ZONED_TEST_ROOTFS_SCRIPT" >/dev/null 2>"$job/busybox.err" ||
        bail "build-busybox-rootfs.sh failed: $(tail -n1 "$job/busybox.err")"

# The fixtures' cache, at its own path in the VM even when the VM's tmpfs mounts would hide it.
cache="$(realpath "${ZONED_TEST_CACHE_DIR:-/var/cache/zoned-tests}")" || bail "no fixture cache directory"
vm_args=(--bind "$cache")
# And the source and build trees (the programs under test, the brands, the
# fixtures): a checkout may be anywhere, /tmp included.
src="$(realpath "$HERE/../..")"
build="$(realpath "$(dirname "$GUEST")/../..")"
vm_args+=(--bind "$src")
case "$build/" in
"$src"/*) ;;
*) vm_args+=(--bind "$build") ;;
esac
debian_skip=""
if [ -z "${ZONED_TEST_DEBIAN_SCRIPT:-}" ]; then
        debian_skip="ZONED_TEST_DEBIAN_SCRIPT is not set"
elif tar="$(bash "$ZONED_TEST_DEBIAN_SCRIPT" --tar bookworm amd64 2>"$job/debian.err")"; then
        vm_args+=(--disk "$tar")
else
        debian_skip="no Debian bookworm rootfs: build-debian-rootfs.sh failed: $(tail -n1 "$job/debian.err")"
fi

{
        echo '#!/bin/bash'
        echo '# Runs in the VM (tests/fixtures/cgroup2-vm.sh), written by test-cgroup2-vm.sh.'
        while IFS= read -r var; do
                printf 'export %s=%q\n' "$var" "${!var}"
        done < <(compgen -e | grep '^ZONED_TEST_' | grep -v '^ZONED_TEST_CGROUP2_')
        echo 'export ZONED_TEST_CGROUP2_VM=1'
        if [ -z "$debian_skip" ]; then
                echo 'export ZONED_TEST_CGROUP2_DEBIAN_TAR=/dev/vda'
        else
                printf 'export ZONED_TEST_CGROUP2_DEBIAN_SKIP=%q\n' "$debian_skip"
        fi
        printf 'exec %q --tap\n' "$GUEST"
} >"$job/run"
chmod 0755 "$job/run"

"$VM_SCRIPT" run "$job" "$LIMIT" "${vm_args[@]}" 2>"$job/run.err"
rc=$?
[ -f "$job/stdout" ] && cat "$job/stdout"
if [ -s "$job/stderr" ]; then
        echo "---- stderr of the test program in the VM ----" >&2
        cat "$job/stderr" >&2
fi
if [ $rc -eq 77 ]; then
        skip "$(tail -n1 "$job/run.err")"
elif [ $rc -ne 0 ] || [ ! -f "$job/status" ]; then
        cat "$job/run.err" >&2
        echo "---- the VM's console ----" >&2
        tail -n 50 "$job/console.log" >&2 2>/dev/null
        bail "the VM did not run the test to its end: $(tail -n1 "$job/run.err")"
fi
status="$(cat "$job/status")"
if [ "$status" != 0 ]; then
        echo "---- the VM's console ----" >&2
        tail -n 50 "$job/console.log" >&2 2>/dev/null
        bail "the test program in the VM exited with status $status"
fi
exit 0

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Installs what building and testing zoned needs, on Debian 12 (bookworm),
# with apt-get. Idempotent: when everything is installed already, it does
# nothing (no network). Needs root otherwise.

set -euo pipefail

PACKAGES=(
        meson
        ninja-build
        pkg-config
        gcc
        libsystemd-dev
        libmount-dev
        libblkid-dev
        libarchive-dev
        libcurl4-openssl-dev
        libglib2.0-dev
        libglib2.0-bin
        libseccomp-dev
        libcap-dev
        # zones' links (bridges, veths, macvlans) through netlink (common/net-link.c)
        libnl-route-3-dev
        # zoned's nftables tables (zoned/net-nft.c); nft checks scripts in the tests
        libnftables-dev
        nftables
        # the network tests make bridges, veths and addresses with ip
        iproute2
        scdoc
        # the format test (tools/check-format.sh)
        clang-format
        dbus
        # busctl, which the private-socket test runs against zoned (as gdbus from libglib2.0-bin)
        systemd
        busybox-static
        # zones with a disk quota: mkfs.ext4, e2fsck, resize2fs
        e2fsprogs
        python3
        # the import-tar test makes tarballs with every compression zoned reads
        tar
        gzip
        xz-utils
        zstd
        bzip2
        # PullTemplate verify=signature runs gpgv; the pull test signs with gpg
        gpgv
        gnupg
        # template definitions build Debian trees (zonectl pull debian-bookworm);
        # arch-test lets mmdebstrap build a foreign architecture (debian-bookworm-i386)
        mmdebstrap
        arch-test
        # zones see their limits in /proc through lxcfs (test-lxcfs)
        lxcfs
        # the raw image test makes an ext4 image with mkfs.ext4 -d
        e2fsprogs
        # the network test makes a peer namespace's veth with ip, and looks into zones with it
        iproute2
        # the cgroup2-vm test boots a pure cgroup v2 VM (tests/fixtures/cgroup2-vm.sh)
        qemu-system-x86
        cpio
)

missing=()
for p in "${PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
        [ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
        echo "install-deps: all build dependencies are installed"
        exit 0
fi

if [ "$(id -u)" != 0 ]; then
        echo "install-deps: missing ${missing[*]}; run this as root to install them" >&2
        exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"

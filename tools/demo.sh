#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tools/demo.sh        build zoned, start it, and boot a zone "demo"
# tools/demo.sh stop   power the demo zone off, stop zoned and the demo bus
#
# Run as root from a checkout on Debian 12. Installs the build dependencies
# with apt-get, builds into build/ and runs everything from the build tree:
# nothing is installed system-wide. zoned uses its default directories
# (/etc/zones, /var/lib/zones, /run/zoned, /var/log/zones). When the host has
# no system bus, a private dbus-daemon is started for the demo, listening
# under /run/zoned-demo/. Safe to run again: whatever exists already is kept.

set -euo pipefail

cd "$(dirname "$0")/.."
SRC=$PWD
BUILD="${ZONED_DEMO_BUILDDIR:-build}"
DEMO_DIR=/run/zoned-demo
DEMO_BUS_SOCKET="$DEMO_DIR/system_bus_socket"
ZONE=demo
# A template definition shipped in templates/: built with mmdebstrap from
# the host's Debian mirror (about 20 s) the first time.
TEMPLATE=debian-bookworm
ZONED="$BUILD/zoned/zoned"
ZONECTL="$BUILD/zonectl/zonectl"
SUPERVISOR="$BUILD/zoned/supervisor/zoned-supervisor"

say() {
        if [ -t 1 ]; then
                printf '\033[1m==> %s\033[0m\n' "$*"
        else
                printf '==> %s\n' "$*"
        fi
}

die() {
        echo "demo: $*" >&2
        exit 1
}

# True when the pid in file $1 is a live (not zombie) process named $2.
alive() {
        local pid stat
        pid=$(cat "$1" 2>/dev/null) || return 1
        [ -n "$pid" ] || return 1
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] || return 1
        stat=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || return 1
        [ "${stat%% *}" != Z ]
}

# Waits up to $2 seconds for command "$1" to succeed.
wait_for() {
        local i
        for ((i = 0; i < $2 * 10; i++)); do
                eval "$1" >/dev/null 2>&1 && return 0
                sleep 0.1
        done
        return 1
}

# Which bus zoned and zonectl use. With a private demo bus, its address is
# exported as DBUS_SYSTEM_BUS_ADDRESS.
pick_bus() {
        if [ -S "$DEMO_BUS_SOCKET" ] && alive "$DEMO_DIR/dbus.pid" dbus-daemon; then
                export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$DEMO_BUS_SOCKET"
                BUS=demo
        elif [ -n "${DBUS_SYSTEM_BUS_ADDRESS:-}" ] || [ -S /run/dbus/system_bus_socket ]; then
                BUS=host
        else
                BUS=none
        fi
}

start_bus() {
        mkdir -p "$DEMO_DIR"
        cat >"$DEMO_DIR/bus.conf" <<BUSEOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- A system bus for the zoned demo, on a host that has none. -->
<busconfig>
  <type>system</type>
  <listen>unix:path=$DEMO_BUS_SOCKET</listen>
  <auth>EXTERNAL</auth>
  <pidfile>$DEMO_DIR/dbus.pid</pidfile>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <include>$SRC/dbus/org.zoned1.conf</include>
</busconfig>
BUSEOF
        rm -f "$DEMO_BUS_SOCKET" "$DEMO_DIR/dbus.pid"
        dbus-daemon --config-file="$DEMO_DIR/bus.conf" --fork
        wait_for "[ -S '$DEMO_BUS_SOCKET' ]" 10 || die "the demo bus did not start"
        export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$DEMO_BUS_SOCKET"
        BUS=demo
}

start_zoned() {
        local -a args=(--brands-dir "$SRC/templates/brands" --definitions-dir "$SRC/templates"
                --supervisor "$SRC/$SUPERVISOR")

        if [ "$BUS" = host ] && [ ! -e /etc/dbus-1/system.d/org.zoned1.conf ] &&
                [ ! -e /usr/share/dbus-1/system.d/org.zoned1.conf ]; then
                # The host bus would refuse zoned its name without our policy,
                # and installing it is not the demo's business.
                echo "demo: org.zoned1.conf is not installed on this host's bus; zoned serves only /run/zoned/bus"
                args+=(--no-system-bus)
        fi
        mkdir -p "$DEMO_DIR"
        setsid "$SRC/$ZONED" "${args[@]}" </dev/null >>"$DEMO_DIR/zoned.log" 2>&1 &
        echo $! >"$DEMO_DIR/zoned.pid"
        if ! wait_for "'$SRC/$ZONECTL' list" 30; then
                tail -n 20 "$DEMO_DIR/zoned.log" >&2 || true
                die "zoned did not come up (log: $DEMO_DIR/zoned.log)"
        fi
}

build() {
        say "Installing build dependencies"
        tools/install-deps.sh
        say "Building into $BUILD/"
        # prefix /usr: zoned's compiled-in defaults are then /etc/zones,
        # /var/lib/zones and /var/log/zones.
        if [ ! -f "$BUILD/build.ninja" ]; then
                meson setup "$BUILD" --prefix=/usr --sysconfdir=/etc --localstatedir=/var
        elif [ "$(build_dirs)" != "/usr /etc /var" ]; then
                echo "demo: reconfiguring $BUILD/ with prefix /usr (it had $(build_dirs))"
                meson configure "$BUILD" -Dprefix=/usr -Dsysconfdir=/etc -Dlocalstatedir=/var
        fi
        ninja -C "$BUILD"
}

build_dirs() {
        meson introspect "$BUILD" --buildoptions | python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
print(o["prefix"], o["sysconfdir"], o["localstatedir"])'
}

zone_state() {
        "$ZONECTL" show "$ZONE" -p State --value 2>/dev/null
}

cmd_start() {
        local state templates

        build

        pick_bus
        if [ "$BUS" = none ]; then
                say "No system bus on this host: starting one for the demo ($DEMO_BUS_SOCKET)"
                start_bus
        fi

        if alive "$DEMO_DIR/zoned.pid" zoned; then
                say "zoned is running already (pid $(cat "$DEMO_DIR/zoned.pid"))"
        else
                say "Starting zoned (log: $DEMO_DIR/zoned.log)"
                start_zoned
        fi

        templates=$("$ZONECTL" templates --no-legend) || die "zonectl templates failed"
        if awk '{ print $1 }' <<<"$templates" | grep -qx "$TEMPLATE"; then
                say "Template $TEMPLATE exists already"
        else
                "$ZONECTL" template-definitions --no-legend 2>/dev/null | awk '{ print $1 }' | grep -qx "$TEMPLATE" ||
                        die "the running zoned does not know the template definition $TEMPLATE: restart it (tools/demo.sh stop)"
                say "Building template $TEMPLATE from its definition (templates/$TEMPLATE.template)"
                "$ZONECTL" pull "$TEMPLATE"
        fi

        if state=$(zone_state); then
                say "Zone $ZONE exists already ($state)"
        else
                say "Creating zone $ZONE from template $TEMPLATE"
                "$ZONECTL" create "$ZONE" -t "$TEMPLATE"
                state=$(zone_state)
        fi

        if [ "$state" != running ]; then
                say "Booting zone $ZONE"
                "$ZONECTL" boot "$ZONE"
        fi

        say "zonectl list"
        "$ZONECTL" list
        say "zonectl shell $ZONE -- /bin/sh -c 'hostname; uname -a'"
        "$ZONECTL" shell "$ZONE" -- /bin/sh -c 'hostname; uname -a'

        cat <<MSGEOF

zoned and the zone "$ZONE" keep running. Try:
    $ZONECTL status $ZONE
    $ZONECTL shell $ZONE -- /bin/sh
Power the zone off:
    $ZONECTL poweroff $ZONE
Stop it all (zone, zoned$([ "$BUS" = demo ] && echo ", demo bus")):
    tools/demo.sh stop
MSGEOF
        if [ "$BUS" = demo ]; then
                cat <<MSGEOF
zonectl reaches zoned through /run/zoned/bus by itself; to go through the
demo bus instead:
    export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$DEMO_BUS_SOCKET
MSGEOF
        fi
}

cmd_stop() {
        local pid state

        pick_bus
        if [ -x "$ZONECTL" ] && state=$(zone_state) && [ "$state" != stopped ] && [ "$state" != failed ]; then
                say "Powering off zone $ZONE"
                "$ZONECTL" poweroff "$ZONE" || "$ZONECTL" terminate "$ZONE" || true
        fi
        if alive "$DEMO_DIR/zoned.pid" zoned; then
                pid=$(cat "$DEMO_DIR/zoned.pid")
                say "Stopping zoned (pid $pid)"
                kill -TERM "$pid"
                wait_for "! alive '$DEMO_DIR/zoned.pid' zoned" 15 || die "zoned (pid $pid) did not exit"
        fi
        rm -f "$DEMO_DIR/zoned.pid"
        if alive "$DEMO_DIR/dbus.pid" dbus-daemon; then
                pid=$(cat "$DEMO_DIR/dbus.pid")
                say "Stopping the demo bus (pid $pid)"
                kill -TERM "$pid"
                wait_for "! alive '$DEMO_DIR/dbus.pid' dbus-daemon" 10 || die "dbus-daemon (pid $pid) did not exit"
        fi
        rm -f "$DEMO_DIR/dbus.pid" "$DEMO_BUS_SOCKET"
        say "Stopped. Zone $ZONE and template $TEMPLATE stay in /var/lib/zones; tools/demo.sh boots them again."
}

[ "$(id -u)" = 0 ] || die "run me as root: zones need namespaces, mounts and cgroups"

case "${1:-start}" in
start) cmd_start ;;
stop) cmd_stop ;;
*)
        echo "usage: tools/demo.sh [start|stop]" >&2
        exit 2
        ;;
esac

#!/usr/bin/env bash
# tools/demo.sh — show kukeon working on the real stack: the CLI on the example manifests,
# then a throw-away machine (systemd as PID 1, D-Bus, polkit, containerd; see
# tests/machine/kukeon-machine) with kukeon installed, the test image loaded and a container
# run in it.  Everything it starts it takes down again; nothing reaches the host's files.
#
#   sudo tools/demo.sh            (KUKEON_BUILD_DIR=build by default)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=${KUKEON_BUILD_DIR:-build}
name=${KUKEON_DEMO_MACHINE:-demo}
KM=$src/tests/machine/kukeon-machine
ns=kukeon-demo
ref=docker.io/library/busybox:latest

if [[ -t 1 ]]; then bold=$'\e[1m' off=$'\e[0m'; else bold="" off=""; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }
run() { printf '$ %s\n' "$*"; "$@"; }

[[ $(id -u) == 0 ]] || { echo "demo: must run as root (it boots a machine with namespaces)" >&2; exit 1; }

# --- packages and build -------------------------------------------------------------------
step "packages (tools/install-deps.sh)"
tools/install-deps.sh

step "build ($build)"
if [[ ! -f $build/build.ninja ]]; then
        run meson setup "$build" -Dprefix=/usr
fi
run ninja -C "$build"
build=$(cd "$build" && pwd)

# --- the CLI: kuke apply --dry-run on every example manifest -------------------------------
# [KUKE-DRY-RUN] Runs as soon as build/src/kuke/kuke exists; later demos (kuke apply for real,
# kuke get, kuke image load) go in the machine section below, where kukeond runs.
kuke=$build/src/kuke/kuke
if [[ -x $kuke ]]; then
        for f in docs/examples/*.yaml; do
                step "kuke apply --dry-run -f $f"
                run "$kuke" apply --dry-run -f "$f"
        done
else
        step "kuke apply --dry-run: $kuke not built yet, skipped"
fi

# --- the machine ----------------------------------------------------------------------------
export KUKEON_MACHINE_STATE_DIR=$build/machines
m() { printf '[%s]$ %s\n' "$name" "$*"; "$KM" -n "$name" exec "$@"; }
down() {
        local rc=$?
        step "take the machine down"
        run "$KM" -n "$name" down || rc=1
        exit $rc
}

step "boot the machine '$name' (kukeon from $build installed in it)"
t0=$(date +%s%N)
run "$KM" -n "$name" -b "$build" --owner $$ up
t1=$(date +%s%N)
trap down EXIT
echo "up in $(( (t1 - t0) / 1000000 )) ms"

step "systemd is PID 1 inside, with dbus, polkit and containerd as units"
m systemctl is-system-running
m systemctl list-units --no-pager --no-legend dbus.service polkit.service containerd.service kukeon.slice
m busctl --no-pager --no-legend list --acquired

step "kukeon as installed in the machine"
m sh -c 'command -v kuke && kuke version || echo "(kuke not installed)"'

step "the test image (busybox-static as an OCI layout), loaded into containerd"
img=$build/tests/image/busybox-oci.tar
run tests/image/build-test-image -o "$img"
# [KUKE-IMAGE-LOAD] until 'kuke image load' exists, ctr imports it
m ctr -n "$ns" images import - <"$img"
m ctr -n "$ns" images ls

step "a container from it"
m ctr -n "$ns" run --rm "$ref" demo-1 sh -c 'echo "hello from a container on $(hostname)"; cat /proc/self/cgroup | grep memory'

step "a scope under kukeon.slice with a memory limit (what a cell becomes)"
m systemd-run --quiet --unit=demo-cell --slice=kukeon-demo.slice -p MemoryMax=64M sleep 300
m systemctl status --no-pager -n0 demo-cell.service
m cat /sys/fs/cgroup/memory/kukeon.slice/kukeon-demo.slice/demo-cell.service/memory.limit_in_bytes
m systemctl stop demo-cell.service

step "kukeond: the first call starts it through D-Bus activation"
m busctl call org.kukeon1 /org/kukeon1 org.kukeon1.Manager Ping
m systemctl is-active kukeond.service

step "kuke init: the default realm and the system realm"
m kuke init

step "kuke apply: a realm, a space and a stack become slices, a namespace and a network"
m sh -c 'cat >/run/shop.yaml <<EOF
apiVersion: v1beta1
kind: Realm
metadata: {name: shop}
spec: {resources: {memoryMax: 1073741824}}
---
apiVersion: v1beta1
kind: Space
metadata: {name: web}
spec: {realmId: shop}
---
apiVersion: v1beta1
kind: Stack
metadata: {name: frontend}
spec: {realmId: shop, spaceId: web}
EOF
kuke apply -f /run/shop.yaml'
m kuke get realms
m kuke get spaces --realm shop
m kuke get stack frontend --realm shop --space web -o yaml
m systemctl status --no-pager -n0 kukeon-shop-web-frontend.slice
m ctr namespaces ls
m cat /etc/cni/net.d/shop-web.conflist

step "kuke delete refuses a realm with children unless --cascade"
m kuke delete realm shop || true
m kuke delete realm shop --cascade
m kuke get realms

step "a cell: busybox httpd from docs/examples/hello-world.yaml in realm main"
m kuke image load --realm main - <"$img"
m kuke get images --realm main
m kuke apply -f - <docs/examples/hello-world.yaml
m kuke get cells
m systemctl status --no-pager -n0 kukeon-main-default-default-hello\\x2dworld.scope
ip=$("$KM" -n "$name" exec kuke get cell hello-world -o json | python3 -c 'import json, sys; print(json.load(sys.stdin)["status"]["network"]["ip"])')
m wget -qO- "http://$ip/"
m kuke logs hello-world
m kuke stop cell hello-world
m kuke get cells
m kuke delete cell hello-world
m systemctl list-units --no-pager --all 'kukeon-main-*'

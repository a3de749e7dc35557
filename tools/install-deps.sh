#!/usr/bin/env bash
# Installs everything kukeon needs to build, test and run on Debian 12, as root.
# Idempotent: packages already present are left alone, and apt is not even asked when
# nothing is missing.
set -euo pipefail

packages=(
        # build
        meson ninja-build pkg-config gcc clang libclang-rt-14-dev
        libsystemd-dev libyaml-dev libjansson-dev
        libgrpc-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler
        golang-github-containerd-containerd-dev golang-github-gogo-protobuf-dev
        libnl-3-dev libnl-route-3-dev libarchive-dev libcurl4-openssl-dev libssl-dev
        # the runtime the test machine boots
        systemd dbus polkitd pkexec containerd runc containernetworking-plugins
        iptables iproute2 util-linux busybox-static docker-registry
        # tools the scripts use
        python3 jq
        # image-pull: pushes to its registries with curl, signs its test tokens with openssl
        curl openssl
        # the completion scripts of kuke autocomplete, parsed by their own shells in tests
        zsh fish
        # the benchmark peer of tools/bench-cell (issue 6 compares a cell with `ctr run -d` and
        # `podman run -d` of the same image); without its recommends (netavark, slirp4netns …)
        # its network is CNI, through the same containernetworking-plugins kukeon uses; it is
        # only ever run inside the test machine
        podman
)

if [ "$(id -u)" != 0 ]; then
        echo "install-deps: must run as root (it installs Debian packages)" >&2
        exit 1
fi

# podman's package enables its API socket and service, a restart service and an auto-update
# timer. Each test machine boots from the host's /etc, so it would start the socket and the
# timer (basic.target wants sockets.target and timers.target); the project only runs the
# daemonless `podman run -d` of tools/bench-cell. They stay disabled (the host's own PID 1 is
# not systemd: this only removes the links, and an upgrade of podman keeps them removed).
podman_units=(podman.socket podman.service podman-restart.service podman-auto-update.timer podman-auto-update.service)
keep_podman_units_disabled() {
        if systemctl is-enabled --quiet "${podman_units[@]}" 2>/dev/null; then
                echo "install-deps: disabling ${podman_units[*]}"
                systemctl disable --quiet --no-reload "${podman_units[@]}"
        fi
}

missing=()
for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
        keep_podman_units_disabled
        echo "install-deps: all ${#packages[@]} packages present"
        exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Services must not start on the host at install time: the host has no systemd as PID 1,
# and the project only ever runs them inside its own test machine.
policy=/usr/sbin/policy-rc.d
created_policy=
if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy"
        chmod 755 "$policy"
        created_policy=1
fi
trap '[ -n "$created_policy" ] && rm -f "$policy"' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}"
keep_podman_units_disabled

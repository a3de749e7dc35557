# shellcheck shell=bash
# Sourced by every integration test.  Each test runs on the host and drives a throw-away
# machine (tests/machine/kukeon-machine) with `m CMD...` (run CMD inside it).
#
# The suite machine: tests/integration/machine-up (priority highest) boots machine 'suite' and
# records the meson run in $STATE/suite.run; every test of that run uses it; machine-down
# (priority lowest) takes it down.  A test run on its own (meson test NAME, or by hand) boots a
# private machine and takes it down on exit.
#
# Exit codes: 0 pass, 1 fail, 77 skip (the host cannot run machines).  Under CI=true a skip is
# a failure: CI must not go green with the integration suite skipped.

set -eEuo pipefail
# say which command failed when set -e ends a test
trap 'echo "FAIL: ${TEST_NAME:-$0}: line $LINENO: command failed (status $?): $BASH_COMMAND" >&2' ERR

: "${KUKEON_SOURCE_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${KUKEON_BUILD_ROOT:=$KUKEON_SOURCE_ROOT/build}"
export KUKEON_SOURCE_ROOT KUKEON_BUILD_ROOT
export KUKEON_MACHINE_STATE_DIR="${KUKEON_MACHINE_STATE_DIR:-$KUKEON_BUILD_ROOT/machines}"
KM=$KUKEON_SOURCE_ROOT/tests/machine/kukeon-machine
BUILD_TEST_IMAGE=$KUKEON_SOURCE_ROOT/tests/image/build-test-image
TEST_NAME=$(basename "$0")
# where a test may keep files: the build tree, never the host's /tmp
TEST_DIR=$KUKEON_BUILD_ROOT/tests/integration/$TEST_NAME
SUITE_MACHINE=suite
# Paths of /etc /opt /run /var that something other than the test changes on this host while
# the isolation checks run (an extended regex on the path; empty: none).
KUKEON_ISOLATION_IGNORE=${KUKEON_ISOLATION_IGNORE:-}

log() { echo "# $*"; }
fail() { echo "FAIL: $TEST_NAME: $*" >&2; exit 1; }

skip() {
        if [[ ${CI:-} == true ]]; then
                echo "FAIL: $TEST_NAME: would be skipped under CI=true: $*" >&2
                echo "FAIL: the integration suite must run in CI (root, namespaces, systemd, containerd)" >&2
                exit 1
        fi
        echo "SKIP: $TEST_NAME: $*" >&2
        exit 77
}

# Can this host boot a machine at all?  Skips (exit 77) when it cannot.
require_machine_host() {
        [[ $(id -u) == 0 ]] || skip "needs root"
        local b
        for b in unshare nsenter setpriv flock pivot_root ip; do
                command -v "$b" >/dev/null || skip "'$b' not found"
        done
        [[ -x /lib/systemd/systemd ]] || skip "/lib/systemd/systemd not found (systemd not installed)"
        for b in containerd ctr runc dbus-daemon busctl systemd-run; do
                command -v "$b" >/dev/null || skip "'$b' not found"
        done
        [[ -x /usr/lib/polkit-1/polkitd || -x /usr/libexec/polkitd ]] || skip "polkitd not found"
        unshare --pid --mount --uts --ipc --net --cgroup --fork true 2>/dev/null \
                || skip "cannot create pid/mount/uts/ipc/net/cgroup namespaces here"
        grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
        grep -qw overlay /proc/filesystems || skip "no overlayfs in this kernel"
}

# machine_begin: pick the machine this test runs in (sets MACHINE).
machine_begin() {
        require_machine_host
        mkdir -p "$TEST_DIR"
        if "$KM" -n "$SUITE_MACHINE" status >/dev/null 2>&1; then
                MACHINE=$SUITE_MACHINE
                log "using the suite machine '$MACHINE'"
                return 0
        fi
        if [[ -f $KUKEON_MACHINE_STATE_DIR/$SUITE_MACHINE.run &&
                $(cat "$KUKEON_MACHINE_STATE_DIR/$SUITE_MACHINE.run") == "$PPID" ]]; then
                fail "the suite machine is not up although machine-up ran in this test run (see its log)"
        fi
        MACHINE=$(private_name "$TEST_NAME")
        log "booting a private machine '$MACHINE'"
        machine_up "$MACHINE"
}

# on_exit CMD: run CMD (eval'd) when the test exits, latest first, before private machines
# go down.  The test's exit status is kept (a failing cleanup fails a passing test).
EXIT_HOOKS=()
PRIVATE_MACHINES=()
on_exit() { EXIT_HOOKS+=("$*"); }
_on_exit() {
        local rc=$? i
        set +e
        for ((i = ${#EXIT_HOOKS[@]} - 1; i >= 0; i--)); do
                eval "${EXIT_HOOKS[$i]}"
        done
        for i in "${PRIVATE_MACHINES[@]}"; do
                if [[ -d $KUKEON_MACHINE_STATE_DIR/$i ]]; then
                        "$KM" -q -n "$i" down || rc=1
                fi
        done
        exit $rc
}
trap _on_exit EXIT

# a machine name for this test: t-<test name>, truncated
private_name() {
        local n
        n=$(tr -c 'a-z0-9\n' '-' <<<"${1,,}")
        n=${n#-}
        echo "t-${n:0:30}"
}

# machine_up NAME [ARGS...]: boot NAME owned by this test (reaped if the test is killed)
machine_up() {
        local name=$1
        shift
        PRIVATE_MACHINES+=("$name")
        "$KM" -n "$name" --owner $$ "$@" up || fail "machine '$name' failed to boot"
}

# m CMD...: run CMD in $MACHINE
m() { "$KM" -n "$MACHINE" exec "$@"; }
# mn NAME CMD...: run CMD in machine NAME
mn() {
        local n=$1
        shift
        "$KM" -n "$n" exec "$@"
}

# test_image: path of the test image tarball (built if missing or older than its script)
test_image() {
        local img=$KUKEON_BUILD_ROOT/tests/image/busybox-oci.tar
        if [[ ! -s $img || $BUILD_TEST_IMAGE -nt $img || /bin/busybox -nt $img ]]; then
                local rc=0
                "$BUILD_TEST_IMAGE" -o "$img" >/dev/null || rc=$?
                ((rc == 77)) && skip "cannot build the test image (busybox-static missing)"
                ((rc == 0)) || fail "building the test image failed"
        fi
        echo "$img"
}

# ---------------------------------------------------------------------------------------------
# host snapshots for the isolation checks

# host_snapshot DIR: record what a machine must not change on the host
host_snapshot() {
        local dir=$1
        mkdir -p "$dir"
        # files: /tmp /etc /opt /run /var (directory mtimes left out: an entry added or
        # removed shows up as a path of its own); content hashes of /etc
        # The project's own trees are left out: a checkout may live under /var/tmp, and its
        # build tree is where tests keep their files.
        find /tmp /etc /opt /run /var -xdev \( -path "$KUKEON_SOURCE_ROOT" -o -path "$KUKEON_BUILD_ROOT" \) -prune -o \
                \( -type d -printf '%y %m %U:%G - - %p\n' \) -o \
                -printf '%y %m %U:%G %s %T@ %p\n' 2>/dev/null | sort -k6 >"$dir/files" || true
        find /etc -xdev -type f -readable -print0 2>/dev/null | sort -z |
                xargs -0 -r sha256sum 2>/dev/null >"$dir/etc.sha256" || true
        # mount table of the host
        cut -d' ' -f1-10 /proc/self/mountinfo | sort >"$dir/mounts"
        # machine cgroups of the host made from this state dir (kmachine-<name>.<tag> and
        # below): machines of other checkouts on the same host come and go on their own
        local tag
        tag=$("$KM" cgroup-tag) || fail "kukeon-machine cgroup-tag failed"
        find /sys/fs/cgroup -type d -path "*/kmachine-*.$tag*" 2>/dev/null | sort >"$dir/cgroups" || true
        # network of the host
        {
                ip -o link show | sed 's/ state [A-Z]* / /; s/ qdisc [^ ]* / /'
                ip -o addr show
                ip route show table all
                if command -v iptables-save >/dev/null; then
                        { iptables-save 2>/dev/null || true; } | { grep -v '^#' || true; } | sed 's/\[[0-9]*:[0-9]*\]//'
                fi
        } >"$dir/net"
}

# machine_touched NAME OUT: the host paths machine NAME has written, created or deleted in its
# root: its overlay's upper layer, and what is in its own /tmp, /run and /var/lib/containerd
machine_touched() {
        local name=$1 out=$2
        {
                "$KM" -n "$name" exec find /run/kmachine/upper -mindepth 1 -printf '/%P\n'
                "$KM" -n "$name" exec find /tmp /run /var/lib/containerd -xdev -mindepth 1 -printf '%p\n'
        } 2>/dev/null | grep -v '^/run/kmachine\(/\|$\)' | sort -u >"$out" || true
        [[ -s $out ]] || fail "cannot list what machine '$name' changed"
}

# _diff_lines A B: the changed lines of two listings
_diff_lines() {
        diff "$1" "$2" | grep '^[<>]' || true
}

# host_compare BEFORE AFTER [options]: fail with the differences, if any
#   --cgroups-except REGEX   ignore machine cgroups matching REGEX (machines that live on)
#   --touched FILE           compare files only at the paths listed in FILE (one a line)
#   --all-files              compare every file of /etc /opt /run /var, and of /tmp the paths
#                            given with --touched: other work on the host (compilers, shells, CI
#                            logs) comes and goes in /tmp, and the machine never sees the host's
#                            /tmp (its own is a tmpfs), so what it wrote there is all --touched lists
host_compare() {
        local a=$1 b=$2
        shift 2
        local cgx="" touched="" all=0 bad=0 diffs f
        while (($#)); do
                case $1 in
                --cgroups-except) cgx=$2; shift 2 ;;
                --touched) touched=$2; shift 2 ;;
                --all-files) all=1; shift ;;
                *) fail "host_compare: bad option $1" ;;
                esac
        done
        report() {
                if [[ -n $2 ]]; then
                        echo "host $1 changed:" >&2
                        head -n 40 <<<"$2" >&2
                        bad=1
                fi
        }
        report "mount table" "$(_diff_lines "$a/mounts" "$b/mounts")"
        report network "$(_diff_lines "$a/net" "$b/net")"
        if [[ -n $cgx ]]; then
                report cgroups "$(diff <(grep -Ev "$cgx" "$a/cgroups" || true) <(grep -Ev "$cgx" "$b/cgroups" || true) | grep '^[<>]' || true)"
        else
                report cgroups "$(_diff_lines "$a/cgroups" "$b/cgroups")"
        fi
        local ign=${KUKEON_ISOLATION_IGNORE:-^//never//$}
        if [[ -n $touched ]]; then
                # only the paths the machine changed (and their parents' entries do not matter)
                for f in files etc.sha256; do
                        diffs=$(_diff_lines "$a/$f" "$b/$f" | awk -v ign="$ign" '
                                FILENAME == ARGV[1] { t[$0] = 1; next }
                                { p = $NF; if ((p in t) && p !~ ign) print }' "$touched" -)
                        report "files (paths the machine wrote)" "$diffs"
                done
        fi
        if ((all)); then
                for f in files etc.sha256; do
                        diffs=$(_diff_lines "$a/$f" "$b/$f" | awk -v ign="$ign" '
                                FILENAME == ARGV[1] { t[$0] = 1; next }
                                { p = $NF
                                  if (p ~ ign) next
                                  if (p ~ "^/tmp/" && !(p in t)) next
                                  print }' "${touched:-/dev/null}" -)
                        report "files" "$diffs"
                done
        fi
        ((bad == 0)) || fail "the host changed (set KUKEON_ISOLATION_IGNORE to a regex of paths that unrelated activity changed)"
}

# assert_machine_gone NAME PIDNS MNTNS CGROUPS_FILE: fail if anything of a downed machine remains
assert_machine_gone() {
        local name=$1 pidns=$2 mntns=$3 cgfile=$4 p c
        [[ ! -e $KUKEON_MACHINE_STATE_DIR/$name ]] || fail "state of machine '$name' left in $KUKEON_MACHINE_STATE_DIR"
        while read -r c; do
                [[ ! -e $c ]] || fail "cgroup $c of machine '$name' left behind"
        done <"$cgfile"
        # namespace inode numbers are reused: one of a machine that is up now is not a leftover
        local -A live=()
        local s
        for s in "$KUKEON_MACHINE_STATE_DIR"/*/; do
                [[ -f $s/pidns && -f $s/mntns ]] || continue
                if "$KM" -n "$(basename "$s")" pid >/dev/null 2>&1; then
                        live[$(cat "$s/pidns")]=1
                        live[$(cat "$s/mntns")]=1
                fi
        done
        [[ -z ${live[$pidns]:-} ]] || pidns=none
        [[ -z ${live[$mntns]:-} ]] || mntns=none
        # A process in one of its namespaces, unless it sits in another machine's cgroup: other
        # checkouts' machines run beside ours and namespace inode numbers are reused. Processes
        # of a machine just killed may take a moment to be reaped: look again for up to 5 s.
        local own tag try left
        tag=$("$KM" cgroup-tag) || fail "kukeon-machine cgroup-tag failed"
        own="/kmachine-$name.$tag"
        for ((try = 0; try < 50; try++)); do
                left=""
                for p in /proc/[0-9]*; do
                        if [[ $(readlink "$p/ns/pid" 2>/dev/null) == "$pidns" ||
                                $(readlink "$p/ns/mnt" 2>/dev/null) == "$mntns" ]]; then
                                c=$(grep -o '/kmachine-[^/]*' "$p/cgroup" 2>/dev/null | head -n1 || true)
                                [[ -n $c && $c != "$own" ]] && continue
                                left="process ${p#/proc/} ($(cat "$p/comm" 2>/dev/null))"
                                break
                        fi
                done
                [[ -z $left ]] && return 0
                sleep 0.1
        done
        fail "$left of machine '$name' left behind"
}

# machine_facts NAME DIR: copy what assert_machine_gone needs before the machine goes
machine_facts() {
        local name=$1 dir=$2 s=$KUKEON_MACHINE_STATE_DIR/$1
        mkdir -p "$dir"
        cp "$s/pidns" "$s/mntns" "$s/cgroups" "$s/leader" "$dir/" || fail "machine '$name' has no state"
}

# assert_gone_from FACTS_DIR NAME
assert_gone_from() {
        assert_machine_gone "$2" "$(cat "$1/pidns")" "$(cat "$1/mntns")" "$1/cgroups"
}

# wait_until TIMEOUT_SECONDS CMD...: poll CMD every 0.1 s
# `cmd | grep -q PATTERN` under pipefail fails when grep, done at the first match, makes cmd
# die of SIGPIPE on its next write: grep_q reads everything, so only the match decides.
grep_q() { grep "$@" >/dev/null; }

wait_until() {
        local t=$1 i
        shift
        for ((i = 0; i < t * 10; i++)); do
                "$@" && return 0
                sleep 0.1
        done
        return 1
}

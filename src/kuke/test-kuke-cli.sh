#!/bin/bash
# The kuke binary's argument handling and output shapes, against the in-test peer-to-peer
# server of test-bus-client (run as the "kukeond" of --no-daemon: 200 realms r0..r199, GetRealm,
# the Version and Namespace properties; "gone" does not exist). The real kukeond is tested by
# tests/integration/kuke-*.
#
#   test-kuke-cli.sh KUKE TEST-BUS-CLIENT SOURCE-ROOT
set -eEuo pipefail
trap 'echo "FAIL: line $LINENO: command failed (status $?): $BASH_COMMAND" >&2' ERR

KUKE=$1
export KUKEOND=$2
SRC=$3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# k ARGS...: stdout in $TMP/out, stderr in $TMP/err, exit status in $rc
k() {
        rc=0
        "$KUKE" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
}
ok() { ((rc == 0)) || fail "$*: exit $rc: $(cat "$TMP/err")"; }
err() {
        ((rc == 1)) || fail "$*: exit $rc, not 1"
        [[ ! -s $TMP/out ]] || fail "$*: output on stdout: $(cat "$TMP/out")"
        [[ $(cat "$TMP/err") == "Error: $1" ]] || fail "stderr: '$(cat "$TMP/err")', expected 'Error: $1'"
}
py() { python3 -c "import json,sys; d=json.load(open('$TMP/out')); $1" || fail "JSON check $1: $(head -c 300 "$TMP/out")"; }

# --- tables
k --no-daemon get realms
ok get realms
[[ $(head -n1 "$TMP/out") =~ ^NAME\ +STATE\ +UNIT\ +NAMESPACE$ ]] || fail "header: $(head -n1 "$TMP/out")"
(($(wc -l <"$TMP/out") == 201)) || fail "$(wc -l <"$TMP/out") lines, not 201"
grep -qE '^r199 +Ready +kukeon-r199\.slice +kukeon-r199$' "$TMP/out" || fail "row r199: $(tail -n1 "$TMP/out")"
# connection options also after the verb, in either spelling
k get realms --no-daemon
ok
rc=0
"$KUKE" get realm r5 --no-daemon >"$TMP/out" || rc=$?
ok get realm r5
[[ $(cat "$TMP/out") == $'NAME   STATE   UNIT   NAMESPACE\nr5     Ready   -      kukeon-r5' ]] || fail "single table: $(cat "$TMP/out")"

# --- documents
k --no-daemon get realms -o json
ok
py 'assert isinstance(d, list) and len(d) == 200 and d[3]["metadata"]["name"] == "r3", len(d)'
k --no-daemon get realm r3 -o json
ok
py 'assert isinstance(d, dict) and d["kind"] == "Realm" and d["spec"]["namespace"] == "kukeon-r3" and d["status"]["state"] == "Ready"'
k --no-daemon get realms -o yaml
ok
(($(grep -c '^---$' "$TMP/out") == 199)) || fail "YAML stream of 200 documents has $(grep -c '^---$' "$TMP/out") separators"
(($(grep -c '^kind: Realm$' "$TMP/out") == 200)) || fail "YAML stream lacks documents"
k --no-daemon get realm r7 -o yaml
ok
[[ $(head -n2 "$TMP/out") == $'apiVersion: v1beta1\nkind: Realm' ]] || fail "YAML document: $(head -n2 "$TMP/out")"
k --no-daemon get realms -o name
ok
[[ $(head -n2 "$TMP/out") == $'r0\nr1' ]] && (($(wc -l <"$TMP/out") == 200)) || fail "-o name: $(head -n3 "$TMP/out")"
k --no-daemon get realms -o names
ok

# --- errors of the daemon, named
k --no-daemon get realm gone
err 'realm "gone" does not exist' "get realm gone"
k --no-daemon get realm gone -o json
err 'realm "gone" does not exist'
k --no-daemon init
((rc == 1)) && grep -q '^Error: this kukeond does not support the call: ' "$TMP/err" || fail "unknown method: $(cat "$TMP/err")"

# --- names are checked before anything is started or sent: this KUKEOND does not exist
KUKEOND=/nonexistent k --no-daemon get realm Bad_Name
((rc == 1)) && grep -q '^Error: invalid Realm name "Bad_Name": uppercase letter' "$TMP/err" || fail "bad name: $(cat "$TMP/err")"
KUKEOND=/nonexistent k --no-daemon get stacks --realm ok --space 'a b'
((rc == 1)) && grep -q '^Error: invalid Space name "a b": ' "$TMP/err" || fail "bad parent: $(cat "$TMP/err")"
KUKEOND=/nonexistent k --no-daemon get spaces --realm run
((rc == 1)) && grep -q '^Error: invalid Realm name "run": .*reserved' "$TMP/err" || fail "reserved realm: $(cat "$TMP/err")"
KUKEOND=/nonexistent k --no-daemon create realm kukeon-system
err "realm \"kukeon-system\" is the system realm: 'kuke init' creates it"
KUKEOND=/nonexistent k --no-daemon get realms
err "cannot run /nonexistent: No such file or directory (set \$KUKEOND to the kukeond to run)"

# --- apply checks every document here first: a bad one is reported with its file and line, and
# nothing is sent (this KUKEOND does not exist)
printf 'apiVersion: v1beta1\nkind: Realm\nmetadata: {name: ok}\nspec: {}\n---\napiVersion: v1beta1\nkind: Space\nmetadata:\n  name: Bad_Space\nspec: {realmId: ok}\n' >"$TMP/bad.yaml"
KUKEOND=/nonexistent k --no-daemon apply -f "$TMP/bad.yaml"
((rc == 1)) && [[ ! -s $TMP/out ]] || fail "apply of a bad document: exit $rc, stdout $(cat "$TMP/out")"
grep -q "^Error: $TMP/bad.yaml: document 2 (Space \"Bad_Space\"): line 9, column 9: metadata.name: invalid Space name \"Bad_Space\"" "$TMP/err" ||
        fail "apply of a bad document: $(cat "$TMP/err")"
! grep -q 'cannot run' "$TMP/err" || fail "apply started kukeond for a bad manifest"
: >"$TMP/empty.yaml"
KUKEOND=/nonexistent k --no-daemon apply -f "$TMP/empty.yaml"
err "$TMP/empty.yaml: no documents"

# --- usage
k frobnicate
err "unknown verb \"frobnicate\" (see 'kuke --help')"
k get
err "no resource type given: kuke get realm|space|stack|cell [NAME] (see 'kuke get --help')"
k get containers
err 'unknown resource type "containers" (expected realm, space, stack or cell)'
k create space
err 'no space name given: kuke create space NAME'
k get realm a b
err "unexpected argument \"b\" (see 'kuke get --help')"
k get realms -o table
err 'unknown output format "table" (expected yaml or json)'
k --no-daemon --host unix:/x get realms
err '--host/-H and --no-daemon exclude each other, and only one --host may be given'
k -H '' get realms
err 'invalid --host "": empty host (expected unix:PATH or [USER@]HOST)'
k --host unix:/nonexistent/kukeond.sock get realms
err 'cannot connect to kukeond at /nonexistent/kukeond.sock: No such file or directory'
k delete -f /dev/null realm x
err 'unexpected argument "realm": with -f, the manifest names what to delete'
k apply -f "$SRC/docs/examples/realm-space-stack.yaml" -o json
err '-o goes with --dry-run: kukeond reports one line per document'
k autocomplete
err 'no shell given: kuke autocomplete bash|zsh|fish'

# --- cell verbs: usage and names, checked before anything is sent (this KUKEOND does not exist)
export KUKEOND=/nonexistent
k start
err "no resource type given: kuke start cell NAME (see 'kuke start --help')"
k stop stack x
err 'kuke stop takes a cell, not a stack: kuke stop cell NAME'
k kill cel x
err 'unknown resource type "cel" (kuke kill takes cell NAME)'
k start cell
err 'no cell name given: kuke start cell NAME'
k --no-daemon stop cell Bad_Cell
((rc == 1)) && grep -q '^Error: invalid Cell name "Bad_Cell": uppercase letter' "$TMP/err" || fail "bad cell name: $(cat "$TMP/err")"
k --no-daemon start cell web --stack 'x y'
((rc == 1)) && grep -q '^Error: invalid Stack name "x y": ' "$TMP/err" || fail "bad --stack: $(cat "$TMP/err")"
k --no-daemon kill cell web --signal TERM
err "--signal TERM is not supported yet: kukeond's KillCell sends SIGKILL only (use 'kuke stop' for SIGTERM with a grace period)"
k --no-daemon kill cell web --signal NOPE
err 'unknown signal "NOPE" (expected a name such as KILL or SIGKILL, or a number)'
k --no-daemon kill cell web -s 9
err "cannot run /nonexistent: No such file or directory (set \$KUKEOND to the kukeond to run)"
k purge cell web
err "purging a single cell is not supported yet (kukeond has no PurgeCell): use 'kuke delete cell web --force', or purge its stack"
k run
err 'nothing to run: give -f FILE (a Cell manifest) or -p PROFILE'
k run -f x -p y
err '-f and -p exclude each other: run a manifest or a profile'
k run -f x --param A=b
err '--param goes with -p PROFILE'
k run -p x --param noequals
err '--param noequals: expected KEY=VALUE'
k run -f "$SRC/docs/examples/hello-world.yaml" --name Bad
((rc == 1)) && grep -q '^Error: invalid Cell name "Bad": uppercase letter' "$TMP/err" || fail "bad --name: $(cat "$TMP/err")"
k run -f "$SRC/docs/examples/hello-world.yaml" --timeout 0
err 'invalid --timeout "0": expected seconds, 1 to 86400'
k run -f "$SRC/docs/examples/realm-space-stack.yaml"
err "$SRC/docs/examples/realm-space-stack.yaml: 4 documents: kuke run takes one Cell (use 'kuke apply -f' for several)"
printf 'apiVersion: v1beta1\nkind: Realm\nmetadata: {name: r}\n' >"$TMP/realm.yaml"
k run -f "$TMP/realm.yaml"
err "$TMP/realm.yaml: Realm \"r\" is not a Cell: kuke run takes one Cell (use 'kuke apply -f' for other kinds)"
KUKE_PROFILES_DIR=$TMP/profiles k run -p dev
err "no profile \"dev\": neither $TMP/profiles/dev.yaml nor .yml exists (profiles live in \$KUKE_PROFILES_DIR, else ~/.kuke/profiles.d)"
KUKE_PROFILES_DIR=$TMP/profiles k run -p ../dev
err 'invalid profile name "../dev": a name, not a path'
mkdir -p "$TMP/profiles"
cp "$SRC/docs/examples/profile.yaml" "$TMP/profiles/dev-shell.yaml"
KUKE_PROFILES_DIR=$TMP/profiles k run -p dev-shell
err 'profile "dev-shell": parameter WORKDIR of profile "dev-shell" is required: pass --param WORKDIR=VALUE'
KUKE_PROFILES_DIR=$TMP/profiles k run -p dev-shell --param NOPE=1
err 'profile "dev-shell": --param NOPE: profile "dev-shell" declares no such parameter'
# a complete profile gets as far as connecting
KUKE_PROFILES_DIR=$TMP/profiles k --no-daemon run -p dev-shell --param WORKDIR=/tmp --name dev-1
err "cannot run /nonexistent: No such file or directory (set \$KUKEOND to the kukeond to run)"
k logs
err 'no cell name given: kuke logs CELL'
k logs web -H root@elsewhere
err "kuke logs reads the journal of this host: --host root@elsewhere is not supported (run 'ssh root@elsewhere kuke logs …' instead)"
k logs Web
((rc == 1)) && grep -q '^Error: invalid Cell name "Web": uppercase letter' "$TMP/err" || fail "bad logs cell: $(cat "$TMP/err")"
k logs web --container A_B
((rc == 1)) && grep -q '^Error: invalid Container name "A_B": ' "$TMP/err" || fail "bad --container: $(cat "$TMP/err")"
k logs web --tail x
err 'invalid --tail "x": expected a number of lines, 0 or more'
# a cell nobody logged for: nothing, exit 0 (the journal is read locally, no daemon)
k logs kuke-cli-test-nothing-$$
ok logs of a cell without lines
[[ ! -s $TMP/out ]] || fail "logs of a cell without lines printed: $(cat "$TMP/out")"
export KUKEOND=$2

# --- image: arguments checked before anything is sent (this KUKEOND does not exist)
export KUKEOND=/nonexistent/kukeond
k image
err "no image verb given: kuke image load|rm (see 'kuke image --help')"
k image frob
err 'unknown image verb "frob" (expected load, rm or ls)'
k image load
err 'no archive given: kuke image load FILE (or - for stdin)'
k image load a b
err 'unexpected argument "b": kuke image load takes one archive'
k image load "$TMP/missing.tar"
err "cannot open $TMP/missing.tar: No such file or directory"
k image load "$TMP"
err "$TMP is a directory, not an image archive (pack an OCI layout with tar -C DIR -cf FILE .)"
k image load --realm Bad x
[[ $(cat "$TMP/err") == 'Error: invalid Realm name "Bad"'* ]] || fail "image load --realm Bad: $(cat "$TMP/err")"
k image rm
err 'no image given: kuke image rm REFERENCE…'
k get images x
err 'unexpected argument "x": kuke get images lists them all'
k get images --space s
err 'images belong to a realm: kuke get images [--realm NAME]'
k get images -o json
err '-o yaml and -o json are not supported for images (the table, or -o name)'
k get realms --no-trunc
err '--no-trunc is for kuke get images'
export KUKEOND=$2

for v in init get create apply delete purge start stop kill run logs image version autocomplete; do
        k "$v" --help
        ok "$v --help"
        grep -q "^Usage: kuke $v" "$TMP/out" || fail "$v --help: $(head -n1 "$TMP/out")"
        k help "$v"
        ok "help $v"
done
k --help
ok
# -o name is for scripts: not in the help
! grep -q 'name' <("$KUKE" get --help | grep -- '--output') || fail "-o name shows in get --help"

# --- version: the daemon's, or why not (exit 0 either way)
k --no-daemon version
ok
[[ $(cat "$TMP/out") == $'kuke '*$'\nkukeond 9.9.9-test' ]] || fail "version: $(cat "$TMP/out")"
KUKEOND=/bin/false k --no-daemon version
ok
grep -q '^daemon: not reachable (.*/bin/false exited with status 1)$' "$TMP/out" || fail "version without daemon: $(cat "$TMP/out")"
k --version
ok
[[ $(cat "$TMP/out") == "kuke "* ]] || fail "--version: $(cat "$TMP/out")"

# --- apply --dry-run stays offline: no bus, no daemon
KUKEOND=/nonexistent DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent k apply --dry-run -f "$SRC/docs/examples/realm-space-stack.yaml"
ok
[[ $(cat "$TMP/out") == $'Realm "demo": valid\nSpace "web": valid\nStack "frontend": valid\nCell "site": valid' ]] || fail "dry-run: $(cat "$TMP/out")"

# --- completion: bash completes live names through kuke itself
k autocomplete bash
ok
cp "$TMP/out" "$TMP/kuke.bash"
comp() {
        PATH=$(dirname "$KUKE"):$PATH bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _kuke; printf "%s\n" "${COMPREPLY[@]}"' _ "$TMP/kuke.bash" "$@"
}
[[ $(comp kuke --no-daemon get realm r19) == $'r19\nr190\nr191\nr192\nr193\nr194\nr195\nr196\nr197\nr198\nr199' ]] ||
        fail "bash: realm names: $(comp kuke --no-daemon get realm r19 | tr '\n' ' ')"
[[ $(comp kuke get stacks --no-daemon --realm r19) == *r199 ]] || fail "bash: --realm names"
[[ $(comp kuke get sp) == $'space\nspaces' ]] || fail "bash: types"
[[ $(comp kuke ver) == version ]] || fail "bash: verbs"
[[ $(comp kuke get ce) == $'cell\ncells' ]] || fail "bash: cell types"
[[ $(comp kuke st) == $'start\nstop' ]] || fail "bash: start/stop"
[[ $(comp kuke kill '') == cell ]] || fail "bash: kill takes a cell"
[[ $(comp kuke logs web --c) == --container ]] || fail "bash: logs options"
[[ $(comp kuke run --pa) == --param ]] || fail "bash: run options"
[[ $(comp kuke delete --ca) == --cascade ]] || fail "bash: options"
[[ -z $(comp kuke create realm '') ]] || fail "bash: create completes names of existing realms"
for sh in zsh fish; do
        k autocomplete "$sh"
        ok
        grep -q -- '-o names' "$TMP/out" || fail "$sh script does not ask kuke for names"
        if command -v "$sh" >/dev/null; then
                cp "$TMP/out" "$TMP/kuke.$sh"
                "$sh" -n "$TMP/kuke.$sh" || fail "the $sh script does not parse"
        fi
done
if command -v fish >/dev/null; then
        # no "| head" here: under pipefail, fish dying of SIGPIPE would end the test silently
        got=$(PATH=$(dirname "$KUKE"):$PATH fish -c "source $TMP/kuke.fish; complete -C'kuke --no-daemon get realm r19'")
        [[ $got == $'r19\nr190\nr191\nr192\nr193\nr194\nr195\nr196\nr197\nr198\nr199' ]] || fail "fish: realm names: $got"
fi
echo "kuke CLI: all checks passed"

#!/bin/bash
# The kuke binary's argument handling and output shapes, against the in-test peer-to-peer
# server of test-bus-client (run as the "kukeond" of --no-daemon: 200 realms r0..r199, GetRealm,
# the Version and Namespace properties; "gone" does not exist; cells site (Ready), stopped and
# empty in main/default/default, with containers web (root) and side, and the container verbs,
# PurgeCell). The real kukeond is tested by tests/integration/kuke-*.
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
err "no resource type given: kuke get realm|space|stack|cell|container [NAME] (see 'kuke get --help')"
k get pods
err 'unknown resource type "pods" (expected realm, space, stack, cell or container)'
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
err "no resource type given: kuke start cell|container NAME (see 'kuke start --help')"
k stop stack x
err 'kuke stop takes a cell or container, not a stack: kuke stop cell|container NAME'
k kill cel x
err 'unknown resource type "cel" (kuke kill takes cell|container NAME)'
k start cell
err 'no cell name given: kuke start cell NAME'
k --no-daemon stop cell Bad_Cell
((rc == 1)) && grep -q '^Error: invalid Cell name "Bad_Cell": uppercase letter' "$TMP/err" || fail "bad cell name: $(cat "$TMP/err")"
k --no-daemon start cell web --stack 'x y'
((rc == 1)) && grep -q '^Error: invalid Stack name "x y": ' "$TMP/err" || fail "bad --stack: $(cat "$TMP/err")"
k --no-daemon kill cell web --signal NOPE
err 'unknown signal "NOPE" (expected a name such as KILL or SIGKILL, or a number)'
k --no-daemon kill cell web -s 9
err "cannot run /nonexistent: No such file or directory (set \$KUKEOND to the kukeond to run)"
# containers: --cell is required, and only for containers; names checked locally
k get containers
err 'no cell given: containers belong to a cell, kuke get containers --cell CELL'
k stop container side
err 'no cell given: containers belong to a cell, kuke stop container NAME --cell CELL'
k start container --cell site
err 'no container name given: kuke start container NAME --cell CELL'
k get cells --cell site
err '--cell goes with containers only, not with a cell'
k create realm x --image busybox
err "--image, --command, --args and --env are for 'kuke create container'"
k create container side --cell site --env NOEQUALS
err '--env "NOEQUALS": give KEY=VALUE'
k --no-daemon delete container Side --cell site
((rc == 1)) && grep -q '^Error: invalid Container name "Side": uppercase letter' "$TMP/err" || fail "bad container name: $(cat "$TMP/err")"
k --no-daemon purge container side --cell Site
((rc == 1)) && grep -q '^Error: invalid Cell name "Site": uppercase letter' "$TMP/err" || fail "bad --cell: $(cat "$TMP/err")"
k delete -f /dev/null --cell site
err '--realm, --space, --stack and --cell do not go with -f: the manifest names the parents'
k get images --cell site
err 'images belong to a realm: kuke get images [--realm NAME]'
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

# --- containers against the test server
k --no-daemon get containers --cell site
ok get containers
[[ $(cat "$TMP/out") == $'NAME   STATE     IMAGE                              ROOT\nweb    Ready     docker.io/library/busybox:latest   yes\nside   Stopped   docker.io/library/busybox:latest   no' ]] ||
        fail "container table: $(cat "$TMP/out")"
k --no-daemon get container side --cell site
ok get container side
[[ $(cat "$TMP/out") == $'NAME   STATE     IMAGE                              ROOT\nside   Stopped   docker.io/library/busybox:latest   no' ]] ||
        fail "one container: $(cat "$TMP/out")"
k --no-daemon get container nope --cell site
err 'container "main/default/default/site/nope" does not exist'
k --no-daemon get container nope --cell site -o yaml
err 'container "main/default/default/site/nope" does not exist'
k --no-daemon get containers --cell gone
err 'cell "main/default/default/gone" does not exist'
k --no-daemon get containers --cell empty
ok
[[ ! -s $TMP/out && $(cat "$TMP/err") == 'No containers in cell "main/default/default/empty".' ]] || fail "no containers: $(cat "$TMP/err")"
k --no-daemon get containers --cell site -o name
ok
[[ $(cat "$TMP/out") == $'web\nside' ]] || fail "container names: $(cat "$TMP/out")"
k --no-daemon get containers --cell site -o json
ok
py 'assert [c["metadata"]["name"] for c in d] == ["web", "side"] and d[0]["spec"]["root"] is True and d[1]["status"]["exitSignal"] == "KILL", d'
k --no-daemon get container side --cell site -o yaml
ok
grep -q '^kind: Container$' "$TMP/out" && grep -q 'exitSignal: KILL' "$TMP/out" || fail "container YAML: $(cat "$TMP/out")"
k --no-daemon get containers --cell site -o yaml
ok
(($(grep -c '^kind: Container$' "$TMP/out") == 2 && $(grep -c '^---$' "$TMP/out") == 1)) || fail "container YAML stream: $(cat "$TMP/out")"
k --no-daemon stop container side --cell site
ok
[[ $(cat "$TMP/out") == 'Container "side" stopped' ]] || fail "stop container: $(cat "$TMP/out")"
k --no-daemon start container side --cell site
ok
[[ $(cat "$TMP/out") == 'Container "side" started' ]] || fail "start container: $(cat "$TMP/out")"
k --no-daemon kill container side --cell site -s KILL
ok
[[ $(cat "$TMP/out") == 'Container "side" killed' ]] || fail "kill container: $(cat "$TMP/out")"
k --no-daemon kill cell site --signal TERM
ok kill --signal TERM
[[ $(cat "$TMP/out") == 'Cell "site" sent SIGTERM' ]] || fail "kill --signal TERM: $(cat "$TMP/out")"
k --no-daemon kill cell stopped -s 15
err "cell \"main/default/default/stopped\" is not running: start the cell first ('kuke start cell stopped')"
k --no-daemon kill container side --cell site --signal SIGTERM
ok kill container --signal SIGTERM
[[ $(cat "$TMP/out") == 'Container "side" sent SIGTERM' ]] || fail "kill container --signal: $(cat "$TMP/out")"
k --no-daemon start container side --cell stopped
err "cell \"main/default/default/stopped\" is not running: start the cell first ('kuke start cell stopped')"
k --no-daemon create container side --cell site --image busybox
err "container \"side\" exists already in cell \"site\": change it with 'kuke apply'"
k --no-daemon start container nope --cell site
err 'container "main/default/default/site/nope" does not exist'
k --no-daemon stop container side --cell gone
err 'cell "main/default/default/gone" does not exist'
k --no-daemon delete container web --cell site
err 'container "web" is the root container of cell "main/default/default/site" and cannot leave it: delete the cell instead'
k --no-daemon delete container side --cell site
ok
[[ $(cat "$TMP/out") == 'Container "side" deleted' ]] || fail "delete container: $(cat "$TMP/out")"
# --force is FORCE (the server refuses this one without it)
k --no-daemon delete container side --cell stopped
((rc == 1)) && grep -q 'containerd is gone (flags 0)' "$TMP/err" || fail "delete without --force: $(cat "$TMP/err")"
k --no-daemon delete container side --cell stopped --force
ok
k --no-daemon purge container side --cell site
ok
[[ $(cat "$TMP/out") == $'removed task default_default_site_side\nremoved container default_default_site_side\nremoved snapshot default_default_site_side\nContainer "side" purged' ]] ||
        fail "purge container: $(cat "$TMP/out")"
k --no-daemon purge cell site
ok
[[ $(cat "$TMP/out") == $'removed task default_default_site_web\nremoved container default_default_site_web\nremoved address 10.88.0.9\nremoved scope kukeon-main-default-default-site.scope\nCell "site" purged' ]] ||
        fail "purge cell: $(cat "$TMP/out")"
k --no-daemon purge cell gone
err 'cell "main/default/default/gone" does not exist'

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
[[ $(comp kuke kill '') == $'cell\ncontainer' ]] || fail "bash: kill takes a cell or a container"
[[ $(comp kuke get con) == $'container\ncontainers' ]] || fail "bash: container types"
[[ $(comp kuke --no-daemon get containers --cell s) == $'site\nstopped' ]] || fail "bash: --cell names: $(comp kuke --no-daemon get containers --cell s | tr '\n' ' ')"
[[ $(comp kuke --no-daemon stop container --cell site '') == $'web\nside' ]] || fail "bash: container names: $(comp kuke --no-daemon stop container --cell site '' | tr '\n' ' ')"
[[ $(comp kuke --no-daemon delete container --cell=site s) == side ]] || fail "bash: container names after the name"
[[ -z $(comp kuke --no-daemon stop container '') ]] || fail "bash: container names without --cell"
[[ $(comp kuke stop container x --ce) == --cell ]] || fail "bash: --cell option"
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
        got=$(PATH=$(dirname "$KUKE"):$PATH fish -c "source $TMP/kuke.fish; complete -C'kuke --no-daemon stop container --cell site '")
        [[ $got == $'side\nweb' ]] || fail "fish: container names (fish sorts them): $got"
        got=$(PATH=$(dirname "$KUKE"):$PATH fish -c "source $TMP/kuke.fish; complete -C'kuke --no-daemon get containers --cell s'" | cut -f1)
        [[ $got == $'site\nstopped' ]] || fail "fish: --cell names: $got"
fi
echo "kuke CLI: all checks passed"

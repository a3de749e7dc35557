/* SPDX-License-Identifier: Apache-2.0 */
/* egress-firewall.c and iptables.c against fake iptables-save/-restore scripts: what goes in
 * on stdin, what runs and what does not, how failures are reported. The real programs are
 * driven by tests/integration/egress-policy inside the test machine. Also the getaddrinfo
 * resolver on names that need no network. */

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "egress-firewall.h"
#include "egress-resolve.h"
#include "fileio.h"
#include "strv.h"
#include "tests.h"

#define BR "k-0badf00d"
#define CH "KUKEON-EGRESS-k-0badf00d"

static char *dir;
static char *save_bin, *restore_bin;

static char *path_in(const char *name) {
        char *p;
        ASSERT_TRUE(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static void put(const char *name, const char *content, mode_t mode) {
        _cleanup_free_ char *p = path_in(name);
        ASSERT_OK(write_file_atomic(p, content, strlen(content), mode));
}

static char *get(const char *name) {
        _cleanup_free_ char *p = path_in(name);
        char *t = NULL;
        if (read_file_full(p, 1 << 20, &t, NULL) < 0)
                return NULL;
        return t;
}

static void drop(const char *name) {
        _cleanup_free_ char *p = path_in(name);
        (void) unlink(p);
}

static void setup(void) {
        _cleanup_free_ char *base = NULL, *script = NULL;
        const char *t = getenv("TMPDIR");
        if (!isempty(t))
                base = strdup(t);
        else {
                char exe[PATH_MAX];
                ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
                ASSERT_TRUE(n > 0);
                exe[n] = 0;
                base = strdup(dirname(exe));
        }
        ASSERT_NOT_NULL(base);
        ASSERT_TRUE(asprintf(&dir, "%s/test-egress-firewall.XXXXXX", base) > 0);
        ASSERT_NOT_NULL(mkdtemp(dir));

        /* save: prints the file "table", or fails as told by "save-fail" */
        ASSERT_TRUE(asprintf(&script,
                             "#!/bin/sh\n"
                             "cd '%s'\n"
                             "case \"$*\" in '-t filter'|'-t nat') ;; *) echo \"bad arguments: $*\" >&2; exit 9;; esac\n"
                             "[ -e save-sleep ] && exec sleep 10\n"
                             "[ -e save-fail ] && { cat save-fail >&2; exit 1; }\n"
                             "cat table 2>/dev/null\n"
                             "exit 0\n",
                             dir) > 0);
        put("fake-save", script, 0755);
        script = mfree(script);
        /* restore: appends its stdin to "inputs", counts its runs, fails with "restore-fail" */
        ASSERT_TRUE(asprintf(&script,
                             "#!/bin/sh\n"
                             "cd '%s'\n"
                             "[ \"$*\" = '--noflush' ] || { echo \"bad arguments: $*\" >&2; exit 9; }\n"
                             "cat >> inputs\n"
                             "echo run >> runs\n"
                             "[ -e restore-fail ] && { cat restore-fail >&2; exit 2; }\n"
                             "exit 0\n",
                             dir) > 0);
        put("fake-restore", script, 0755);
        save_bin = path_in("fake-save");
        restore_bin = path_in("fake-restore");
}

static void teardown(void) {
        const char *names[] = { "fake-save", "fake-restore", "table", "inputs", "runs", "save-fail", "restore-fail", "save-sleep" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                drop(names[i]);
        ASSERT_OK(rmdir(dir));
        dir = mfree(dir);
        save_bin = mfree(save_bin);
        restore_bin = mfree(restore_bin);
}

static unsigned runs(void) {
        _cleanup_free_ char *r = get("runs");
        unsigned n = 0;
        for (const char *p = r; p && (p = strchr(p, '\n')); p++)
                n++;
        return n;
}

static EgressRules *rules_new(void) {
        EgressAllowRule allow[] = { { .cidr = (char *) "192.0.2.0/24", .ports = (int64_t[]) { 80 }, .n_ports = 1 } };
        EgressPolicy p = { .default_ = (char *) "deny", .allow = allow, .n_allow = 1 };
        EgressRules *r = NULL;
        ASSERT_OK(egress_rules_build(&p, &(EgressSpace) { .bridge = BR, .gateway = "10.88.9.1" }, NULL, NULL, &r, NULL));
        return r;
}

static const char *const applied =
        "*filter\n"
        ":INPUT ACCEPT [0:0]\n"
        ":FORWARD ACCEPT [0:0]\n"
        ":OUTPUT ACCEPT [0:0]\n"
        ":" CH " - [0:0]\n"
        "-A INPUT -i " BR " -j " CH "\n"
        "-A FORWARD -i " BR " ! -o " BR " -j " CH "\n"
        "-A " CH " -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN\n"
        "-A " CH " -d 10.88.9.1/32 -p udp -m udp --dport 53 -j RETURN\n"
        "-A " CH " -d 10.88.9.1/32 -p tcp -m tcp --dport 53 -j RETURN\n"
        "-A " CH " -d 192.0.2.0/24 -p tcp -m tcp --dport 80 -j RETURN\n"
        "-A " CH " -j REJECT --reject-with icmp-admin-prohibited\n"
        "COMMIT\n";

static void test_apply_check_remove(void) {
        Iptables ipt = { .save = save_bin, .restore = restore_bin };
        _cleanup_(egress_rules_freep) EgressRules *r = rules_new();
        _cleanup_free_ char *error = NULL, *in = NULL;

        setup();
        ipt = (Iptables) { .save = save_bin, .restore = restore_bin };

        /* empty table: the whole ruleset goes in, in one run */
        ASSERT_EQ(egress_firewall_check(&ipt, r, &error), 0);
        ASSERT_STREQ(error, "chain " CH " is missing");
        error = mfree(error);
        ASSERT_OK(egress_firewall_apply(&ipt, r, &error));
        ASSERT_NULL(error);
        ASSERT_EQ(runs(), 1);
        in = get("inputs");
        ASSERT_STREQ(in,
                     "*filter\n"
                     ":" CH " - [0:0]\n"
                     "-A " CH " -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN\n"
                     "-A " CH " -d 10.88.9.1/32 -p udp -m udp --dport 53 -j RETURN\n"
                     "-A " CH " -d 10.88.9.1/32 -p tcp -m tcp --dport 53 -j RETURN\n"
                     "-A " CH " -d 192.0.2.0/24 -p tcp -m tcp --dport 80 -j RETURN\n"
                     "-A " CH " -j REJECT --reject-with icmp-admin-prohibited\n"
                     "-I INPUT 1 -i " BR " -j " CH "\n"
                     "-I FORWARD 1 -i " BR " ! -o " BR " -j " CH "\n"
                     "COMMIT\n");
        in = mfree(in);
        drop("inputs");

        /* what iptables would now show: check says in place; apply again inserts no jump */
        put("table", applied, 0644);
        ASSERT_EQ(egress_firewall_check(&ipt, r, &error), 1);
        ASSERT_NULL(error);
        ASSERT_OK(egress_firewall_apply(&ipt, r, NULL));
        in = get("inputs");
        ASSERT_NOT_NULL(in);
        ASSERT_NULL(strstr(in, "-I "));
        ASSERT_NULL(strstr(in, "-D "));
        in = mfree(in);
        drop("inputs");

        /* remove: jumps deleted, chain flushed and deleted */
        ASSERT_EQ(egress_firewall_remove(&ipt, BR, &error), 1);
        in = get("inputs");
        ASSERT_STREQ(in,
                     "*filter\n"
                     "-D INPUT -i " BR " -j " CH "\n"
                     "-D FORWARD -i " BR " ! -o " BR " -j " CH "\n"
                     ":" CH " - [0:0]\n"
                     "-X " CH "\n"
                     "COMMIT\n");
        in = mfree(in);
        drop("inputs");
        drop("runs");

        /* nothing left: remove runs no restore at all */
        drop("table");
        ASSERT_EQ(egress_firewall_remove(&ipt, BR, &error), 0);
        ASSERT_EQ(runs(), 0);
        ASSERT_NULL(get("inputs"));

        /* a bad bridge name fails before anything runs, save included */
        put("save-fail", "must not run\n", 0644);
        ASSERT_ERROR(egress_firewall_remove(&ipt, "no such bridge", &error), EINVAL);
        drop("save-fail");

        teardown();
}

static void test_failures(void) {
        Iptables ipt = { .save = save_bin, .restore = restore_bin };
        _cleanup_(egress_rules_freep) EgressRules *r = rules_new();
        _cleanup_free_ char *error = NULL;

        setup();
        ipt = (Iptables) { .save = save_bin, .restore = restore_bin };

        /* iptables-restore refuses a line: the message quotes that line of the input */
        put("restore-fail", "iptables-restore v1.8.9 (nf_tables): Chain 'BOGUS' does not exist\n"
                            "Error occurred at line: 6\n"
                            "Try `iptables-restore -h' or 'iptables-restore --help' for more information.\n", 0644);
        ASSERT_ERROR(egress_firewall_apply(&ipt, r, &error), EIO);
        _cleanup_free_ char *want = NULL;
        ASSERT_TRUE(asprintf(&want, "%s: line 6 \"-A " CH " -d 192.0.2.0/24 -p tcp -m tcp --dport 80 -j RETURN\": "
                                    "iptables-restore v1.8.9 (nf_tables): Chain 'BOGUS' does not exist", restore_bin) > 0);
        ASSERT_STREQ(error, want);
        error = mfree(error);

        /* no line number: the program's first line */
        put("restore-fail", "\nsomething broke\nmore\n", 0644);
        ASSERT_ERROR(egress_firewall_apply(&ipt, r, &error), EIO);
        want = mfree(want);
        ASSERT_TRUE(asprintf(&want, "%s failed (exit status 2): something broke", restore_bin) > 0);
        ASSERT_STREQ(error, want);
        error = mfree(error);
        drop("restore-fail");

        /* iptables-save fails: apply, check and remove all say so, and nothing is restored */
        drop("runs");
        put("save-fail", "can't initialize iptables table `filter': Permission denied\n", 0644);
        ASSERT_ERROR(egress_firewall_apply(&ipt, r, &error), EIO);
        ASSERT_TRUE(strstr(error, "failed (exit status 1): can't initialize iptables table `filter': Permission denied"));
        error = mfree(error);
        ASSERT_ERROR(egress_firewall_check(&ipt, r, &error), EIO);
        ASSERT_NOT_NULL(error);
        error = mfree(error);
        ASSERT_ERROR(egress_firewall_remove(&ipt, BR, &error), EIO);
        error = mfree(error);
        ASSERT_EQ(runs(), 0);
        drop("save-fail");

        /* a hung program is killed at the deadline */
        put("save-sleep", "", 0644);
        ipt.timeout_usec = 200 * 1000;
        ASSERT_ERROR(egress_firewall_check(&ipt, r, &error), ETIMEDOUT);
        ASSERT_NOT_NULL(error);
        error = mfree(error);
        drop("save-sleep");
        ipt.timeout_usec = 0;

        /* missing programs */
        _cleanup_free_ char *missing = path_in("no-such-iptables-save");
        ipt.save = missing;
        ASSERT_ERROR(egress_firewall_apply(&ipt, r, &error), ENOENT);
        want = mfree(want);
        ASSERT_TRUE(asprintf(&want, "%s: not found", missing) > 0);
        ASSERT_STREQ(error, want);
        error = mfree(error);
        ipt.save = save_bin;
        ipt.restore = missing;
        ASSERT_ERROR(egress_firewall_apply(&ipt, r, &error), ENOENT);
        error = mfree(error);

        ASSERT_ERROR(egress_firewall_apply(&ipt, NULL, &error), EINVAL);
        ASSERT_ERROR(iptables_restore_noflush(&ipt, NULL, NULL), EINVAL);
        teardown();
}

static void test_big_table(void) {
        /* a table far bigger than a pipe buffer comes through whole */
        Iptables ipt = {};
        _cleanup_(egress_rules_freep) EgressRules *r = rules_new();
        _cleanup_free_ char *big = NULL, *error = NULL;
        size_t size = 0;
        FILE *f;

        setup();
        ipt = (Iptables) { .save = save_bin, .restore = restore_bin };
        f = open_memstream(&big, &size);
        ASSERT_NOT_NULL(f);
        fputs("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n", f);
        for (unsigned i = 0; i < 20000; i++)
                fprintf(f, "-A FORWARD -s 10.%u.%u.0/24 -j ACCEPT\n", i / 256 % 256, i % 256);
        fputs(applied + strlen("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"), f);
        ASSERT_EQ(fclose(f), 0);
        ASSERT_TRUE(size > 500000);
        put("table", big, 0644);
        ASSERT_EQ(egress_firewall_check(&ipt, r, &error), 1);
        ASSERT_NULL(error);
        drop("table");
        teardown();
}

static void test_resolve(void) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *error = NULL;

        /* literals and /etc/hosts need no network */
        ASSERT_OK(egress_resolve_getaddrinfo("192.0.2.7", &l, &error, NULL));
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], "192.0.2.7");
        l = strv_free(l);
        ASSERT_OK(egress_resolve_getaddrinfo("localhost", &l, &error, NULL));
        ASSERT_TRUE(strv_contains(l, "127.0.0.1"));
        l = strv_free(l);

        /* an IPv6 literal has no IPv4 address */
        int k = egress_resolve_getaddrinfo("::1", &l, &error, NULL);
        ASSERT_TRUE(k < 0 || strv_length(l) == 0);
        l = strv_free(l);
        error = mfree(error);

        /* RFC 2606 .invalid never resolves (offline: a temporary failure), with a message */
        k = egress_resolve_getaddrinfo("kukeon-test.invalid", &l, &error, NULL);
        ASSERT_TRUE(k == -ENXIO || k == -EAGAIN);
        ASSERT_NOT_NULL(error);
        ASSERT_NULL(l);

        ASSERT_ERROR(egress_resolve_getaddrinfo("", &l, NULL, NULL), EINVAL);
}

#define NAT "KUKEON-NAT-" BR

/* The space's masquerade with its egress rules: one restore for both tables, none when both
 * are in place; removal takes both chains. */
static void test_space_firewall(void) {
        _cleanup_(nat_rules_done) NatRules nat = {};
        _cleanup_(egress_rules_freep) EgressRules *r = rules_new();
        _cleanup_free_ char *error = NULL, *in = NULL, *both = NULL;
        Iptables ipt;

        setup();
        ipt = (Iptables) { .save = save_bin, .restore = restore_bin };
        ASSERT_OK(nat_rules_build(BR, "10.88.9.0/24", NULL, &nat));

        /* nothing there, no policy, nothing to remove: the nat table only */
        ASSERT_EQ(space_firewall_apply(&ipt, &nat, BR, NULL, false, &error), SPACE_FIREWALL_NAT_CHANGED);
        ASSERT_EQ(runs(), 1u);
        in = get("inputs");
        ASSERT_STREQ(in, "*nat\n:" NAT " - [0:0]\n-A " NAT " -s 10.88.9.0/24 ! -o " BR " -j MASQUERADE\n"
                         "-A POSTROUTING -j " NAT "\nCOMMIT\n");
        in = mfree(in);
        drop("inputs");

        /* what iptables now shows, with the egress rules: nothing runs, nothing changed */
        const char *nat_table = "*nat\n:POSTROUTING ACCEPT [0:0]\n:" NAT " - [0:0]\n-A POSTROUTING -j " NAT "\n"
                                "-A " NAT " -s 10.88.9.0/24 ! -o " BR " -j MASQUERADE\nCOMMIT\n";
        ASSERT_TRUE(asprintf(&both, "%s%s", nat_table, applied) > 0);
        put("table", both, 0644);
        ASSERT_EQ(space_firewall_apply(&ipt, &nat, BR, NULL, false, &error), 0);
        ASSERT_EQ(runs(), 1u);
        /* egress applied with the nat in place: the filter table only, one run */
        ASSERT_EQ(space_firewall_apply(&ipt, &nat, BR, r, false, &error), 0);
        ASSERT_EQ(runs(), 2u);
        in = get("inputs");
        ASSERT_TRUE(strncmp(in, "*filter\n", 8) == 0);
        ASSERT_NULL(strstr(in, "*nat"));
        in = mfree(in);
        drop("inputs");

        /* no policy any more: the egress chain goes, flagged */
        ASSERT_EQ(space_firewall_apply(&ipt, &nat, BR, NULL, true, &error), SPACE_FIREWALL_EGRESS_REMOVED);
        ASSERT_EQ(runs(), 3u);
        drop("inputs");

        /* the space goes: both chains in one run */
        ASSERT_EQ(space_firewall_remove(&ipt, BR, &error), SPACE_FIREWALL_EGRESS_REMOVED | SPACE_FIREWALL_NAT_CHANGED);
        ASSERT_EQ(runs(), 4u);
        in = get("inputs");
        ASSERT_TRUE(strncmp(in, "*nat\n-D POSTROUTING -j " NAT "\n", strlen("*nat\n-D POSTROUTING -j " NAT "\n")) == 0);
        ASSERT_TRUE(strstr(in, "COMMIT\n*filter\n"));
        in = mfree(in);

        /* nothing there: nothing runs; a bad bridge fails before anything does */
        put("table", "", 0644);
        ASSERT_EQ(space_firewall_remove(&ipt, BR, &error), 0);
        ASSERT_EQ(runs(), 4u);
        ASSERT_ERROR(space_firewall_remove(&ipt, "bad bridge", &error), EINVAL);

        /* iptables-restore refuses: the error says so */
        put("restore-fail", "iptables-restore v1.8.9 (nf_tables): Chain 'MASQUERADE' does not exist\n", 0644);
        ASSERT_ERROR(space_firewall_apply(&ipt, &nat, BR, NULL, false, &error), EIO);
        ASSERT_NOT_NULL(error);
        ASSERT_TRUE(strstr(error, "MASQUERADE"));
        teardown();
}

TEST_MAIN(test_space_firewall, test_apply_check_remove, test_failures, test_big_table, test_resolve)

/* SPDX-License-Identifier: Apache-2.0 */
#include "iptables.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "process-run.h"

extern char **environ;

#define OUTPUT_MAX (64U * 1024U * 1024U)

/* The first line of a program's stderr, for messages. */
static char *first_line(const char *s) {
        s = strempty(s);
        while (*s == '\n')
                s++;
        return strndup(s, strcspn(s, "\n"));
}

_printf_(2, 3) static void set_error(char **ret_error, const char *fmt, ...) {
        if (!ret_error)
                return;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
}

/* Runs argv (argv[0] looked up in PATH) with 'input' on stdin, in our own environment.
 * Returns the exit status (128+signal when killed) with *ret set, or a negative errno with
 * *ret_error saying why it did not run to its end. */
static int run(const Iptables *ipt, char *const argv[], const char *input, ProcessRunResult **ret, char **ret_error) {
        ProcessRun p = {
                .argv = argv,
                .search_path = true,
                .envp = environ,
                .input = input,
                .input_size = input ? strlen(input) : 0,
                .timeout_usec = (ipt ? ipt->timeout_usec : 0) ?: IPTABLES_TIMEOUT_USEC_DEFAULT,
                .output_max = OUTPUT_MAX,
        };
        int k = process_run(&p, ret);
        /* 127: what a C library that reports exec failures as an exit status says. */
        if (k == -ENOENT || k == 127) {
                set_error(ret_error, "%s: not found", argv[0]);
                return -ENOENT;
        }
        if (k < 0)
                set_error(ret_error, "%s: %s", argv[0], strerror(-k));
        return k;
}

int iptables_save_filter(const Iptables *ipt, char **ret_saved, char **ret_error) {
        return iptables_save_table(ipt, "filter", ret_saved, ret_error);
}

int iptables_save_table(const Iptables *ipt, const char *table, char **ret_saved, char **ret_error) {
        _cleanup_(process_run_result_freep) ProcessRunResult *res = NULL;
        _cleanup_free_ char *line = NULL;
        const char *bin = (ipt ? ipt->save : NULL) ?: "iptables-save";
        char *argv[] = { (char *) bin, (char *) "-t", (char *) table, NULL };

        if (ret_error)
                *ret_error = NULL;
        if (!ret_saved || isempty(table))
                return -EINVAL;
        int k = run(ipt, argv, NULL, &res, ret_error);
        if (k < 0)
                return k;
        if (k != 0) {
                line = first_line(res->err);
                set_error(ret_error, "%s failed (exit status %d): %s", bin, k, strempty(line));
                return -EIO;
        }
        *ret_saved = TAKE_PTR(res->out);
        return 0;
}

/* Line 'n' (from 1) of 'text', or NULL. */
static char *nth_line(const char *text, unsigned long n) {
        const char *p = text;
        for (unsigned long i = 1; i < n && p; i++) {
                p = strchr(p, '\n');
                if (p)
                        p++;
        }
        if (!p || !*p)
                return NULL;
        return strndup(p, strcspn(p, "\n"));
}

int iptables_restore_noflush(const Iptables *ipt, const char *input, char **ret_error) {
        _cleanup_(process_run_result_freep) ProcessRunResult *res = NULL;
        _cleanup_free_ char *what = NULL, *culprit = NULL;
        const char *bin = (ipt ? ipt->restore : NULL) ?: "iptables-restore";
        char *argv[] = { (char *) bin, (char *) "--noflush", NULL };

        if (ret_error)
                *ret_error = NULL;
        if (!input)
                return -EINVAL;
        int k = run(ipt, argv, input, &res, ret_error);
        if (k < 0)
                return k;
        if (k == 0)
                return 0;

        /* iptables-restore says "Error occurred at line: N" (or "line N failed" in older
         * versions): quote that line of our input, it is the rule at fault. */
        const char *err = res->err;
        const char *at = strstr(err, "Error occurred at line: ");
        unsigned long n = 0;
        if (at)
                n = strtoul(at + strlen("Error occurred at line: "), NULL, 10);
        else if ((at = strstr(err, "line ")))
                n = strtoul(at + 5, NULL, 10);
        if (n > 0)
                culprit = nth_line(input, n);
        what = first_line(err);
        if (culprit)
                set_error(ret_error, "%s: line %lu \"%s\": %s", bin, n, culprit, strempty(what));
        else
                set_error(ret_error, "%s failed (exit status %d): %s", bin, k, strempty(what));
        return -EIO;
}

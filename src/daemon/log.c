/* SPDX-License-Identifier: Apache-2.0 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

static int max_level = LOG_INFO;
static bool to_journal = false;

void log_open(void) {
        /* Under systemd stderr is a stream to the journal; send structured entries directly. */
        to_journal = !!getenv("JOURNAL_STREAM");
}

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

int log_level_from_string(const char *s) {
        if (!s)
                return -EINVAL;
        if (streq(s, "debug"))
                return LOG_DEBUG;
        if (streq(s, "info"))
                return LOG_INFO;
        if (STR_IN_SET(s, "warn", "warning"))
                return LOG_WARNING;
        if (streq(s, "error"))
                return LOG_ERR;
        return -EINVAL;
}

int log_resource_errno(int level, int error, const char *realm, const char *space, const char *stack,
                       const char *unit, const char *fmt, ...) {
        int ret = error == 0 ? 0 : -abs(error);
        if (level > max_level)
                return ret;

        char buf[2048];
        va_list ap;
        int saved = errno;
        if (error != 0)
                errno = abs(error);
        va_start(ap, fmt);
        (void) vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        errno = saved;

        if (!to_journal) {
                fprintf(stderr, "kukeond: %s\n", buf);
                return ret;
        }

        char *fields[8] = {};
        size_t n = 0;
        struct iovec iov[8];
        if (asprintf(&fields[n++], "MESSAGE=%s", buf) < 0 ||
            asprintf(&fields[n++], "PRIORITY=%i", level) < 0 ||
            asprintf(&fields[n++], "SYSLOG_IDENTIFIER=kukeond") < 0 ||
            (realm && asprintf(&fields[n++], "KUKEON_REALM=%s", realm) < 0) ||
            (space && asprintf(&fields[n++], "KUKEON_SPACE=%s", space) < 0) ||
            (stack && asprintf(&fields[n++], "KUKEON_STACK=%s", stack) < 0) ||
            (unit && asprintf(&fields[n++], "OBJECT_SYSTEMD_UNIT=%s", unit) < 0) ||
            (error != 0 && asprintf(&fields[n++], "ERRNO=%i", abs(error)) < 0)) {
                fprintf(stderr, "kukeond: %s\n", buf);
                n--; /* the failed asprintf left its slot undefined */
                fields[n] = NULL;
        } else {
                for (size_t i = 0; i < n; i++)
                        iov[i] = (struct iovec) { .iov_base = fields[i], .iov_len = strlen(fields[i]) };
                (void) sd_journal_sendv(iov, (int) n);
        }
        for (size_t i = 0; i < n; i++)
                free(fields[i]);
        return ret;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "fake-systemd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "macro.h"
#include "unit-name.h"

#define MAX_UNITS 256
#define MAX_LOG 4096

int private_bus_start(const char *parent, PrivateBus *ret) {
        char conf[300];
        int p[2];
        FILE *f;

        *ret = (PrivateBus) {};
        snprintf(ret->dir, sizeof(ret->dir), "%s/private-bus.XXXXXX", parent);
        if (!mkdtemp(ret->dir))
                return -errno;
        snprintf(conf, sizeof(conf), "%s/bus.conf", ret->dir);
        f = fopen(conf, "we");
        if (!f)
                return -errno;
        fprintf(f,
                "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                "<busconfig><type>session</type><listen>unix:path=%s/bus</listen><auth>EXTERNAL</auth>\n"
                "<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>"
                "<allow eavesdrop=\"true\"/><allow own=\"*\"/><allow user=\"*\"/></policy></busconfig>\n",
                ret->dir);
        fclose(f);
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                char fdarg[32];
                (void) prctl(PR_SET_PDEATHSIG, SIGTERM);
                dup2(p[1], 3);
                snprintf(fdarg, sizeof(fdarg), "--print-address=3");
                char cf[320];
                snprintf(cf, sizeof(cf), "--config-file=%s", conf);
                int null = open("/dev/null", O_WRONLY);
                if (null >= 0)
                        dup2(null, STDERR_FILENO);
                execlp("dbus-daemon", "dbus-daemon", cf, "--nofork", "--nosyslog", fdarg, (char *) NULL);
                _exit(127);
        }
        close(p[1]);
        ret->pid = pid;
        ssize_t n = read(p[0], ret->address, sizeof(ret->address) - 1);
        close(p[0]);
        if (n <= 0)
                return -EIO;
        ret->address[n] = 0;
        char *nl = strchr(ret->address, '\n');
        if (nl)
                *nl = 0;
        return 0;
}

void private_bus_stop(PrivateBus *b) {
        if (b->pid > 0) {
                kill(b->pid, SIGTERM);
                waitpid(b->pid, NULL, 0);
                b->pid = 0;
        }
}

typedef struct Entry {
        char method[48];
        char unit[256];
} Entry;

typedef struct Prop {
        char unit[256];
        char name[32];
        unsigned long long value;
} Prop;

struct FakeSystemd {
        pthread_t thread;
        pthread_mutex_t lock;
        sd_bus *bus;
        volatile bool stop;
        int ready;
        char *active[MAX_UNITS];
        Entry log[MAX_LOG];
        size_t n_log;
        Prop props[MAX_LOG];
        size_t n_props;
        unsigned job_id;
};

static void record(FakeSystemd *f, const char *method, const char *unit) {
        pthread_mutex_lock(&f->lock);
        if (f->n_log < MAX_LOG) {
                snprintf(f->log[f->n_log].method, sizeof(f->log[0].method), "%s", method);
                snprintf(f->log[f->n_log].unit, sizeof(f->log[0].unit), "%s", strempty(unit));
                f->n_log++;
        }
        pthread_mutex_unlock(&f->lock);
}

static int active_index(FakeSystemd *f, const char *unit) {
        for (int i = 0; i < MAX_UNITS; i++)
                if (f->active[i] && streq(f->active[i], unit))
                        return i;
        return -1;
}

static void set_active(FakeSystemd *f, const char *unit, bool on) {
        pthread_mutex_lock(&f->lock);
        int i = active_index(f, unit);
        if (on && i < 0) {
                for (i = 0; i < MAX_UNITS; i++)
                        if (!f->active[i]) {
                                f->active[i] = strdup(unit);
                                break;
                        }
        } else if (!on && i >= 0)
                f->active[i] = mfree(f->active[i]);
        pthread_mutex_unlock(&f->lock);
}

static int read_props(FakeSystemd *f, sd_bus_message *m, const char *unit) {
        int r = sd_bus_message_enter_container(m, 'a', "(sv)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'r', "sv")) > 0) {
                const char *name, *contents;
                char type;
                r = sd_bus_message_read(m, "s", &name);
                if (r < 0)
                        return r;
                r = sd_bus_message_peek_type(m, &type, &contents);
                if (r < 0)
                        return r;
                if (streq(contents, "t")) {
                        uint64_t v;
                        r = sd_bus_message_read(m, "v", "t", &v);
                        if (r < 0)
                                return r;
                        pthread_mutex_lock(&f->lock);
                        if (f->n_props < MAX_LOG) {
                                Prop *p = &f->props[f->n_props++];
                                snprintf(p->unit, sizeof(p->unit), "%s", unit);
                                snprintf(p->name, sizeof(p->name), "%s", name);
                                p->value = v;
                        }
                        pthread_mutex_unlock(&f->lock);
                } else {
                        r = sd_bus_message_skip(m, "v");
                        if (r < 0)
                                return r;
                }
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int reply_job(FakeSystemd *f, sd_bus_message *m, const char *unit, const char *result) {
        char job[128];
        unsigned id = ++f->job_id;
        snprintf(job, sizeof(job), "/org/freedesktop/systemd1/job/%u", id);
        int r = sd_bus_reply_method_return(m, "o", job);
        if (r < 0 || !result)
                return r;
        return sd_bus_emit_signal(f->bus, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "JobRemoved",
                                  "uoss", id, job, unit, result);
}

static int method_start(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        FakeSystemd *f = userdata;
        const char *unit, *mode;
        int r = sd_bus_message_read(m, "ss", &unit, &mode);
        if (r < 0)
                return r;
        record(f, "StartTransientUnit", unit);
        r = read_props(f, m, unit);
        if (r < 0)
                return r;
        pthread_mutex_lock(&f->lock);
        bool exists = active_index(f, unit) >= 0;
        pthread_mutex_unlock(&f->lock);
        if (exists)
                return sd_bus_error_setf(error, "org.freedesktop.systemd1.UnitExists", "Unit %s was already loaded or has a fragment file.", unit);
        if (strncmp(unit, "fail", 4) == 0)
                return reply_job(f, m, unit, "failed");
        if (strncmp(unit, "hang", 4) == 0)
                return reply_job(f, m, unit, NULL);
        set_active(f, unit, true);
        return reply_job(f, m, unit, "done");
}

static int method_stop(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        FakeSystemd *f = userdata;
        const char *unit, *mode;
        int r = sd_bus_message_read(m, "ss", &unit, &mode);
        if (r < 0)
                return r;
        record(f, "StopUnit", unit);
        pthread_mutex_lock(&f->lock);
        bool exists = active_index(f, unit) >= 0;
        pthread_mutex_unlock(&f->lock);
        if (!exists)
                return sd_bus_error_setf(error, "org.freedesktop.systemd1.NoSuchUnit", "Unit %s not loaded.", unit);
        /* stopping a slice stops the slices below it */
        size_t n = strlen(unit) - strlen(".slice");
        pthread_mutex_lock(&f->lock);
        for (int i = 0; i < MAX_UNITS; i++)
                if (f->active[i] && (streq(f->active[i], unit) ||
                                     (strncmp(f->active[i], unit, n) == 0 && f->active[i][n] == '-')))
                        f->active[i] = mfree(f->active[i]);
        pthread_mutex_unlock(&f->lock);
        return reply_job(f, m, unit, "done");
}

static int method_unit_only(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        FakeSystemd *f = userdata;
        const char *unit;
        int r = sd_bus_message_read(m, "s", &unit);
        if (r < 0)
                return r;
        record(f, sd_bus_message_get_member(m), unit);
        return sd_bus_reply_method_return(m, "");
}

static int method_set_properties(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        FakeSystemd *f = userdata;
        const char *unit;
        int runtime;
        int r = sd_bus_message_read(m, "sb", &unit, &runtime);
        if (r < 0)
                return r;
        record(f, "SetUnitProperties", unit);
        r = read_props(f, m, unit);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, "");
}

static int method_subscribe(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        record(userdata, "Subscribe", NULL);
        return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("StartTransientUnit", "ssa(sv)a(sa(sv))", "o", method_start, 0),
        SD_BUS_METHOD("StopUnit", "ss", "o", method_stop, 0),
        SD_BUS_METHOD("ResetFailedUnit", "s", "", method_unit_only, 0),
        SD_BUS_METHOD("SetUnitProperties", "sba(sv)", "", method_set_properties, 0),
        SD_BUS_METHOD("Subscribe", "", "", method_subscribe, 0),
        SD_BUS_SIGNAL("JobRemoved", "uoss", 0),
        SD_BUS_VTABLE_END,
};

static int property_cgroup(sd_bus *bus, const char *path, const char *interface, const char *property,
                           sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        _cleanup_free_ char *unit = NULL, *cg = NULL;
        int r = sd_bus_path_decode(path, "/org/freedesktop/systemd1/unit", &unit);
        if (r <= 0)
                return -EINVAL;
        /* like PID 1: a unit that is not there has no control group */
        if (!fake_systemd_unit_active(userdata, unit))
                return sd_bus_message_append(reply, "s", "");
        r = unit_name_slice_to_cgroup_path(unit, &cg);
        if (r < 0)
                return r;
        return sd_bus_message_append(reply, "s", cg);
}

static const sd_bus_vtable slice_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("ControlGroup", "s", property_cgroup, 0, 0),
        SD_BUS_VTABLE_END,
};

static void *serve(void *p) {
        FakeSystemd *f = p;
        while (!f->stop) {
                int r = sd_bus_process(f->bus, NULL);
                if (r < 0)
                        break;
                if (r > 0)
                        continue;
                (void) sd_bus_wait(f->bus, 50 * 1000);
        }
        return NULL;
}

int fake_systemd_start(const char *address, FakeSystemd **ret) {
        FakeSystemd *f = new0(FakeSystemd, 1);
        int r;
        if (!f)
                return -ENOMEM;
        pthread_mutex_init(&f->lock, NULL);
        r = sd_bus_new(&f->bus);
        if (r >= 0)
                r = sd_bus_set_address(f->bus, address);
        if (r >= 0)
                r = sd_bus_set_bus_client(f->bus, true);
        if (r >= 0)
                r = sd_bus_start(f->bus);
        if (r >= 0)
                r = sd_bus_add_object_vtable(f->bus, NULL, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                             manager_vtable, f);
        if (r >= 0)
                r = sd_bus_add_fallback_vtable(f->bus, NULL, "/org/freedesktop/systemd1/unit", "org.freedesktop.systemd1.Slice",
                                               slice_vtable, NULL, f);
        if (r >= 0)
                r = sd_bus_request_name(f->bus, "org.freedesktop.systemd1", 0);
        if (r >= 0)
                r = -pthread_create(&f->thread, NULL, serve, f);
        if (r < 0) {
                sd_bus_flush_close_unref(f->bus);
                free(f);
                return r;
        }
        *ret = f;
        return 0;
}

void fake_systemd_stop(FakeSystemd *f) {
        if (!f)
                return;
        f->stop = true;
        pthread_join(f->thread, NULL);
        sd_bus_flush_close_unref(f->bus);
        for (int i = 0; i < MAX_UNITS; i++)
                free(f->active[i]);
        pthread_mutex_destroy(&f->lock);
        free(f);
}

unsigned fake_systemd_count(FakeSystemd *f, const char *method, const char *unit) {
        unsigned n = 0;
        pthread_mutex_lock(&f->lock);
        for (size_t i = 0; i < f->n_log; i++)
                if (streq(f->log[i].method, method) && (!unit || streq(f->log[i].unit, unit)))
                        n++;
        pthread_mutex_unlock(&f->lock);
        return n;
}

bool fake_systemd_unit_active(FakeSystemd *f, const char *unit) {
        pthread_mutex_lock(&f->lock);
        bool b = active_index(f, unit) >= 0;
        pthread_mutex_unlock(&f->lock);
        return b;
}

unsigned long long fake_systemd_last_property(FakeSystemd *f, const char *unit, const char *name) {
        unsigned long long v = UINT64_MAX - 1;
        pthread_mutex_lock(&f->lock);
        for (size_t i = 0; i < f->n_props; i++)
                if (streq(f->props[i].unit, unit) && streq(f->props[i].name, name))
                        v = f->props[i].value;
        pthread_mutex_unlock(&f->lock);
        return v;
}

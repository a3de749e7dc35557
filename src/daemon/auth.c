/* SPDX-License-Identifier: Apache-2.0 */
#include "auth.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "strv.h"

#define POLKIT_TIMEOUT_USEC (25U * 1000U * 1000U)
/* a person may be typing a password */
#define POLKIT_INTERACTIVE_TIMEOUT_USEC (120U * 1000U * 1000U)

typedef struct AuthQuery {
        Manager *manager;
        sd_bus_message *request;
        char *action;
        auth_continue_t cont;
        void *userdata;
        void (*destroy)(void *userdata);
        sd_bus_slot *slot;
} AuthQuery;

static void auth_query_free(AuthQuery *q) {
        if (!q)
                return;
        if (q->destroy && q->userdata)
                q->destroy(q->userdata);
        sd_bus_slot_unref(q->slot);
        sd_bus_message_unref(q->request);
        free(q->action);
        free(q);
}

static void run_continuation(AuthQuery *q) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = q->cont(q->request, q->userdata, &error);
        if (r < 0) {
                if (!sd_bus_error_is_set(&error))
                        sd_bus_error_set_errno(&error, r);
                (void) sd_bus_reply_method_error(q->request, &error);
        }
}

_printf_(3, 4) static void deny(AuthQuery *q, const char *name, const char *fmt, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        va_list ap;
        va_start(ap, fmt);
        sd_bus_error_setfv(&error, name, fmt, ap);
        va_end(ap);
        (void) sd_bus_reply_method_error(q->request, &error);
}

static int polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        AuthQuery *q = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int authorized = 0, challenge = 0;

        q->slot = sd_bus_slot_unref(q->slot);
        if (e) {
                log_warning("Cannot check authorization for %s with polkit: %s", q->action, e->message);
                deny(q, SD_BUS_ERROR_ACCESS_DENIED, "cannot check authorization for %s: polkit is not available", q->action);
        } else if (sd_bus_message_enter_container(reply, 'r', "bba{ss}") < 0 ||
                   sd_bus_message_read(reply, "bb", &authorized, &challenge) < 0) {
                deny(q, SD_BUS_ERROR_ACCESS_DENIED, "cannot check authorization for %s: unexpected answer from polkit",
                     q->action);
        } else if (authorized)
                run_continuation(q);
        else if (challenge && !sd_bus_message_get_allow_interactive_authorization(q->request))
                deny(q, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                     "%s needs authentication: allow interactive authorization (kuke asks unless --no-ask-password)",
                     q->action);
        else
                deny(q, SD_BUS_ERROR_ACCESS_DENIED, "not authorized for %s", q->action);
        auth_query_free(q);
        return 0;
}

static int append_details(sd_bus_message *m, char **details) {
        int r = sd_bus_message_open_container(m, 'a', "{ss}");
        if (r < 0)
                return r;
        for (char **k = details; k && k[0] && k[1]; k += 2) {
                r = sd_bus_message_append(m, "{ss}", k[0], k[1]);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}

int auth_check(Manager *m, sd_bus_message *request, const char *action, char **details, auth_continue_t cont,
               void *userdata, void (*destroy)(void *userdata), sd_bus_error *error) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        sd_bus *bus = sd_bus_message_get_bus(request);
        uid_t uid;
        int r;

        AuthQuery *q = new0(AuthQuery, 1);
        if (!q) {
                if (destroy && userdata)
                        destroy(userdata);
                return sd_bus_error_set_errno(error, -ENOMEM);
        }
        q->manager = m;
        q->request = sd_bus_message_ref(request);
        q->cont = cont;
        q->userdata = userdata;
        q->destroy = destroy;
        q->action = strdup(action);
        if (!q->action) {
                auth_query_free(q);
                return sd_bus_error_set_errno(error, -ENOMEM);
        }

        r = sd_bus_query_sender_creds(request, SD_BUS_CREDS_EUID, &creds);
        if (r >= 0)
                r = sd_bus_creds_get_euid(creds, &uid);
        if (r < 0) {
                auth_query_free(q);
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED, "cannot tell who is calling: %s", strerror(-r));
        }

        if (uid == 0) {
                run_continuation(q);
                auth_query_free(q);
                return 1;
        }

        if (!sd_bus_is_bus_client(bus)) {
                /* peer-to-peer: whoever could connect may inspect and manage */
                if (STR_IN_SET(action, ACTION_PURGE, ACTION_MANAGE_SYSTEM)) {
                        auth_query_free(q);
                        return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                                 "%s needs uid 0 on a peer-to-peer connection", action);
                }
                run_continuation(q);
                auth_query_free(q);
                return 1;
        }

        const char *sender = sd_bus_message_get_sender(request);
        bool interactive = sd_bus_message_get_allow_interactive_authorization(request) > 0;
        r = sd_bus_message_new_method_call(bus, &call, "org.freedesktop.PolicyKit1", "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r >= 0)
                r = sd_bus_message_append(call, "(sa{sv})s", "system-bus-name", 1, "name", "s", sender, action);
        if (r >= 0)
                r = append_details(call, details);
        if (r >= 0)
                r = sd_bus_message_append(call, "us", (uint32_t) (interactive ? 1 : 0), "");
        if (r >= 0)
                r = sd_bus_call_async(bus, &q->slot, call, polkit_reply, q,
                                      interactive ? POLKIT_INTERACTIVE_TIMEOUT_USEC : POLKIT_TIMEOUT_USEC);
        if (r < 0) {
                auth_query_free(q);
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED, "cannot ask polkit: %s", strerror(-r));
        }
        return 1;
}

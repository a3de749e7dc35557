/* SPDX-License-Identifier: Apache-2.0 */
/* Registry pull over the distribution v2 protocol with libcurl. */

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>

#include "containerd-content.h"
#include "image-internal.h"
#include "image-pull.h"
#include "image-reference.h"
#include "strv.h"

#define MANIFEST_MAX (4 * 1024 * 1024)
#define CONFIG_MAX (16 * 1024 * 1024)
#define ERROR_BODY_MAX 512
#define WRITE_BUFFER (1024 * 1024)
#define CONNECT_TIMEOUT_SEC 30L
/* a transfer slower than 1 byte/s for this long is a hang */
#define STALL_TIMEOUT_SEC 60L

#define ACCEPT_MANIFESTS                                                                        \
        "Accept: " MEDIA_TYPE_OCI_INDEX ", " MEDIA_TYPE_DOCKER_LIST ", " MEDIA_TYPE_OCI_MANIFEST \
        ", " MEDIA_TYPE_DOCKER_MANIFEST

/* ---- pure pieces ---- */

int registry_reference_split(const char *normalized, char **ret_host, char **ret_repository, char **ret_reference) {
        _cleanup_free_ char *host = NULL, *repo = NULL, *ref = NULL;
        const char *slash, *at, *colon, *last_slash;

        if (isempty(normalized))
                return -EINVAL;
        slash = strchr(normalized, '/');
        if (!slash || slash == normalized)
                return -EINVAL;
        host = strndup(normalized, slash - normalized);
        if (!host)
                return -ENOMEM;
        if (streq(host, "docker.io")) {
                free(host);
                host = strdup("registry-1.docker.io");
                if (!host)
                        return -ENOMEM;
        }

        at = strchr(slash + 1, '@');
        if (at) {
                repo = strndup(slash + 1, at - slash - 1);
                ref = strdup(at + 1);
                /* "name:tag@digest": the digest decides, the tag goes */
                last_slash = repo ? strrchr(repo, '/') : NULL;
                colon = repo ? strrchr(last_slash ? last_slash : repo, ':') : NULL;
                if (colon)
                        *(char *) colon = 0;
        } else {
                last_slash = strrchr(slash + 1, '/');
                colon = strrchr(last_slash ? last_slash : slash + 1, ':');
                if (!colon)
                        return -EINVAL; /* normalized references always carry a tag */
                repo = strndup(slash + 1, colon - slash - 1);
                ref = strdup(colon + 1);
        }
        if (!repo || !ref)
                return -ENOMEM;
        if (!*repo || !*ref)
                return -EINVAL;

        if (ret_host)
                *ret_host = TAKE_PTR(host);
        if (ret_repository)
                *ret_repository = TAKE_PTR(repo);
        if (ret_reference)
                *ret_reference = TAKE_PTR(ref);
        return 0;
}

bool registry_host_is_local(const char *host) {
        const char *end;
        size_t n;

        if (!host)
                return false;
        if (host[0] == '[') { /* [::1]:5000 */
                end = strchr(host, ']');
                return end && (size_t) (end - host - 1) == 3 && strncmp(host + 1, "::1", 3) == 0;
        }
        end = strchr(host, ':');
        n = end ? (size_t) (end - host) : strlen(host);
        if (n == strlen("localhost") && strncmp(host, "localhost", n) == 0)
                return true;
        return n > 4 && strncmp(host, "127.", 4) == 0;
}

static char *unquote(const char *s, size_t n) {
        if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
                return strndup(s + 1, n - 2);
        return strndup(s, n);
}

int www_authenticate_parse(const char *header, char **ret_scheme, char **ret_realm, char **ret_service, char **ret_scope) {
        _cleanup_free_ char *scheme = NULL, *realm = NULL, *service = NULL, *scope = NULL;
        const char *p, *e;

        if (isempty(header))
                return -EINVAL;
        p = header;
        while (isspace((unsigned char) *p))
                p++;
        e = p;
        while (*e && !isspace((unsigned char) *e))
                e++;
        if (e == p)
                return -EINVAL;
        scheme = strndup(p, e - p);
        if (!scheme)
                return -ENOMEM;

        /* key="value" pairs separated by commas; values may hold commas inside quotes */
        p = e;
        while (*p) {
                const char *k, *eq, *v, *ve;

                while (*p == ',' || isspace((unsigned char) *p))
                        p++;
                if (!*p)
                        break;
                k = p;
                eq = strchr(k, '=');
                if (!eq)
                        return -EINVAL;
                v = eq + 1;
                if (*v == '"') {
                        ve = strchr(v + 1, '"');
                        if (!ve)
                                return -EINVAL;
                        ve++;
                } else {
                        ve = v;
                        while (*ve && *ve != ',')
                                ve++;
                }
                size_t kn = eq - k;
                char **target = NULL;
                if (kn == 5 && strncasecmp(k, "realm", 5) == 0)
                        target = &realm;
                else if (kn == 7 && strncasecmp(k, "service", 7) == 0)
                        target = &service;
                else if (kn == 5 && strncasecmp(k, "scope", 5) == 0)
                        target = &scope;
                if (target) {
                        free(*target);
                        *target = unquote(v, ve - v);
                        if (!*target)
                                return -ENOMEM;
                }
                p = ve;
        }

        if (ret_scheme)
                *ret_scheme = TAKE_PTR(scheme);
        if (ret_realm)
                *ret_realm = TAKE_PTR(realm);
        if (ret_service)
                *ret_service = TAKE_PTR(service);
        if (ret_scope)
                *ret_scope = TAKE_PTR(scope);
        return 0;
}

/* ---- HTTP ---- */

typedef struct Puller {
        Loader *l;
        CURL *curl;
        const ImagePullOptions *opts;
        const ImagePullCredentials *creds; /* for this registry, or NULL */
        char *base;                        /* "https://host/v2/repo" */
        char *host, *repository;
        char *auth;                        /* "Authorization: ..." once known */
        uint64_t done, total;
} Puller;

/* Where the body of a response goes. */
typedef struct Sink {
        Puller *p;
        long code;
        /* memory */
        char *data;
        size_t size, max;
        /* stream into the content store */
        ContainerdContentWriter *writer;
        Sha256 *hash;
        char *buf;
        size_t buf_size;
        bool exists;
        int error;
        /* headers we use */
        char *content_digest;
        char *www_authenticate;
} Sink;

static void sink_done(Sink *s) {
        free(s->data);
        free(s->buf);
        free(s->content_digest);
        free(s->www_authenticate);
        sha256_free(s->hash);
        containerd_content_writer_free(s->writer);
}

static size_t on_header(char *b, size_t size, size_t n, void *userdata) {
        Sink *s = userdata;
        size_t len = size * n;
        char **target = NULL;
        const char *v;

        if (len > 14 && strncasecmp(b, "HTTP/", 5) == 0) {
                /* a new response (after a redirect): forget the previous one's headers */
                s->content_digest = mfree(s->content_digest);
                s->www_authenticate = mfree(s->www_authenticate);
                return len;
        }
        if (len > 22 && strncasecmp(b, "Docker-Content-Digest:", 22) == 0)
                target = &s->content_digest, v = b + 22;
        else if (len > 17 && strncasecmp(b, "WWW-Authenticate:", 17) == 0)
                target = &s->www_authenticate, v = b + 17;
        else
                return len;
        while (v < b + len && isspace((unsigned char) *v))
                v++;
        size_t vn = b + len - v;
        while (vn > 0 && isspace((unsigned char) v[vn - 1]))
                vn--;
        free(*target);
        *target = strndup(v, vn);
        return len;
}

static int sink_flush(Sink *s) {
        int r;

        if (s->buf_size == 0 || !s->writer || s->exists)
                return 0;
        r = containerd_content_writer_write_sync(s->writer, s->buf, s->buf_size);
        s->buf_size = 0;
        if (r == -EEXIST) {
                s->exists = true;
                return 0;
        }
        return r;
}

static size_t on_body(char *b, size_t size, size_t n, void *userdata) {
        Sink *s = userdata;
        size_t len = size * n;
        long code = 0;
        int r;

        curl_easy_getinfo(s->p->curl, CURLINFO_RESPONSE_CODE, &code);
        if (code != 200 || (!s->writer && !s->hash)) {
                /* an error page or a document: memory, bounded */
                size_t max = code == 200 ? s->max : ERROR_BODY_MAX;
                if (s->size + len > max) {
                        if (code == 200) {
                                s->error = -EFBIG;
                                return 0;
                        }
                        len = max > s->size ? max - s->size : 0;
                        if (len == 0)
                                return size * n;
                }
                char *d = realloc(s->data, s->size + len + 1);
                if (!d) {
                        s->error = -ENOMEM;
                        return 0;
                }
                memcpy(d + s->size, b, len);
                s->data = d;
                s->size += len;
                s->data[s->size] = 0;
                return size * n;
        }

        /* a blob: hash it, and send it on in 1 MiB writes */
        r = sha256_update(s->hash, b, len);
        if (r < 0) {
                s->error = r;
                return 0;
        }
        s->size += len;
        for (size_t off = 0; off < len;) {
                size_t k = MIN(len - off, (size_t) WRITE_BUFFER - s->buf_size);
                memcpy(s->buf + s->buf_size, b + off, k);
                s->buf_size += k;
                off += k;
                if (s->buf_size == WRITE_BUFFER) {
                        r = sink_flush(s);
                        if (r < 0) {
                                s->error = r;
                                return 0;
                        }
                }
        }
        s->p->done += len;
        if (s->p->opts && s->p->opts->progress)
                s->p->opts->progress(s->p->done, s->p->total, s->p->opts->userdata);
        return size * n;
}

static int curl_to_errno(CURLcode c) {
        switch (c) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return -EHOSTUNREACH;
        case CURLE_COULDNT_CONNECT:
                return -ECONNREFUSED;
        case CURLE_OPERATION_TIMEDOUT:
                return -ETIMEDOUT;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
                return -EPROTO;
        default:
                return -EIO;
        }
}

/* One GET into 'sink', with the auth header when known. */
static int http_get(Puller *p, const char *url, const char *accept, const char *auth, Sink *s) {
        struct curl_slist *headers = NULL;
        CURLcode c;
        int r = 0;

        if (accept)
                headers = curl_slist_append(headers, accept);
        if (auth)
                headers = curl_slist_append(headers, auth);

        curl_easy_reset(p->curl);
        curl_easy_setopt(p->curl, CURLOPT_URL, url);
        curl_easy_setopt(p->curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(p->curl, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(p->curl, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(p->curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(p->curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(p->curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_SEC);
        curl_easy_setopt(p->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(p->curl, CURLOPT_LOW_SPEED_TIME, STALL_TIMEOUT_SEC);
        curl_easy_setopt(p->curl, CURLOPT_USERAGENT, "kukeon/" KUKEON_VERSION);
        curl_easy_setopt(p->curl, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(p->curl, CURLOPT_HEADERDATA, s);
        curl_easy_setopt(p->curl, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(p->curl, CURLOPT_WRITEDATA, s);
        curl_easy_setopt(p->curl, CURLOPT_NOSIGNAL, 1L);

        c = curl_easy_perform(p->curl);
        curl_easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, &s->code);
        curl_slist_free_all(headers);
        if (s->error < 0)
                r = s->error;
        else if (c != CURLE_OK) {
                loader_error(p->l, "cannot fetch %s: %s", url, curl_easy_strerror(c));
                r = curl_to_errno(c);
        }
        return r;
}

static const ImagePullCredentials *credentials_for(const ImagePullOptions *opts, const char *host) {
        for (size_t i = 0; opts && i < opts->n_credentials; i++) {
                const char *a = opts->credentials[i].server_address;
                if (!a)
                        continue;
                /* "https://host/" and "host" both name the registry */
                if (strncmp(a, "https://", 8) == 0)
                        a += 8;
                else if (strncmp(a, "http://", 7) == 0)
                        a += 7;
                size_t n = strcspn(a, "/");
                if (strlen(host) == n && strncmp(a, host, n) == 0)
                        return &opts->credentials[i];
                /* docker.io credentials serve registry-1.docker.io */
                if (streq(host, "registry-1.docker.io") && ((n == 9 && strncmp(a, "docker.io", 9) == 0) ||
                                                             (n == 15 && strncmp(a, "index.docker.io", 15) == 0)))
                        return &opts->credentials[i];
        }
        return NULL;
}

static char *basic_auth_header(const ImagePullCredentials *c) {
        _cleanup_free_ char *plain = NULL, *b64 = NULL;
        char *h;
        int n;

        if (asprintf(&plain, "%s:%s", strempty(c->username), strempty(c->password)) < 0)
                return NULL;
        b64 = malloc(4 * ((strlen(plain) + 2) / 3) + 1);
        if (!b64)
                return NULL;
        n = EVP_EncodeBlock((unsigned char *) b64, (const unsigned char *) plain, (int) strlen(plain));
        if (n < 0)
                return NULL;
        if (asprintf(&h, "Authorization: Basic %s", b64) < 0)
                return NULL;
        return h;
}

/* Answer a 401: Basic with the credentials, or fetch a Bearer token from the realm. */
static int authenticate(Puller *p, const char *www) {
        _cleanup_free_ char *scheme = NULL, *realm = NULL, *service = NULL, *scope = NULL, *url = NULL, *basic = NULL;
        _cleanup_(sink_done) Sink s = { .p = p, .max = MANIFEST_MAX };
        json_t *j, *t;
        int r;

        if (!www || www_authenticate_parse(www, &scheme, &realm, &service, &scope) < 0) {
                loader_error(p->l, "registry %s wants authentication but does not say how", p->host);
                return -EACCES;
        }
        if (p->creds)
                basic = basic_auth_header(p->creds);

        if (strcasecmp(scheme, "Basic") == 0) {
                if (!p->creds) {
                        loader_error(p->l, "registry %s requires credentials (none configured for it)", p->host);
                        return -EACCES;
                }
                if (!basic)
                        return -ENOMEM;
                free(p->auth);
                p->auth = TAKE_PTR(basic);
                return 0;
        }
        if (strcasecmp(scheme, "Bearer") != 0 || !realm) {
                loader_error(p->l, "registry %s asks for %s authentication, which is not supported", p->host, scheme);
                return -EACCES;
        }

        /* the token: realm?service=...&scope=repository:<repo>:pull */
        _cleanup_free_ char *default_scope = NULL;
        if (!scope && asprintf(&default_scope, "repository:%s:pull", p->repository) < 0)
                return -ENOMEM;
        char *es = curl_easy_escape(p->curl, service ?: "", 0);
        char *esc = curl_easy_escape(p->curl, scope ?: default_scope, 0);
        r = asprintf(&url, "%s%sservice=%s&scope=%s", realm, strchr(realm, '?') ? "&" : "?", es ?: "", esc ?: "");
        curl_free(es);
        curl_free(esc);
        if (r < 0)
                return -ENOMEM;
        r = http_get(p, url, NULL, basic, &s);
        if (r < 0)
                return r;
        if (s.code == 401 || s.code == 403) {
                loader_error(p->l, "the token service of registry %s refused %s (HTTP %ld)", p->host,
                             p->creds ? "the credentials" : "an anonymous pull", s.code);
                return -EACCES;
        }
        if (s.code != 200 || !s.data) {
                loader_error(p->l, "the token service of registry %s answered HTTP %ld", p->host, s.code);
                return -EACCES;
        }
        j = json_loadb(s.data, s.size, 0, NULL);
        t = j ? json_object_get(j, "token") : NULL;
        if (!json_is_string(t))
                t = j ? json_object_get(j, "access_token") : NULL;
        if (!json_is_string(t)) {
                json_decref(j);
                loader_error(p->l, "the token service of registry %s sent no token", p->host);
                return -EACCES;
        }
        free(p->auth);
        r = asprintf(&p->auth, "Authorization: Bearer %s", json_string_value(t));
        json_decref(j);
        if (r < 0) {
                p->auth = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* GET base + path, authenticating once on a 401. */
static int registry_get(Puller *p, const char *path, const char *accept, Sink *s) {
        _cleanup_free_ char *url = NULL;
        int r;

        if (asprintf(&url, "%s%s", p->base, path) < 0)
                return -ENOMEM;
        for (int attempt = 0;; attempt++) {
                r = http_get(p, url, accept, p->auth, s);
                if (r < 0)
                        return r;
                if (s->code != 401 || attempt > 0)
                        break;
                r = authenticate(p, s->www_authenticate);
                if (r < 0)
                        return r;
                /* start the body over */
                s->data = mfree(s->data);
                s->size = 0;
        }
        if (s->code == 401 || s->code == 403) {
                loader_error(p->l, "registry %s refused %s for %s (HTTP %ld)", p->host,
                             p->creds ? "the credentials" : "access without credentials", p->repository, s->code);
                return -EACCES;
        }
        if (s->code == 404) {
                loader_error(p->l, "%s: no such manifest or blob %s in %s", p->host, path, p->repository);
                return -ENOENT;
        }
        if (s->code != 200) {
                loader_error(p->l, "registry %s answered HTTP %ld for %s%s%s", p->host, s->code, path,
                             s->data ? ": " : "", s->data ? s->data : "");
                return -EIO;
        }
        return 0;
}

/* A manifest or index by tag or digest, verified, kept in memory. */
static int fetch_manifest(Puller *p, const char *reference, char **ret, size_t *ret_size, char **ret_media_type, char ret_digest[static DIGEST_SHA256_STRING_LEN + 1]) {
        _cleanup_(sink_done) Sink s = { .p = p, .max = MANIFEST_MAX };
        _cleanup_free_ char *path = NULL;
        json_t *j, *mt;
        int r;

        if (asprintf(&path, "/manifests/%s", reference) < 0)
                return -ENOMEM;
        r = registry_get(p, path, ACCEPT_MANIFESTS, &s);
        if (r < 0)
                return r;
        if (!s.data) {
                loader_error(p->l, "registry %s sent an empty manifest for %s", p->host, reference);
                return -EBADMSG;
        }
        r = digest_of(s.data, s.size, ret_digest);
        if (r < 0)
                return r;
        if (digest_is_valid(reference) && !streq(reference, ret_digest)) {
                loader_error(p->l, "the manifest %s from %s has digest %s", reference, p->host, ret_digest);
                return -EBADMSG;
        }
        if (s.content_digest && digest_is_valid(s.content_digest) && !streq(s.content_digest, ret_digest)) {
                loader_error(p->l, "the manifest %s from %s has digest %s, the registry says %s", reference, p->host, ret_digest, s.content_digest);
                return -EBADMSG;
        }

        j = json_loadb(s.data, s.size, 0, NULL);
        mt = j ? json_object_get(j, "mediaType") : NULL;
        if (json_is_string(mt))
                *ret_media_type = strdup(json_string_value(mt));
        else if (j && json_object_get(j, "manifests"))
                *ret_media_type = strdup(MEDIA_TYPE_OCI_INDEX);
        else
                *ret_media_type = strdup(MEDIA_TYPE_OCI_MANIFEST);
        json_decref(j);
        if (!*ret_media_type)
                return -ENOMEM;
        *ret = TAKE_PTR(s.data);
        *ret_size = s.size;
        return 0;
}

/* Put a document we hold in memory into the store and into the loader's list. */
static int add_document(Puller *p, const char *what, const char *digest, char *data, size_t size) {
        _cleanup_free_ char *ref = NULL, *path = NULL;
        Blob *b;
        int r;

        if (asprintf(&ref, "%s-%u", p->l->lease, p->l->n_refs++) < 0 || asprintf(&path, "(%s %s)", what, digest) < 0)
                return -ENOMEM;
        r = containerd_content_write_blob_sync(p->l->client, p->l->ns, ref, data, size, digest, NULL);
        if (r < 0)
                return loader_fail_containerd(p->l, r, "cannot write to containerd's content store");
        b = loader_blob_add(p->l, path);
        if (!b)
                return -ENOMEM;
        TAKE_PTR(path);
        strcpy(b->digest, digest);
        b->size = (int64_t) size;
        b->data = data;
        b->data_size = size;
        b->in_store = true;
        return 0;
}

/* A layer (or any blob) streamed from the registry into the store, verified. */
static int fetch_blob_to_store(Puller *p, const ImageDescriptor *d) {
        _cleanup_(containerd_content_info_freep) ContainerdContentInfo *info = NULL;
        _cleanup_(sink_done) Sink s = { .p = p };
        _cleanup_free_ char *ref = NULL, *path = NULL;
        char got[DIGEST_SHA256_STRING_LEN + 1];
        int r;

        if (containerd_content_info_sync(p->l->client, p->l->ns, d->digest, &info) >= 0 && info->size == d->size) {
                p->done += (uint64_t) d->size;
                if (p->opts && p->opts->progress)
                        p->opts->progress(p->done, p->total, p->opts->userdata);
                return 0;
        }

        if (asprintf(&ref, "%s-%u", p->l->lease, p->l->n_refs++) < 0 || asprintf(&path, "/blobs/%s", d->digest) < 0)
                return -ENOMEM;
        r = containerd_content_writer_new(p->l->client, p->l->ns, ref, d->size, d->digest, &s.writer);
        if (r < 0)
                return r;
        r = sha256_new(&s.hash);
        if (r < 0)
                return r;
        s.buf = malloc(WRITE_BUFFER);
        if (!s.buf)
                return -ENOMEM;

        r = registry_get(p, path, NULL, &s);
        if (r < 0) {
                if (s.error < 0 && s.error != -ENOMEM)
                        loader_fail_containerd(p->l, r, "cannot write to containerd's content store");
                goto abort;
        }
        r = sink_flush(&s);
        if (r < 0) {
                loader_fail_containerd(p->l, r, "cannot write to containerd's content store");
                goto abort;
        }
        r = sha256_final(s.hash, got);
        if (r < 0)
                goto abort;
        if ((int64_t) s.size != d->size || !streq(got, d->digest)) {
                loader_error(p->l, "the blob %s from %s is corrupt: %zu bytes with digest %s (want %lld bytes)",
                             d->digest, p->host, s.size, got, (long long) d->size);
                r = -EBADMSG;
                goto abort;
        }
        if (!s.exists) {
                r = containerd_content_writer_commit_sync(s.writer, NULL);
                if (r < 0 && r != -EEXIST) {
                        loader_fail_containerd(p->l, r, "cannot commit a blob to containerd's content store");
                        goto abort;
                }
        }
        return 0;

abort:
        s.writer = containerd_content_writer_free(s.writer);
        (void) containerd_content_abort_sync(p->l->client, p->l->ns, ref);
        return r;
}

static int pull(Puller *p, const char *normalized) {
        _cleanup_free_ char *reference = NULL, *data = NULL, *media_type = NULL, *cdata = NULL;
        _cleanup_(image_manifest_freep) ImageManifest *m = NULL;
        char digest[DIGEST_SHA256_STRING_LEN + 1], cdigest[DIGEST_SHA256_STRING_LEN + 1];
        size_t size, csize;
        int r;

        r = registry_reference_split(normalized, &p->host, &p->repository, &reference);
        if (r < 0) {
                loader_error(p->l, "'%s' is not a pullable reference", normalized);
                return -EINVAL;
        }
        p->creds = credentials_for(p->opts, p->host);
        if (asprintf(&p->base, "%s://%s/v2/%s", (p->opts && p->opts->plain_http) || registry_host_is_local(p->host) ? "http" : "https",
                     p->host, p->repository) < 0)
                return -ENOMEM;

        r = fetch_manifest(p, reference, &data, &size, &media_type, digest);
        if (r < 0)
                return r;

        if (media_type_is_index(media_type)) {
                _cleanup_(image_descriptor_array_freep) ImageDescriptor **l = NULL;
                const ImageDescriptor *pick = NULL;
                _cleanup_free_ char *idx_data = TAKE_PTR(data);

                r = image_index_parse(idx_data, size, &l);
                if (r < 0) {
                        loader_error(p->l, "the index %s from %s is not valid", digest, p->host);
                        return -EBADMSG;
                }
                for (ImageDescriptor **d = l; *d; d++)
                        if (media_type_is_manifest((*d)->media_type) && (*d)->os && (*d)->architecture &&
                            image_platform_matches_host((*d)->os, (*d)->architecture, (*d)->variant)) {
                                pick = *d;
                                break;
                        }
                if (!pick) {
                        loader_error(p->l, "%s has no image for linux/%s", normalized, image_host_architecture());
                        return -ENOEXEC;
                }
                media_type = mfree(media_type);
                r = fetch_manifest(p, pick->digest, &data, &size, &media_type, digest);
                if (r < 0)
                        return r;
        }
        if (!media_type_is_manifest(media_type)) {
                loader_error(p->l, "%s is a %s, not an image manifest", normalized, media_type);
                return -EBADMSG;
        }
        r = image_manifest_parse(data, size, &m);
        if (r < 0) {
                loader_error(p->l, "the manifest %s from %s is not a valid image manifest", digest, p->host);
                return -EBADMSG;
        }

        /* progress: every blob of the image */
        p->total = (uint64_t) m->config->size;
        for (ImageDescriptor **d = m->layers; *d; d++)
                p->total += (uint64_t) (*d)->size;

        /* the config, in memory and verified */
        {
                _cleanup_(sink_done) Sink s = { .p = p, .max = CONFIG_MAX };
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "/blobs/%s", m->config->digest) < 0)
                        return -ENOMEM;
                r = registry_get(p, path, NULL, &s);
                if (r < 0)
                        return r;
                r = digest_of(s.data ?: "", s.size, cdigest);
                if (r < 0)
                        return r;
                if (!streq(cdigest, m->config->digest) || (int64_t) s.size != m->config->size) {
                        loader_error(p->l, "the config %s from %s is corrupt: it has digest %s", m->config->digest, p->host, cdigest);
                        return -EBADMSG;
                }
                cdata = TAKE_PTR(s.data);
                csize = s.size;
                p->done += csize;
                if (p->opts && p->opts->progress)
                        p->opts->progress(p->done, p->total, p->opts->userdata);
        }
        for (ImageDescriptor **d = m->layers; *d; d++) {
                r = fetch_blob_to_store(p, *d);
                if (r < 0)
                        return r;
        }

        r = add_document(p, "config", cdigest, cdata ?: strdup(""), csize);
        cdata = NULL;
        if (r < 0)
                return r;
        r = add_document(p, "manifest", digest, data, size);
        data = NULL;
        if (r < 0)
                return r;

        ImageDescriptor target = {
                .media_type = media_type,
                .digest = digest,
                .size = (int64_t) size,
        };
        return loader_load_image(p->l, &target, normalized, !(p->opts && p->opts->no_unpack));
}

int image_pull(ContainerdClient *c, const char *ns, const char *ref, const ImagePullOptions *opts, char **ret_name, char **ret_error) {
        _cleanup_free_ char *normalized = NULL;
        Loader l = {
                .client = c,
                .ns = ns,
                .snapshotter = opts && opts->snapshotter ? opts->snapshotter : CONTAINERD_SNAPSHOTTER_DEFAULT,
        };
        Puller p = { .l = &l, .opts = opts };
        bool curl_initialized = false;
        int r;

        if (!c || isempty(ns) || isempty(ref))
                return -EINVAL;

        r = image_reference_normalize(ref, &normalized);
        if (r < 0) {
                loader_error(&l, "'%s' is not a valid image reference", ref);
                r = -EINVAL;
                goto finish;
        }
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                r = -EIO;
                goto finish;
        }
        curl_initialized = true;
        p.curl = curl_easy_init();
        if (!p.curl) {
                r = -ENOMEM;
                goto finish;
        }

        r = loader_lease_begin(&l);
        if (r >= 0)
                r = pull(&p, normalized);
        loader_lease_end(&l, r < 0);

finish:
        if (p.curl)
                curl_easy_cleanup(p.curl);
        if (curl_initialized)
                curl_global_cleanup();
        free(p.base);
        free(p.host);
        free(p.repository);
        free(p.auth);
        if (r < 0) {
                if (!l.error)
                        loader_error(&l, "%s", strerror(-r));
                if (ret_error)
                        *ret_error = TAKE_PTR(l.error);
        } else if (ret_name) {
                *ret_name = l.names && l.names[0] ? strdup(l.names[0]) : NULL;
                if (!*ret_name)
                        r = -ENOMEM;
        }
        free(l.error);
        loader_done(&l);
        return r;
}

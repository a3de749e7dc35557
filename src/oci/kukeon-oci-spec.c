/* SPDX-License-Identifier: Apache-2.0 */
/* kukeon-oci-spec: prints the OCI runtime spec (config.json) kukeon builds for a Container
 * manifest. A test program: the integration test oci-spec-runc hands its output to runc
 * directly, without containerd or kukeond. Secrets with a mountPath are staged for real.
 *
 *   kukeon-oci-spec --cgroups-path PATH [OPTIONS] MANIFEST|-
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "document.h"
#include "fileio.h"
#include "manifest.h"
#include "oci-spec.h"
#include "oci-user.h"

static void help(void) {
        printf("Usage: kukeon-oci-spec --cgroups-path PATH [OPTIONS] MANIFEST|-\n"
               "\n"
               "Prints the OCI runtime spec kukeon builds for a Container manifest.\n"
               "\n"
               "  --cgroups-path PATH   linux.cgroupsPath (absolute; required)\n"
               "  --cell-cgroup PATH    KUKEON_CGROUP_PATH (default: parent of --cgroups-path)\n"
               "  --netns PATH, --ipcns PATH, --utsns PATH\n"
               "                        namespaces to join (the cell anchor's)\n"
               "  --hostname NAME       hostname (default: the cell name)\n"
               "  --cell-ip IP          the cell's address (an annotation)\n"
               "  --hosts-file PATH, --hostname-file PATH, --resolv-conf PATH\n"
               "                        managed files to bind-mount\n"
               "  --image-config FILE   the image's config blob (JSON)\n"
               "  --rootfs DIR          root.path, and where etc/passwd and etc/group are looked up\n"
               "  --secrets-dir DIR     where file secrets are staged (default %s)\n"
               "  --cell-profile NAME   KUKEON_CELL_PROFILE_NAME\n"
               "  --terminal            process.terminal\n"
               "  --current-caps        limit ALL and privileged to this process's bounding set\n"
               "  --host-devices DIR    device nodes a privileged container gets (kukeond: /dev)\n"
               "  -o, --output FILE     write there instead of stdout\n"
               "  -h, --help            this help\n",
               OCI_SECRETS_DIR_DEFAULT);
}

int main(int argc, char *argv[]) {
        enum {
                ARG_CGROUPS = 0x100, ARG_CELL_CGROUP, ARG_NETNS, ARG_IPCNS, ARG_UTSNS, ARG_HOSTNAME, ARG_CELL_IP,
                ARG_HOSTS, ARG_HOSTNAME_FILE, ARG_RESOLV, ARG_IMAGE_CONFIG, ARG_ROOTFS, ARG_SECRETS_DIR, ARG_PROFILE,
                ARG_TERMINAL, ARG_CURRENT_CAPS, ARG_HOST_DEVICES,
        };
        static const struct option options[] = {
                { "cgroups-path", required_argument, NULL, ARG_CGROUPS },
                { "cell-cgroup", required_argument, NULL, ARG_CELL_CGROUP },
                { "netns", required_argument, NULL, ARG_NETNS },
                { "ipcns", required_argument, NULL, ARG_IPCNS },
                { "utsns", required_argument, NULL, ARG_UTSNS },
                { "hostname", required_argument, NULL, ARG_HOSTNAME },
                { "cell-ip", required_argument, NULL, ARG_CELL_IP },
                { "hosts-file", required_argument, NULL, ARG_HOSTS },
                { "hostname-file", required_argument, NULL, ARG_HOSTNAME_FILE },
                { "resolv-conf", required_argument, NULL, ARG_RESOLV },
                { "image-config", required_argument, NULL, ARG_IMAGE_CONFIG },
                { "rootfs", required_argument, NULL, ARG_ROOTFS },
                { "secrets-dir", required_argument, NULL, ARG_SECRETS_DIR },
                { "cell-profile", required_argument, NULL, ARG_PROFILE },
                { "terminal", no_argument, NULL, ARG_TERMINAL },
                { "current-caps", no_argument, NULL, ARG_CURRENT_CAPS },
                { "host-devices", required_argument, NULL, ARG_HOST_DEVICES },
                { "output", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        OciSpecContext ctx = {};
        const char *image_config = NULL, *rootfs = NULL, *secrets_dir = NULL, *output = NULL;
        bool current_caps = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "o:h", options, NULL)) >= 0)
                switch (c) {
                case ARG_CGROUPS: ctx.cgroups_path = optarg; break;
                case ARG_CELL_CGROUP: ctx.cell_cgroup_path = optarg; break;
                case ARG_NETNS: ctx.net_ns_path = optarg; break;
                case ARG_IPCNS: ctx.ipc_ns_path = optarg; break;
                case ARG_UTSNS: ctx.uts_ns_path = optarg; break;
                case ARG_HOSTNAME: ctx.hostname = optarg; break;
                case ARG_CELL_IP: ctx.cell_ip = optarg; break;
                case ARG_HOSTS: ctx.hosts_path = optarg; break;
                case ARG_HOSTNAME_FILE: ctx.hostname_path = optarg; break;
                case ARG_RESOLV: ctx.resolv_conf_path = optarg; break;
                case ARG_IMAGE_CONFIG: image_config = optarg; break;
                case ARG_ROOTFS: rootfs = optarg; break;
                case ARG_SECRETS_DIR: secrets_dir = optarg; break;
                case ARG_PROFILE: ctx.cell_profile_name = optarg; break;
                case ARG_TERMINAL: ctx.terminal = true; break;
                case ARG_CURRENT_CAPS: current_caps = true; break;
                case ARG_HOST_DEVICES: ctx.host_devices_dir = optarg; break;
                case 'o': output = optarg; break;
                case 'h': help(); return EXIT_SUCCESS;
                default: return EXIT_FAILURE;
                }
        if (optind != argc - 1) {
                fprintf(stderr, "kukeon-oci-spec: expected one manifest (or -), see --help\n");
                return EXIT_FAILURE;
        }
        const char *path = argv[optind];

        _cleanup_(document_list_freep) DocumentList *l = NULL;
        {
                FILE *f = streq(path, "-") ? stdin : fopen(path, "re");
                if (!f) {
                        fprintf(stderr, "kukeon-oci-spec: %s: %m\n", path);
                        return EXIT_FAILURE;
                }
                r = document_list_read_file(f, &l);
                if (f != stdin)
                        fclose(f);
                if (r < 0) {
                        fprintf(stderr, "kukeon-oci-spec: %s: %s\n", path, strerror(-r));
                        return EXIT_FAILURE;
                }
        }
        (void) manifest_check_list(l, NULL);
        if (l->n_documents != 1) {
                fprintf(stderr, "kukeon-oci-spec: %s: expected one document, found %zu\n", path, l->n_documents);
                return EXIT_FAILURE;
        }
        Document *d = &l->documents[0];
        if (d->error) {
                fprintf(stderr, "kukeon-oci-spec: %s: %s\n", path, d->error);
                return EXIT_FAILURE;
        }
        if (d->kind != KIND_CONTAINER) {
                fprintf(stderr, "kukeon-oci-spec: %s: expected a Container, got %s\n", path, kind_to_string(d->kind));
                return EXIT_FAILURE;
        }
        const ContainerSpec *spec = &((ContainerDoc *) d->object)->spec;

        OciImageConfig img = {};
        if (image_config) {
                _cleanup_free_ char *text = NULL, *msg = NULL;
                size_t size;
                r = read_file_full(image_config, 16 * 1024 * 1024, &text, &size);
                if (r < 0) {
                        fprintf(stderr, "kukeon-oci-spec: %s: %s\n", image_config, strerror(-r));
                        return EXIT_FAILURE;
                }
                r = oci_image_config_from_json(text, size, &img, &msg);
                if (r < 0) {
                        fprintf(stderr, "kukeon-oci-spec: %s: %s\n", image_config, msg ?: strerror(-r));
                        return EXIT_FAILURE;
                }
                ctx.image = &img;
        }

        _cleanup_free_ char *passwd = NULL, *group = NULL;
        if (rootfs) {
                if (asprintf(&passwd, "%s/etc/passwd", rootfs) < 0 || asprintf(&group, "%s/etc/group", rootfs) < 0)
                        return EXIT_FAILURE;
                ctx.passwd_path = passwd;
                ctx.group_path = group;
                ctx.root_path = rootfs;
        }
        if (current_caps && (r = oci_capability_bounding_current(&ctx.capability_mask)) < 0) {
                fprintf(stderr, "kukeon-oci-spec: cannot read the bounding set: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }

        /* Staged secret files belong to the container's user, so it can read them. */
        OciSecrets secrets = {};
        int ret = EXIT_FAILURE;
        if (spec->n_secrets > 0) {
                OciUser u = {};
                _cleanup_free_ char *msg = NULL;
                const char *user = !isempty(spec->user) ? spec->user : img.user;
                r = oci_user_resolve(user, ctx.passwd_path, ctx.group_path, &u, &msg);
                if (r < 0) {
                        fprintf(stderr, "kukeon-oci-spec: user: %s\n", msg ?: strerror(-r));
                        goto finish;
                }
                oci_user_done(&u);
                r = oci_secret_stage(spec, secrets_dir, u.uid, u.gid, &secrets, &msg);
                if (r < 0) {
                        fprintf(stderr, "kukeon-oci-spec: %s\n", msg ?: strerror(-r));
                        goto finish;
                }
                ctx.secrets = &secrets;
        }

        {
                json_t *j = NULL;
                _cleanup_free_ char *msg = NULL, *text = NULL;
                r = oci_spec_build(spec, &ctx, &j, &msg);
                if (r < 0) {
                        fprintf(stderr, "kukeon-oci-spec: %s\n", msg ?: strerror(-r));
                        goto finish;
                }
                r = oci_spec_format(j, &text);
                json_decref(j);
                if (r < 0)
                        goto finish;
                if (output)
                        r = write_file_atomic(output, text, strlen(text), 0600);
                else
                        r = fputs(text, stdout) < 0 || fflush(stdout) != 0 ? -EIO : 0;
                explicit_bzero(text, strlen(text));
                if (r < 0) {
                        fprintf(stderr, "kukeon-oci-spec: writing %s: %s\n", output ?: "stdout", strerror(-r));
                        goto finish;
                }
        }
        ret = EXIT_SUCCESS;
finish:
        oci_secrets_done(&secrets);
        oci_image_config_done(&img);
        return ret;
}

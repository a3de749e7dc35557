/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes what `kuke apply` does to untrusted input: parse a stream, validate and default
 * it, write it back as YAML and JSON, and read the YAML again — which must succeed and
 * give the same documents. Built with -fsanitize=fuzzer for libFuzzer, or with the
 * standalone main() below to replay a corpus as a unit test. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(document_list_freep) DocumentList *l = NULL;

        if (size > 256 * 1024)
                return 0;
        if (document_list_parse((const char *) data, size, &l) < 0)
                return 0;
        if (manifest_check_list(l, NULL) < 0)
                return 0;

        _cleanup_free_ char *yaml = NULL, *json = NULL;
        if (document_list_format_yaml(l, &yaml) < 0 || document_list_format_json(l, &json) < 0)
                return 0;

        /* What we write, we must read back to the same model. */
        _cleanup_(document_list_freep) DocumentList *again = NULL;
        if (document_list_parse(yaml, strlen(yaml), &again) < 0)
                abort();
        size_t j = 0;
        for (size_t i = 0; i < l->n_documents; i++) {
                const Document *d = &l->documents[i];
                if (!d->object || d->error)     /* only valid documents are written out */
                        continue;
                if (j >= again->n_documents || again->documents[j].error ||
                    !schema_equal(kind_schema(d->kind), d->object, again->documents[j].object)) {
                        fprintf(stderr, "round trip failed for document %zu:\n%s\n", i + 1, yaml);
                        abort();
                }
                j++;
        }
        if (j != again->n_documents)
                abort();
        return 0;
}

#ifndef FUZZING_ENGINE
/* Replays files (a corpus) through the target. */
int main(int argc, char *argv[]) {
        for (int i = 1; i < argc; i++) {
                FILE *f = fopen(argv[i], "re");
                if (!f) {
                        perror(argv[i]);
                        return 1;
                }
                static char buf[256 * 1024];
                size_t n = fread(buf, 1, sizeof buf, f);
                fclose(f);
                LLVMFuzzerTestOneInput((const uint8_t *) buf, n);
        }
        printf("%d inputs replayed\n", argc - 1);
        return 0;
}
#endif

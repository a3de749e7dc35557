/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* A stream of manifest documents: what `kuke apply -f` reads. Each document is decoded on
 * its own, so one bad document does not hide what is wrong (or right) with the others. */

#include <stdio.h>

#include "macro.h"
#include "v1beta1.h"

/* Refuse absurd inputs before libyaml spends memory on them. */
#define DOCUMENT_STREAM_MAX (16U * 1024U * 1024U)

typedef struct Document {
        unsigned index;  /* position in the stream, from 1 */
        unsigned line;   /* where the document starts, from 1 */
        Kind kind;       /* _KIND_INVALID when it could not be read */
        char *name;      /* metadata.name as written; NULL when absent */
        void *object;    /* the decoded document (RealmDoc *, CellDoc * …); NULL on error */
        char *error;     /* what is wrong, with line and column and field path; NULL if fine */
} Document;

typedef struct DocumentList {
        Document *documents;
        size_t n_documents;
        /* The source, kept to point errors found after decoding at their line and column. */
        char *text;
        size_t text_size;
} DocumentList;

DocumentList *document_list_free(DocumentList *l);
DEFINE_TRIVIAL_CLEANUP_FUNC(DocumentList *, document_list_free);

/* Parses every document of the stream. Returns 0 even when documents are bad — their
 * 'error' says why; a YAML syntax error ends the stream with one failed document. Fails
 * only on -ENOMEM, or -EFBIG for an oversized stream. Empty documents are skipped. */
int document_list_parse(const char *text, size_t size, DocumentList **ret);
int document_list_read_file(FILE *f, DocumentList **ret);

size_t document_list_count_errors(const DocumentList *l);

/* Sets the document's error (formatted), replacing none already there: the first wins. */
_printf_(2, 3) int document_set_error(Document *d, const char *fmt, ...);

/* Sets the document's error about the field at 'path' (spec.containers[0].image),
 * prefixed with the line and column of that field in the source — or of its nearest
 * parent present in the source, for a missing field. */
_printf_(4, 5) int document_set_field_error(const DocumentList *l, Document *d, const char *path, const char *fmt, ...);

/* "Cell \"web\"" or "document 3" when kind or name are unknown. Never NULL but on ENOMEM. */
char *document_describe(const Document *d);

/* Output: documents as a YAML stream (separated by ---) or as JSON (one object, or an
 * array when there are several). Failed documents are skipped. */
int document_list_format_yaml(const DocumentList *l, char **ret);
int document_list_format_json(const DocumentList *l, char **ret);

/* Decodes one document of an expected kind, as the store reads its files. */
int document_parse_one(const char *text, size_t size, Kind expected, void **ret_object, char **ret_error);

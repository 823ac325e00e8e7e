/*
 * letter_batch — the letter channel's directory: each day's letters kept
 * one by one, and the day's print-ready batch built from them.
 *
 * Layout of DIR (the channel's `dir`):
 *   DIR/YYYY-MM-DD/NNNN-MSGID.json  one letter: what it prints (sender,
 *                                   recipient, text, boleto fields) and
 *                                   its manifest line; NNNN is its place
 *                                   in the day (0001, 0002, ...)
 *   DIR/YYYY-MM-DD/NNNN-MSGID.pdf   the same letter alone (letter pages,
 *                                   then its boleto pages)
 *   DIR/.keys/HEX                   one per idempotency key (HEX = SHA-256
 *                                   of the key): "YYYY-MM-DD/NNNN-MSGID",
 *                                   so a message added again, on any day,
 *                                   is not added twice
 *   DIR/cartas-YYYY-MM-DD.pdf       the day's batch: every letter of the
 *                                   day in order, each followed by its
 *                                   boletos (libharu cannot append to a
 *                                   PDF, so the batch is rebuilt whole)
 *   DIR/cartas-YYYY-MM-DD.csv       its manifest for the print house
 *                                   (RFC 4180, UTF-8, a header line):
 *                                   seq, message_id, customer_external_id,
 *                                   name, address_line1, address_line2,
 *                                   city, state, cep, invoice_ids, pages,
 *                                   first_page, idempotency_key
 * Every file is written to a temporary name and renamed, so a reader never
 * sees half a file; one process adds to a directory at a time.
 *
 * Memory: rg_letter_file_load() fills an rg_letter_file whose strings live
 * in its own JSON document until rg_letter_file_free(). Everything else is
 * borrowed for the call.
 */
#ifndef RG_LETTER_BATCH_H
#define RG_LETTER_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "base/date.h"
#include "base/err.h"
#include "channel/letter_pdf.h"

#define RG_LETTER_PATH_MAX 1024

/* One line of the manifest (besides seq, pages and first_page, which the
 * build computes). */
typedef struct rg_letter_manifest {
    int64_t message_id;
    const char *idempotency_key;
    const char *customer_external_id;
    const char *name;
    const char *address_line1; /* street, number, complement */
    const char *address_line2; /* district */
    const char *city;
    const char *state;
    const char *cep; /* 00000-000 */
    const char *invoice_ids; /* "F1|F2" */
} rg_letter_manifest;

/* Where an idempotency key's letter was put: *found and rel =
 * "YYYY-MM-DD/NNNN-MSGID" when it was. */
rg_status rg_letter_batch_find(const char *dir, const char *idempotency_key, bool *found, char *rel, size_t n,
                               rg_err *e);

/* Adds letter l of day `day` unless its key was added before (*added
 * false, rel names the earlier one). The letter is rendered first (its own
 * PDF), so a letter that cannot print is refused (RG_EINVAL) and nothing is
 * written. rel receives "YYYY-MM-DD/NNNN-MSGID". */
rg_status rg_letter_batch_add(const char *dir, rg_date day, const rg_letter *l, const rg_letter_manifest *m,
                              bool *added, char *rel, size_t n, rg_err *e);

typedef struct rg_letter_build_report {
    size_t letters;    /* in the batch */
    size_t duplicates; /* files with a key seen earlier that day (dropped) */
    int pages;
    char pdf[RG_LETTER_PATH_MAX]; /* "" when there were no letters */
    char csv[RG_LETTER_PATH_MAX];
} rg_letter_build_report;

/* (Re)builds DIR/cartas-DAY.pdf and .csv from DIR/DAY/ *.json. A day
 * without letters writes nothing (letters = 0). */
rg_status rg_letter_batch_build(const char *dir, rg_date day, rg_letter_build_report *out, rg_err *e);

typedef struct rg_letter_file {
    rg_letter letter;
    rg_letter_manifest manifest;
    rg_boleto_pdf *boletos;
    void *json; /* owns the strings */
} rg_letter_file;

/* Reads one DIR/DAY/NNNN-MSGID.json. RG_EINVAL names what is wrong. */
rg_status rg_letter_file_load(const char *path, rg_letter_file *out, rg_err *e);
void rg_letter_file_free(rg_letter_file *f);

#endif

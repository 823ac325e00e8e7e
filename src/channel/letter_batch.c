#include "channel/letter_batch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"

#define FILE_VERSION 1

/* ---- files ---- */

static rg_status mkdir_p(const char *path, rg_err *e)
{
    char dir[RG_LETTER_PATH_MAX];
    if (!rg_strlcpy(dir, path, sizeof dir))
        return rg_err_set(e, RG_EINVAL, path, "path too long");
    for (char *p = dir + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            return rg_err_set(e, RG_EIO, dir, "cannot create directory: %s", strerror(errno));
        *p = c;
        if (!c)
            break;
    }
    return RG_OK;
}

/* Writes data to path through path.tmp, fsync and rename. */
static rg_status write_atomic(const char *path, const char *data, size_t len, rg_err *e)
{
    char tmp[RG_LETTER_PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return rg_err_set(e, RG_EIO, tmp, "cannot create: %s", strerror(errno));
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int err = errno;
            close(fd);
            unlink(tmp);
            return rg_err_set(e, RG_EIO, tmp, "cannot write: %s", strerror(err));
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        unlink(tmp);
        return rg_err_set(e, RG_EIO, tmp, "cannot write: %s", strerror(errno));
    }
    if (rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        return rg_err_set(e, RG_EIO, path, "cannot rename into place: %s", strerror(err));
    }
    return RG_OK;
}

static rg_status save_pdf(HPDF_Doc doc, const char *path, rg_err *e)
{
    char tmp[RG_LETTER_PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (HPDF_SaveToFile(doc, tmp) != HPDF_OK) {
        unsigned long code = (unsigned long)HPDF_GetError(doc);
        HPDF_ResetError(doc);
        unlink(tmp);
        return rg_err_set(e, RG_EIO, tmp, "cannot write the PDF (libharu error 0x%04lX)", code);
    }
    if (rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        return rg_err_set(e, RG_EIO, path, "cannot rename into place: %s", strerror(err));
    }
    return RG_OK;
}

static void key_hex(const char *key, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)key, strlen(key));
    sodium_bin2hex(out, 65, h, sizeof h);
}

rg_status rg_letter_batch_find(const char *dir, const char *idempotency_key, bool *found, char *rel, size_t n,
                               rg_err *e)
{
    *found = false;
    if (n)
        rel[0] = '\0';
    if (sodium_init() < 0)
        return rg_err_set(e, RG_EINTERNAL, "letter", "libsodium failed to initialise");
    char hex[65], path[RG_LETTER_PATH_MAX + 80];
    key_hex(idempotency_key, hex);
    snprintf(path, sizeof path, "%s/.keys/%s", dir, hex);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return RG_OK;
        return rg_err_set(e, RG_EIO, path, "cannot read: %s", strerror(errno));
    }
    char buf[256] = "";
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[got] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    *found = true;
    rg_strlcpy(rel, buf, n);
    return RG_OK;
}

/* ---- the letter as JSON ---- */

typedef struct str_field {
    const char *name;
    size_t off;
} str_field;

#define BS(f) {#f, offsetof(rg_boleto_pdf, f)}
static const str_field boleto_strings[] = {
    BS(bank_code),        BS(bank_name),         BS(barcode),           BS(linha_digitavel),
    BS(local_pagamento),  BS(beneficiario_nome), BS(beneficiario_doc),  BS(beneficiario_endereco),
    BS(agencia_codigo),   BS(numero_documento),  BS(especie_doc),       BS(aceite),
    BS(carteira),         BS(nosso_numero),      BS(pagador_nome),      BS(pagador_doc),
    BS(pagador_endereco1), BS(pagador_endereco2), BS(sacador_avalista), BS(instrucoes),
    BS(pix_copia_cola),
};
static const str_field boleto_dates[] = {BS(due_date), BS(document_date), BS(processing_date)};
static const str_field boleto_cents[] = {BS(valor_documento), BS(desconto), BS(mora_multa), BS(valor_cobrado)};
#undef BS

#define MS(f) {#f, offsetof(rg_letter_manifest, f)}
static const str_field manifest_strings[] = {
    MS(idempotency_key), MS(customer_external_id), MS(name), MS(address_line1), MS(address_line2),
    MS(city),            MS(state),                MS(cep),  MS(invoice_ids),
};
#undef MS

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *date_json(rg_date d)
{
    char buf[16];
    return d == RG_DATE_NONE ? json_null() : json_string(rg_date_format_iso(d, buf, sizeof buf));
}

static json_t *lines_json(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n && i < RG_LETTER_MAX_LINES; i++)
        json_array_append_new(a, json_string(v[i] ? v[i] : ""));
    return a;
}

static json_t *letter_json(const rg_letter *l, const rg_letter_manifest *m)
{
    json_t *man = json_object();
    json_object_set_new(man, "message_id", json_integer((json_int_t)m->message_id));
    for (size_t i = 0; i < sizeof manifest_strings / sizeof *manifest_strings; i++) {
        const char *v = *(const char *const *)((const char *)m + manifest_strings[i].off);
        json_object_set_new(man, manifest_strings[i].name, json_string(v ? v : ""));
    }
    json_t *bol = json_array();
    for (size_t k = 0; k < l->n_boletos; k++) {
        const rg_boleto_pdf *b = &l->boletos[k];
        json_t *o = json_object();
        for (size_t i = 0; i < sizeof boleto_strings / sizeof *boleto_strings; i++)
            json_object_set_new(o, boleto_strings[i].name,
                                str_or_null(*(const char *const *)((const char *)b + boleto_strings[i].off)));
        for (size_t i = 0; i < sizeof boleto_dates / sizeof *boleto_dates; i++)
            json_object_set_new(o, boleto_dates[i].name,
                                date_json(*(const rg_date *)((const char *)b + boleto_dates[i].off)));
        for (size_t i = 0; i < sizeof boleto_cents / sizeof *boleto_cents; i++)
            json_object_set_new(o, boleto_cents[i].name,
                                json_integer((json_int_t) * (const rg_cents *)((const char *)b + boleto_cents[i].off)));
        json_array_append_new(bol, o);
    }
    json_t *let = json_object();
    json_object_set_new(let, "reference", str_or_null(l->reference));
    json_object_set_new(let, "date", date_json(l->date));
    json_object_set_new(let, "sender", lines_json(l->sender, l->n_sender));
    json_object_set_new(let, "return_line", str_or_null(l->return_line));
    json_object_set_new(let, "recipient", lines_json(l->recipient, l->n_recipient));
    json_object_set_new(let, "subject", str_or_null(l->subject));
    json_object_set_new(let, "body", json_string(l->body ? l->body : ""));
    json_object_set_new(let, "boletos", bol);
    json_t *root = json_object();
    json_object_set_new(root, "version", json_integer(FILE_VERSION));
    json_object_set_new(root, "manifest", man);
    json_object_set_new(root, "letter", let);
    return root;
}

static const char *opt_string(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool read_date(json_t *o, const char *key, rg_date *out)
{
    json_t *v = json_object_get(o, key);
    *out = RG_DATE_NONE;
    if (!v || json_is_null(v))
        return true;
    const char *s = json_string_value(v);
    return s && rg_date_parse(s, strlen(s), out);
}

static size_t read_lines(json_t *a, const char **v)
{
    size_t n = 0;
    if (!json_is_array(a))
        return 0;
    for (size_t i = 0; i < json_array_size(a) && n < RG_LETTER_MAX_LINES; i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (s)
            v[n++] = s;
    }
    return n;
}

void rg_letter_file_free(rg_letter_file *f)
{
    if (!f)
        return;
    free(f->boletos);
    json_decref(f->json);
    memset(f, 0, sizeof *f);
}

rg_status rg_letter_file_load(const char *path, rg_letter_file *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        return rg_err_set(e, RG_EINVAL, path, "not a letter file: %s (line %d)", je.text, je.line);
    out->json = root;
    json_t *man = json_object_get(root, "manifest");
    json_t *let = json_object_get(root, "letter");
    if (json_integer_value(json_object_get(root, "version")) != FILE_VERSION || !json_is_object(man) ||
        !json_is_object(let)) {
        rg_letter_file_free(out);
        return rg_err_set(e, RG_EINVAL, path, "not a version %d letter file (version, manifest, letter)",
                          FILE_VERSION);
    }
    rg_letter_manifest *m = &out->manifest;
    m->message_id = json_integer_value(json_object_get(man, "message_id"));
    for (size_t i = 0; i < sizeof manifest_strings / sizeof *manifest_strings; i++) {
        const char *v = opt_string(man, manifest_strings[i].name);
        *(const char **)((char *)m + manifest_strings[i].off) = v ? v : "";
    }
    if (!m->idempotency_key[0]) {
        rg_letter_file_free(out);
        return rg_err_set(e, RG_EINVAL, path, "manifest.idempotency_key is missing");
    }
    rg_letter *l = &out->letter;
    l->reference = opt_string(let, "reference");
    l->return_line = opt_string(let, "return_line");
    l->subject = opt_string(let, "subject");
    l->body = opt_string(let, "body");
    l->n_sender = read_lines(json_object_get(let, "sender"), l->sender);
    l->n_recipient = read_lines(json_object_get(let, "recipient"), l->recipient);
    if (!read_date(let, "date", &l->date)) {
        rg_letter_file_free(out);
        return rg_err_set(e, RG_EINVAL, path, "letter.date is not a date");
    }
    json_t *bol = json_object_get(let, "boletos");
    size_t nb = json_is_array(bol) ? json_array_size(bol) : 0;
    if (nb) {
        out->boletos = calloc(nb, sizeof *out->boletos);
        if (!out->boletos) {
            rg_letter_file_free(out);
            return rg_err_set(e, RG_ENOMEM, "letter", "out of memory");
        }
    }
    for (size_t k = 0; k < nb; k++) {
        json_t *o = json_array_get(bol, k);
        rg_boleto_pdf *b = &out->boletos[k];
        for (size_t i = 0; i < sizeof boleto_strings / sizeof *boleto_strings; i++)
            *(const char **)((char *)b + boleto_strings[i].off) = opt_string(o, boleto_strings[i].name);
        for (size_t i = 0; i < sizeof boleto_dates / sizeof *boleto_dates; i++) {
            if (!read_date(o, boleto_dates[i].name, (rg_date *)((char *)b + boleto_dates[i].off))) {
                rg_letter_file_free(out);
                return rg_err_set(e, RG_EINVAL, path, "letter.boletos[%zu].%s is not a date", k,
                                  boleto_dates[i].name);
            }
        }
        for (size_t i = 0; i < sizeof boleto_cents / sizeof *boleto_cents; i++)
            *(rg_cents *)((char *)b + boleto_cents[i].off) =
                (rg_cents)json_integer_value(json_object_get(o, boleto_cents[i].name));
    }
    l->boletos = out->boletos;
    l->n_boletos = nb;
    return RG_OK;
}

/* ---- adding ---- */

/* The next place in the day: one more than the largest NNNN- prefix. */
static rg_status next_seq(const char *daydir, int *seq, rg_err *e)
{
    *seq = 1;
    DIR *d = opendir(daydir);
    if (!d)
        return rg_err_set(e, RG_EIO, daydir, "cannot read directory: %s", strerror(errno));
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *nm = de->d_name;
        size_t digits = strspn(nm, "0123456789");
        if (digits < 4 || digits > 9 || nm[digits] != '-')
            continue;
        int64_t v;
        if (rg_parse_i64((rg_slice){nm, digits}, 0, 999999999, &v) && v >= *seq)
            *seq = (int)v + 1;
    }
    closedir(d);
    return RG_OK;
}

rg_status rg_letter_batch_add(const char *dir, rg_date day, const rg_letter *l, const rg_letter_manifest *m,
                              bool *added, char *rel, size_t n, rg_err *e)
{
    rg_status rc;
    *added = false;
    if (n)
        rel[0] = '\0';
    if (!m->idempotency_key || !m->idempotency_key[0])
        return rg_err_set(e, RG_EINVAL, "letter", "a letter needs an idempotency key");
    bool found = false;
    if ((rc = rg_letter_batch_find(dir, m->idempotency_key, &found, rel, n, e)) != RG_OK || found)
        return rc;

    /* render it alone first: a letter that cannot print is not kept */
    HPDF_Doc doc = NULL;
    json_t *j = NULL;
    char *text = NULL;
    if ((rc = rg_boleto_pdf_new_doc(&doc, e)) != RG_OK)
        return rc;
    int pages = 0;
    if ((rc = rg_letter_pdf_add(doc, l, &pages, e)) != RG_OK)
        goto out;

    char day_iso[16], daydir[RG_LETTER_PATH_MAX], keys[RG_LETTER_PATH_MAX];
    rg_date_format_iso(day, day_iso, sizeof day_iso);
    snprintf(daydir, sizeof daydir, "%s/%s", dir, day_iso);
    snprintf(keys, sizeof keys, "%s/.keys", dir);
    if ((rc = mkdir_p(daydir, e)) != RG_OK || (rc = mkdir_p(keys, e)) != RG_OK)
        goto out;
    int seq;
    if ((rc = next_seq(daydir, &seq, e)) != RG_OK)
        goto out;
    char base[64], path[RG_LETTER_PATH_MAX + 80];
    snprintf(base, sizeof base, "%04d-%lld", seq, (long long)m->message_id);

    j = letter_json(l, m);
    text = j ? json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
    if (!text) {
        rc = rg_err_set(e, RG_ENOMEM, "letter", "out of memory");
        goto out;
    }
    snprintf(path, sizeof path, "%s/%s.pdf", daydir, base);
    if ((rc = save_pdf(doc, path, e)) != RG_OK)
        goto out;
    snprintf(path, sizeof path, "%s/%s.json", daydir, base);
    if ((rc = write_atomic(path, text, strlen(text), e)) != RG_OK)
        goto out;
    /* the key last: a crash before it leaves a letter that a retry adds
     * again, and the build drops the second copy by its key */
    char marker[128], hex[65];
    snprintf(marker, sizeof marker, "%s/%s\n", day_iso, base);
    key_hex(m->idempotency_key, hex);
    snprintf(path, sizeof path, "%s/%s", keys, hex);
    if ((rc = write_atomic(path, marker, strlen(marker), e)) != RG_OK)
        goto out;
    *added = true;
    snprintf(rel, n, "%s/%s", day_iso, base);
out:
    free(text);
    json_decref(j);
    HPDF_Free(doc);
    return rc;
}

/* ---- the day's batch ---- */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void csv_field(rg_buf *b, const char *s, bool last)
{
    s = s ? s : "";
    if (strpbrk(s, ",\"\r\n")) {
        rg_buf_putc(b, '"');
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                rg_buf_putc(b, '"');
            rg_buf_putc(b, *p);
        }
        rg_buf_putc(b, '"');
    } else {
        rg_buf_puts(b, s);
    }
    rg_buf_puts(b, last ? "\r\n" : ",");
}

rg_status rg_letter_batch_build(const char *dir, rg_date day, rg_letter_build_report *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    rg_status rc = RG_OK;
    char day_iso[16], daydir[RG_LETTER_PATH_MAX];
    rg_date_format_iso(day, day_iso, sizeof day_iso);
    snprintf(daydir, sizeof daydir, "%s/%s", dir, day_iso);
    char **names = NULL;
    size_t n = 0, cap = 0;
    rg_letter_file *files = NULL;
    HPDF_Doc doc = NULL;
    rg_buf csv = RG_BUF_INIT;

    DIR *d = opendir(daydir);
    if (!d) {
        if (errno == ENOENT)
            return RG_OK;
        return rg_err_set(e, RG_EIO, daydir, "cannot read directory: %s", strerror(errno));
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *nm = de->d_name;
        size_t len = strlen(nm);
        if (strspn(nm, "0123456789") < 4 || len < 6 || strcmp(nm + len - 5, ".json") != 0)
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **v = realloc(names, nc * sizeof *v);
            if (!v) {
                rc = rg_err_set(e, RG_ENOMEM, "letter", "out of memory");
                break;
            }
            names = v;
            cap = nc;
        }
        if (!(names[n] = rg_strdup(nm))) {
            rc = rg_err_set(e, RG_ENOMEM, "letter", "out of memory");
            break;
        }
        n++;
    }
    closedir(d);
    if (rc != RG_OK || n == 0)
        goto out;
    qsort(names, n, sizeof *names, cmp_names);
    if (!(files = calloc(n, sizeof *files))) {
        rc = rg_err_set(e, RG_ENOMEM, "letter", "out of memory");
        goto out;
    }
    if ((rc = rg_boleto_pdf_new_doc(&doc, e)) != RG_OK)
        goto out;
    rg_buf_puts(&csv, "seq,message_id,customer_external_id,name,address_line1,address_line2,city,state,cep,"
                      "invoice_ids,pages,first_page,idempotency_key\r\n");
    int page = 1;
    for (size_t i = 0; i < n; i++) {
        char path[RG_LETTER_PATH_MAX + 300];
        snprintf(path, sizeof path, "%s/%s", daydir, names[i]);
        if ((rc = rg_letter_file_load(path, &files[i], e)) != RG_OK)
            goto out;
        const rg_letter_manifest *m = &files[i].manifest;
        bool dup = false;
        for (size_t k = 0; k < i && !dup; k++)
            dup = files[k].json && !strcmp(files[k].manifest.idempotency_key, m->idempotency_key);
        if (dup) {
            out->duplicates++;
            rg_letter_file_free(&files[i]);
            continue;
        }
        int pages = 0;
        if ((rc = rg_letter_pdf_add(doc, &files[i].letter, &pages, e)) != RG_OK) {
            rg_err_prefix(e, path);
            goto out;
        }
        out->letters++;
        char num[32];
        snprintf(num, sizeof num, "%zu", out->letters);
        csv_field(&csv, num, false);
        snprintf(num, sizeof num, "%lld", (long long)m->message_id);
        csv_field(&csv, num, false);
        csv_field(&csv, m->customer_external_id, false);
        csv_field(&csv, m->name, false);
        csv_field(&csv, m->address_line1, false);
        csv_field(&csv, m->address_line2, false);
        csv_field(&csv, m->city, false);
        csv_field(&csv, m->state, false);
        csv_field(&csv, m->cep, false);
        csv_field(&csv, m->invoice_ids, false);
        snprintf(num, sizeof num, "%d", pages);
        csv_field(&csv, num, false);
        snprintf(num, sizeof num, "%d", page);
        csv_field(&csv, num, false);
        csv_field(&csv, m->idempotency_key, true);
        page += pages;
        out->pages += pages;
    }
    if (csv.oom) {
        rc = rg_err_set(e, RG_ENOMEM, "letter", "out of memory");
        goto out;
    }
    snprintf(out->pdf, sizeof out->pdf, "%s/cartas-%s.pdf", dir, day_iso);
    snprintf(out->csv, sizeof out->csv, "%s/cartas-%s.csv", dir, day_iso);
    if ((rc = save_pdf(doc, out->pdf, e)) != RG_OK || (rc = write_atomic(out->csv, csv.p, csv.len, e)) != RG_OK)
        goto out;
out:
    if (rc != RG_OK) {
        out->pdf[0] = out->csv[0] = '\0';
    }
    for (size_t i = 0; files && i < n; i++)
        rg_letter_file_free(&files[i]);
    free(files);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (doc)
        HPDF_Free(doc);
    rg_buf_free(&csv);
    return rc;
}

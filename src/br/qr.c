#include "br/qr.h"

#include <errno.h>
#include <png.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

rg_status rg_qr_encode(const char *text, rg_qr *out, rg_err *e)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!out || !text)
        return rg_err_set(e, RG_EINTERNAL, "qr", "rg_qr_encode: NULL argument");
    if (!text[0])
        return rg_err_set(e, RG_EINVAL, "qr", "the text to encode is empty");
    errno = 0;
    QRcode *c = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!c) {
        if (errno == ENOMEM)
            return rg_err_set(e, RG_ENOMEM, "qr", "out of memory encoding a QR code");
        return rg_err_set(e, RG_EINVAL, "qr", "cannot encode %zu bytes as a QR code (level M holds at most 2331)",
                          strlen(text));
    }
    size_t n = (size_t)c->width * (size_t)c->width;
    out->modules = malloc(n);
    if (!out->modules) {
        QRcode_free(c);
        return rg_err_set(e, RG_ENOMEM, "qr", "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        out->modules[i] = c->data[i] & 1; /* bit 0: dark module */
    out->width = c->width;
    QRcode_free(c);
    return RG_OK;
}

void rg_qr_free(rg_qr *q)
{
    if (!q)
        return;
    free(q->modules);
    q->modules = NULL;
    q->width = 0;
}

bool rg_qr_dark(const rg_qr *q, int x, int y)
{
    if (!q || !q->modules || x < 0 || y < 0 || x >= q->width || y >= q->width)
        return false;
    return q->modules[(size_t)y * (size_t)q->width + (size_t)x] != 0;
}

rg_status rg_qr_png(const rg_qr *q, int scale, rg_buf *out, rg_err *e)
{
    rg_status st = RG_OK;
    unsigned char *px = NULL;
    if (!q || !q->modules || !out)
        return rg_err_set(e, RG_EINTERNAL, "qr", "rg_qr_png: NULL argument");
    if (scale < 1 || scale > 64)
        return rg_err_set(e, RG_EINVAL, "qr", "scale must be 1..64 pixels per module, got %d", scale);
    const int side = (q->width + 2 * RG_QR_QUIET) * scale;
    px = malloc((size_t)side * (size_t)side);
    if (!px) {
        st = rg_err_set(e, RG_ENOMEM, "qr", "out of memory");
        goto out;
    }
    for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++)
            px[(size_t)y * (size_t)side + (size_t)x] =
                rg_qr_dark(q, x / scale - RG_QR_QUIET, y / scale - RG_QR_QUIET) ? 0 : 255;

    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = (png_uint_32)side;
    img.height = (png_uint_32)side;
    img.format = PNG_FORMAT_GRAY;
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(&img, NULL, &size, 0, px, 0, NULL)) {
        st = rg_err_set(e, RG_EINTERNAL, "qr", "libpng: %s", img.message);
        goto out;
    }
    if (!rg_buf_reserve(out, (size_t)size)) {
        st = rg_err_set(e, RG_ENOMEM, "qr", "out of memory");
        goto out;
    }
    if (!png_image_write_to_memory(&img, out->p + out->len, &size, 0, px, 0, NULL)) {
        st = rg_err_set(e, RG_EINTERNAL, "qr", "libpng: %s", img.message);
        goto out;
    }
    out->len += (size_t)size;
    out->p[out->len] = '\0';
out:
    free(px);
    return st;
}

rg_status rg_qr_svg(const rg_qr *q, int size_px, rg_buf *out, rg_err *e)
{
    if (!q || !q->modules || !out)
        return rg_err_set(e, RG_EINTERNAL, "qr", "rg_qr_svg: NULL argument");
    if (size_px < 1)
        return rg_err_set(e, RG_EINVAL, "qr", "size must be positive, got %d", size_px);
    const int side = q->width + 2 * RG_QR_QUIET;
    rg_buf_printf(out,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
                  "viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">\n"
                  "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n<g fill=\"#000000\">\n",
                  size_px, size_px, side, side, side, side);
    for (int y = 0; y < q->width; y++)
        for (int x = 0; x < q->width; x++)
            if (rg_qr_dark(q, x, y))
                rg_buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"1\" height=\"1\"/>\n", x + RG_QR_QUIET,
                              y + RG_QR_QUIET);
    rg_buf_puts(out, "</g>\n</svg>\n");
    if (out->oom)
        return rg_err_set(e, RG_ENOMEM, "qr", "out of memory");
    return RG_OK;
}

rg_status rg_qr_write_file(const char *text, const char *path, rg_err *e)
{
    rg_status st = RG_OK;
    rg_qr q = {0};
    rg_buf b = RG_BUF_INIT;
    FILE *fp = NULL;
    if (!text || !path)
        return rg_err_set(e, RG_EINTERNAL, "qr", "rg_qr_write_file: NULL argument");
    const char *dot = strrchr(path, '.');
    bool png = dot && strcasecmp(dot, ".png") == 0;
    bool svg = dot && strcasecmp(dot, ".svg") == 0;
    if (!png && !svg)
        return rg_err_set(e, RG_EINVAL, path, "expected a file name ending in .png or .svg");
    st = rg_qr_encode(text, &q, e);
    if (st != RG_OK)
        goto out;
    st = png ? rg_qr_png(&q, 8, &b, e) : rg_qr_svg(&q, (q.width + 2 * RG_QR_QUIET) * 8, &b, e);
    if (st != RG_OK)
        goto out;
    fp = fopen(path, "wb");
    if (!fp) {
        st = rg_err_set(e, RG_EIO, path, "cannot create: %s", strerror(errno));
        goto out;
    }
    bool wrote = fwrite(b.p, 1, b.len, fp) == b.len;
    bool closed = fclose(fp) == 0;
    fp = NULL;
    if (!wrote || !closed) {
        st = rg_err_set(e, RG_EIO, path, "write failed: %s", strerror(errno));
        goto out;
    }
out:
    if (fp)
        fclose(fp);
    rg_buf_free(&b);
    rg_qr_free(&q);
    return st;
}

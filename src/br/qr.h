/*
 * qr — QR codes for a text (PIX copia-e-cola, portal links) as a module
 * matrix, a PNG or an SVG.
 *
 * Encoding uses libqrencode with error-correction level M, the smallest
 * version that fits, case-sensitive mixed modes. Images carry a quiet zone
 * of RG_QR_QUIET modules on every side. rg_qr_encode() fills an owned
 * rg_qr (release with rg_qr_free(), NULL-safe); the PNG and SVG encoders
 * append to a caller-owned rg_buf. rg_qr_write_file() is the one function
 * that does I/O: it writes a .png or .svg chosen by the path's extension.
 */
#ifndef RG_BR_QR_H
#define RG_BR_QR_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

#define RG_QR_QUIET 4

typedef struct rg_qr {
    int width;               /* modules per side, without the quiet zone */
    unsigned char *modules;  /* width*width bytes, row-major; 1 = dark, 0 = light */
} rg_qr;

/* Encodes text (UTF-8, non-empty, no NUL) into *out. RG_EINVAL for an empty
 * text or one too long for a QR code, RG_ENOMEM on allocation failure;
 * *out is zeroed on failure. */
rg_status rg_qr_encode(const char *text, rg_qr *out, rg_err *e);

void rg_qr_free(rg_qr *q);

/* True when the module at (x, y) is dark; false outside the symbol. */
bool rg_qr_dark(const rg_qr *q, int x, int y);

/* An 8-bit grayscale PNG, `scale` pixels per module (1..64), appended to out. */
rg_status rg_qr_png(const rg_qr *q, int scale, rg_buf *out, rg_err *e);

/* An SVG whose viewBox is one unit per module (quiet zone included): one
 * <rect> per dark module, `size_px` the rendered width/height. */
rg_status rg_qr_svg(const rg_qr *q, int size_px, rg_buf *out, rg_err *e);

/* Writes text as a QR image to path: ".png" (8 px per module) or ".svg"
 * (case-insensitive extension); RG_EINVAL for another extension, RG_EIO
 * when the file cannot be written. */
rg_status rg_qr_write_file(const char *text, const char *path, rg_err *e);

#endif

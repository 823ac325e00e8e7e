/*
 * sms — how long a text is as an SMS (GSM 03.38 / 3GPP TS 23.038).
 *
 * A text made only of the GSM-7 default alphabet goes in 7-bit encoding:
 * 160 characters in one message, 153 per part when concatenated; the
 * extension characters ^ { } \ [ ] ~ | and the euro sign take two. Any
 * other character (ã, õ, á, ê, ç...) makes the whole message UCS-2: 70
 * characters, 67 per part. Pure; no allocation.
 */
#ifndef RG_RENDER_SMS_H
#define RG_RENDER_SMS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct rg_sms_info {
    bool gsm7;       /* false: UCS-2 */
    size_t units;    /* septets (GSM-7) or UTF-16 units (UCS-2) */
    size_t segments; /* messages the provider will send (0 for an empty text) */
} rg_sms_info;

void rg_sms_measure(const char *text, size_t len, rg_sms_info *out);

#endif

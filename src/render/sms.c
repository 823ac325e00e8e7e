#include "render/sms.h"

#include <stdint.h>

/* Decodes one UTF-8 code point at s[*i] (advancing *i); malformed bytes
 * decode as U+FFFD, one byte each. */
static uint32_t next_cp(const unsigned char *s, size_t len, size_t *i)
{
    unsigned char c = s[*i];
    size_t need = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 9;
    if (need == 0) {
        (*i)++;
        return c;
    }
    if (need == 9 || need >= len - *i) { /* not a lead byte, or truncated */
        (*i)++;
        return 0xFFFD;
    }
    uint32_t cp = c & (need == 1 ? 0x1F : need == 2 ? 0x0F : 0x07);
    for (size_t k = 1; k <= need; k++) {
        unsigned char cc = s[*i + k];
        if ((cc & 0xC0) != 0x80) {
            (*i)++;
            return 0xFFFD;
        }
        cp = (cp << 6) | (cc & 0x3F);
    }
    *i += need + 1;
    return cp;
}

/* 1: basic GSM-7 alphabet, 2: extension table (escape + char), 0: neither. */
static int gsm_cost(uint32_t cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return 1;
    if (cp >= 'a' && cp <= 'z')
        return 1;
    if (cp >= '0' && cp <= '9')
        return 1;
    switch (cp) {
    case '\n': case '\r': case ' ': case '!': case '"': case '#': case '$': case '%': case '&': case '\'':
    case '(': case ')': case '*': case '+': case ',': case '-': case '.': case '/': case ':': case ';':
    case '<': case '=': case '>': case '?': case '@': case '_':
    case 0x00A1: /* ¡ */ case 0x00A3: /* £ */ case 0x00A4: /* ¤ */ case 0x00A5: /* ¥ */
    case 0x00A7: /* § */ case 0x00BF: /* ¿ */ case 0x00C4: /* Ä */ case 0x00C5: /* Å */
    case 0x00C6: /* Æ */ case 0x00C7: /* Ç */ case 0x00C9: /* É */ case 0x00D1: /* Ñ */
    case 0x00D6: /* Ö */ case 0x00D8: /* Ø */ case 0x00DC: /* Ü */ case 0x00DF: /* ß */
    case 0x00E0: /* à */ case 0x00E4: /* ä */ case 0x00E5: /* å */ case 0x00E6: /* æ */
    case 0x00E8: /* è */ case 0x00E9: /* é */ case 0x00EC: /* ì */ case 0x00F1: /* ñ */
    case 0x00F2: /* ò */ case 0x00F6: /* ö */ case 0x00F8: /* ø */ case 0x00F9: /* ù */
    case 0x00FC: /* ü */ case 0x0394: /* Δ */ case 0x03A6: /* Φ */ case 0x0393: /* Γ */
    case 0x039B: /* Λ */ case 0x03A9: /* Ω */ case 0x03A0: /* Π */ case 0x03A8: /* Ψ */
    case 0x03A3: /* Σ */ case 0x0398: /* Θ */ case 0x039E: /* Ξ */
        return 1;
    case '^': case '{': case '}': case '\\': case '[': case ']': case '~': case '|': case 0x20AC: /* € */
        return 2;
    default:
        return 0;
    }
}

void rg_sms_measure(const char *text, size_t len, rg_sms_info *out)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t septets = 0, utf16 = 0;
    bool gsm7 = true;
    for (size_t i = 0; i < len;) {
        uint32_t cp = next_cp(s, len, &i);
        int cost = gsm_cost(cp);
        if (cost == 0)
            gsm7 = false;
        septets += (size_t)cost;
        utf16 += cp > 0xFFFF ? 2 : 1;
    }
    out->gsm7 = gsm7;
    out->units = gsm7 ? septets : utf16;
    size_t single = gsm7 ? 160 : 70, part = gsm7 ? 153 : 67;
    if (out->units == 0)
        out->segments = 0;
    else if (out->units <= single)
        out->segments = 1;
    else
        out->segments = (out->units + part - 1) / part;
}

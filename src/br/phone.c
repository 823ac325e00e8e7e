#include "br/phone.h"

#include <stdio.h>
#include <string.h>

/* DDDs in use (Anatel). */
static bool ddd_valid(int ddd)
{
    static const unsigned char valid[] = {
        11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28, 31, 32, 33, 34, 35, 37, 38,
        41, 42, 43, 44, 45, 46, 47, 48, 49, 51, 53, 54, 55, 61, 62, 63, 64, 65, 66, 67, 68,
        69, 71, 73, 74, 75, 77, 79, 81, 82, 83, 84, 85, 86, 87, 88, 89, 91, 92, 93, 94, 95,
        96, 97, 98, 99};
    for (size_t i = 0; i < sizeof valid; i++)
        if (valid[i] == ddd)
            return true;
    return false;
}

bool rg_phone_normalize(const char *s, size_t len, char *out, size_t n, const char **why)
{
    char d[32];
    size_t nd = 0;
    bool plus = false;
    out[0] = '\0';
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (nd + 1 >= sizeof d) {
                *why = "too many digits for a phone number";
                return false;
            }
            d[nd++] = c;
        } else if (c == '+' && nd == 0 && !plus) {
            plus = true;
        } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
            *why = "unexpected character in phone number";
            return false;
        }
    }
    d[nd] = '\0';
    const char *national = d;
    if (plus) {
        if (nd < 8 || nd > 15) {
            *why = "an international number has 8 to 15 digits";
            return false;
        }
        if (strncmp(d, "55", 2) != 0) {
            snprintf(out, n, "+%s", d);
            return true;
        }
        national = d + 2;
    } else if ((nd == 12 || nd == 13) && !strncmp(d, "55", 2)) {
        national = d + 2;
    } else if ((nd == 11 || nd == 12) && d[0] == '0') {
        national = d + 1;
    }
    size_t nn = strlen(national);
    if (nn != 10 && nn != 11) {
        *why = "a Brazilian number is DDD + 8 or 9 digits";
        return false;
    }
    int ddd = (national[0] - '0') * 10 + (national[1] - '0');
    if (!ddd_valid(ddd)) {
        *why = "unknown DDD (area code)";
        return false;
    }
    if (nn == 11 && national[2] != '9') {
        *why = "a 9-digit Brazilian mobile number starts with 9";
        return false;
    }
    snprintf(out, n, "+55%s", national);
    return true;
}

bool rg_email_valid(const char *s, size_t len, const char **why)
{
    if (len == 0 || len > 254) {
        *why = "an e-mail address has 1 to 254 characters";
        return false;
    }
    const char *at = memchr(s, '@', len);
    if (!at || at == s) {
        *why = "an e-mail address needs a name before '@'";
        return false;
    }
    if (memchr(at + 1, '@', len - (size_t)(at + 1 - s))) {
        *why = "more than one '@'";
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c == '"' || c == '(' || c == ')' || c == ',' || c == ';' || c == '<' ||
            c == '>' || c == '[' || c == ']' || c == '\\') {
            *why = "invalid character in e-mail address";
            return false;
        }
    }
    const char *dom = at + 1;
    size_t dl = len - (size_t)(dom - s);
    if (dl == 0 || !memchr(dom, '.', dl)) {
        *why = "the domain needs a dot (e.g. empresa.com.br)";
        return false;
    }
    size_t label = 0;
    for (size_t i = 0; i < dl; i++) {
        char c = dom[i];
        if (c == '.') {
            if (label == 0) {
                *why = "empty label in the domain";
                return false;
            }
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || (unsigned char)c >= 0x80) {
            label++;
        } else {
            *why = "invalid character in the domain";
            return false;
        }
    }
    if (label < 2) {
        *why = "the domain must end in a top-level name of 2+ letters";
        return false;
    }
    return true;
}

bool rg_uf_valid(const char *s, size_t len)
{
    static const char *const ufs = "AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO";
    if (len != 2)
        return false;
    for (size_t i = 0; i + 1 < strlen(ufs); i += 3)
        if (ufs[i] == s[0] && ufs[i + 1] == s[1])
            return true;
    return false;
}

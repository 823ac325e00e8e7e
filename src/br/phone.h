/*
 * phone — Brazilian-aware phone and e-mail normalisation for contact data.
 *
 * Phones become E.164 ("+5511987654321"). Input may carry punctuation and
 * spaces; a number with '+' is taken as international (8-15 digits); one
 * without is Brazilian: an optional trunk 0, the two-digit DDD (checked
 * against the DDDs in use) and 8 digits (landline) or 9 starting with 9
 * (mobile); a leading 55 with 12-13 digits is the country code.
 */
#ifndef RG_PHONE_H
#define RG_PHONE_H

#include <stdbool.h>
#include <stddef.h>

/* out must hold at least 17 bytes. On failure *why says what is wrong. */
bool rg_phone_normalize(const char *s, size_t len, char *out, size_t n, const char **why);

/* Shape check: one '@', non-empty local part, a dotted domain of valid
 * labels, no spaces, at most 254 bytes. */
bool rg_email_valid(const char *s, size_t len, const char **why);

/* The 27 federative units ("SP", "RJ", ...). */
bool rg_uf_valid(const char *s, size_t len);

#endif

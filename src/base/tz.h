/*
 * tz — IANA time zones, read straight from the system tz database.
 *
 * A zone is loaded from its TZif file (RFC 8536), e.g.
 * /usr/share/zoneinfo/America/Sao_Paulo: the 64-bit (version 2+) data
 * block gives every transition the file lists, and the POSIX TZ string in
 * the footer ("<-03>3", "EST5EDT,M3.2.0,M11.1.0") gives the rule for
 * every instant after the last listed transition. Nothing here touches
 * the process-wide TZ machinery of the C library (no setenv("TZ"), no
 * tzset, no localtime), so any number of threads may use any number of
 * zones at once.
 *
 * Ownership: rg_tz_load / rg_tz_load_dir / rg_tz_parse return an owned
 * zone, released with rg_tz_free (NULL-safe). A loaded zone is immutable,
 * so it may be shared by threads. rg_tz_utc() is a static zone; never
 * free it. An rg_tz_cache owns every zone it hands out: they stay valid
 * until rg_tz_cache_free. The cache has its own lock, so one cache may be
 * shared by threads.
 *
 * Instants are clamped to +/-1e14 seconds (about 3 million years) before
 * civil arithmetic, so no input overflows.
 */
#ifndef RG_TZ_H
#define RG_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/date.h"
#include "base/err.h"

#define RG_TZ_DIR_DEFAULT "/usr/share/zoneinfo"
#define RG_TZ_NAME_MAX 128   /* longest zone name accepted, in bytes */
#define RG_TZ_FILE_MAX 262144 /* largest TZif file accepted, in bytes */

typedef struct rg_tz rg_tz;
typedef struct rg_tz_cache rg_tz_cache;

/* True when `name` is an acceptable zone name: 1..RG_TZ_NAME_MAX bytes of
 * [A-Za-z0-9_+-/], no leading or trailing '/', no empty component, no
 * "..". On false, *why (may be NULL) says which rule failed. */
bool rg_tz_name_valid(const char *name, const char **why);

/* Loads RG_TZ_DIR_DEFAULT/<name>. RG_EINVAL for a bad name or a malformed
 * file, RG_ENOTFOUND when no such zone is installed, RG_EIO when the file
 * cannot be read. *out is NULL on failure. */
rg_status rg_tz_load(const char *name, rg_tz **out, rg_err *e);

/* Same, from another zoneinfo directory (tests, bundled data). */
rg_status rg_tz_load_dir(const char *dir, const char *name, rg_tz **out, rg_err *e);

/* Parses TZif bytes (no I/O). `name` is recorded for rg_tz_name and error
 * messages. Version 1 files are read from their 32-bit block; version 2+
 * from the 64-bit block and footer. Files with leap-second records (the
 * "right/" zones) are refused: regua's instants are POSIX seconds. */
rg_status rg_tz_parse(const unsigned char *data, size_t len, const char *name, rg_tz **out,
                      rg_err *e);

/* Parses a POSIX TZ string as found in a TZif footer (also usable alone,
 * e.g. "<-03>3" or "EST5EDT,M3.2.0,M11.1.0") into a zone with no listed
 * transitions. Accepts the RFC 8536 extensions (rule times -167..167h). A
 * zone with a DST name must give the rule (",start,end"). */
rg_status rg_tz_from_posix(const char *tzstring, rg_tz **out, rg_err *e);

void rg_tz_free(rg_tz *tz);

/* The zone that is always UTC (static; never freed). */
const rg_tz *rg_tz_utc(void);

/* The name the zone was loaded under ("America/Sao_Paulo"). */
const char *rg_tz_name(const rg_tz *tz);

/* Offset of local time from UTC at `utc`, in seconds east (-10800 for
 * -03:00). Before the first listed transition the file's first time type
 * applies; after the last, the footer rule (or, without a footer, the
 * last transition's type). */
int32_t rg_tz_offset_at(const rg_tz *tz, rg_instant utc);

/* The local civil date and seconds since local midnight (0..86399) at `utc`. */
void rg_tz_local(const rg_tz *tz, rg_instant utc, rg_date *date, int *seconds_of_day);

/* The civil date where `tz` is at `utc`. This is the one way regua turns
 * an instant into a local date: "today" for a customer or the company,
 * the day a payment was made, the day a message goes out. Never subtract
 * a fixed offset from an instant instead (scripts/check-style.sh refuses
 * `now - 3 * 3600` and its kin). */
rg_date rg_tz_date(const rg_tz *tz, rg_instant utc);

/* The instant a person means by `s[0..len)`, where `tz` is the company's
 * zone:
 *   - a bare civil date, "2027-01-13" or "13/01/2027", means that date
 *     where the company is: its local noon (an instant that falls on the
 *     same civil date in every Brazilian zone, and in any zone within
 *     eleven hours of `tz`);
 *   - anything else is an ISO-8601 instant as rg_instant_parse reads it
 *     ("2027-01-13T10:00:00-03:00"; a time without an offset is UTC).
 * False (and *out = RG_INSTANT_NONE) when it is neither. */
bool rg_tz_parse_moment(const rg_tz *tz, const char *s, size_t len, rg_instant *out);

/* The local time at `t` for people, with its offset:
 * "2026-12-10 09:30:00 -03:00"; buf of at least 27 bytes. */
char *rg_tz_format(const rg_tz *tz, rg_instant t, char *buf, size_t n);

/* The UTC instant at which the local clock shows `date` + `seconds_of_day`
 * (0..86399; values outside are taken as an offset from that midnight).
 *   - In a gap (spring forward: the local time never happens), the result
 *     is the first instant after the gap, i.e. the transition itself: on
 *     2026-03-08 in New York, 02:30 local gives 07:00Z (= 03:00 EDT).
 *   - In an overlap (fall back: the local time happens twice), the result
 *     is the earlier of the two instants: on 2026-11-01 in New York, 01:30
 *     local gives 05:30Z (01:30 EDT), not 06:30Z (01:30 EST). */
rg_instant rg_tz_to_utc(const rg_tz *tz, rg_date date, int seconds_of_day);

/* The first instant > utc at which the zone's rules change (the offset
 * usually changes then; a file may also list transitions that only rename
 * the abbreviation). RG_INSTANT_NONE when nothing changes ever after. */
rg_instant rg_tz_next_transition(const rg_tz *tz, rg_instant utc);

/* A cache of loaded zones by name. `dir` NULL means RG_TZ_DIR_DEFAULT.
 * Returns NULL on allocation failure. */
rg_tz_cache *rg_tz_cache_new(const char *dir);
void rg_tz_cache_free(rg_tz_cache *c);

/* The zone named `name`, loaded on first use and kept. A failure for a
 * well-formed name is remembered too (the same error is returned again
 * without touching the disk), up to a bound on remembered failures; a
 * malformed name is rejected every time without being stored. *tz is
 * NULL on failure. */
rg_status rg_tz_cache_get(rg_tz_cache *c, const char *name, const rg_tz **tz, rg_err *e);

/* Number of names (zones and remembered failures) the cache holds. */
size_t rg_tz_cache_size(const rg_tz_cache *c);

#endif

/* Calendar dates (YYYY-MM-DD) as day numbers, for exception expiry and
 * archive markers. */
#ifndef HF_UTIL_DATE_H
#define HF_UTIL_DATE_H

#include "util/error.h"

typedef struct hf_date {
    int year, month, day;
} hf_date;

/* Parses exactly "YYYY-MM-DD" and checks it is a real calendar date. */
int hf_date_parse(hf_date *out, const char *s, hf_error *err);
/* Today in UTC. */
hf_date hf_date_today(void);
int hf_date_cmp(hf_date a, hf_date b);
/* Seconds since the epoch at 00:00 UTC of that day. */
long long hf_date_epoch(hf_date d);
/* Writes "YYYY-MM-DD" into out (at least 11 bytes). */
void hf_date_format(hf_date d, char out[11]);

#endif

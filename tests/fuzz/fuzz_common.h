/* What the fuzz targets share: splitting one input into parts at a
 * separator line, and a private scratch directory to write configuration
 * files into. */
#ifndef HF_FUZZ_COMMON_H
#define HF_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

typedef struct hf_fuzz_part {
    const char *ptr;
    size_t len;
} hf_fuzz_part;

/* Splits data at separator lines "%%%%" into at most max parts (the last one takes the
 * rest); returns how many. */
size_t hf_fuzz_split(const uint8_t *data, size_t size, hf_fuzz_part *parts, size_t max);

/* A scratch directory made once per process (removed at exit). */
const char *hf_fuzz_dir(void);
/* Writes dir/name, or removes it when part is NULL. */
void hf_fuzz_put(const char *name, const hf_fuzz_part *part);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif

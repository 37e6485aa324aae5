/* FNV-1a hashing. */
#include "util/hash.h"

#include <string.h>

uint64_t hf_hash_fnv1a64(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

unsigned hf_hash_shard(const char *name, unsigned n)
{
    return n ? (unsigned)(hf_hash_fnv1a64(name, strlen(name)) % n) : 0;
}

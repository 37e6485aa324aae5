/* Stable, platform-independent hashing (FNV-1a 64): used where a value must be
 * the same on every machine, such as assigning repos to shards. */
#ifndef HF_UTIL_HASH_H
#define HF_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t hf_hash_fnv1a64(const void *data, size_t len);
/* Which of n shards (0-based) a name belongs to. */
unsigned hf_hash_shard(const char *name, unsigned n);

#endif

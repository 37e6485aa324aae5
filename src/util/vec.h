/* hf_vec: the one growable array of pointers used by every module. The vector
 * owns only its slot array; freeing the items is the caller's (or pass a free
 * function to hf_vec_free). */
#ifndef HF_UTIL_VEC_H
#define HF_UTIL_VEC_H

#include <stddef.h>

typedef struct hf_vec {
    void **items;
    size_t len;
    size_t cap;
} hf_vec;

#define HF_VEC_INIT {NULL, 0, 0}

void hf_vec_push(hf_vec *v, void *item);
void *hf_vec_get(const hf_vec *v, size_t i);
void *hf_vec_pop(hf_vec *v);
void hf_vec_sort(hf_vec *v, int (*cmp)(const void *a, const void *b));
/* Frees the slots, and each item with item_free when it is not NULL. */
void hf_vec_free(hf_vec *v, void (*item_free)(void *));

#endif

/* Growable pointer arrays. */
#include "util/vec.h"
#include "util/mem.h"

#include <stdlib.h>

void hf_vec_push(hf_vec *v, void *item)
{
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->items = hf_xrealloc(v->items, v->cap * sizeof(void *));
    }
    v->items[v->len++] = item;
}

void *hf_vec_get(const hf_vec *v, size_t i)
{
    return i < v->len ? v->items[i] : NULL;
}

void *hf_vec_pop(hf_vec *v)
{
    return v->len ? v->items[--v->len] : NULL;
}

/* cmp receives pointers to slots (void **), as qsort gives them. */
void hf_vec_sort(hf_vec *v, int (*cmp)(const void *a, const void *b))
{
    if (v->len > 1)
        qsort(v->items, v->len, sizeof(void *), cmp);
}

void hf_vec_free(hf_vec *v, void (*item_free)(void *))
{
    if (item_free)
        for (size_t i = 0; i < v->len; i++)
            item_free(v->items[i]);
    free(v->items);
    v->items = NULL;
    v->len = v->cap = 0;
}

#include "util/pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "util/mem.h"

void hf_pool_run(int threads, void *(*fn)(void *), void *arg)
{
    if (threads < 1)
        threads = 1;
    pthread_t *ids = hf_xcalloc((size_t)threads, sizeof(pthread_t));
    int started = 0;
    for (int i = 1; i < threads; i++) {
        if (pthread_create(&ids[i], NULL, fn, arg) != 0)
            break;
        started = i;
    }
    fn(arg);
    for (int i = 1; i <= started; i++)
        pthread_join(ids[i], NULL);
    free(ids);
}

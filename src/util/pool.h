/* Runs one function on N threads: the caller's thread is one of them, so a
 * pool of 1 starts no thread. The function takes the work items itself (an
 * atomic counter in arg); a thread that cannot be started leaves its share
 * to the others. */
#ifndef HF_UTIL_POOL_H
#define HF_UTIL_POOL_H

/* Calls fn(arg) on `threads` threads (at least 1) and returns when every
 * call has returned. */
void hf_pool_run(int threads, void *(*fn)(void *), void *arg);

#endif

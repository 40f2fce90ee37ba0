/* Prefaulting in a spare worker: the pages a worker's start touches, faulted in while the spare
 * waits for its spec, off the start's path. On a machine where a page fault costs ~20 µs (a
 * paravirtualised guest) a start took 42 faults between its spec and its first log write; each
 * populated range here is one system call. What is written is only what a start writes anyway
 * (the same pages, earlier: an idle worker holds hardly more of its own).
 */
#ifndef WASMCRI_ZYGOTE_PREFAULT_H
#define WASMCRI_ZYGOTE_PREFAULT_H

#include <stddef.h>

/* Faults in bytes of native stack below the caller's frame. */
void prefault_stack(size_t bytes);

/* The spare's part, before it waits for its spec: the program's text and read-only data mapped
 * (page table entries of the page cache, shared), its writable data written, the vDSO's data
 * read, a start's native stack written and malloc's free fast chunks merged. */
void prefault_spare(void);

#endif

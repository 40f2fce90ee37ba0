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

/* The spare's first step: the program's writable data written (but its bss) and its text and
 * read-only data mapped (page table entries of the page cache, shared), a call each, before
 * the spare's set-up faults in the pages it needs of them one at a time. */
void prefault_program(void);

/* The spare's part, before it waits for its spec: the vDSO's data read and glibc's time zone
 * state written (the log's timestamps), a start's native stack written, malloc's free fast
 * chunks merged and the first pages of its heap's top, which a start's allocations take,
 * written. */
void prefault_spare(void);

#endif

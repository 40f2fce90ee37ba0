/* Unmaps the library and program pages that only the daemon's start-up touched (and,
 * later, only the loading of the pull module, image/pull_loader.h). */
#ifndef WASMCRI_CMD_STARTUP_PAGES_H
#define WASMCRI_CMD_STARTUP_PAGES_H

/* Unmaps (MADV_DONTNEED) every page of the read-only private file mappings (the code
 * and read-only data of the program and its libraries) that hold no private copy of a
 * page, and returns free heap to the system. A page still in use is mapped again from
 * the page cache at its next touch. Errors are ignored: nothing depends on it. */
void startup_pages_unmap(void);

#endif

/* Hands the pages that only start-up needed back to the kernel. */
#ifndef WASMCRI_CMD_PAGE_TRIM_H
#define WASMCRI_CMD_PAGE_TRIM_H

/* Asks the kernel (MADV_PAGEOUT) to reclaim the clean, file-backed pages of the
 * program and its libraries, and returns free heap to the system. Pages still in
 * use fault back in from the page cache. Best effort: errors are ignored. */
void page_trim_after_startup(void);

#endif

/* Where the daemon's wc_image_pull finds the pull code (pull_loader.c). */
#ifndef WASMCRI_IMAGE_PULL_LOADER_H
#define WASMCRI_IMAGE_PULL_LOADER_H

/* The module file (wasmcri-pull.so) the first wc_image_pull loads (path is copied), and
 * what to call once it is loaded (NULL: nothing; the daemon unmaps the pages loading it
 * touched, cmd/startup_pages.c). Call it once, before any pull. */
void wc_image_set_pull_module(const char *path, void (*loaded)(void));

#endif

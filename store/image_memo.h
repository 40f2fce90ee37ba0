/* The last few image records decoded, kept by their stored text (issue 18): every
 * CreateContainer looks its image up, and parsing the record's JSON again was ~4% of the
 * daemon's CPU per start. A record whose text is byte for byte one decoded before is copied
 * from that decode instead; any other text (a changed record, another image) is parsed and
 * takes the oldest slot. Keyed by content, the memo needs no invalidation. Thread-safe.
 */
#ifndef WASMCRI_STORE_IMAGE_MEMO_H
#define WASMCRI_STORE_IMAGE_MEMO_H

#include <pthread.h>
#include <stddef.h>

#include "error.h"
#include "store.h"

#define IMAGE_MEMO_SLOTS 4

typedef struct image_memo_slot {
    char *text; /* the record's text, malloc'd; NULL: an empty slot */
    size_t len;
    wc_image *img; /* its decode */
} image_memo_slot;

typedef struct image_memo {
    pthread_mutex_t mu;
    image_memo_slot slots[IMAGE_MEMO_SLOTS];
    size_t next; /* the slot the next new text takes */
} image_memo;

void image_memo_init(image_memo *m);
void image_memo_destroy(image_memo *m);

/* As image_decode (store_int.h): *ret_img is the caller's, a copy of the memo's. */
int image_memo_decode(image_memo *m, const char *text, size_t len, wc_image **ret_img,
                      wc_error *err);

#endif

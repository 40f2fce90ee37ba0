/* The memo of decoded image records (image_memo.h). */
#include "image_memo.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"

void image_memo_init(image_memo *m)
{
    *m = (image_memo){0};
    pthread_mutex_init(&m->mu, NULL);
}

static void slot_clear(image_memo_slot *s)
{
    free(s->text);
    wc_image_free(s->img);
    *s = (image_memo_slot){0};
}

void image_memo_destroy(image_memo *m)
{
    for (size_t i = 0; i < IMAGE_MEMO_SLOTS; i++)
        slot_clear(&m->slots[i]);
    pthread_mutex_destroy(&m->mu);
}

/* mu held: a copy of the decode of text, NULL when it is not in the memo or on ENOMEM. */
static wc_image *recall(image_memo *m, const char *text, size_t len)
{
    for (size_t i = 0; i < IMAGE_MEMO_SLOTS; i++) {
        const image_memo_slot *s = &m->slots[i];
        if (s->text && s->len == len && memcmp(s->text, text, len) == 0)
            return image_dup(s->img);
    }
    return NULL;
}

/* mu held: keeps a copy of img as text's decode (nothing kept on ENOMEM). */
static void remember(image_memo *m, const char *text, size_t len, const wc_image *img)
{
    image_memo_slot *s = &m->slots[m->next];
    slot_clear(s);
    s->text = malloc(len);
    s->img = image_dup(img);
    if (s->text == NULL || s->img == NULL) {
        slot_clear(s);
        return;
    }
    memcpy(s->text, text, len);
    s->len = len;
    m->next = (m->next + 1) % IMAGE_MEMO_SLOTS;
}

int image_memo_decode(image_memo *m, const char *text, size_t len, wc_image **ret_img,
                      wc_error *err)
{
    pthread_mutex_lock(&m->mu);
    wc_image *img = recall(m, text, len);
    pthread_mutex_unlock(&m->mu);
    if (img) {
        *ret_img = img;
        return 0;
    }
    TRY(image_decode(text, len, &img, err));
    pthread_mutex_lock(&m->mu);
    remember(m, text, len, img);
    pthread_mutex_unlock(&m->mu);
    *ret_img = img;
    return 0;
}

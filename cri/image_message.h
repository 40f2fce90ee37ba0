/* wc_image (store/) → CRI Image messages (image_message.c). */
#ifndef WASMCRI_CRI_IMAGE_MESSAGE_H
#define WASMCRI_CRI_IMAGE_MESSAGE_H

#include "api.pb-c.h"
#include "store.h"

/* A Runtime__V1__Image built from malloc'd memory; NULL when out of memory. */
Runtime__V1__Image *image_message(const wc_image *img);

/* The verbose ImageStatus "info" JSON: shape, what would run, config, snapshots (malloc'd). */
char *image_info_json(const wc_image *img);

#endif

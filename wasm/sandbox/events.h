/* Container lifecycle events for GetContainerEvents: every subscriber gets each
 * CREATED, STARTED, STOPPED and DELETED, in the order the changes were recorded.
 * A subscriber that falls more than EVENTS_QUEUE_MAX behind loses the oldest.
 */
#ifndef WASMCRI_SANDBOX_EVENTS_H
#define WASMCRI_SANDBOX_EVENTS_H

#include <stdint.h>

#include "record_table.h"

#define EVENTS_QUEUE_MAX 1024

typedef enum wc_event_type { /* numbered as the CRI's ContainerEventType */
                             WC_EVENT_CREATED = 0,
                             WC_EVENT_STARTED = 1,
                             WC_EVENT_STOPPED = 2,
                             WC_EVENT_DELETED = 3,
} wc_event_type;

typedef struct wc_container wc_container;

typedef struct wc_event {
    wc_event_type type;
    char ctr_id[WC_ID_SIZE], pod_id[WC_ID_SIZE];
    int64_t at;        /* ns since the epoch */
    wc_container *ctr; /* the container as it was then (NULL for DELETED); the
                        * receiver of the event owns it (wc_container_free) */
} wc_event;

typedef struct wc_event_sub wc_event_sub;

#endif

/* GetContainerEvents: a server stream of container lifecycle events, each with
 * the pod's status and the container's as of the event (none once it is
 * deleted). The handler subscribes to the sandbox's events, waits for the next one in slices of
 * EVENT_POLL_MS to notice a cancelled call, and sends it (cri_stream_send keeps one
 * message in flight). When the client goes, the stream ends with OK.
 */
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "messages.h"
#include "sandbox.h"
#include "service.h"

#define EVENT_POLL_MS 200

static Runtime__V1__ContainerEventResponse *event_message(wc_sandbox *sb, const wc_event *ev)
{
    Runtime__V1__ContainerEventResponse *m =
        cri_new(&runtime__v1__container_event_response__descriptor);
    if (m == NULL)
        return NULL;
    m->container_id = strdup(ev->ctr_id);
    m->container_event_type = (Runtime__V1__ContainerEventType)ev->type;
    m->created_at = ev->at;
    wc_pod *p = NULL;
    if (wc_pod_get(sb, ev->pod_id, &p, NULL) == 0)
        m->pod_sandbox_status = cri_pod_status_new(p);
    if (ev->ctr) {
        m->containers_statuses = calloc(1, sizeof(*m->containers_statuses));
        if (m->containers_statuses && (m->containers_statuses[0] = cri_ctr_status_new(ev->ctr)))
            m->n_containers_statuses = 1;
    }
    wc_pod_free(p);
    if (m->container_id == NULL) {
        protobuf_c_message_free_unpacked(&m->base, NULL);
        return NULL;
    }
    return m;
}

static int stream_events(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                         wc_error *err)
{
    (void)req;
    (void)ret_resp; /* the stream ends with no last message */
    wc_sandbox *sb = cri_call_daemon(call)->sandbox;
    wc_event_sub *sub = NULL;
    if (wc_events_subscribe(sb, &sub) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    int rc = 0;
    while (rc == 0 && !cri_call_cancelled(call)) {
        wc_event ev;
        if (!wc_events_next(sb, sub, &ev, EVENT_POLL_MS))
            continue;
        Runtime__V1__ContainerEventResponse *m = event_message(sb, &ev);
        wc_container_free(ev.ctr);
        rc = m ? cri_stream_send(call, &m->base, err) : wc_error_set(err, -ENOMEM, "out of memory");
        if (m)
            protobuf_c_message_free_unpacked(&m->base, NULL);
    }
    wc_events_unsubscribe(sb, sub);
    return rc == -ECANCELED ? 0 : rc;
}

const cri_method cri_event_methods[] = {
    {"GetContainerEvents", stream_events, true},
    {NULL, NULL, false},
};

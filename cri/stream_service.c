/* The streaming rpcs: Exec, Attach and PortForward check the request as kubelet does, store it
 * under a one-time token of the streaming server (stream/stream_server.h) and answer the
 * URL the client upgrades at. */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "convert.h"
#include "sandbox.h"
#include "service.h"
#include "stream_server.h"

static int running_container(cri_call *call, const char *id, char **ret_id, wc_error *err)
{
    if (id == NULL || *id == '\0')
        return wc_error_set(err, -EINVAL, "missing required container_id");
    _cleanup_(wc_container_freep) wc_container *c = NULL;
    TRY(wc_container_get(cri_call_daemon(call)->sandbox, id, &c, err));
    if (c->state != WC_CTR_RUNNING)
        return wc_error_set(err, -EBUSY, "container %s is not running", c->id);
    if ((*ret_id = strdup(c->id)) == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    return 0;
}

static int check_stdio(bool in, bool out, bool errs, bool tty, wc_error *err)
{
    if (tty && errs) /* a terminal has one output stream */
        return wc_error_set(err, -EINVAL, "tty and stderr cannot both be true");
    if (!in && !out && !errs)
        return wc_error_set(err, -EINVAL, "one of stdin, stdout, or stderr must be set");
    return 0;
}

/* Exec, Attach and PortForward answer the same shape: a message holding one url. */
static int url_reply(cri_call *call, stream_request *req, const ProtobufCMessageDescriptor *desc,
                     ProtobufCMessage **ret_resp, wc_error *err)
{
    stream_server *srv = cri_call_daemon(call)->stream;
    if (srv == NULL) {
        stream_request_free(req);
        return wc_error_set(err, -EAGAIN, "the streaming server is not running");
    }
    _cleanup_free_ char *url = NULL;
    TRY(stream_server_issue(srv, req, &url, err));
    Runtime__V1__ExecResponse *r = cri_new(desc); /* ExecResponse's layout: base, url */
    if (r == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    r->url = take_ptr(url);
    *ret_resp = &r->base;
    return 0;
}

static int exec_request(cri_call *call, const Runtime__V1__ExecRequest *in, stream_request *req,
                        wc_error *err)
{
    if (in->n_cmd == 0 || in->cmd[0] == NULL || *in->cmd[0] == '\0')
        return wc_error_set(err, -EINVAL, "exec: the command is empty");
    TRY(check_stdio(in->stdin, in->stdout, in->stderr, in->tty, err));
    TRY(running_container(call, in->container_id, &req->container_id, err));
    req->cmd = cri_repeated_to_strv(in->cmd, in->n_cmd);
    if (req->cmd == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    req->kind = STREAM_EXEC;
    req->in = in->stdin;
    req->out = in->stdout;
    req->err = in->stderr;
    req->tty = in->tty;
    return 0;
}

static int rpc_exec(cri_call *call, const ProtobufCMessage *msg, ProtobufCMessage **ret_resp,
                    wc_error *err)
{
    stream_request *req = calloc(1, sizeof(*req));
    if (req == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    int rc = exec_request(call, (const Runtime__V1__ExecRequest *)msg, req, err);
    if (rc < 0) {
        stream_request_free(req);
        return rc;
    }
    return url_reply(call, req, &runtime__v1__exec_response__descriptor, ret_resp, err);
}

static int attach_request(cri_call *call, const Runtime__V1__AttachRequest *in, stream_request *req,
                          wc_error *err)
{
    TRY(check_stdio(in->stdin, in->stdout, in->stderr, in->tty, err));
    TRY(running_container(call, in->container_id, &req->container_id, err));
    wc_container *c = NULL;
    TRY(wc_container_get(cri_call_daemon(call)->sandbox, req->container_id, &c, err));
    int rc = in->stdin && !c->stdin
                 ? wc_error_set(err, -EINVAL,
                                "attach: container %s was created without stdin (its config's "
                                "stdin is false), so there is no stdin to attach to",
                                c->id)
                 : 0;
    req->stdin_once = c->stdin_once;
    wc_container_free(c);
    TRY(rc);
    req->kind = STREAM_ATTACH;
    req->in = in->stdin;
    req->out = in->stdout;
    req->err = in->stderr;
    req->tty = in->tty;
    return 0;
}

static int rpc_attach(cri_call *call, const ProtobufCMessage *msg, ProtobufCMessage **ret_resp,
                      wc_error *err)
{
    stream_request *req = calloc(1, sizeof(*req));
    if (req == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    int rc = attach_request(call, (const Runtime__V1__AttachRequest *)msg, req, err);
    if (rc < 0) {
        stream_request_free(req);
        return rc;
    }
    return url_reply(call, req, &runtime__v1__attach_response__descriptor, ret_resp, err);
}

static int portforward_request(cri_call *call, const Runtime__V1__PortForwardRequest *in,
                               stream_request *req, wc_error *err)
{
    if (in->pod_sandbox_id == NULL || *in->pod_sandbox_id == '\0')
        return wc_error_set(err, -EINVAL, "missing required pod_sandbox_id");
    _cleanup_(wc_pod_freep) wc_pod *pod = NULL;
    TRY(wc_pod_get(cri_call_daemon(call)->sandbox, in->pod_sandbox_id, &pod, err));
    if (pod->state != WC_POD_READY)
        return wc_error_set(err, -EBUSY, "pod %s is not ready", pod->id);
    if ((req->pod_id = strdup(pod->id)) == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    for (size_t i = 0; i < in->n_port; i++)
        if (in->port[i] < 1 || in->port[i] > 65535)
            return wc_error_set(err, -EINVAL, "port %d is not a TCP port", in->port[i]);
    req->kind = STREAM_PORTFORWARD;
    req->ports = calloc(in->n_port ? in->n_port : 1, sizeof(*req->ports));
    if (req->ports == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    if (in->n_port)
        memcpy(req->ports, in->port, in->n_port * sizeof(*req->ports));
    req->n_ports = in->n_port;
    return 0;
}

static int rpc_portforward(cri_call *call, const ProtobufCMessage *msg, ProtobufCMessage **ret_resp,
                           wc_error *err)
{
    stream_request *req = calloc(1, sizeof(*req));
    if (req == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    int rc = portforward_request(call, (const Runtime__V1__PortForwardRequest *)msg, req, err);
    if (rc < 0) {
        stream_request_free(req);
        return rc;
    }
    return url_reply(call, req, &runtime__v1__port_forward_response__descriptor, ret_resp, err);
}

const cri_method cri_stream_methods[] = {
    {"Exec", rpc_exec, false},
    {"Attach", rpc_attach, false},
    {"PortForward", rpc_portforward, false},
    {NULL, NULL, false},
};

/* cri_daemon lifetime: set up and tear down the state handlers share (see daemon.h). */
#include "daemon.h"

#include <stdlib.h>
#include <string.h>

int cri_daemon_init(cri_daemon *d, const wc_config *cfg, wc_error *err)
{
    memset(d, 0, sizeof(*d));
    d->cfg = cfg;
    int rc = wc_store_open(cfg->root_dir, &d->store, err);
    if (rc < 0)
        return rc;
    pthread_mutex_init(&d->mu, NULL);
    return 0;
}

void cri_daemon_free(cri_daemon *d)
{
    wc_store_close(d->store);
    free(d->pod_cidr);
    pthread_mutex_destroy(&d->mu);
    memset(d, 0, sizeof(*d));
}

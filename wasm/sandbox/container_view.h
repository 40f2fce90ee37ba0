/* A container's view: what runs and what it sees, decided at CreateContainer and
 * turned into a worker_spec at StartContainer and ExecSync. Internal to
 * wasm/sandbox (container_registry.c is the caller).
 */
#ifndef WASMCRI_SANDBOX_CONTAINER_VIEW_H
#define WASMCRI_SANDBOX_CONTAINER_VIEW_H

#include "container.h"
#include "pod.h"
#include "store.h"
#include "worker.h"

/* argv, env and working dir by the Kubernetes rules: command replaces the image's
 * Entrypoint, args replaces its Cmd (and a command alone drops the Cmd); env is
 * the image's, then PWD=<working dir> and HOSTNAME=<the pod's hostname>, then the
 * container's (a later key wins). */
int cv_command(wc_container *c, const wc_container_spec *s, const wc_image *img, const wc_pod *pod,
               wc_error *err);

/* argv and working dir of the image's own command, as a container with no command, args or
 * working dir of its own runs it (module_prefetch.c). */
int cv_image_command(wc_container *c, const wc_image *img, wc_error *err);

/* The CRI mounts with host paths resolved on the host (symlinks followed; a
 * missing host path is created as a directory, as kubelet expects). */
int cv_mounts(wc_container *c, const wc_container_spec *s, wc_error *err);

/* Where the rootfs will be (nothing is made here): an overlay of the image
 * snapshot (read-only, shared) and a private upper layer on dir/rootfs
 * (<root>/containers/<id>), made on the container's first write (layer.h); the
 * bare snapshot for a readonly_rootfs; dir/upper for images without a rootfs. */
int cv_rootfs(wc_store *store, wc_container *c, const wc_image *img, wc_error *err);

/* Tells the start's worker about its layer (worker_spec's layer_dir/lower). */
int cv_layer(wc_store *store, const wc_container *c, worker_spec *spec, wc_error *err);

/* False while the container's overlay is not mounted: it is made on the first write
 * under "/" or for an ExecSync (layer.h). */
bool cv_rootfs_ready(const wc_container *c);

/* Who the worker is for file access (container_user.c): run_as_user/group and
 * supplemental_groups, else the image's User; names from the image's /etc/passwd
 * and /etc/group. -ENOEXEC (FAILED_PRECONDITION) for a name the image lacks, -EINVAL. */
int cv_user(wc_store *store, wc_container *c, const wc_container_spec *s, const wc_image *img,
            wc_error *err);

/* The module to run: argv[0] resolved in the view (the snapshot as "/") for rootfs images (it must
 * be a WebAssembly file; with toolbox, one that is absent or not wasm and names an applet runs
 * toolbox.wasm: module_path CV_TOOLBOX_PATH), the artifact's module blob otherwise. -ENOEXEC
 * naming the image and what was found. ret_fd (may be NULL): the caller takes the descriptor
 * the module was checked through (-1 for the toolbox), the file module_path names. */
int cv_module(wc_store *store, wc_container *c, const wc_image *img, bool toolbox, int *ret_fd,
              wc_error *err);

/* The module_path of a container that runs the built-in toolbox.wasm. */
#define CV_TOOLBOX_PATH "<built-in toolbox.wasm>"

/* Unmounts the overlay (if the worker made it) and deletes dir. */
int cv_release(wc_container *c, wc_error *err);

/* The worker's spec: mounts ("/" first, the CRI mounts, the pod's resolv.conf and
 * hostname), argv (argv[0] is the module's name in messages), env, log, netns and, for a start, the
 * pod's TCP ports to pre-open. argv may replace c->argv (ExecSync); log_path "" sends output to the
 * exec's fds. */
int cv_worker_spec(const wc_container *c, const wc_pod *pod, char *const *argv, const char *id,
                   const char *log_path, worker_spec **ret_spec, wc_error *err);

/* Adds to err (a start or exec request too big for one zygote packet, ZP_MAX_PACKET) the sizes of
 * the spec's argv, env and mounts, so that the message says what is too big. */
void cv_explain_spec_size(const worker_spec *s, wc_error *err);

/* Opens rel (read-only) inside the host directory root, as if root were "/": the
 * kernel keeps every ".." and symlink inside it (RESOLVE_IN_ROOT). */
int cv_open_in_root(const char *root, const char *rel, int *ret_fd, wc_error *err);

/* The module an ExecSync runs: guest resolved in c's view by the kernel (no link
 * leads out of it), opened without blocking (a FIFO or device fails, it does not
 * wait), a regular file with the wasm magic. *ret_fd is the caller's; key gets the
 * zygote's cache key of the file opened. -ENOEXEC, -ENOENT... with the guest path. */
int cv_open_exec_module(const wc_container *c, const char *guest, int *ret_fd, char *key,
                        size_t key_len, wc_error *err);

/* The module a StartContainer runs (c->module_path, found at create; toolbox.wasm's memfd for
 * CV_TOOLBOX_PATH, with this daemon's key), opened the same way; a module from a CRI mount must
 * have no symlink in its path now, and its cache key in spec is made again from the file opened. */
int cv_open_start_module(const wc_container *c, worker_spec *spec, int *ret_fd, wc_error *err);

#endif

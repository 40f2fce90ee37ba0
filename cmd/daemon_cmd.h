/* The CRI daemon: `wasmcri [--config FILE] [--socket PATH] [--root DIR] [--state DIR]
 * [--log-level LEVEL]`. */
#ifndef WASMCRI_CMD_DAEMON_CMD_H
#define WASMCRI_CMD_DAEMON_CMD_H

/* Returns the process exit status: 0 after a clean SIGTERM/SIGINT shutdown. */
int wasmcri_daemon_main(int argc, char **argv);

#endif

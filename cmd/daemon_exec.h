/* Starts the daemon program, wasmcri-daemon, in place of this process. */
#ifndef WASMCRI_CMD_DAEMON_EXEC_H
#define WASMCRI_CMD_DAEMON_EXEC_H

/* execv()s wasmcri-daemon (found beside this program) with argv; returns only on
 * failure, with the exit status to leave with after saying why on stderr. */
int wasmcri_exec_daemon(char **argv);

#endif

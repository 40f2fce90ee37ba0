/* toolbox.wasm's entry: a multi-call program. If basename(argv[0]) names an applet it runs
 * (`sh -c ...`, `/usr/bin/env`), otherwise `toolbox APPLET ARGS...`; the applet's exit status
 * is the program's. The runtime starts it with argv[0] = the command's cmd[0]. */
#include "applet.h"

#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    tb_io io = {stdin, stdout, stderr};
    if (argc < 1)
        return 127;
    const char *pwd = getenv("PWD"); /* WASI has no working dir: the runtime gives it as $PWD */
    if (pwd && pwd[0] == '/')
        chdir(pwd);
    int status = tb_run_applet(&io, argc, argv);
    if (status < 0 && argc > 1) {
        status = tb_run_applet(&io, argc - 1, argv + 1);
        if (status < 0)
            fprintf(stderr, "toolbox: %s: applet not found\n", argv[1]);
    } else if (status < 0) {
        fputs("usage: toolbox APPLET [ARGS...], or called by an applet's name\napplets:", stderr);
#define APPLET(name) fputs(" " #name, stderr);
#define APPLET_ALIAS(name, func) fputs(" " name, stderr);
#include "applets.def"
#undef APPLET
#undef APPLET_ALIAS
        fputc('\n', stderr);
    }
    fflush(stdout);
    return status < 0 ? 127 : status;
}

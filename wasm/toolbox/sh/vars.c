/* sh's variables: exported ones live in the instance's environ (setenv), so applets (env,
 * printenv) and getenv() see them; the others in the state's own list, freed with it. */
#include "sh.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

bool sh_valid_name(const char *s, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return false;
    return true;
}

static sh_var **find(sh_state *s, const char *name)
{
    sh_var **v = &s->vars;
    while (*v && strcmp((*v)->name, name) != 0)
        v = &(*v)->next;
    return v;
}

const char *sh_getvar(sh_state *s, const char *name)
{
    sh_var *v = *find(s, name);
    return v ? v->value : getenv(name);
}

int sh_unsetvar(sh_state *s, const char *name)
{
    sh_var **v = find(s, name);
    if (*v) {
        sh_var *gone = *v;
        *v = gone->next;
        free(gone->name);
        free(gone->value);
        free(gone);
    }
    return unsetenv(name);
}

int sh_setvar(sh_state *s, const char *name, const char *value, bool export)
{
    if (export || getenv(name)) {
        sh_unsetvar(s, name);
        return setenv(name, value, 1);
    }
    sh_var **v = find(s, name);
    char *copy = strdup(value);
    if (copy == NULL)
        return -1;
    if (*v) {
        free((*v)->value);
        (*v)->value = copy;
        return 0;
    }
    sh_var *nv = calloc(1, sizeof(*nv));
    if (nv == NULL || (nv->name = strdup(name)) == NULL) {
        free(nv);
        free(copy);
        return -1;
    }
    nv->value = copy;
    *v = nv;
    return 0;
}

int sh_export(sh_state *s, const char *name)
{
    sh_var *v = *find(s, name);
    if (v == NULL)
        return getenv(name) ? 0 : setenv(name, "", 1);
    char *value = strdup(v->value);
    int rc = value ? sh_setvar(s, name, value, true) : -1;
    free(value);
    return rc;
}

void sh_vars_free(sh_state *s)
{
    while (s->vars) {
        sh_var *next = s->vars->next;
        free(s->vars->name);
        free(s->vars->value);
        free(s->vars);
        s->vars = next;
    }
}

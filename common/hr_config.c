/*  hr_config — 12-factor configuration from environment variables.

    Strings returned by the getters stay valid until the next load or
    destroy; hr_config_set only takes effect at the next load.

    A variable is resolved once, in hr_config_load: override (hr_config_set)
    first, then the environment, then the default.  An empty value counts as
    unset, because `FOO= prog` is how shells and compose files "unset" a
    variable.  Every error names the variable and quotes what it got.      */
#include "hr_config.h"
#include "hr_curve.h"
#include "hr_log.h"
#include "hr_pg.h"
#include "hr_redis.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*  hr_config_common and hr_config_merge: common/hr_config.tsv.           */

typedef struct {
    const hr_config_var_t *var;
    char *override;             //  from hr_config_set; wins over the environment
    char *text;                 //  resolved copy: override, environment or default
    long ival;
    double dval;
    bool bval;
} s_entry_t;

struct hr_config {
    char *program;
    s_entry_t *entries;
    size_t count;
    bool loaded;
    char *database_url;
};

hr_config_t *
hr_config_new (const char *program, const hr_config_var_t *const *tables)
{
    assert (tables);
    hr_config_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->program = strdup (program ? program : "hybridrec");
    size_t max = 0;
    for (size_t t = 0; tables[t]; t++)
        for (const hr_config_var_t *v = tables[t]; v->name; v++)
            max++;
    self->entries = calloc (max ? max : 1, sizeof *self->entries);
    if (!self->program || !self->entries) {
        hr_config_destroy (&self);
        return NULL;
    }
    for (size_t t = 0; tables[t]; t++)
        for (const hr_config_var_t *v = tables[t]; v->name; v++) {
            //  a name declared twice (a service re-listing a common one):
            //  the first declaration wins
            bool dup = false;
            for (size_t i = 0; i < self->count && !dup; i++)
                dup = strcmp (self->entries[i].var->name, v->name) == 0;
            if (!dup)
                self->entries[self->count++].var = v;
        }
    return self;
}

void
hr_config_destroy (hr_config_t **self_p)
{
    assert (self_p);
    hr_config_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; self->entries && i < self->count; i++) {
        free (self->entries[i].override);
        free (self->entries[i].text);
    }
    free (self->entries);
    free (self->program);
    free (self->database_url);
    free (self);
    *self_p = NULL;
}

static s_entry_t *
s_find (hr_config_t *self, const char *name)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp (self->entries[i].var->name, name) == 0)
            return &self->entries[i];
    return NULL;
}

int
hr_config_set (hr_config_t *self, const char *name, const char *value)
{
    assert (self && name);
    s_entry_t *e = s_find (self, name);
    if (!e)
        return -1;
    char *copy = value ? strdup (value) : NULL;
    if (value && !copy)
        return -1;
    free (e->override);
    e->override = copy;
    return 0;
}

static bool
s_bounded (const hr_config_var_t *v)
{
    return !(v->min == 0 && v->max == 0);
}

static int
s_parse_int (const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol (s, &end, 10);
    if (errno || end == s || *end || *s == ' ' || *s == '\t')
        return -1;
    *out = v;
    return 0;
}

static int
s_parse_double (const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod (s, &end);
    if (errno || end == s || *end || *s == ' ' || *s == '\t' || !isfinite (v))
        return -1;
    *out = v;
    return 0;
}

static int
s_parse_bool (const char *s, bool *out)
{
    static const char *yes[] = { "1", "true", "yes", "on" };
    static const char *no[] = { "0", "false", "no", "off" };
    for (int i = 0; i < 4; i++) {
        if (strcasecmp (s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp (s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

//  Checks that strings with a known shape have it (so a typo in a URL fails
//  at startup, not at the first request).
static const char *
s_check_string (const char *name, const char *text)
{
    if (strcmp (name, "HR_LOG_LEVEL") == 0 && hr_log_level_parse (text) < 0)
        return "must be one of debug|info|warn|error";
    if (strcmp (name, "DATABASE_URL") == 0
        && strncmp (text, "postgresql://", 13) != 0 && strncmp (text, "postgres://", 11) != 0
        && strncmp (text, "postgresql+asyncpg://", 21) != 0)
        return "must be a postgresql:// URL";
    if (strcmp (name, "REDIS_URL") == 0 && strncmp (text, "redis://", 8) != 0)
        return "must be a redis:// URL";
    return NULL;
}

//  Parses one variable's text; 0, or -1 with "NAME: reason" in err.
static int
s_resolve (s_entry_t *e, const char *text, char *err, size_t errlen)
{
    const hr_config_var_t *v = e->var;
    const char *reason = NULL;
    char range[96] = "";
    if (s_bounded (v))
        snprintf (range, sizeof range, " in %.15g..%.15g", v->min, v->max);
    switch (v->type) {
        case HR_CFG_INT: {
            long iv;
            if (s_parse_int (text, &iv) != 0
                || (s_bounded (v) && (iv < v->min || iv > v->max)))
                reason = "must be an integer";
            else
                e->ival = iv;
            break;
        }
        case HR_CFG_DOUBLE: {
            double dv;
            if (s_parse_double (text, &dv) != 0
                || (s_bounded (v) && (dv < v->min || dv > v->max)))
                reason = "must be a number";
            else
                e->dval = dv;
            break;
        }
        case HR_CFG_BOOL:
            if (s_parse_bool (text, &e->bval) != 0)
                reason = "must be a boolean (1/0/true/false/yes/no/on/off)";
            break;
        case HR_CFG_STR:
            range[0] = 0;
            reason = s_check_string (v->name, text);
            break;
    }
    if (reason) {
        if (err && errlen)
            snprintf (err, errlen, "%s: %s%s (got '%s')", v->name, reason, range, text);
        return -1;
    }
    char *copy = strdup (text);
    if (!copy) {
        if (err && errlen)
            snprintf (err, errlen, "%s: out of memory", v->name);
        return -1;
    }
    free (e->text);
    e->text = copy;
    return 0;
}

int
hr_config_load_or_report (hr_config_t **self_p, const char *who)
{
    assert (self_p && who);
    char err[512];
    if (*self_p && hr_config_load (*self_p, err, sizeof err) == 0)
        return 0;
    fprintf (stderr, "%s: %s\n", who, *self_p ? err : "out of memory");
    hr_config_destroy (self_p);
    return -1;
}

bool
hr_config_list_next (const char **p, const char **item, size_t *len)
{
    const char *s = *p;
    while (s && *s) {
        while (*s == ' ' || *s == ',')
            s++;
        const char *end = s;
        while (*end && *end != ',')
            end++;
        const char *last = end;
        while (last > s && last[-1] == ' ')
            last--;
        *p = end;
        if (last > s) {
            *item = s;
            *len = (size_t) (last - s);
            return true;
        }
        s = end;
    }
    return false;
}

hr_config_t *
hr_config_for_command (const char *program, const char *usage,
                       const hr_config_var_t *const *tables, int argc, char **argv,
                       int *exit_code)
{
    assert (program && usage && exit_code);
    const hr_config_var_t *const common_only[] = { hr_config_common, NULL };
    hr_config_t *cfg = hr_config_new (program, tables ? tables : common_only);
    *exit_code = 1;
    if (!cfg)
        return NULL;
    *exit_code = 2;
    if (argc > 1 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)) {
        fputs (usage, stdout);
        hr_config_print_help (cfg, stdout);
        *exit_code = 0;
    }
    else if (argc > 1)
        fprintf (stderr, "%s: unexpected argument '%s' (see --help)\n", program, argv[1]);
    else if (hr_config_load_or_report (&cfg, program) == 0)
        return cfg;
    hr_config_destroy (&cfg);
    return NULL;
}

int
hr_config_start_process (hr_config_t *self, const char *log_name)
{
    assert (self && log_name);
    int level = hr_log_level_parse (hr_config_str (self, "HR_LOG_LEVEL"));
    hr_log_init (log_name, level < 0 ? HR_LOG_INFO : (hr_log_level_t) level);
    return hr_curve_configure (self) == 0 ? 0 : -1;
}

int
hr_config_load (hr_config_t *self, char *err, size_t errlen)
{
    assert (self);
    if (err && errlen)
        err[0] = 0;
    self->loaded = false;
    free (self->database_url);      //  derived from the old DATABASE_URL
    self->database_url = NULL;
    for (size_t i = 0; i < self->count; i++) {
        s_entry_t *e = &self->entries[i];
        const char *text = e->override;
        if (!text || !*text)
            text = getenv (e->var->name);
        if (!text || !*text)
            text = e->var->defval;
        if (!text) {
            if (err && errlen)
                snprintf (err, errlen, "%s: is required (%s)", e->var->name,
                          e->var->help ? e->var->help : "no default");
            return -1;
        }
        if (s_resolve (e, text, err, errlen) != 0)
            return -1;
    }
    self->loaded = true;
    return 0;
}

void
hr_config_print_help (hr_config_t *self, FILE *out)
{
    assert (self && out);
    int wname = (int) strlen ("NAME"), wdef = (int) strlen ("DEFAULT");
    for (size_t i = 0; i < self->count; i++) {
        const hr_config_var_t *v = self->entries[i].var;
        int n = (int) strlen (v->name);
        int d = v->defval ? (int) strlen (v->defval) : (int) strlen ("(required)");
        if (n > wname)
            wname = n;
        if (d > wdef)
            wdef = d;
    }
    fprintf (out, "Usage: %s\n\nConfiguration (environment variables):\n\n", self->program);
    fprintf (out, "  %-*s  %-*s  %s\n", wname, "NAME", wdef, "DEFAULT", "DESCRIPTION");
    for (size_t i = 0; i < self->count; i++) {
        const hr_config_var_t *v = self->entries[i].var;
        fprintf (out, "  %-*s  %-*s  %s", wname, v->name, wdef,
                 v->defval ? v->defval : "(required)", v->help ? v->help : "");
        if ((v->type == HR_CFG_INT || v->type == HR_CFG_DOUBLE) && s_bounded (v))
            fprintf (out, " [%.15g..%.15g]", v->min, v->max);
        else if (v->type == HR_CFG_BOOL)
            fprintf (out, " [bool]");
        fputc ('\n', out);
    }
}

static s_entry_t *
s_get (hr_config_t *self, const char *name)
{
    assert (self && name);
    assert (self->loaded);      //  hr_config_load first
    s_entry_t *e = s_find (self, name);
    assert (e);                 //  a variable nobody declared
    return e;
}

const char *
hr_config_str (hr_config_t *self, const char *name)
{
    return s_get (self, name)->text;
}

long
hr_config_int (hr_config_t *self, const char *name)
{
    s_entry_t *e = s_get (self, name);
    assert (e->var->type == HR_CFG_INT);
    return e->ival;
}

double
hr_config_double (hr_config_t *self, const char *name)
{
    s_entry_t *e = s_get (self, name);
    assert (e->var->type == HR_CFG_DOUBLE || e->var->type == HR_CFG_INT);
    return e->var->type == HR_CFG_INT ? (double) e->ival : e->dval;
}

bool
hr_config_bool (hr_config_t *self, const char *name)
{
    s_entry_t *e = s_get (self, name);
    assert (e->var->type == HR_CFG_BOOL);
    return e->bval;
}

const char *
hr_config_database_url (hr_config_t *self)
{
    const char *url = hr_config_str (self, "DATABASE_URL");
    if (self->database_url)     //  stable between loads: callers keep it
        return self->database_url;
    //  "postgresql+asyncpg://..." (SQLAlchemy's driver suffix) -> "postgresql://..."
    const char *plus = strchr (url, '+');
    const char *sep = strstr (url, "://");
    size_t n = strlen (url);
    self->database_url = malloc (n + 1);
    if (!self->database_url)
        return url;
    if (plus && sep && plus < sep) {
        size_t head = (size_t) (plus - url);
        memcpy (self->database_url, url, head);
        memcpy (self->database_url + head, sep, n - (size_t) (sep - url) + 1);
    }
    else
        memcpy (self->database_url, url, n + 1);
    return self->database_url;
}

hr_pg_t *
hr_config_pg (hr_config_t *self, int statement_timeout_ms)
{
    return hr_pg_new (hr_config_database_url (self), statement_timeout_ms,
                      (int) hr_config_int (self, "HR_PG_CONNECT_WAIT_MS"));
}

hr_redis_t *
hr_config_redis (hr_config_t *self)
{
    return hr_redis_new (hr_config_str (self, "REDIS_URL"),
                         (int) hr_config_int (self, "HR_REDIS_TIMEOUT_MS"));
}

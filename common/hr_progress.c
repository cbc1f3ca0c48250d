/*  hr_progress — one redrawn line on a TTY, nothing at all otherwise (logs
    and CI output stay clean).  Hot loops may call update per item: when
    stderr is not a TTY it returns at once, and redraws happen at most every
    HR_PROGRESS_REDRAW_MS.                                                 */
#include "hr_progress.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "hr_clock.h"

#define HR_PROGRESS_REDRAW_MS 100
#define HR_PROGRESS_BAR 30

struct hr_progress {
    char *label;
    uint64_t total, done;
    bool tty;
    double start_s;             //  monotonic seconds
    long long drawn_ms;
};

hr_progress_t *
hr_progress_new (const char *label, uint64_t total)
{
    hr_progress_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->label = strdup (label ? label : "");
    if (!self->label) {
        free (self);
        return NULL;
    }
    self->total = total;
    self->tty = isatty (STDERR_FILENO) == 1;
    self->start_s = hr_mono_s ();
    self->drawn_ms = hr_mono_ms () - HR_PROGRESS_REDRAW_MS;
    return self;
}

static void
s_format_rate (char *buf, size_t cap, double per_s)
{
    if (per_s >= 1e6)
        snprintf (buf, cap, "%.1fM/s", per_s / 1e6);
    else if (per_s >= 1e3)
        snprintf (buf, cap, "%.1fk/s", per_s / 1e3);
    else
        snprintf (buf, cap, "%.0f/s", per_s);
}

static void
s_draw (hr_progress_t *self, long long now, const char *end)
{
    double secs = hr_mono_s () - self->start_s;
    char rate[32];
    s_format_rate (rate, sizeof rate, secs > 0 ? (double) self->done / secs : 0);
    char line[512];
    if (self->total) {
        uint64_t done = self->done < self->total ? self->done : self->total;
        int filled = (int) ((double) done / (double) self->total * HR_PROGRESS_BAR);
        char bar[HR_PROGRESS_BAR + 1];
        memset (bar, '#', (size_t) filled);
        memset (bar + filled, '.', (size_t) (HR_PROGRESS_BAR - filled));
        bar[HR_PROGRESS_BAR] = 0;
        snprintf (line, sizeof line, "\r%s [%s] %3d%% %llu/%llu %s\033[K%s", self->label, bar,
                  (int) ((double) done * 100.0 / (double) self->total),
                  (unsigned long long) self->done, (unsigned long long) self->total, rate,
                  end);
    }
    else
        snprintf (line, sizeof line, "\r%s %llu %s\033[K%s", self->label,
                  (unsigned long long) self->done, rate, end);
    fputs (line, stderr);
    fflush (stderr);
    self->drawn_ms = now;
}

void
hr_progress_update (hr_progress_t *self, uint64_t done)
{
    assert (self);
    self->done = done;
    if (!self->tty)
        return;
    long long now = hr_mono_ms ();
    if (now - self->drawn_ms >= HR_PROGRESS_REDRAW_MS)
        s_draw (self, now, "");
}

void
hr_progress_destroy (hr_progress_t **self_p)
{
    assert (self_p);
    hr_progress_t *self = *self_p;
    if (!self)
        return;
    if (self->tty)
        s_draw (self, hr_mono_ms (), "\n");
    free (self->label);
    free (self);
    *self_p = NULL;
}

/*  collab_eval — `hybridrec eval` as a standalone program (same code:
    eval_cli_run), so the evaluation runs without the whole CLI.         */
#include "hr_cli.h"

int
main (int argc, char **argv)
{
    return eval_cli_run (argc, argv);
}

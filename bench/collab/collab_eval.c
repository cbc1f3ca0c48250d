/*  collab_eval — `hybridrec eval` as a standalone program (same code:
    collab_cli_eval), so the evaluation runs without the whole CLI.         */
#include "hr_cli.h"

int
main (int argc, char **argv)
{
    return collab_cli_eval (argc, argv);
}

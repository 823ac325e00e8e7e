#include "cli/cli.h"

#include <stdio.h>

int rg_cli_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    puts("regua");
    return 0;
}

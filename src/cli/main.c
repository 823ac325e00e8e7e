/* regua's entry point: all logic lives in libregua; this only dispatches. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return rg_cli_main(argc, argv);
}

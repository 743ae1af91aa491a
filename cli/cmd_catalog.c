/* cmd_catalog.c - placeholder until implemented. */
#include "cli.h"

int cmd_catalog(int argc, char **argv)
{
	cli_error("catalog: not implemented yet");
	return KH_EXIT_USAGE;
}

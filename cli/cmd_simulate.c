/* cmd_simulate.c - placeholder until implemented. */
#include "cli.h"

int cmd_simulate(int argc, char **argv)
{
	cli_error("simulate: not implemented yet");
	return KH_EXIT_USAGE;
}

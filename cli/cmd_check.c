/* cmd_check.c - placeholder until implemented. */
#include "cli.h"

int cmd_check(int argc, char **argv)
{
	cli_error("check: not implemented yet");
	return KH_EXIT_USAGE;
}

/* cmd_generate.c - placeholder until implemented. */
#include "cli.h"

int cmd_generate(int argc, char **argv)
{
	cli_error("generate: not implemented yet");
	return KH_EXIT_USAGE;
}

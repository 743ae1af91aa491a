/* cmd_validate.c - placeholder until implemented. */
#include "cli.h"

int cmd_validate(int argc, char **argv)
{
	cli_error("validate: not implemented yet");
	return KH_EXIT_USAGE;
}

/* api_policy.c - POST /v1/policies/generate and /v1/policies/validate. */
#include <stdlib.h>
#include <string.h>

#include "server/server_int.h"

void kh__api_generate(struct kh__req *req, struct kh__resp *resp)
{
	kh__resp_error(resp, 501, "not_implemented", "policy generation is not in this build yet");
}

void kh__api_validate(struct kh__req *req, struct kh__resp *resp)
{
	kh__resp_error(resp, 501, "not_implemented", "policy validation is not in this build yet");
}

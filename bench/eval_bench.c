/* eval_bench.c - evaluations per second of the policy engine.
 *
 * Compiles one 20-statement identity policy (wildcards, NotAction,
 * NotResource, variables and conditions of several families), prepares a
 * batch of requests from small pools, then times kh_engine_evaluate over
 * the batch on one thread. Not a test: prints a figure.
 * usage: eval_bench [REQUESTS]   (default 1000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keyhole/eval.h"

static const char policy[] =
	"{\"Version\":\"2012-10-17\",\"Statement\":["
	"{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":\"arn:aws:s3:::home/${aws:username}/*\"},"
	"{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::home\",\"Condition\":{\"StringLike\":{\"s3:prefix\":[\"${aws:username}/*\"]}}},"
	"{\"Effect\":\"Allow\",\"Action\":\"sqs:Send*\",\"Resource\":\"arn:aws:sqs:*:111111111111:app-*\"},"
	"{\"Effect\":\"Allow\",\"Action\":\"dynamodb:*Item\",\"Resource\":\"arn:aws:dynamodb:us-east-1:111111111111:table/${aws:PrincipalTag/team}\"},"
	"{\"Effect\":\"Deny\",\"Action\":\"s3:Delete*\",\"Resource\":\"*\",\"Condition\":{\"BoolIfExists\":{\"aws:MultiFactorAuthPresent\":\"false\"}}},"
	"{\"Effect\":\"Allow\",\"Action\":\"ec2:Describe*\",\"Resource\":\"*\"},"
	"{\"Effect\":\"Allow\",\"Action\":\"ec2:StartInstances\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:ResourceTag/team\":\"${aws:PrincipalTag/team}\"}}},"
	"{\"Effect\":\"Deny\",\"NotAction\":[\"s3:*\",\"sqs:*\",\"dynamodb:*\",\"ec2:*\",\"logs:*\",\"sts:*\"],\"Resource\":\"*\"},"
	"{\"Effect\":\"Allow\",\"Action\":\"logs:PutLogEvents\",\"Resource\":\"arn:aws:logs:*:111111111111:log-group:/app/*\"},"
	"{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"NotIpAddressIfExists\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"2001:db8::/32\"]}}},"
	"{\"Effect\":\"Allow\",\"Action\":\"sqs:ReceiveMessage\",\"Resource\":\"*\",\"Condition\":{\"DateLessThan\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"}}},"
	"{\"Effect\":\"Allow\",\"Action\":\"dynamodb:Query\",\"Resource\":\"*\",\"Condition\":{\"NumericLessThanEquals\":{\"dynamodb:Limit\":\"100\"}}},"
	"{\"Effect\":\"Allow\",\"Action\":\"ec2:CreateTags\",\"Resource\":\"*\",\"Condition\":{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"env\",\"team\"]}}},"
	"{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"arn:aws:iam::111111111111:role/app-*\"},"
	"{\"Effect\":\"Deny\",\"Action\":\"sqs:DeleteQueue\",\"Resource\":\"*\"},"
	"{\"Effect\":\"Allow\",\"Action\":\"s3:GetBucketLocation\",\"NotResource\":\"arn:aws:s3:::secret*\"},"
	"{\"Effect\":\"Allow\",\"Action\":\"sqs:GetQueueUrl\",\"Resource\":\"*\",\"Condition\":{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:sns:*:111111111111:*\"}}},"
	"{\"Effect\":\"Allow\",\"Action\":\"logs:CreateLogStream\",\"Resource\":\"*\",\"Condition\":{\"StringEqualsIgnoreCase\":{\"aws:RequestTag/env\":\"PROD\"}}},"
	"{\"Effect\":\"Allow\",\"Action\":\"ec2:StopInstances\",\"Resource\":\"*\",\"Condition\":{\"Null\":{\"aws:ResourceTag/team\":\"false\"}}},"
	"{\"Effect\":\"Allow\",\"Action\":\"dynamodb:Scan\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"}}}"
	"]}";

static const char *const actions[] = {
	"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "sqs:SendMessage",
	"sqs:ReceiveMessage", "dynamodb:GetItem", "dynamodb:Query", "ec2:DescribeInstances",
	"ec2:StartInstances", "logs:PutLogEvents", "iam:CreateUser", "sts:AssumeRole", "ec2:CreateTags"};
static const char *const resources[] = {
	"arn:aws:s3:::home/alice/notes.txt", "arn:aws:s3:::home/bob/x", "arn:aws:sqs:us-east-1:111111111111:app-orders",
	"arn:aws:dynamodb:us-east-1:111111111111:table/red", "*", "arn:aws:logs:us-east-1:111111111111:log-group:/app/web:log-stream:1",
	"arn:aws:iam::111111111111:role/app-worker"};
static const char *const users[] = {"alice", "bob"}, *const teams[] = {"red", "blue"},
		       *const ips[] = {"10.1.2.3", "192.0.2.1", "2001:db8::7"};

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000, allowed = 0;
	struct kh_policy *p;
	struct kh_engine *e;
	struct kh_error err = {0};
	struct kh_eval_request *reqs = calloc(n, sizeof(*reqs));
	struct kh_eval_key (*ctx)[3] = calloc(n, sizeof(*ctx));
	struct timespec t0, t1;
	double secs;

	if (!reqs || !ctx || kh_policy_parse(policy, sizeof(policy) - 1, &p, &err) != KH_OK ||
	    kh_engine_new(&e) != KH_OK || kh_engine_add(e, KH_EVAL_IDENTITY, p, "bench", &err) != KH_OK) {
		fprintf(stderr, "eval_bench: setup failed: %s at %s\n", err.msg, err.path);
		return 1;
	}
	srand(42);
	for (size_t i = 0; i < n; i++) {
		ctx[i][0] = (struct kh_eval_key){"aws:username", &users[rand() % 2], 1, 0};
		ctx[i][1] = (struct kh_eval_key){"aws:PrincipalTag/team", &teams[rand() % 2], 1, 0};
		ctx[i][2] = (struct kh_eval_key){"aws:SourceIp", &ips[rand() % 3], 1, 0};
		reqs[i] = (struct kh_eval_request){
			.action = actions[rand() % (sizeof(actions) / sizeof(*actions))],
			.resource = resources[rand() % (sizeof(resources) / sizeof(*resources))],
			.context = ctx[i], .n_context = 3};
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < n; i++) {
		struct kh_eval_result res;
		kh_engine_evaluate(e, &reqs[i], &res);
		allowed += res.decision == KH_DECISION_ALLOW;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%zu evaluations against a 20-statement policy in %.3f s: %.0f evaluations/s "
	       "(%zu allowed)\n", n, secs, (double)n / secs, allowed);
	kh_engine_free(e);
	kh_policy_free(p);
	free(reqs);
	free(ctx);
	return 0;
}

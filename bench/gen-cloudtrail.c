/* gen-cloudtrail.c - deterministic synthetic CloudTrail for the scan benchmark.
 *
 * Usage: gen-cloudtrail OUT_DIR SIZE_MB [SEED]
 *
 * Writes about SIZE_MB of uncompressed records, gzip'd, in the S3 delivery
 * layout OUT_DIR/AWSLogs/<account>/CloudTrail/<region>/2024/06/DD/<name>.json.gz.
 * Records are ~1.3 KB: 40 services, assumed roles (with session issuers),
 * IAM users and service-originated events, nested requestParameters,
 * resources, and about 3% errors. File sizes are heavy-tailed (a few large
 * files, many small ones), as in real trails. Same seed, same bytes.
 */
#include <errno.h>
#include <libdeflate.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

struct service {
	const char *source;
	const char *events[4];
};

static const struct service services[40] = {
	{"s3", {"GetObject", "PutObject", "ListObjects", "HeadObject"}},
	{"ec2", {"DescribeInstances", "RunInstances", "DescribeVolumes", "CreateTags"}},
	{"iam", {"GetRole", "ListRoles", "PassRole", "GetPolicyVersion"}},
	{"sts", {"AssumeRole", "GetCallerIdentity", "AssumeRoleWithWebIdentity", "GetSessionToken"}},
	{"lambda", {"Invoke", "GetFunction20150331v2", "ListFunctions20150331", "UpdateFunctionCode20150331v2"}},
	{"dynamodb", {"GetItem", "PutItem", "Query", "DescribeTable"}},
	{"kms", {"Decrypt", "GenerateDataKey", "Encrypt", "DescribeKey"}},
	{"sqs", {"SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes"}},
	{"sns", {"Publish", "ListTopics", "Subscribe", "GetTopicAttributes"}},
	{"logs", {"CreateLogStream", "PutLogEvents", "DescribeLogGroups", "FilterLogEvents"}},
	{"monitoring", {"PutMetricData", "GetMetricData", "DescribeAlarms", "PutMetricAlarm"}},
	{"cloudformation", {"DescribeStacks", "CreateStack", "UpdateStack", "ListStackResources"}},
	{"ecr", {"GetAuthorizationToken", "BatchGetImage", "PutImage", "DescribeRepositories"}},
	{"ecs", {"DescribeServices", "RunTask", "UpdateService", "ListTasks"}},
	{"eks", {"DescribeCluster", "ListClusters", "ListNodegroups", "DescribeNodegroup"}},
	{"secretsmanager", {"GetSecretValue", "DescribeSecret", "ListSecrets", "PutSecretValue"}},
	{"ssm", {"GetParameter", "GetParameters", "PutParameter", "DescribeInstanceInformation"}},
	{"rds", {"DescribeDBInstances", "CreateDBSnapshot", "DescribeDBClusters", "ModifyDBInstance"}},
	{"elasticloadbalancing", {"DescribeLoadBalancers", "DescribeTargetHealth", "RegisterTargets", "DescribeListeners"}},
	{"autoscaling", {"DescribeAutoScalingGroups", "SetDesiredCapacity", "UpdateAutoScalingGroup", "DescribePolicies"}},
	{"route53", {"ChangeResourceRecordSets", "ListHostedZones", "GetChange", "ListResourceRecordSets"}},
	{"cloudfront", {"GetDistribution", "CreateInvalidation", "ListDistributions", "UpdateDistribution"}},
	{"apigateway", {"GetRestApis", "CreateDeployment", "GetStages", "UpdateStage"}},
	{"events", {"PutEvents", "PutRule", "DescribeRule", "ListRules"}},
	{"states", {"StartExecution", "DescribeExecution", "ListStateMachines", "SendTaskSuccess"}},
	{"kinesis", {"PutRecord", "PutRecords", "DescribeStream", "GetRecords"}},
	{"firehose", {"PutRecordBatch", "DescribeDeliveryStream", "ListDeliveryStreams", "PutRecord"}},
	{"glue", {"GetTable", "GetDatabase", "StartJobRun", "GetPartitions"}},
	{"athena", {"StartQueryExecution", "GetQueryExecution", "GetQueryResults", "ListWorkGroups"}},
	{"elasticache", {"DescribeCacheClusters", "DescribeReplicationGroups", "CreateSnapshot", "ModifyReplicationGroup"}},
	{"es", {"DescribeDomain", "ListDomainNames", "UpdateDomainConfig", "DescribeDomains"}},
	{"codebuild", {"StartBuild", "BatchGetBuilds", "ListProjects", "BatchGetProjects"}},
	{"codepipeline", {"GetPipelineState", "StartPipelineExecution", "PutJobSuccessResult", "ListPipelines"}},
	{"acm", {"DescribeCertificate", "ListCertificates", "RequestCertificate", "GetCertificate"}},
	{"config", {"PutEvaluations", "DescribeConfigRules", "GetResourceConfigHistory", "PutConfigurationRecorder"}},
	{"guardduty", {"ListDetectors", "GetFindings", "ListFindings", "GetDetector"}},
	{"organizations", {"DescribeOrganization", "ListAccounts", "DescribeAccount", "ListRoots"}},
	{"cognito-idp", {"AdminGetUser", "ListUserPools", "AdminInitiateAuth", "DescribeUserPool"}},
	{"xray", {"PutTraceSegments", "GetSamplingRules", "GetSamplingTargets", "PutTelemetryRecords"}},
	{"bedrock", {"InvokeModel", "ListFoundationModels", "GetFoundationModel", "InvokeModelWithResponseStream"}},
};

static const char *const accounts[3] = {"111122223333", "444455556666", "777788889999"};
static const char *const regions[4] = {"us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"};
static const char *const roles[8] = {"ci-deploy", "app-backend", "data-pipeline", "OrganizationAccountAccessRole",
				     "lambda-orders", "eks-node", "AWSReservedSSO_Admin_0a1b2c", "monitoring-reader"};
static const char *const users[4] = {"alice", "bob", "terraform", "backup-bot"};
static const char *const agents[5] = {
	"aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/s3.cp",
	"aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/s3#1.51.3",
	"Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8",
	"aws-sdk-java/2.25.6 Linux/6.1.0 OpenJDK_64-Bit_Server_VM/21.0.2+13 Java/21.0.2 vendor/Eclipse",
	"Terraform/1.7.4 (+https://www.terraform.io) terraform-provider-aws/5.40.0 aws-sdk-go-v2/1.25.2"};

struct out {
	char *p;
	size_t len, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->p = realloc(o->p, o->cap);
		if (!o->p) {
			perror("realloc");
			exit(1);
		}
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct out *o, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	put(o, tmp, (size_t)n);
}

static void uuid(char *b)
{
	uint64_t a = rnd(), c = rnd();
	snprintf(b, 37, "%08x-%04x-4%03x-a%03x-%012llx", (unsigned)a, (unsigned)(a >> 32) & 0xffff,
		 (unsigned)(a >> 48) & 0xfff, (unsigned)c & 0xfff,
		 (unsigned long long)(c >> 16) & 0xffffffffffffULL);
}

/* Appends the userIdentity object; sets *svc for service-originated events. */
static void identity(struct out *o, const char *acct, int kind, const char *svc_host)
{
	if (kind == 0) { /* assumed role */
		const char *role = roles[pick(8)];
		unsigned session = pick(50);
		putf(o,
		     "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROA%sEXAMPLE:session-%u\","
		     "\"arn\":\"arn:aws:sts::%s:assumed-role/%s/session-%u\",\"accountId\":\"%s\","
		     "\"accessKeyId\":\"ASIA%012llX\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\","
		     "\"principalId\":\"AROA%sEXAMPLE\",\"arn\":\"arn:aws:iam::%s:role/%s\",\"accountId\":\"%s\","
		     "\"userName\":\"%s\"},\"webIdFederationData\":{},\"attributes\":{\"creationDate\":"
		     "\"2024-06-01T00:00:00Z\",\"mfaAuthenticated\":\"false\"}}},",
		     acct, session, acct, role, session, acct, (unsigned long long)(rnd() & 0xffffffffffffULL),
		     acct, acct, role, acct, role);
	} else if (kind == 1) { /* IAM user */
		const char *u = users[pick(4)];
		putf(o,
		     "\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":\"AIDA%sUSER\",\"arn\":"
		     "\"arn:aws:iam::%s:user/%s\",\"accountId\":\"%s\",\"accessKeyId\":\"AKIA%012llX\","
		     "\"userName\":\"%s\"},",
		     acct, acct, u, acct, (unsigned long long)(rnd() & 0xffffffffffffULL), u);
	} else { /* an AWS service acting */
		putf(o, "\"userIdentity\":{\"type\":\"AWSService\",\"invokedBy\":\"%s\"},", svc_host);
	}
}

static void request_parameters(struct out *o, const char *src, const char *acct, const char *region)
{
	unsigned v = pick(6);
	if (strcmp(src, "s3") == 0)
		putf(o,
		     "\"requestParameters\":{\"bucketName\":\"data-%s-%u\",\"Host\":\"data-%s-%u.s3.%s."
		     "amazonaws.com\",\"key\":\"exports/2024/06/part-%05u.parquet\"},",
		     acct, v, acct, v, region, pick(100000));
	else if (strcmp(src, "ec2") == 0)
		putf(o,
		     "\"requestParameters\":{\"instancesSet\":{\"items\":[{\"instanceId\":\"i-%016llx\"}]},"
		     "\"filterSet\":{},\"iamInstanceProfile\":{\"arn\":\"arn:aws:iam::%s:instance-profile/web-%u\"},"
		     "\"maxResults\":%u},",
		     (unsigned long long)rnd(), acct, v, 50 + v);
	else if (v == 0)
		put(o, "\"requestParameters\":null,", 25);
	else
		putf(o,
		     "\"requestParameters\":{\"name\":\"%s-resource-%u\",\"maxResults\":%u,\"tags\":"
		     "[{\"key\":\"team\",\"value\":\"platform\"}],\"config\":{\"mode\":\"standard\","
		     "\"retries\":%u}},",
		     src, pick(200), 10 * v, v);
}

/* Appends one record of about 1.3 KB. */
static void record(struct out *o, const char *acct, const char *region, int day, int hour,
		   unsigned minute)
{
	const struct service *s = &services[pick(40)];
	const char *name = s->events[pick(4)];
	unsigned k = pick(100);
	int kind = k < 60 ? 0 : k < 85 ? 1 : 2;
	char host[64], id1[40], id2[40];
	snprintf(host, sizeof host, "%s.amazonaws.com", s->source);
	uuid(id1);
	uuid(id2);
	putf(o, "{\"eventVersion\":\"1.09\",");
	identity(o, acct, kind, kind == 2 ? "ec2.amazonaws.com" : host);
	putf(o,
	     "\"eventTime\":\"2024-06-%02dT%02d:%02u:%02uZ\",\"eventSource\":\"%s\",\"eventName\":\"%s\","
	     "\"awsRegion\":\"%s\",\"sourceIPAddress\":\"%s\",\"userAgent\":\"%s\",",
	     day, hour, minute, pick(60), host, name, region,
	     kind == 2 ? "ec2.amazonaws.com" : "198.51.100.23", kind == 2 ? host : agents[pick(5)]);
	if (pick(100) < 3)
		putf(o,
		     "\"errorCode\":\"AccessDenied\",\"errorMessage\":\"User: arn:aws:sts::%s:assumed-role/x/y "
		     "is not authorized to perform: %s:%s because no identity-based policy allows the "
		     "%s:%s action\",",
		     acct, s->source, name, s->source, name);
	request_parameters(o, s->source, acct, region);
	putf(o,
	     "\"responseElements\":null,\"requestID\":\"%s\",\"eventID\":\"%s\",\"readOnly\":%s,"
	     "\"resources\":[{\"accountId\":\"%s\",\"type\":\"AWS::%s::Resource\",\"ARN\":"
	     "\"arn:aws:%s:%s:%s:resource/r-%u\"}],\"eventType\":\"%s\",\"managementEvent\":true,"
	     "\"recipientAccountId\":\"%s\",\"eventCategory\":\"Management\",\"tlsDetails\":{"
	     "\"tlsVersion\":\"TLSv1.3\",\"cipherSuite\":\"TLS_AES_128_GCM_SHA256\","
	     "\"clientProvidedHostHeader\":\"%s.%s.amazonaws.com\"}}",
	     id1, id2, strncmp(name, "Get", 3) == 0 || strncmp(name, "Describe", 8) == 0 ? "true" : "false",
	     acct, s->source, s->source, region, acct, pick(1000),
	     kind == 2 ? "AwsServiceEvent" : "AwsApiCall", acct, s->source, region);
}

static void mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(path, 0755) != 0 && errno != EEXIST) {
				perror(path);
				exit(1);
			}
			*p = '/';
		}
}

/* Records in the next file: mostly small, a few large (heavy tail). */
static unsigned file_records(void)
{
	unsigned k = pick(100);
	if (k < 70)
		return 20 + pick(300);
	if (k < 95)
		return 300 + pick(1200);
	return 1500 + pick(2500);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s OUT_DIR SIZE_MB [SEED]\n", argv[0]);
		return 2;
	}
	const char *dir = argv[1];
	unsigned long long target = strtoull(argv[2], NULL, 10) * 1000000ULL;
	rng_state = argc > 3 ? strtoull(argv[3], NULL, 10) : 42;
	if (!rng_state)
		rng_state = 42;
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	struct out o = {0};
	unsigned long long total = 0, records = 0;
	unsigned files = 0;
	size_t zcap = 0;
	unsigned char *z = NULL;
	while (total < target) {
		const char *acct = accounts[pick(3)];
		const char *region = regions[pick(4)];
		int day = 1 + (int)(files * 30ULL * 1000000ULL / (target / 1300 + 1)) % 30;
		int hour = (int)pick(24);
		unsigned minute = pick(12) * 5, n = file_records();
		o.len = 0;
		put(&o, "{\"Records\":[", 12);
		for (unsigned i = 0; i < n; i++) {
			if (i)
				put(&o, ",", 1);
			record(&o, acct, region, day, hour, minute);
		}
		put(&o, "]}", 2);
		size_t bound = libdeflate_gzip_compress_bound(c, o.len);
		if (bound > zcap) {
			zcap = bound;
			z = realloc(z, zcap);
		}
		size_t zn = libdeflate_gzip_compress(c, o.p, o.len, z, zcap);
		char path[1024];
		snprintf(path, sizeof path,
			 "%s/AWSLogs/%s/CloudTrail/%s/2024/06/%02d/%s_CloudTrail_%s_202406%02dT%02d%02uZ_%08x.json.gz",
			 dir, acct, region, day, acct, region, day, hour, minute, (unsigned)rnd());
		mkdirs(path);
		FILE *f = fopen(path, "wb");
		if (!f || fwrite(z, 1, zn, f) != zn || fclose(f) != 0) {
			perror(path);
			return 1;
		}
		total += o.len;
		records += n;
		files++;
	}
	printf("%u files, %llu records, %llu bytes uncompressed (%.0f bytes/record)\n", files,
	       records, total, (double)total / (double)records);
	libdeflate_free_compressor(c);
	free(o.p);
	free(z);
	return 0;
}

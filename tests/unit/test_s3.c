/* test_s3.c - the s3:// client against a real local S3 server: the npm
 * package s3rver, started here on 127.0.0.1. s3rver parses the SigV4
 * Authorization header and checks its access key, but not the signature. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "keyhole/s3.h"

#define BUCKET "trail-bucket"
#define MANY 1005 /* more than one ListObjectsV2 page of 1,000 */

static pid_t server;
static char endpoint[64];
static char datadir[] = "/tmp/keyhole-s3-XXXXXX";

static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &len);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static int server_up(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/* Uploads one object with the same SigV4 signing the client uses. */
static int put_object(const char *key, const char *body)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
	char url[512];
	long status = 0;
	char *esc = curl_easy_escape(c, key, 0);

	/* curl_easy_escape also escapes '/', which S3 decodes back. */
	snprintf(url, sizeof(url), "%s/%s/%s", endpoint, BUCKET, esc);
	curl_free(esc);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:s3");
	curl_easy_setopt(c, CURLOPT_USERPWD, "S3RVER:S3RVER");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fwrite);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, stderr);
	curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return status == 200 ? 0 : -1;
}

static int setup(void **state)
{
	const char *src = getenv("KH_SOURCE_DIR");
	char script[1024], port_s[16];
	int port = free_port();

	if (!src || !mkdtemp(datadir))
		return -1;
	snprintf(script, sizeof(script), "%s/tests/peers/node_modules/s3rver/bin/s3rver.js", src);
	if (access(script, R_OK) != 0) {
		fprintf(stderr, "s3rver is not installed (scripts/bootstrap installs it)\n");
		return -1;
	}
	snprintf(port_s, sizeof(port_s), "%d", port);
	snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", port);
	server = fork();
	if (server == 0) {
		/* s3rver hashes continuation tokens with a digest that Node 20's
		 * OpenSSL keeps in its legacy provider. */
		execlp("node", "node", "--openssl-legacy-provider", script, "-d", datadir, "-a", "127.0.0.1", "-p", port_s, "-s",
		       "--configure-bucket", BUCKET, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && !server_up(port); i++)
		usleep(50000);
	if (!server_up(port))
		return -1;
	setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
	unsetenv("AWS_SESSION_TOKEN");
	if (put_object("AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/01/a.json", "{\"Records\":[]}") ||
	    put_object("AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/02/b & c.json", "second"))
		return -1;
	for (int i = 0; i < MANY; i++) {
		char key[128];
		snprintf(key, sizeof(key), "many/%04d.json", i);
		if (put_object(key, "x"))
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", datadir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct kh_s3 *client(void)
{
	struct kh_s3_options o = {.endpoint_url = endpoint, .region = "us-east-1"};
	struct kh_s3 *s3 = NULL;
	struct kh_error err = {0};
	assert_int_equal(kh_s3_new(&o, &s3, &err), KH_OK);
	return s3;
}

static void test_list(void **state)
{
	struct kh_s3 *s3 = client();
	struct kh_s3_listing l;
	struct kh_error err = {0};

	assert_int_equal(kh_s3_list(s3, BUCKET, "AWSLogs/111122223333/CloudTrail/", &l, &err), KH_OK);
	assert_int_equal(l.n_objects, 2);
	/* Key order; XML entities in keys are decoded. */
	assert_string_equal(l.objects[0].key,
			    "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/02/b & c.json");
	assert_int_equal(l.objects[0].size, 6);
	assert_string_equal(l.objects[1].key,
			    "AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/01/a.json");
	kh_s3_listing_release(&l);
	assert_int_equal(kh_s3_list(s3, BUCKET, "nothing/", &l, &err), KH_OK);
	assert_int_equal(l.n_objects, 0);
	kh_s3_listing_release(&l);
	kh_s3_free(s3);
}

static void test_list_paginates(void **state)
{
	struct kh_s3 *s3 = client();
	struct kh_s3_listing l;
	struct kh_error err = {0};

	assert_int_equal(kh_s3_list(s3, BUCKET, "many/", &l, &err), KH_OK);
	assert_int_equal(l.n_objects, MANY);
	assert_string_equal(l.objects[MANY - 1].key, "many/1004.json");
	kh_s3_listing_release(&l);
	kh_s3_free(s3);
}

static void test_get(void **state)
{
	struct kh_s3 *s3 = client();
	struct kh_error err = {0};
	unsigned char *data;
	size_t len;

	assert_int_equal(kh_s3_get(s3, BUCKET,
				   "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/02/b & c.json",
				   1024, &data, &len, &err),
			 KH_OK);
	assert_int_equal(len, 6);
	assert_memory_equal(data, "second", 6);
	free(data);
	/* A missing key is an input error naming S3's code. */
	assert_int_equal(kh_s3_get(s3, BUCKET, "nope.json", 1024, &data, &len, &err), KH_EINPUT);
	assert_non_null(strstr(err.msg, "NoSuchKey"));
	/* Over the size limit: refused, not truncated. */
	assert_int_equal(kh_s3_get(s3, BUCKET,
				   "AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/01/a.json", 4,
				   &data, &len, &err),
			 KH_ELIMIT);
	kh_s3_free(s3);
}

static void test_bad_signature_is_reported(void **state)
{
	struct kh_s3_options o = {.endpoint_url = endpoint};
	struct kh_s3 *s3 = NULL;
	struct kh_error err = {0};
	struct kh_s3_listing l;

	setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEWRONG", 1);
	assert_int_equal(kh_s3_new(&o, &s3, &err), KH_OK);
	assert_int_equal(kh_s3_list(s3, BUCKET, "", &l, &err), KH_EINPUT);
	assert_non_null(strstr(err.msg, "403"));
	assert_non_null(strstr(err.msg, "InvalidAccessKeyId"));
	kh_s3_free(s3);
	setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
}

static void test_credentials_file_profile(void **state)
{
	char path[] = "/tmp/keyhole-creds-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct kh_s3_options o = {.endpoint_url = endpoint, .profile = "trail"};
	struct kh_s3 *s3 = NULL;
	struct kh_error err = {0};
	struct kh_s3_listing l;

	fprintf(f, "[default]\naws_access_key_id = NOPE\naws_secret_access_key = NOPE\n\n"
		   "[trail]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n");
	fclose(f);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
	assert_int_equal(kh_s3_new(&o, &s3, &err), KH_OK);
	assert_int_equal(kh_s3_list(s3, BUCKET, "AWSLogs/", &l, &err), KH_OK);
	assert_int_equal(l.n_objects, 2);
	kh_s3_listing_release(&l);
	kh_s3_free(s3);
	/* The default profile's key is unknown to the server. */
	o.profile = NULL;
	assert_int_equal(kh_s3_new(&o, &s3, &err), KH_OK);
	assert_int_equal(kh_s3_list(s3, BUCKET, "AWSLogs/", &l, &err), KH_EINPUT);
	kh_s3_free(s3);
	o.profile = "missing";
	assert_int_equal(kh_s3_new(&o, &s3, &err), KH_EINPUT);
	assert_non_null(strstr(err.msg, "profile 'missing'"));
	unlink(path);
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
}

static void test_parse_url(void **state)
{
	char *b, *p;
	struct kh_error err = {0};
	assert_int_equal(kh_s3_parse_url("s3://bucket/AWSLogs/1/", &b, &p, &err), KH_OK);
	assert_string_equal(b, "bucket");
	assert_string_equal(p, "AWSLogs/1/");
	free(b);
	free(p);
	assert_int_equal(kh_s3_parse_url("s3://bucket", &b, &p, &err), KH_OK);
	assert_string_equal(p, "");
	free(b);
	free(p);
	assert_int_equal(kh_s3_parse_url("https://bucket/x", &b, &p, &err), KH_EUSAGE);
	assert_int_equal(kh_s3_parse_url("s3:///x", &b, &p, &err), KH_EUSAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_url),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_list_paginates),
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_bad_signature_is_reported),
		cmocka_unit_test(test_credentials_file_profile),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

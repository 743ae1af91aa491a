/* fuzz_trail.c - libFuzzer target for the CloudTrail reader and kh_gunzip.
 *
 * The bytes are read as a CloudTrail input (every record iterated, every
 * view touched), and, when they look like gzip, decompressed first with a
 * small limit and read again. Nothing may crash, hang or leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "keyhole/trail.h"

static struct kh_trail_reader *reader;

/* Reads every byte of every view so that ASan checks they are in bounds. */
static unsigned touch(const struct kh_sv *v, size_t n)
{
	unsigned sum = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < v[i].len; j++)
			sum += (unsigned char)v[i].ptr[j];
	return sum;
}

static void read_all(const char *data, size_t len)
{
	struct kh_error err;
	if (kh_trail_reader_open(reader, data, len, "fuzz", &err) != KH_OK)
		return;
	struct kh_event ev;
	volatile unsigned sink = 0;
	for (int i = 0; i < 100000 && kh_trail_next(reader, &ev, &err) == 1; i++) {
		const struct kh_sv fields[] = {
			ev.event_version, ev.event_time, ev.event_source, ev.event_name,
			ev.aws_region, ev.event_type, ev.error_code, ev.error_message,
			ev.source_ip, ev.user_agent, ev.recipient_account, ev.event_category,
			ev.identity_type, ev.principal_arn, ev.principal_id, ev.account_id,
			ev.access_key_id, ev.user_name, ev.invoked_by, ev.session_issuer_arn,
			ev.session_issuer_type};
		sink += touch(fields, sizeof fields / sizeof *fields);
		sink += touch(ev.resource_arns, ev.n_resources);
		sink += touch(ev.resource_types, ev.n_resources);
		for (size_t p = 0; p < ev.n_params; p++) {
			sink += touch(&ev.params[p].key, 1);
			sink += touch(&ev.params[p].value, 1);
		}
		sink += (unsigned)kh_event_param(&ev, "bucketName").len;
	}
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!reader)
		reader = kh_trail_reader_new();
	/* A copy of exactly size bytes, so reads past the end are caught. */
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	for (size_t i = 0; i < size; i++)
		copy[i] = (char)data[i];
	read_all(copy, size);
	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		unsigned char *out;
		size_t out_len;
		struct kh_error err;
		if (kh_gunzip(data, size, 1 << 20, &out, &out_len, &err) == KH_OK) {
			read_all((const char *)out, out_len);
			free(out);
		}
	}
	free(copy);
	return 0;
}

/* timespec.c - CloudTrail event times and --since/--until values. */
#include <stdlib.h>
#include <string.h>

#include "keyhole/scan.h"

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static int digits(const char *s, size_t n, unsigned *out)
{
	*out = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*out = *out * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

long long kh_parse_event_time(const char *s, size_t len)
{
	unsigned y, mo, d, h = 0, mi = 0, se = 0;

	if (len < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	if (len > 10) {
		if (len < 19 || (s[10] != 'T' && s[10] != ' ') || digits(s + 11, 2, &h) ||
		    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &se) ||
		    h > 23 || mi > 59 || se > 60)
			return -1;
		/* Fractions and a trailing Z are accepted; offsets are not used by CloudTrail. */
		for (size_t i = 19; i < len; i++)
			if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == 'Z'))
				return -1;
	}
	return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
}

long long kh_parse_time_spec(const char *s, long long now)
{
	size_t len = strlen(s);
	char *end;
	long n;

	if (len >= 2 && (s[len - 1] == 'd' || s[len - 1] == 'h')) {
		n = strtol(s, &end, 10);
		if (end == s + len - 1 && n >= 0 && n < 100000)
			return now - n * (s[len - 1] == 'd' ? 86400LL : 3600LL);
		return -1;
	}
	return kh_parse_event_time(s, len);
}

/* record_reader.cpp - CloudTrail records through simdjson's On-Demand API.
 *
 * The one C++ file in keyhole. It implements the C interface of
 * keyhole/trail.h; no exception leaves it (simdjson is used through its
 * error codes, and each entry point catches anything else).
 *
 * Input model: a sequence of top-level JSON values separated by whitespace.
 * Each value is {"Records":[...]}, a lookup-events page {"Events":[...]},
 * a bare array of records, or one record (JSON Lines). The format reported
 * is the kind of the first value. The first {"Records"} or array value is
 * parsed in place over the whole buffer (the common S3 file: one document);
 * any other value is first delimited by a small bracket scanner, so that
 * concatenated pages and JSON Lines are parsed one document at a time.
 *
 * Fields read from each record (others are skipped unread):
 *   eventVersion eventTime eventSource eventName awsRegion eventType
 *   errorCode errorMessage sourceIPAddress userAgent recipientAccountId
 *   eventCategory readOnly managementEvent
 *   userIdentity.{type,principalId,arn,accountId,accessKeyId,userName,
 *                 invokedBy,sessionContext.sessionIssuer.{type,arn}}
 *   resources[].{ARN,type}
 *   requestParameters: top-level scalars, and string members one level
 *     down as "outer.inner" (for an array, its first string element as
 *     "outer", or the string members of its first object as "outer.inner").
 * Fields are matched in whatever order they come, in one pass per object.
 * String fields are unescaped (they point into the parser's string buffer);
 * requestParameters keys and values are raw views into the input.
 */
#ifndef SIMDJSON_EXCEPTIONS
#define SIMDJSON_EXCEPTIONS 0
#endif
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

extern "C" {
#include "keyhole/trail.h"
}

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

namespace {

enum doc_kind { DOC_NONE, DOC_RECORDS, DOC_EVENTS, DOC_ARRAY, DOC_RECORD };

const size_t KEYS_SIZE = 2048; /* composed "outer.inner" parameter keys */

} // namespace

struct kh_trail_reader {
	od::parser parser; /* outer documents */
	od::parser inner;  /* CloudTrailEvent strings of lookup pages */
	const char *buf = nullptr; /* the input: own, or the caller's padded bytes */
	size_t cap = 0, len = 0;    /* cap: len plus the readable padding */
	char *own = nullptr;        /* the copy made by kh_trail_reader_open */
	size_t own_cap = 0;
	char *ibuf = nullptr;
	size_t icap = 0;
	char name[128] = "";
	enum kh_trail_format fmt = KH_TRAIL_UNKNOWN;
	size_t pos = 0;      /* where the next document starts */
	bool split = false;  /* documents are delimited by the scanner */
	bool done = true;    /* nothing more to yield */
	doc_kind kind = DOC_NONE;
	size_t doc_start = 0, doc_end = 0;
	od::document doc;
	od::document idoc;
	bool doc_ok = false, idoc_ok = false; /* iterate() succeeded on them */
	od::array_iterator it, end;
	size_t index = 0; /* records yielded so far in this input */
	size_t elem = 0;  /* position in the current array */
	char keys[KEYS_SIZE];
	size_t keys_used = 0;
};

namespace {

/* ---- small text helpers ------------------------------------------------ */

bool is_ws(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

size_t skip_ws(const char *b, size_t p, size_t n)
{
	while (p < n && is_ws(b[p]))
		p++;
	return p;
}

/* Returns the offset just past the object or array whose opening bracket
 * has already been seen `depth` levels deep before p, or 0 when the input
 * ends first. Strings (with their escapes) are skipped. */
size_t scan_value_end(const char *b, size_t p, size_t n, int depth)
{
	for (; p < n; p++) {
		char c = b[p];
		if (c == '"') {
			for (p++; p < n && b[p] != '"'; p++)
				if (b[p] == '\\')
					p++;
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth <= 0)
			return p + 1;
	}
	return 0;
}

/* The first key of the object starting at b[p] == '{', or an empty view. */
std::string_view first_key(const char *b, size_t p, size_t n)
{
	p = skip_ws(b, p + 1, n);
	if (p >= n || b[p] != '"')
		return {};
	size_t s = ++p;
	while (p < n && b[p] != '"' && b[p] != '\\')
		p++;
	return p < n && b[p] == '"' ? std::string_view(b + s, p - s) : std::string_view();
}

/* A raw key view: raw points just after the opening quote. */
std::string_view key_view(const char *raw)
{
	size_t n = 0;
	while (raw[n] != '"')
		n += raw[n] == '\\' ? 2 : 1;
	return std::string_view(raw, n);
}

/* Trims the whitespace simdjson leaves after a raw token. */
std::string_view trim_token(std::string_view t)
{
	while (!t.empty() && is_ws(t.back()))
		t.remove_suffix(1);
	return t;
}

kh_sv sv(std::string_view s)
{
	return kh_sv{s.data(), s.size()};
}

/* ---- errors -------------------------------------------------------------- */

/* Byte offset of the parser's position in doc (valid when ok), relative
 * to base. */
size_t offset_in(od::document &d, bool ok, const char *base, size_t fallback)
{
	const char *loc = nullptr;
	if (!ok || d.current_location().get(loc) != SUCCESS || loc < base)
		return fallback;
	return size_t(loc - base);
}

void line_col(const char *b, size_t off, int *line, int *col)
{
	int l = 1;
	size_t start = 0;
	for (size_t i = 0; i < off; i++)
		if (b[i] == '\n') {
			l++;
			start = i + 1;
		}
	*line = l;
	*col = int(off - start + 1);
}

/* Fails the reader with a message about record `index` at byte `off`. */
int fail_at(kh_trail_reader *r, kh_error *err, size_t off, const char *what)
{
	char path[64];
	if (r->kind == DOC_RECORDS)
		std::snprintf(path, sizeof path, "Records[%zu]", r->elem);
	else if (r->kind == DOC_EVENTS)
		std::snprintf(path, sizeof path, "Events[%zu].CloudTrailEvent", r->elem);
	else if (r->kind == DOC_ARRAY)
		std::snprintf(path, sizeof path, "[%zu]", r->elem);
	else
		path[0] = '\0';
	r->done = true;
	r->kind = DOC_NONE;
	int line = 0, col = 0;
	if (off <= r->len)
		line_col(r->buf, off, &line, &col);
	return kh_error_at(err, KH_EINPUT, line, col, path, "'%s': %s (record %zu, byte offset %zu)",
			   r->name, what, r->index, off);
}

int fail_json(kh_trail_reader *r, kh_error *err, size_t off, error_code e)
{
	char what[200];
	std::snprintf(what, sizeof what, "malformed or truncated JSON: %s",
		      simdjson::error_message(e));
	return fail_at(r, err, off, what);
}

/* ---- record fields ------------------------------------------------------- */

/* Reads a string value into *out; other types leave it absent. Strings
 * without escapes are viewed in place; others are unescaped by simdjson. */
error_code get_sv(od::value &v, kh_sv *out)
{
	std::string_view t = trim_token(v.raw_json_token());
	if (t.size() < 2 || t.front() != '"')
		return SUCCESS;
	t = t.substr(1, t.size() - 2);
	if (!std::memchr(t.data(), '\\', t.size())) {
		*out = sv(t);
		return SUCCESS;
	}
	std::string_view s;
	error_code e = v.get_string().get(s);
	if (e == simdjson::INCORRECT_TYPE)
		return SUCCESS;
	if (e == SUCCESS)
		*out = sv(s);
	return e;
}

/* Reads a JSON boolean (or the strings "true"/"false") as 1/0. */
error_code get_flag(od::value &v, int *out)
{
	od::json_type t;
	error_code e = v.type().get(t);
	if (e)
		return e;
	if (t == od::json_type::boolean) {
		bool b;
		if ((e = v.get_bool().get(b)))
			return e;
		*out = b;
	} else if (t == od::json_type::string) {
		std::string_view s;
		if ((e = v.get_string().get(s)))
			return e;
		*out = s == "true" ? 1 : s == "false" ? 0 : -1;
	}
	return SUCCESS;
}

/* Calls fn(key, value) for each member of v when v is an object (anything
 * else is skipped), stopping at the first error. */
template <typename Fn> error_code each_field(od::value &v, Fn &&fn)
{
	od::object o;
	if (v.get_object().get(o))
		return SUCCESS;
	for (auto f : o) {
		od::field fl;
		error_code e = std::move(f).get(fl);
		if (e)
			return e;
		if ((e = fn(key_view(fl.key().raw()), fl.value())))
			return e;
	}
	return SUCCESS;
}

error_code read_issuer(od::value &v, kh_event *ev)
{
	return each_field(v, [ev](std::string_view k, od::value &val) {
		if (k == "type")
			return get_sv(val, &ev->session_issuer_type);
		if (k == "arn")
			return get_sv(val, &ev->session_issuer_arn);
		return SUCCESS;
	});
}

error_code read_session_context(od::value &v, kh_event *ev)
{
	return each_field(v, [ev](std::string_view k, od::value &val) {
		return k == "sessionIssuer" ? read_issuer(val, ev) : SUCCESS;
	});
}

error_code read_identity(od::value &v, kh_event *ev)
{
	return each_field(v, [ev](std::string_view k, od::value &val) {
		kh_sv *dst = nullptr;
		if (k == "type")
			dst = &ev->identity_type;
		else if (k == "arn")
			dst = &ev->principal_arn;
		else if (k == "principalId")
			dst = &ev->principal_id;
		else if (k == "accountId")
			dst = &ev->account_id;
		else if (k == "accessKeyId")
			dst = &ev->access_key_id;
		else if (k == "userName")
			dst = &ev->user_name;
		else if (k == "invokedBy")
			dst = &ev->invoked_by;
		else if (k == "sessionContext")
			return read_session_context(val, ev);
		return dst ? get_sv(val, dst) : SUCCESS;
	});
}

error_code read_resources(od::value &v, kh_event *ev)
{
	od::array a;
	if (v.get_array().get(a))
		return SUCCESS;
	for (auto item : a) {
		od::object o;
		error_code e = item.get_object().get(o);
		if (e == simdjson::INCORRECT_TYPE)
			continue;
		if (e)
			return e;
		if (ev->n_resources >= KH_EVENT_MAX_RESOURCES)
			continue;
		size_t i = ev->n_resources++;
		for (auto f : o) {
			od::field fl;
			if ((e = std::move(f).get(fl)))
				return e;
			std::string_view k = key_view(fl.key().raw());
			if (k == "ARN")
				e = get_sv(fl.value(), &ev->resource_arns[i]);
			else if (k == "type")
				e = get_sv(fl.value(), &ev->resource_types[i]);
			if (e)
				return e;
		}
	}
	return SUCCESS;
}

/* Adds a parameter whose value is the raw token of a JSON scalar. */
void add_param(kh_event *ev, kh_sv key, std::string_view tok)
{
	if (ev->n_params >= KH_EVENT_MAX_PARAMS)
		return;
	tok = trim_token(tok);
	if (tok.size() >= 2 && tok.front() == '"') {
		tok = tok.substr(1, tok.size() - 2);
		if (std::memchr(tok.data(), '\\', tok.size()))
			ev->params_escaped = 1;
	}
	ev->params[ev->n_params++] = kh_kv{key, sv(tok)};
}

/* Composes "outer.inner" in the reader's key buffer; {NULL,0} when full. */
kh_sv compose_key(kh_trail_reader *r, std::string_view outer, std::string_view inner)
{
	size_t n = outer.size() + (inner.empty() ? 0 : 1 + inner.size());
	if (n > KEYS_SIZE - r->keys_used)
		return kh_sv{nullptr, 0};
	char *p = r->keys + r->keys_used;
	std::memcpy(p, outer.data(), outer.size());
	if (!inner.empty()) {
		p[outer.size()] = '.';
		std::memcpy(p + outer.size() + 1, inner.data(), inner.size());
	}
	r->keys_used += n;
	return kh_sv{p, n};
}

/* Adds the string members of object o as "outer.member". */
error_code nested_strings(kh_trail_reader *r, od::object &o, std::string_view outer, kh_event *ev)
{
	for (auto f : o) {
		od::field fl;
		error_code e = std::move(f).get(fl);
		if (e)
			return e;
		od::json_type t;
		if ((e = fl.value().type().get(t)))
			return e;
		if (t != od::json_type::string)
			continue;
		kh_sv key = compose_key(r, outer, key_view(fl.key().raw()));
		if (key.ptr)
			add_param(ev, key, fl.value().raw_json_token());
	}
	return SUCCESS;
}

/* For an array parameter: its first string, or its first object's strings. */
error_code nested_array(kh_trail_reader *r, od::array &a, std::string_view outer, kh_event *ev)
{
	for (auto item : a) {
		od::value v;
		error_code e = std::move(item).get(v);
		if (e)
			return e;
		od::json_type t;
		if ((e = v.type().get(t)))
			return e;
		if (t == od::json_type::string) {
			add_param(ev, sv(outer), v.raw_json_token());
			return SUCCESS;
		}
		if (t == od::json_type::object) {
			od::object o;
			if ((e = v.get_object().get(o)))
				return e;
			return nested_strings(r, o, outer, ev);
		}
	}
	return SUCCESS;
}

error_code read_params(kh_trail_reader *r, od::value &v, kh_event *ev)
{
	od::object o;
	if (v.get_object().get(o))
		return SUCCESS; /* null or not an object */
	for (auto f : o) {
		od::field fl;
		error_code e = std::move(f).get(fl);
		if (e)
			return e;
		std::string_view k = key_view(fl.key().raw());
		od::value &val = fl.value();
		od::json_type t;
		if ((e = val.type().get(t)))
			return e;
		switch (t) {
		case od::json_type::string:
		case od::json_type::number:
		case od::json_type::boolean:
			add_param(ev, sv(k), val.raw_json_token());
			break;
		case od::json_type::object: {
			od::object inner;
			if ((e = val.get_object().get(inner)) ||
			    (e = nested_strings(r, inner, k, ev)))
				return e;
			break;
		}
		case od::json_type::array: {
			od::array a;
			if ((e = val.get_array().get(a)) || (e = nested_array(r, a, k, ev)))
				return e;
			break;
		}
		default:
			break;
		}
	}
	return SUCCESS;
}

/* The kh_sv field for a top-level string member, or NULL. */
kh_sv *string_field(kh_event *ev, std::string_view k)
{
	switch (k.size()) {
	case 9:
		if (k == "eventTime")
			return &ev->event_time;
		if (k == "eventName")
			return &ev->event_name;
		if (k == "awsRegion")
			return &ev->aws_region;
		if (k == "eventType")
			return &ev->event_type;
		if (k == "errorCode")
			return &ev->error_code;
		if (k == "userAgent")
			return &ev->user_agent;
		return nullptr;
	case 11:
		return k == "eventSource" ? &ev->event_source : nullptr;
	case 12:
		if (k == "eventVersion")
			return &ev->event_version;
		return k == "errorMessage" ? &ev->error_message : nullptr;
	case 13:
		return k == "eventCategory" ? &ev->event_category : nullptr;
	case 15:
		return k == "sourceIPAddress" ? &ev->source_ip : nullptr;
	case 18:
		return k == "recipientAccountId" ? &ev->recipient_account : nullptr;
	default:
		return nullptr;
	}
}

/* Fills ev from one record object, in one pass over its members. */
error_code read_record(kh_trail_reader *r, od::object &o, kh_event *ev)
{
	std::memset(ev, 0, sizeof *ev);
	ev->read_only = -1;
	ev->management_event = -1;
	r->keys_used = 0;
	for (auto f : o) {
		od::field fl;
		error_code e = std::move(f).get(fl);
		if (e)
			return e;
		std::string_view k = key_view(fl.key().raw());
		od::value &val = fl.value();
		if (kh_sv *dst = string_field(ev, k))
			e = get_sv(val, dst);
		else if (k == "userIdentity")
			e = read_identity(val, ev);
		else if (k == "requestParameters")
			e = read_params(r, val, ev);
		else if (k == "resources")
			e = read_resources(val, ev);
		else if (k == "readOnly")
			e = get_flag(val, &ev->read_only);
		else if (k == "managementEvent")
			e = get_flag(val, &ev->management_event);
		if (e)
			return e;
	}
	return SUCCESS;
}

/* ---- documents ----------------------------------------------------------- */

int not_cloudtrail(kh_trail_reader *r, kh_error *err, size_t off)
{
	return fail_at(r, err, off, "not a CloudTrail record (no eventSource or eventName)");
}

/* Parses the CloudTrailEvent string of one lookup-events entry into ev. */
int read_lookup_entry(kh_trail_reader *r, od::value &v, kh_event *ev, kh_error *err)
{
	size_t off = offset_in(r->doc, r->doc_ok, r->buf, r->doc_start);
	od::object o;
	std::string_view s;
	error_code e = v.get_object().get(o);
	if (!e)
		e = o.find_field_unordered("CloudTrailEvent").get_string().get(s);
	if (e == simdjson::NO_SUCH_FIELD || e == simdjson::INCORRECT_TYPE)
		return fail_at(r, err, off, "lookup-events entry without a CloudTrailEvent string");
	if (e)
		return fail_json(r, err, off, e);
	size_t need = s.size() + simdjson::SIMDJSON_PADDING;
	if (need > r->icap) {
		char *p = static_cast<char *>(std::realloc(r->ibuf, need));
		if (!p) {
			r->done = true;
			return kh_error_set(err, KH_ENOMEM, "no memory for a %zu-byte event",
					    s.size());
		}
		r->ibuf = p;
		r->icap = need;
	}
	std::memcpy(r->ibuf, s.data(), s.size());
	std::memset(r->ibuf + s.size(), 0, simdjson::SIMDJSON_PADDING);
	od::object rec;
	e = r->inner.iterate(r->ibuf, s.size(), r->icap).get(r->idoc);
	r->idoc_ok = !e;
	if (!e)
		e = r->idoc.get_object().get(rec);
	if (!e)
		e = read_record(r, rec, ev);
	if (e) {
		char what[240];
		std::snprintf(what, sizeof what,
			      "malformed CloudTrailEvent string (%s at its byte %zu)",
			      simdjson::error_message(e), offset_in(r->idoc, r->idoc_ok, r->ibuf, 0));
		return fail_at(r, err, off, what);
	}
	return KH_OK;
}

/* Parses buf[p, end) as one document and positions r->it on its records
 * array (or sets DOC_RECORD). */
error_code parse_document(kh_trail_reader *r, size_t p, size_t end)
{
	r->doc_start = p;
	r->doc_end = end;
	r->elem = 0;
	r->kind = DOC_NONE;
	error_code e = r->parser.iterate(r->buf + p, end - p, r->cap - p).get(r->doc);
	r->doc_ok = !e;
	if (e)
		return e;
	char c = r->buf[p];
	std::string_view k = c == '{' ? first_key(r->buf, p, end) : std::string_view();
	od::array a;
	if (c == '[') {
		r->kind = DOC_ARRAY;
		e = r->doc.get_array().get(a);
	} else if (k == "Records") {
		r->kind = DOC_RECORDS;
		e = r->doc.find_field("Records").get_array().get(a);
	} else if (k == "Events" || k == "NextToken") {
		r->kind = DOC_EVENTS;
		e = r->doc.find_field_unordered("Events").get_array().get(a);
	} else {
		r->kind = DOC_RECORD;
		return SUCCESS;
	}
	if (!e)
		e = a.begin().get(r->it);
	if (!e)
		e = a.end().get(r->end);
	return e;
}

/* Starts the document at r->pos. Returns 1 when a document was started,
 * 0 at the end of the input, or a negative kh_err. */
int start_document(kh_trail_reader *r, kh_error *err)
{
	size_t p = skip_ws(r->buf, r->pos, r->len);
	if (p >= r->len)
		return 0;
	char c = r->buf[p];
	if (c != '{' && c != '[') {
		char what[80];
		std::snprintf(what, sizeof what, "expected '{' or '[' but found byte 0x%02x",
			      (unsigned char)c);
		return fail_at(r, err, p, what);
	}
	error_code e = simdjson::TAPE_ERROR;
	if (!r->split)
		e = parse_document(r, p, r->len);
	if (e) {
		/* Several documents, trailing bytes or truncation: delimit the
		 * document first and parse it alone. */
		r->split = true;
		size_t end = scan_value_end(r->buf, p, r->len, 0);
		if (!end)
			return fail_at(r, err, p,
				       "truncated JSON: the document starting here is not closed");
		e = parse_document(r, p, end);
	}
	if (e == simdjson::INCORRECT_TYPE || e == simdjson::NO_SUCH_FIELD)
		return fail_at(r, err, p,
			       r->kind == DOC_EVENTS ? "\"Events\" is missing or not an array"
						     : "\"Records\" is not an array");
	if (e)
		return fail_json(r, err, offset_in(r->doc, r->doc_ok, r->buf, p), e);
	return 1;
}

/* Called when the records array of the current document is exhausted:
 * checks that the document closes and moves r->pos past it. */
int finish_document(kh_trail_reader *r, kh_error *err)
{
	doc_kind kind = r->kind;
	r->kind = DOC_NONE;
	if (r->split) {
		r->pos = r->doc_end;
		return KH_OK;
	}
	/* Parsed in place over the rest of the buffer, which then held one
	 * document: a wrapper object must still close after its array. */
	const char *loc = nullptr;
	error_code e = r->doc.current_location().get(loc);
	size_t p = e ? r->len : size_t(loc - r->buf);
	if (kind != DOC_ARRAY && !(p < r->len && (p = scan_value_end(r->buf, p, r->len, 1))))
		return fail_at(r, err, r->len, "truncated JSON: the top-level object is not closed");
	r->pos = p;
	r->split = true; /* anything after is delimited by the scanner */
	return KH_OK;
}

/* Yields the next element of the current array; 1, 0 (array done) or <0. */
int next_in_array(kh_trail_reader *r, kh_event *ev, kh_error *err)
{
	if (!(r->it != r->end))
		return 0;
	od::value v;
	size_t off = offset_in(r->doc, r->doc_ok, r->buf, r->doc_start);
	error_code e = (*r->it).get(v);
	if (e)
		return fail_json(r, err, off, e);
	int rc;
	if (r->kind == DOC_EVENTS) {
		rc = read_lookup_entry(r, v, ev, err);
	} else {
		od::object o;
		e = v.get_object().get(o);
		if (e == simdjson::INCORRECT_TYPE)
			return fail_at(r, err, off, "record is not a JSON object");
		if (!e)
			e = read_record(r, o, ev);
		rc = e ? fail_json(r, err, offset_in(r->doc, r->doc_ok, r->buf, off), e) : KH_OK;
	}
	if (rc)
		return rc;
	if (!ev->event_source.len && !ev->event_name.len)
		return not_cloudtrail(r, err, off);
	++r->it;
	r->elem++;
	r->index++;
	return 1;
}

/* Yields the single record that is the current document (JSON Lines). */
int next_single(kh_trail_reader *r, kh_event *ev, kh_error *err)
{
	od::object o;
	error_code e = r->doc.get_object().get(o);
	if (!e)
		e = read_record(r, o, ev);
	if (e)
		return fail_json(r, err, offset_in(r->doc, r->doc_ok, r->buf, r->doc_start), e);
	if (!ev->event_source.len && !ev->event_name.len)
		return not_cloudtrail(r, err, r->doc_start);
	r->kind = DOC_NONE;
	r->pos = r->doc_end;
	r->index++;
	return 1;
}

int reader_next(kh_trail_reader *r, kh_event *ev, kh_error *err)
{
	while (!r->done) {
		int rc;
		switch (r->kind) {
		case DOC_NONE:
			rc = start_document(r, err);
			if (rc == 0)
				r->done = true;
			if (rc < 0)
				return rc;
			break;
		case DOC_RECORD:
			return next_single(r, ev, err);
		default:
			rc = next_in_array(r, ev, err);
			if (rc != 0)
				return rc;
			if ((rc = finish_document(r, err)))
				return rc;
		}
	}
	return 0;
}

enum kh_trail_format detect(const char *b, size_t p, size_t n, bool *split)
{
	*split = true;
	if (b[p] == '[') {
		*split = false;
		return KH_TRAIL_ARRAY;
	}
	std::string_view k = first_key(b, p, n);
	if (k == "Records") {
		*split = false;
		return KH_TRAIL_RECORDS;
	}
	if (k == "Events" || k == "NextToken")
		return KH_TRAIL_LOOKUP;
	return KH_TRAIL_JSONL;
}

/* Starts reading data (len bytes, readable up to cap). */
int reader_start(kh_trail_reader *r, const char *data, size_t len, size_t cap, const char *name,
		 kh_error *err)
{
	std::snprintf(r->name, sizeof r->name, "%s", name ? name : "<input>");
	r->done = true;
	r->kind = DOC_NONE;
	r->fmt = KH_TRAIL_UNKNOWN;
	r->index = 0;
	r->buf = data;
	r->cap = cap;
	r->len = len;
	size_t p = 0;
	if (len >= 3 && std::memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
		p = 3; /* UTF-8 byte order mark */
	p = skip_ws(r->buf, p, len);
	if (p >= len)
		return kh_error_set(err, KH_EINPUT, "'%s': empty input, no CloudTrail records",
				    r->name);
	if (r->buf[p] != '{' && r->buf[p] != '[') {
		int line, col;
		line_col(r->buf, p, &line, &col);
		return kh_error_at(err, KH_EINPUT, line, col, nullptr,
				   "'%s': not JSON (byte 0x%02x at byte offset %zu)", r->name,
				   (unsigned char)r->buf[p], p);
	}
	r->fmt = detect(r->buf, p, len, &r->split);
	r->pos = p;
	r->done = false;
	/* Start the first document now, so that input that is not CloudTrail
	 * is refused here rather than at the first record. */
	int rc = start_document(r, err);
	if (rc < 0) {
		r->fmt = KH_TRAIL_UNKNOWN;
		return rc;
	}
	if (r->kind == DOC_RECORD) {
		/* Parsed afresh after each look-up: a failed one may leave the
		 * document unusable. */
		od::value v;
		error_code e = r->doc.find_field_unordered("eventSource").get(v);
		if (e == simdjson::NO_SUCH_FIELD && !(e = parse_document(r, r->doc_start, r->doc_end)))
			e = r->doc.find_field_unordered("eventName").get(v);
		if (e == simdjson::NO_SUCH_FIELD || e == simdjson::INCORRECT_TYPE) {
			r->fmt = KH_TRAIL_UNKNOWN;
			return not_cloudtrail(r, err, p);
		}
		if (!e)
			e = parse_document(r, r->doc_start, r->doc_end);
		if (e) {
			r->fmt = KH_TRAIL_UNKNOWN;
			return fail_json(r, err, p, e);
		}
	}
	return KH_OK;
}

/* Copies data into the reader's own padded buffer, then starts. */
int reader_open(kh_trail_reader *r, const char *data, size_t len, const char *name, kh_error *err)
{
	size_t need = len + simdjson::SIMDJSON_PADDING;
	if (need < len)
		return kh_error_set(err, KH_ELIMIT, "'%s': input too large", name ? name : "<input>");
	r->done = true;
	if (need > r->own_cap) {
		char *p = static_cast<char *>(std::realloc(r->own, need));
		if (!p)
			return kh_error_set(err, KH_ENOMEM, "'%s': no memory for %zu bytes",
					    name ? name : "<input>", len);
		r->own = p;
		r->own_cap = need;
	}
	if (len)
		std::memcpy(r->own, data, len);
	std::memset(r->own + len, 0, simdjson::SIMDJSON_PADDING);
	return reader_start(r, r->own, len, r->own_cap, name, err);
}

static_assert(KH_TRAIL_PADDING >= simdjson::SIMDJSON_PADDING,
	      "the padding callers give must cover simdjson's");

} // namespace

extern "C" {

struct kh_trail_reader *kh_trail_reader_new(void)
{
	try {
		return new (std::nothrow) kh_trail_reader();
	} catch (...) {
		return nullptr;
	}
}

void kh_trail_reader_free(struct kh_trail_reader *r)
{
	if (!r)
		return;
	std::free(r->own);
	std::free(r->ibuf);
	delete r;
}

int kh_trail_reader_open(struct kh_trail_reader *r, const char *data, size_t len, const char *name,
			 struct kh_error *err)
{
	if (!r || (!data && len))
		return kh_error_set(err, KH_EUSAGE, "kh_trail_reader_open: no reader or data");
	try {
		return reader_open(r, data, len, name, err);
	} catch (...) {
		r->done = true;
		return kh_error_set(err, KH_ENOMEM, "'%s': out of memory while parsing", r->name);
	}
}

int kh_trail_reader_open_padded(struct kh_trail_reader *r, const char *data, size_t len,
				const char *name, struct kh_error *err)
{
	if (!r || (!data && len) || len > SIZE_MAX - KH_TRAIL_PADDING)
		return kh_error_set(err, KH_EUSAGE, "kh_trail_reader_open_padded: no reader or data");
	try {
		static const char empty[KH_TRAIL_PADDING] = {0};
		return reader_start(r, len ? data : empty, len, len + KH_TRAIL_PADDING, name, err);
	} catch (...) {
		r->done = true;
		return kh_error_set(err, KH_ENOMEM, "'%s': out of memory while parsing", r->name);
	}
}

enum kh_trail_format kh_trail_reader_format(const struct kh_trail_reader *r)
{
	return r ? r->fmt : KH_TRAIL_UNKNOWN;
}

int kh_trail_next(struct kh_trail_reader *r, struct kh_event *ev, struct kh_error *err)
{
	if (!r || !ev)
		return kh_error_set(err, KH_EUSAGE, "kh_trail_next: no reader or event");
	try {
		return reader_next(r, ev, err);
	} catch (...) {
		r->done = true;
		return kh_error_set(err, KH_ENOMEM, "'%s': out of memory while parsing", r->name);
	}
}

struct kh_sv kh_event_param(const struct kh_event *ev, const char *key)
{
	size_t n = std::strlen(key);
	for (size_t i = 0; i < ev->n_params; i++)
		if (ev->params[i].key.len == n && std::memcmp(ev->params[i].key.ptr, key, n) == 0)
			return ev->params[i].value;
	return kh_sv{nullptr, 0};
}

} /* extern "C" */

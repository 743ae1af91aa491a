/* report.c - the right-size report as text, JSON or Markdown. */
#include <string.h>
#include <time.h>

#include "keyhole/rightsize.h"

int kh_report_format_parse(const char *s, enum kh_report_format *out)
{
	if (strcmp(s, "text") == 0)
		*out = KH_REPORT_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = KH_REPORT_JSON;
	else if (strcmp(s, "markdown") == 0 || strcmp(s, "md") == 0)
		*out = KH_REPORT_MARKDOWN;
	else
		return -1;
	return 0;
}


static const char *state_name(enum kh_grant_state s)
{
	return s == KH_GRANT_USED ? "used" : s == KH_GRANT_UNUSED ? "unused" : "not observable";
}

static const char *star_reason(enum kh_star_reason r)
{
	return r == KH_STAR_NO_RESOURCE_TYPES ? "the action takes no resource"
	       : r == KH_STAR_NOT_DERIVABLE   ? "the logs do not show every resource"
					      : "";
}

static double used_share(const struct kh_rightsize_result *r)
{
	return r->n_granted ? 100.0 * (double)r->n_granted_used / (double)r->n_granted : 0.0;
}

/* ---- JSON ------------------------------------------------------------------ */

static void json_time(struct kh_buf *b, const char *key, long long t)
{
	char s[32];
	kh_buf_printf(b, ",\"%s\":", key);
	if (t)
		kh_buf_put_json_string(b, kh_usage_time_text(t, s));
	else
		kh_buf_puts(b, "null");
}

static void json_entries(struct kh_buf *b, const char *key, const struct kh_usage_entry *const *e,
			 size_t n)
{
	kh_buf_printf(b, ",\n\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		kh_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
		kh_buf_put_json_string(b, e[i]->name);
		kh_buf_printf(b, ",\"count\":%llu", e[i]->count);
		json_time(b, "first", e[i]->first);
		json_time(b, "last", e[i]->last);
		kh_buf_putc(b, '}');
	}
	kh_buf_putc(b, ']');
}

static void json_report(const struct kh_rightsize_result *r, struct kh_buf *b)
{
	const struct kh_usage_scan *s = r->scan;
	const struct kh_usage_principal *p = r->principal;

	kh_buf_puts(b, "{\"principal\":");
	kh_buf_put_json_string(b, p->arn);
	kh_buf_printf(b,
		      ",\n\"scanned\":{\"files\":%llu,\"files_skipped\":%llu,\"events\":%llu,"
		      "\"events_skipped\":%llu,\"bytes\":%llu",
		      s->files, s->files_skipped, s->events, s->events_skipped, s->bytes);
	json_time(b, "first", s->first);
	json_time(b, "last", s->last);
	kh_buf_printf(b, "},\n\"calls\":%llu,\"errors\":%llu,\"regions\":[", p->calls, p->errors);
	for (size_t i = 0; i < p->n_regions; i++) {
		if (i)
			kh_buf_putc(b, ',');
		kh_buf_put_json_string(b, p->regions[i]);
	}
	kh_buf_printf(b, "],\n\"coverage\":{\"allowed\":%zu,\"observed\":%zu},\n\"used\":[",
		      r->coverage_allowed, r->coverage_total);
	for (size_t i = 0; i < r->n_actions; i++) {
		const struct kh_rightsize_action *a = &r->actions[i];
		kh_buf_puts(b, i ? ",\n {\"action\":" : "\n {\"action\":");
		kh_buf_put_json_string(b, a->action->full_name);
		kh_buf_printf(b, ",\"class\":\"%s\",\"count\":%llu", kh_usage_class_name(a->entry->cls),
			      a->entry->count);
		json_time(b, "first", a->entry->first);
		json_time(b, "last", a->entry->last);
		kh_buf_puts(b, ",\"resources\":[");
		for (size_t j = 0; j < a->n_resources; j++) {
			if (j)
				kh_buf_putc(b, ',');
			kh_buf_put_json_string(b, a->resources[j]);
		}
		kh_buf_printf(b, "],\"generalized\":%s", a->generalized ? "true" : "false");
		if (a->star) {
			kh_buf_puts(b, ",\"wildcard_reason\":");
			kh_buf_put_json_string(b, star_reason(a->star));
		}
		kh_buf_putc(b, '}');
	}
	kh_buf_puts(b, "]");
	json_entries(b, "denied", r->denied, r->n_denied);
	json_entries(b, "unmapped", r->unmapped, r->n_unmapped);
	json_entries(b, "no_permission_needed", r->no_permission, r->n_no_permission);
	if (r->granted) {
		kh_buf_printf(b,
			      ",\n\"current\":{\"granted\":%zu,\"used\":%zu,\"unused\":%zu,"
			      "\"not_observable\":%zu,\"used_percent\":%.1f,\"actions\":[",
			      r->n_granted, r->n_granted_used, r->n_granted_unused,
			      r->n_granted_unobservable, used_share(r));
		for (size_t i = 0; i < r->n_granted; i++) {
			kh_buf_puts(b, i ? ",\n {\"action\":" : "\n {\"action\":");
			kh_buf_put_json_string(b, r->granted[i].action->full_name);
			kh_buf_printf(b, ",\"state\":\"%s\"}", state_name(r->granted[i].state));
		}
		kh_buf_puts(b, "],\n\"would_deny\":[");
		for (size_t i = 0; i < r->n_current_denied; i++) {
			kh_buf_puts(b, i ? ",{\"action\":" : "{\"action\":");
			kh_buf_put_json_string(b, r->current_denied[i].action);
			kh_buf_puts(b, ",\"resource\":");
			kh_buf_put_json_string(b, r->current_denied[i].resource);
			kh_buf_putc(b, '}');
		}
		kh_buf_puts(b, "]}");
	}
	kh_buf_puts(b, "}\n");
}

/* ---- text and Markdown ----------------------------------------------------- */

static void text_entries(struct kh_buf *b, const char *title, const struct kh_usage_entry *const *e,
			 size_t n, int md)
{
	char f[32], l[32];
	kh_buf_printf(b, md ? "\n### %s (%zu)\n\n" : "\n%s (%zu):\n", title, n);
	if (md && n)
		kh_buf_puts(b, "| call | count | first seen | last seen |\n|---|---|---|---|\n");
	for (size_t i = 0; i < n; i++)
		kh_buf_printf(b, md ? "| `%s` | %llu | %s | %s |\n" : "  %-48s %6llu  %s .. %s\n",
			      e[i]->name, e[i]->count, kh_usage_time_text(e[i]->first, f),
			      kh_usage_time_text(e[i]->last, l));
}

static void text_used(const struct kh_rightsize_result *r, struct kh_buf *b, int md)
{
	char f[32], l[32];
	kh_buf_printf(b, md ? "\n### Used actions (%zu)\n\n" : "\nused actions (%zu):\n",
		      r->n_actions);
	if (md && r->n_actions)
		kh_buf_puts(b, "| action | count | first seen | last seen | resources |\n"
			       "|---|---|---|---|---|\n");
	for (size_t i = 0; i < r->n_actions; i++) {
		const struct kh_rightsize_action *a = &r->actions[i];
		kh_buf_printf(b, md ? "| `%s`%s | %llu | %s | %s | " : "  %-48s%s %6llu  %s .. %s  ",
			      a->action->full_name, a->entry->cls == KH_USAGE_DENIED ? " (denied)" : "",
			      a->entry->count, kh_usage_time_text(a->entry->first, f),
			      kh_usage_time_text(a->entry->last, l));
		for (size_t j = 0; j < a->n_resources; j++)
			kh_buf_printf(b, md ? "%s`%s`" : "%s%s", j ? ", " : "", a->resources[j]);
		if (a->star)
			kh_buf_printf(b, " (%s)", star_reason(a->star));
		else if (a->generalized)
			kh_buf_puts(b, " (generalized)");
		kh_buf_puts(b, md ? " |\n" : "\n");
	}
}

static void text_current(const struct kh_rightsize_result *r, struct kh_buf *b, int md)
{
	static const enum kh_grant_state order[] = {KH_GRANT_UNUSED, KH_GRANT_NOT_OBSERVABLE};
	kh_buf_printf(b,
		      md ? "\n### Current policy\n\n%zu of %zu granted actions used (%.1f%%); %zu "
			   "unused, %zu not observable (data events absent from the logs).\n"
			 : "\ncurrent policy: %zu of %zu granted actions used (%.1f%%); %zu unused, "
			   "%zu not observable (data events absent from the logs)\n",
		      r->n_granted_used, r->n_granted, used_share(r), r->n_granted_unused,
		      r->n_granted_unobservable);
	if (r->n_current_denied) {
		kh_buf_printf(b,
			      md ? "\n%zu observed calls would be denied by it: they came through "
				   "another policy, so the current-policy input is incomplete:\n\n"
				 : "  %zu observed calls it would deny (they came through another "
				   "policy: the current-policy input is incomplete):\n",
			      r->n_current_denied);
		for (size_t i = 0; i < r->n_current_denied; i++)
			kh_buf_printf(b, md ? "- `%s` on `%s`\n" : "    %s on %s\n",
				      r->current_denied[i].action, r->current_denied[i].resource);
	}
	for (size_t k = 0; k < 2; k++) {
		size_t shown = 0;
		for (size_t i = 0; i < r->n_granted; i++) {
			if (r->granted[i].state != order[k])
				continue;
			if (!shown++)
				kh_buf_printf(b, md ? "\n%s:\n\n" : "  %s:\n",
					      k ? "Not observable" : "Unused");
			kh_buf_printf(b, md ? "- `%s`\n" : "    %s\n", r->granted[i].action->full_name);
		}
	}
}

static void text_report(const struct kh_rightsize_result *r, struct kh_buf *b, int md)
{
	const struct kh_usage_scan *s = r->scan;
	const struct kh_usage_principal *p = r->principal;
	char f[32], l[32];

	kh_buf_printf(b, md ? "## Right-size report\n\n- principal: `%s`\n" : "principal: %s\n",
		      p->arn);
	kh_buf_printf(b,
		      md ? "- scanned: %llu files (%llu skipped), %llu events (%llu not API calls), "
			   "%llu bytes, %s .. %s\n"
			 : "scanned:   %llu files (%llu skipped), %llu events (%llu not API calls), "
			   "%llu bytes, %s .. %s\n",
		      s->files, s->files_skipped, s->events, s->events_skipped, s->bytes,
		      kh_usage_time_text(s->first, f), kh_usage_time_text(s->last, l));
	kh_buf_printf(b, md ? "- calls: %llu (%llu with errors) in " : "calls:     %llu (%llu with errors) in ",
		      p->calls, p->errors);
	for (size_t i = 0; i < p->n_regions; i++)
		kh_buf_printf(b, "%s%s", i ? ", " : "", p->regions[i]);
	kh_buf_printf(b,
		      md ? "\n- coverage: %zu/%zu observed calls allowed (distinct action and "
			   "resource pairs)\n"
			 : "\ncoverage:  %zu/%zu observed calls allowed (distinct action and resource "
			   "pairs)\n",
		      r->coverage_allowed, r->coverage_total);
	text_used(r, b, md);
	text_entries(b, md ? "Denied" : "denied (needed, not granted)", r->denied, r->n_denied, md);
	text_entries(b, md ? "Unmapped" : "unmapped (no catalog action)", r->unmapped, r->n_unmapped,
		     md);
	text_entries(b, md ? "No permission needed" : "no permission needed", r->no_permission,
		     r->n_no_permission, md);
	if (r->granted)
		text_current(r, b, md);
}

int kh_rightsize_report(const struct kh_rightsize_result *res, enum kh_report_format f,
			struct kh_buf *out)
{
	if (f == KH_REPORT_JSON)
		json_report(res, out);
	else
		text_report(res, out, f == KH_REPORT_MARKDOWN);
	return kh_buf_error(out);
}

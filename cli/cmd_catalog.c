/* cmd_catalog.c - `keyhole catalog`: browse the IAM catalog. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "keyhole/buf.h"

static const char catalog_usage[] =
	"usage: keyhole catalog services [--json]\n"
	"       keyhole catalog actions SERVICE [--level LEVEL] [--json]\n"
	"       keyhole catalog show ACTION [--json]\n"
	"       keyhole catalog search WORDS... [--limit N] [--json]\n"
	"       keyhole catalog expand PATTERN... [--json]\n"
	"\n"
	"LEVEL is list, read, write, tagging, permissions, describe (list+read)\n"
	"or admin (all five); several may be given separated by commas.\n"
	"'expand' matches '*' and '?' wildcards case-insensitively, as IAM does.\n";

struct catalog_opts {
	int json;
	unsigned levels;
	long limit;
	char **args;
	int n_args;
};

/* Writes the level names of an action as "Read" or "Permissions management, Write". */
static void put_levels(struct kh_buf *b, unsigned levels, int json)
{
	static const unsigned order[] = {KH_LEVEL_LIST, KH_LEVEL_READ, KH_LEVEL_PERMISSIONS,
					 KH_LEVEL_TAGGING, KH_LEVEL_WRITE};
	int first = 1;
	if (json)
		kh_buf_putc(b, '[');
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(levels & order[i]))
			continue;
		if (!first)
			kh_buf_puts(b, json ? "," : ", ");
		first = 0;
		if (json)
			kh_buf_put_json_string(b, kh_level_name(order[i]));
		else
			kh_buf_puts(b, kh_level_name(order[i]));
	}
	if (json)
		kh_buf_putc(b, ']');
}

static void put_action_row(struct kh_buf *b, const struct kh_action *a, int json, int first)
{
	if (json) {
		kh_buf_puts(b, first ? "\n  {\"action\":" : ",\n  {\"action\":");
		kh_buf_put_json_string(b, a->full_name);
		kh_buf_puts(b, ",\"access_levels\":");
		put_levels(b, a->levels, 1);
		kh_buf_putc(b, '}');
	} else {
		kh_buf_printf(b, "%-60s ", a->full_name);
		put_levels(b, a->levels, 0);
		kh_buf_putc(b, '\n');
	}
}

static void put_action_list(struct kh_buf *b, const struct kh_action **acts, size_t n, int json)
{
	if (json)
		kh_buf_putc(b, '[');
	for (size_t i = 0; i < n; i++)
		put_action_row(b, acts[i], json, i == 0);
	if (json)
		kh_buf_puts(b, n ? "\n]\n" : "]\n");
}

static int flush(struct kh_buf *b)
{
	if (kh_buf_error(b)) {
		cli_error("%s", kh_strerror(kh_buf_error(b)));
		kh_buf_release(b);
		return KH_EXIT_USAGE;
	}
	fwrite(b->data, 1, b->len, stdout);
	kh_buf_release(b);
	return KH_EXIT_OK;
}

static int do_services(const struct kh_catalog *cat, const struct catalog_opts *o)
{
	struct kh_buf b;
	size_t n = kh_catalog_service_count(cat);

	kh_buf_init(&b, 0);
	if (o->json)
		kh_buf_putc(&b, '[');
	for (size_t i = 0; i < n; i++) {
		const struct kh_service *s = kh_catalog_service_at(cat, i);
		if (o->json) {
			kh_buf_puts(&b, i ? ",\n  {\"prefix\":" : "\n  {\"prefix\":");
			kh_buf_put_json_string(&b, s->prefix);
			kh_buf_puts(&b, ",\"name\":");
			kh_buf_put_json_string(&b, s->name);
			kh_buf_printf(&b, ",\"actions\":%zu}", s->n_actions);
		} else {
			kh_buf_printf(&b, "%-28s %5zu  %s\n", s->prefix, s->n_actions, s->name);
		}
	}
	if (o->json)
		kh_buf_puts(&b, "\n]\n");
	return flush(&b);
}

static const struct kh_service *find_service(const struct kh_catalog *cat, const char *prefix)
{
	const struct kh_service *svc = kh_catalog_service(cat, prefix, strlen(prefix));
	if (!svc)
		cli_error("unknown service '%s'; see 'keyhole catalog services'", prefix);
	return svc;
}

static int do_actions(const struct kh_catalog *cat, const struct catalog_opts *o)
{
	const struct kh_service *svc;
	const struct kh_action **acts;
	size_t n;
	struct kh_buf b;

	if (o->n_args != 1) {
		fputs(catalog_usage, stderr);
		return KH_EXIT_USAGE;
	}
	if (!(svc = find_service(cat, o->args[0])))
		return KH_EXIT_USAGE;
	if (kh_service_actions_at_level(svc, o->levels ? o->levels : KH_LEVEL_ALL, &acts, &n)) {
		cli_error("out of memory");
		return KH_EXIT_USAGE;
	}
	kh_buf_init(&b, 0);
	put_action_list(&b, acts, n, o->json);
	free(acts);
	return flush(&b);
}

static void show_json(struct kh_buf *b, const struct kh_action *a)
{
	kh_buf_puts(b, "{\"action\":");
	kh_buf_put_json_string(b, a->full_name);
	kh_buf_puts(b, ",\"service_name\":");
	kh_buf_put_json_string(b, a->service->name);
	kh_buf_puts(b, ",\"description\":");
	kh_buf_put_json_string(b, a->description);
	kh_buf_puts(b, ",\"access_levels\":");
	put_levels(b, a->levels, 1);
	kh_buf_puts(b, ",\"resource_types\":[");
	for (size_t i = 0; i < a->n_resources; i++) {
		const struct kh_action_resource *r = &a->resources[i];
		kh_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
		kh_buf_put_json_string(b, r->type->name);
		kh_buf_puts(b, ",\"arn\":");
		kh_buf_put_json_string(b, r->type->arn);
		kh_buf_printf(b, ",\"required\":%s}", r->required ? "true" : "false");
	}
	kh_buf_puts(b, "],\"condition_keys\":");
	kh_buf_put_json_strings(b, a->condition_keys, a->n_condition_keys);
	kh_buf_puts(b, ",\"dependent_actions\":");
	kh_buf_put_json_strings(b, a->dependent_actions, a->n_dependent_actions);
	kh_buf_puts(b, "}\n");
}

static void show_text(struct kh_buf *b, const struct kh_action *a)
{
	kh_buf_printf(b, "%s (%s)\n  %s\n  access level: ", a->full_name, a->service->name,
		      a->description);
	put_levels(b, a->levels, 0);
	kh_buf_puts(b, "\n  resource types:");
	if (!a->n_resources)
		kh_buf_puts(b, " none (Resource \"*\" only)");
	for (size_t i = 0; i < a->n_resources; i++)
		kh_buf_printf(b, "\n    %s%s  %s", a->resources[i].type->name,
			      a->resources[i].required ? "*" : "", a->resources[i].type->arn);
	kh_buf_puts(b, "\n  condition keys:");
	for (size_t i = 0; i < a->n_condition_keys; i++)
		kh_buf_printf(b, "\n    %s", a->condition_keys[i]);
	if (!a->n_condition_keys)
		kh_buf_puts(b, " none");
	kh_buf_puts(b, "\n  dependent actions:");
	for (size_t i = 0; i < a->n_dependent_actions; i++)
		kh_buf_printf(b, " %s", a->dependent_actions[i]);
	if (!a->n_dependent_actions)
		kh_buf_puts(b, " none");
	kh_buf_putc(b, '\n');
}

static int do_show(const struct kh_catalog *cat, const struct catalog_opts *o)
{
	const struct kh_action *a;
	struct kh_buf b;

	if (o->n_args != 1) {
		fputs(catalog_usage, stderr);
		return KH_EXIT_USAGE;
	}
	a = kh_catalog_action(cat, o->args[0]);
	if (!a && !kh_catalog_service(cat, o->args[0], strcspn(o->args[0], ":"))) {
		cli_error("unknown service '%.*s' in '%s'; see 'keyhole catalog services'",
			  (int)strcspn(o->args[0], ":"), o->args[0], o->args[0]);
		return KH_EXIT_USAGE;
	}
	if (!a) {
		const struct kh_action *near[5];
		size_t n = kh_catalog_suggest(cat, o->args[0], near, 5);
		fprintf(stderr, "keyhole: unknown action '%s'", o->args[0]);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "%s%s", i ? ", " : "; did you mean ", near[i]->full_name);
		fputc('\n', stderr);
		return KH_EXIT_USAGE;
	}
	kh_buf_init(&b, 0);
	if (o->json)
		show_json(&b, a);
	else
		show_text(&b, a);
	return flush(&b);
}

/* Every word must occur in the action's full name or description.
 * Hits in the name rank before hits only in the description. */
static int search_score(const struct kh_action *a, char **words, int n)
{
	int name_hits = 0;
	for (int i = 0; i < n; i++) {
		int in_name = strcasestr(a->full_name, words[i]) != NULL;
		if (!in_name && !strcasestr(a->description, words[i]) &&
		    !strcasestr(a->service->name, words[i]))
			return -1;
		name_hits += in_name;
	}
	return name_hits;
}

static int do_search(const struct kh_catalog *cat, const struct catalog_opts *o)
{
	const struct kh_action **hits = NULL;
	size_t n = 0, cap = 0;
	struct kh_buf b;

	if (o->n_args < 1) {
		fputs(catalog_usage, stderr);
		return KH_EXIT_USAGE;
	}
	/* Two passes keep ranking stable: all-name matches first, then the rest. */
	for (int want = o->n_args; want >= 0; want--) {
		for (size_t i = 0; i < kh_catalog_service_count(cat); i++) {
			const struct kh_service *s = kh_catalog_service_at(cat, i);
			for (size_t j = 0; j < s->n_actions; j++) {
				if (search_score(&s->actions[j], o->args, o->n_args) != want)
					continue;
				if (n == cap) {
					cap = cap ? cap * 2 : 64;
					hits = realloc(hits, cap * sizeof(*hits));
					if (!hits) {
						cli_error("out of memory");
						return KH_EXIT_USAGE;
					}
				}
				hits[n++] = &s->actions[j];
			}
		}
	}
	if (o->limit > 0 && n > (size_t)o->limit)
		n = (size_t)o->limit;
	kh_buf_init(&b, 0);
	put_action_list(&b, hits, n, o->json);
	free(hits);
	return flush(&b);
}

static int do_expand(const struct kh_catalog *cat, const struct catalog_opts *o)
{
	struct kh_buf b;
	int status = KH_EXIT_OK;

	if (o->n_args < 1) {
		fputs(catalog_usage, stderr);
		return KH_EXIT_USAGE;
	}
	kh_buf_init(&b, 0);
	if (o->json)
		kh_buf_putc(&b, '{');
	for (int i = 0; i < o->n_args; i++) {
		const struct kh_action **acts;
		size_t n;
		if (kh_catalog_expand(cat, o->args[i], &acts, &n)) {
			cli_error("out of memory");
			kh_buf_release(&b);
			return KH_EXIT_USAGE;
		}
		if (!n) {
			cli_error("'%s' matches no action in the catalog", o->args[i]);
			status = KH_EXIT_FAIL;
		}
		if (o->json) {
			kh_buf_puts(&b, i ? ",\n  " : "\n  ");
			kh_buf_put_json_string(&b, o->args[i]);
			kh_buf_puts(&b, ": [");
			for (size_t j = 0; j < n; j++) {
				kh_buf_puts(&b, j ? ",\n    " : "\n    ");
				kh_buf_put_json_string(&b, acts[j]->full_name);
			}
			kh_buf_puts(&b, n ? "\n  ]" : "]");
		} else {
			for (size_t j = 0; j < n; j++)
				kh_buf_printf(&b, "%s\n", acts[j]->full_name);
		}
		free(acts);
	}
	if (o->json)
		kh_buf_puts(&b, "\n}\n");
	return flush(&b) == KH_EXIT_OK ? status : KH_EXIT_USAGE;
}

static int parse_opts(int argc, char **argv, struct catalog_opts *o)
{
	o->args = calloc((size_t)argc, sizeof(*o->args));
	if (!o->args)
		return -1;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			o->json = 1;
		} else if (strcmp(argv[i], "--level") == 0 && i + 1 < argc) {
			const char *s = argv[++i];
			while (*s) {
				size_t len = strcspn(s, ",");
				unsigned bits = kh_level_parse(s, len);
				if (!bits) {
					cli_error("unknown access level '%.*s'", (int)len, s);
					return -1;
				}
				o->levels |= bits;
				s += len + (s[len] == ',');
			}
		} else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
			char *end;
			o->limit = strtol(argv[++i], &end, 10);
			if (*end || o->limit <= 0) {
				cli_error("--limit takes a positive number, not '%s'", argv[i]);
				return -1;
			}
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_error("unknown option '%s'", argv[i]);
			return -1;
		} else {
			o->args[o->n_args++] = argv[i];
		}
	}
	return 0;
}

int cmd_catalog(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(const struct kh_catalog *, const struct catalog_opts *);
	} subs[] = {
		{"services", do_services}, {"actions", do_actions}, {"show", do_show},
		{"search", do_search},     {"expand", do_expand},
	};
	struct catalog_opts o = {0};
	int status = KH_EXIT_USAGE;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(catalog_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? KH_EXIT_USAGE : KH_EXIT_OK;
	}
	if (parse_opts(argc, argv, &o)) {
		free(o.args);
		return KH_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i].name) == 0) {
			status = subs[i].fn(cli_catalog(), &o);
			free(o.args);
			return status;
		}
	cli_error("unknown catalog command '%s'", argv[1]);
	fputs(catalog_usage, stderr);
	free(o.args);
	return KH_EXIT_USAGE;
}

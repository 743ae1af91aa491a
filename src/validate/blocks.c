/* blocks.c - condition blocks written as {}: a Condition, or an operator
 * inside it, with nothing to test. The policy model keeps operator/key
 * pairs, so an empty operator block leaves no trace there; the text is
 * read again for it, only when it holds a '{' closed right away. */
#include <stdio.h>
#include <string.h>

#include "util/jsonpos.h"
#include "validate/validate_int.h"

static void report(struct vctx *vc, const char *path, struct kh_pos pos, const char *what)
{
	vc_add(vc, KH_SEV_SUGGESTION, "EMPTY_OBJECT_CONDITION", path, pos,
	       "add the conditions meant, or remove the block",
	       "%s is an empty object: it tests nothing and does not affect the statement",
	       what);
}

/* Is there a '{' whose next character other than whitespace is '}'? A
 * cheap test that may also fire inside strings. */
static int maybe_empty_object(const char *text, size_t len)
{
	for (const char *p = memchr(text, '{', len); p; p = memchr(p, '{', len - (size_t)(p - text))) {
		p++;
		while ((size_t)(p - text) < len && strchr(" \t\r\n", *p) && *p)
			p++;
		if ((size_t)(p - text) < len && *p == '}')
			return 1;
	}
	return 0;
}

static const struct kh_jpos *kid(const struct kh_jpos *jp, size_t i)
{
	return jp && i < jp->n ? &jp->kids[i] : NULL;
}

static struct kh_pos key_pos(const struct kh_jpos *jp)
{
	struct kh_pos p = {jp ? jp->key_line : 0, jp ? jp->key_col : 0};
	return p;
}

/* The member named key of object v, with its position node. */
static json_t *member(json_t *v, const struct kh_jpos *jp, const char *key,
		      const struct kh_jpos **kp)
{
	const char *k;
	json_t *val;
	size_t i = 0;

	json_object_foreach(v, k, val) {
		if (strcmp(k, key) == 0) {
			*kp = kid(jp, i);
			return val;
		}
		i++;
	}
	return NULL;
}

static void check_statement(struct vctx *vc, const struct kh_statement *st, json_t *sv,
			    const struct kh_jpos *sj)
{
	const struct kh_jpos *cj = NULL;
	json_t *cond = json_is_object(sv) ? member(sv, sj, "Condition", &cj) : NULL;
	const char *op;
	json_t *keys;
	size_t i = 0;
	char path[300], what[300];

	if (!json_is_object(cond))
		return;
	snprintf(path, sizeof(path), "%s.Condition", st->path);
	if (json_object_size(cond) == 0) {
		report(vc, path, key_pos(cj), "'Condition'");
		return;
	}
	json_object_foreach(cond, op, keys) {
		const struct kh_jpos *oj = kid(cj, i++);
		if (!json_is_object(keys) || json_object_size(keys) != 0)
			continue;
		snprintf(path, sizeof(path), "%s.Condition.%s", st->path, op);
		snprintf(what, sizeof(what), "the operator block '%s'", op);
		report(vc, path, key_pos(oj), what);
	}
}

void vc_check_empty_blocks(struct vctx *vc, const char *text, size_t len)
{
	const struct kh_policy *p = vc->policy;
	const struct kh_jpos *jp, *sj = NULL;
	struct kh_arena arena;
	json_error_t jerr;
	json_t *root, *stmts;

	if (!text) {
		/* A built policy: only a whole Condition left empty can show. */
		for (size_t i = 0; i < p->n_statements; i++) {
			const struct kh_statement *st = &p->statements[i];
			char path[64];
			if (!st->has_condition || st->n_conditions)
				continue;
			snprintf(path, sizeof(path), "%s.Condition", st->path);
			report(vc, path, st->pos, "'Condition'");
		}
		return;
	}
	if (!maybe_empty_object(text, len) || !(root = kh_json_load(text, len, 0, &jerr)))
		return;
	kh_arena_init(&arena);
	if (!(jp = kh_jpos_scan(text, len, &arena))) {
		vc->rc = KH_ENOMEM;
	} else if (json_is_object(root) && (stmts = member(root, jp, "Statement", &sj))) {
		for (size_t i = 0; i < p->n_statements; i++) {
			/* Statements that are not objects have no entry: go by path. */
			const struct kh_statement *st = &p->statements[i];
			size_t at = 0;
			if (!json_is_array(stmts))
				check_statement(vc, st, stmts, sj);
			else if (sscanf(st->path, "Statement[%zu]", &at) == 1)
				check_statement(vc, st, json_array_get(stmts, at), kid(sj, at));
		}
	}
	kh_arena_release(&arena);
	json_decref(root);
}

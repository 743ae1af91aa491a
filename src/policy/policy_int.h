/* policy_int.h - helpers shared by the policy subsystem's files. */
#ifndef KEYHOLE_POLICY_INT_H
#define KEYHOLE_POLICY_INT_H

#include "keyhole/policy.h"

enum kh_effect kh_effect_parse(const char *s);
int kh_strlist_add_at(struct kh_strlist *l, const char *s, struct kh_pos pos);
/* Appends a condition (op, key) with no values; NULL on no memory. The
 * pointer is valid until the next condition is added to st. */
struct kh_condition *kh_statement_new_condition(struct kh_statement *st, const char *op,
						const char *key);
int kh_condition_add_value(struct kh_condition *c, const char *v, enum kh_value_type type,
			   struct kh_pos pos);

#endif

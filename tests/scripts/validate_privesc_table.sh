#!/usr/bin/env bash
# src/validate/privesc_table.c is generated from data/privesc.tsv; this test
# fails when they disagree. KH_UPDATE_GOLDEN=1 regenerates the C file.
# usage: validate_privesc_table.sh KEYHOLE (unused); env KH_SOURCE_DIR.
set -euo pipefail
src=${KH_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tsv=$src/data/privesc.tsv c=$src/src/validate/privesc_table.c

generate() {
  echo '/* privesc_table.c - generated from data/privesc.tsv by'
  echo ' * tests/scripts/validate_privesc_table.sh (KH_UPDATE_GOLDEN=1); do not edit. */'
  echo '#include "validate/validate_int.h"'
  echo
  echo 'const struct vc_privesc vc_privesc_table[] = {'
  awk -F'\t' '/^#/ || NF == 0 { next }
    NF != 4 { print "bad line " NR > "/dev/stderr"; exit 1 }
    { gsub(/["\\]/, "", $4)
      printf "\t{\"%s\", \"%s\", %d,\n\t \"%s\"},\n", $1, $2, $3 == "*", $4 }' "$tsv"
  echo '};'
  echo 'const size_t vc_privesc_count = sizeof(vc_privesc_table) / sizeof(vc_privesc_table[0]);'
}

if [ "${KH_UPDATE_GOLDEN:-}" = 1 ]; then
  generate >"$c"
  echo "wrote $c"
  exit 0
fi
if ! diff -u "$c" <(generate); then
  echo "privesc_table.c is stale: run KH_UPDATE_GOLDEN=1 bash $0"
  exit 1
fi
echo "privesc table: $(grep -vc '^#' "$tsv") rows, in sync"

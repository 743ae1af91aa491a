#!/usr/bin/env bash
# The README's generate example: every action exists in the catalog and
# takes the resource it is granted on, and `keyhole validate` exits 0.
set -euo pipefail
keyhole=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$keyhole" generate --name orders-fn --source lambda \
  --allow 's3:read,list@arn:aws:s3:::orders-bucket/*' \
  --allow 'sns:write@arn:aws:sns:us-east-1:123456789012:alerts' \
  --allow 'dynamodb:read,write' --quiet >"$work/policy.json"
"$keyhole" validate --fail-on SUGGESTION "$work/policy.json"
# Independently of the validator: each action is in the catalog, and each
# statement's resources match one of the action's resource types ("*" only
# for actions that take no resource type).
checked=0
while IFS=$'\t' read -r action resource; do
  "$keyhole" catalog show --json "$action" >"$work/show.json" ||
    { echo "not in the catalog: $action"; exit 1; }
  node -e '
    const [show, resource] = [JSON.parse(require("fs").readFileSync(process.argv[1])), process.argv[2]];
    const esc = (s) => s.replace(/[.+?^()|[\]\\]/g, "\\$&");
    const ok = (resource === "*" && show.resource_types.length === 0) || show.resource_types.some((rt) => rt.arn.split("|").some((t) => {
      const parts = t.split(/(\$\{[^}]*\})/).map((p) => p.startsWith("${") ? ".*" : esc(p));
      return new RegExp("^" + parts.join("") + "$").test(resource.replace(/\*/g, "x"));
    }));
    if (!ok) { console.error(`${show.action} does not take ${resource}`); process.exit(1); }
  ' "$work/show.json" "$resource"
  checked=$((checked + 1))
done < <(node -e '
  const p = JSON.parse(require("fs").readFileSync(process.argv[1]));
  for (const st of p.Statement) for (const a of [].concat(st.Action)) for (const r of [].concat(st.Resource))
    console.log(a + "\t" + r);
' "$work/policy.json")
[ "$checked" -gt 20 ] || { echo "only $checked action/resource pairs: the example changed?"; exit 1; }
echo "readme example: $checked action/resource pairs checked against the catalog; validate exit 0"
echo "1 passed, 0 failed"

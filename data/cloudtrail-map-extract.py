#!/usr/bin/env python3
"""Regenerates the generated part of data/cloudtrail-map.tsv.

usage: cloudtrail-map-extract.py MAP_JSON CATALOG_TSV TABLE_TSV > new.tsv

MAP_JSON is iamlive's iamlivecore/map.json (corpus map-iamlive-sdk-to-iam);
CATALOG_TSV is data/catalog.tsv. Keeps TABLE_TSV up to the "#--- generated"
line and appends one A record for each SDK operation that maps to exactly
one IAM action whose name differs from the operation's, when that action is
in the catalog, belongs to the operation's own service, and the operation is
not already listed by hand. An action whose mapping overrides the ARN with a
plain template keeps that template (tmpl:); templates of the same operation
in two SDK services (API Gateway v1 and v2) are joined with '|'.
"""
import collections
import json
import sys

MARK = "#--- generated below"


def main():
    mapping = json.load(open(sys.argv[1]))
    actions = set()
    service = None
    for line in open(sys.argv[2]):
        f = line.rstrip("\n").split("\t")
        if f[0] == "S":
            service = f[1]
        elif f[0] == "A":
            actions.add((service + ":" + f[1]).lower())
    head = []
    manual = set()
    for line in open(sys.argv[3]):
        head.append(line)
        if line.startswith(MARK):
            break
        f = line.rstrip("\n").split("\t")
        if f[0] == "A":
            manual.add((f[1], f[2].lower()))

    methods = mapping["sdk_method_iam_mappings"]
    sdk_prefix = mapping["sdk_service_mappings"]
    seen = collections.defaultdict(collections.Counter)
    for key, entries in methods.items():
        for e in entries:
            seen[key.split(".", 1)[0]][e["action"].split(":")[0]] += 1

    def prefix_of(sdk):
        if sdk in sdk_prefix:
            return sdk_prefix[sdk]
        return seen[sdk].most_common(1)[0][0] if seen[sdk] else None

    out = {}
    for key, entries in sorted(methods.items()):
        sdk, op = key.split(".", 1)
        prefix = prefix_of(sdk)
        if not prefix or not entries:
            continue
        own = (prefix + ":" + op).lower()
        names = []
        for e in entries:
            if e["action"] not in names:
                names.append(e["action"])
        if len(names) != 1:
            continue
        action = names[0]
        if action.lower() not in actions or action.lower() == own:
            continue
        if action.split(":")[0] != prefix or (prefix, op.lower()) in manual:
            continue
        tmpl = None
        over = entries[0].get("arn_override", {}).get("template")
        if len(entries) == 1 and over and "%%" not in over:
            tmpl = over
        k = (prefix, op)
        if k in out:
            if out[k][0] != action:
                continue
            if tmpl and out[k][1] and tmpl not in out[k][1].split("|"):
                out[k] = (action, out[k][1] + "|" + tmpl)
            continue
        out[k] = (action, tmpl)

    sys.stdout.write("".join(head))
    for (prefix, op), (action, tmpl) in sorted(out.items(), key=lambda kv: (kv[0][0], kv[0][1].lower())):
        res = "tmpl:" + tmpl if tmpl else "-"
        sys.stdout.write("A\t%s\t%s\t%s\t%s\t-\t-\n" % (prefix, op, action, res))


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Regenerates lib/schema/grafana-dashboard-12.3.0.schema.json, a strict JSON Schema of Grafana 12.3's
# classic dashboard model, from the TypeScript types Grafana publishes in @grafana/schema (Apache-2.0).
set -euo pipefail

GRAFANA_SCHEMA_VERSION="12.3.0"
TS_JSON_SCHEMA_GENERATOR_VERSION="2.9.0"
# Pinned explicitly so the transitive compiler (ts-json-schema-generator wants ^5.9.3) cannot drift.
TYPESCRIPT_VERSION="5.9.3"
TYPES_FILE="dist/types/raw/dashboard/x/dashboard_types.gen.d.ts"
ROOT_TYPE="Dashboard"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out_dir="${repo_root}/lib/schema"
out_schema="${out_dir}/grafana-dashboard-${GRAFANA_SCHEMA_VERSION}.schema.json"
out_license="${out_dir}/LICENSE-grafana-schema"

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

# Isolated npm project in the temp dir: nothing is written to the repository.
printf '{"name":"dashgen-schema-build","private":true}\n' >"${work}/package.json"
(
  cd "${work}"
  npm install --no-save --no-package-lock --ignore-scripts --no-audit --no-fund --loglevel=error \
    "@grafana/schema@${GRAFANA_SCHEMA_VERSION}" \
    "ts-json-schema-generator@${TS_JSON_SCHEMA_GENERATOR_VERSION}" \
    "typescript@${TYPESCRIPT_VERSION}" >/dev/null
)

pkg="${work}/node_modules/@grafana/schema"
installed="$(node -p "require('${pkg}/package.json').version")"
[[ "${installed}" == "${GRAFANA_SCHEMA_VERSION}" ]] || { echo "got @grafana/schema ${installed}" >&2; exit 1; }
[[ -f "${pkg}/${TYPES_FILE}" ]] || { echo "missing ${TYPES_FILE} in @grafana/schema" >&2; exit 1; }

# Default (no --additional-properties): every object without an index signature gets additionalProperties: false.
"${work}/node_modules/.bin/ts-json-schema-generator" \
  --path "${pkg}/${TYPES_FILE}" \
  --type "${ROOT_TYPE}" \
  --out "${work}/raw.schema.json"

# Post-process: one patch where the published type disagrees with what Grafana saves: Grafana's UI
# saves `definition` (the human-readable query text) on query variables, but the VariableModel type
# lacks it: add that one optional string property.
# Then write canonical JSON (sorted keys, 2-space indent, trailing newline).
python3 - "${work}/raw.schema.json" "${work}/out.schema.json" <<'PY'
import json, sys

src, dst = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8") as f:
    schema = json.load(f)

props = schema["definitions"]["VariableModel"]["properties"]
if "definition" in props:
    sys.exit("VariableModel already has 'definition' upstream; drop the patch in regenerate_dashboard_schema.sh")
props["definition"] = {
    "type": "string",
    "description": "Human-readable form of the variable query, written by Grafana's UI.",
    "$comment": "Added by dashgen tools/regenerate_dashboard_schema.sh: missing from @grafana/schema VariableModel.",
}

with open(dst, "w", encoding="utf-8") as f:
    json.dump(schema, f, sort_keys=True, indent=2, ensure_ascii=False)
    f.write("\n")
PY

mkdir -p "${out_dir}"
mv "${work}/out.schema.json" "${out_schema}"
cp "${pkg}/LICENSE_APACHE2" "${out_license}"
echo "wrote ${out_schema#"${repo_root}/"} and ${out_license#"${repo_root}/"}"

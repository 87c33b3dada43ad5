// Validates deploy/ as far as this machine allows (no container engine, no cluster): every Kubernetes object in
// deploy/k8s against the API's schema (kubernetes-models, Kubernetes 1.3x), CloudNativePG's Cluster and
// ScheduledBackup against their CRDs' schemas (deploy/schemas), compose.yaml against the Compose specification's
// schema, the collector's config as YAML, and the Dockerfile with dockerfile-utils' linter. Prints one line a file;
// exits 1 if any file fails. Usage: node validate.mjs [DEPLOY_DIR] (default ..).
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import Ajv from "ajv";
import { parseAllDocuments, parse } from "yaml";
import { validate as lintDockerfile, ValidationSeverity } from "dockerfile-utils";

const deploy = resolve(process.argv[2] ?? join(import.meta.dirname, ".."));
const schema = (name) => JSON.parse(readFileSync(join(deploy, "schemas", name), "utf8"));
// The CRDs carry Kubernetes' own keywords (x-kubernetes-*) and formats (int32, …): neither is checked. The
// Compose schema names draft-07 by an address Ajv does not know; it is draft-07.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
const crds = {
  "postgresql.cnpg.io/v1 Cluster": ajv.compile(schema("cnpg-Cluster.json")),
  "postgresql.cnpg.io/v1 ScheduledBackup": ajv.compile(schema("cnpg-ScheduledBackup.json")),
};
const compose = ajv.compile(schema("compose-spec.json"));

let failed = 0;
const report = (file, errors) => {
  if (errors.length === 0) {
    console.log(`ok      ${file}`);
    return;
  }
  failed++;
  console.log(`FAILED  ${file}`);
  for (const error of errors) console.log(`        ${error}`);
};
const ajvErrors = (check) => (check.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);

async function kubernetesObject(object) {
  const key = `${object.apiVersion} ${object.kind}`;
  if (crds[key]) {
    const errors = crds[key](object) ? [] : ajvErrors(crds[key]);
    if (!object.metadata?.name) errors.push("metadata.name is missing");
    return errors;
  }
  const group = object.apiVersion.includes("/") ? object.apiVersion : `v1`;
  const models = await import(`kubernetes-models/${group}`).catch(() => null);
  const Model = models?.[object.kind];
  if (!Model) return [`${key}: not a kind this validator knows`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [String(error.message ?? error)];
  }
}

for (const name of readdirSync(join(deploy, "k8s")).filter((f) => f.endsWith(".yaml")).sort()) {
  const errors = [];
  for (const document of parseAllDocuments(readFileSync(join(deploy, "k8s", name), "utf8"))) {
    if (document.errors.length > 0) {
      errors.push(...document.errors.map((e) => e.message));
      continue;
    }
    const object = document.toJS();
    if (object === null) continue;
    for (const error of await kubernetesObject(object)) errors.push(`${object.kind} ${object.metadata?.name}: ${error}`);
  }
  report(`k8s/${name}`, errors);
}

const composeFile = parse(readFileSync(join(deploy, "compose.yaml"), "utf8"), { merge: true });
report("compose.yaml", compose(composeFile) ? [] : ajvErrors(compose));

try {
  parse(readFileSync(join(deploy, "compose", "otel-collector.yaml"), "utf8"));
  report("compose/otel-collector.yaml (YAML only: no schema)", []);
} catch (error) {
  report("compose/otel-collector.yaml", [error.message]);
}

const dockerfile = readFileSync(join(deploy, "Dockerfile"), "utf8");
const problems = lintDockerfile(dockerfile).filter((d) => d.severity === ValidationSeverity.ERROR || d.severity === ValidationSeverity.WARNING);
report("Dockerfile", problems.map((d) => `line ${d.range.start.line + 1}: ${d.message}`));

process.exit(failed === 0 ? 0 : 1);

// Validates Kubernetes manifests against the API's schemas, offline: each YAML document is
// checked by the model of its apiVersion and kind from kubernetes-models (generated from the
// Kubernetes OpenAPI schema). Prints one line per document; exits 1 when any is invalid, 77
// (skipped) when kubernetes-models is not installed (scripts/install-deps.sh --test installs it).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "package.json"));
let YAML;
try {
    YAML = require("yaml");
    require.resolve("kubernetes-models/package.json");
} catch {
    console.log("validate-kubernetes: kubernetes-models is not installed (scripts/install-deps.sh --test): skipped");
    process.exit(77);
}

let failed = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
    const documents = YAML.parseAllDocuments(readFileSync(file, "utf8"));
    for (const document of documents) {
        if (document.errors.length > 0) {
            console.log(`${file}: not YAML: ${document.errors[0].message}`);
            failed++;
            continue;
        }
        const object = document.toJS();
        if (object === null) {
            continue;
        }
        const { apiVersion, kind } = object;
        const name = `${file}: ${kind} ${object.metadata?.name ?? "(no name)"}`;
        const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
        const path = group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
        let Model;
        try {
            Model = (await import(join(here, "node_modules", path + ".js"))).default
                ?? (await import(join(here, "node_modules", path + ".js")))[kind];
        } catch (error) {
            console.log(`${name}: no schema for ${apiVersion} ${kind}`);
            failed++;
            continue;
        }
        try {
            new Model(object).validate();
            console.log(`${name}: valid ${apiVersion} ${kind}`);
            checked++;
        } catch (error) {
            console.log(`${name}: ${error.message}`);
            failed++;
        }
    }
}
console.log(`validate-kubernetes: ${checked} valid, ${failed} invalid`);
process.exit(failed > 0 || checked === 0 ? 1 : 0);

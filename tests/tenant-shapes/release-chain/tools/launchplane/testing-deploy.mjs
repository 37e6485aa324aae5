import { launchplane } from "./lib.mjs";

const artifactId = process.argv[2];
const body = await launchplane(
  "/v1/drivers/odoo/target-replacement-apply",
  { context: "cm", instance: "testing", artifact_id: artifactId },
  `testing-${process.env.GITHUB_RUN_ID}-${process.env.GITHUB_RUN_ATTEMPT}`,
);
console.log(`testing deploy accepted: ${body.trace_id}`);

// Ask Launchplane to apply the post-deploy settings of one instance.
// Usage (in a GitHub Actions job with id-token: write):
//   LAUNCHPLANE_URL=... node scripts/launchplane/request-launchplane-post-deploy.mjs

import { requestLaunchplane } from "./launchplane-client.mjs";

const context = process.env.LAUNCHPLANE_CONTEXT ?? "cm";
const instance = process.env.LAUNCHPLANE_INSTANCE ?? "testing";
const runId = process.env.GITHUB_RUN_ID ?? "local";
const attempt = process.env.GITHUB_RUN_ATTEMPT ?? "1";

try {
  const body = await requestLaunchplane(
    "/v1/drivers/odoo/post-deploy",
    { context, instance },
    { idempotencyKey: `post-deploy-${context}-${instance}-${runId}-${attempt}` },
  );
  console.log(`post-deploy accepted for ${context}/${instance}: trace ${body.trace_id}`);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

import { post } from "./client.mjs";

const body = await post("/v1/drivers/odoo/artifact-publish", {
  context: process.env.CONTEXT ?? "opw",
  source_commit: process.env.GITHUB_SHA,
});
console.log(body.trace_id);

import { post } from "./client.mjs";

await post("/v1/drivers/odoo/post-deploy", { context: "opw", instance: process.argv[2] ?? "testing" });

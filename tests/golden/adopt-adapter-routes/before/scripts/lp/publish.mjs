import { post } from "./client.mjs";
await post("/v1/drivers/odoo/artifact-publish", { context: "cm" });

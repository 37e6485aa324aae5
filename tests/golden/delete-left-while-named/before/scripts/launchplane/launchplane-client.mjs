// Minimal Launchplane client shared by the per-operation request scripts.
// Reads the GitHub Actions OIDC request variables (the job needs
// `permissions: id-token: write`) and posts one request to Launchplane.

import { randomUUID } from "node:crypto";

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set (does the job have id-token: write?)`);
  }
  return value;
}

export async function getIdToken(audience) {
  const url = new URL(required("ACTIONS_ID_TOKEN_REQUEST_URL"));
  url.searchParams.set("audience", audience);
  const res = await fetch(url, {
    headers: { Authorization: `Bearer ${required("ACTIONS_ID_TOKEN_REQUEST_TOKEN")}` },
  });
  if (!res.ok) {
    throw new Error(`OIDC token request failed: HTTP ${res.status}`);
  }
  const { value } = await res.json();
  return value;
}

export async function requestLaunchplane(routePath, payload, { idempotencyKey } = {}) {
  const base = required("LAUNCHPLANE_URL").replace(/\/+$/, "");
  const token = await getIdToken(base);
  const res = await fetch(`${base}${routePath}`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
      "Idempotency-Key": idempotencyKey ?? randomUUID(),
    },
    body: JSON.stringify(payload),
  });
  const body = await res.json().catch(() => ({}));
  if (res.status !== 202 || body.status !== "accepted") {
    const err = body.error ?? { code: "http_error", message: `HTTP ${res.status}` };
    throw new Error(`Launchplane rejected ${routePath}: ${err.code}: ${err.message}`);
  }
  return body;
}

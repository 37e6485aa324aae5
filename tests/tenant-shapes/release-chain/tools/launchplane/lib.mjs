// OIDC-authenticated POST to Launchplane from a GitHub Actions job.
export async function launchplane(route, payload, key) {
  const base = process.env.LAUNCHPLANE_URL;
  const tokenUrl = new URL(process.env.ACTIONS_ID_TOKEN_REQUEST_URL);
  tokenUrl.searchParams.set("audience", new URL(base).host);
  const tokenRes = await fetch(tokenUrl, {
    headers: { Authorization: `bearer ${process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` },
  });
  const { value } = await tokenRes.json();
  const res = await fetch(base + route, {
    method: "POST",
    headers: { Authorization: `Bearer ${value}`, "Idempotency-Key": key },
    body: JSON.stringify(payload),
  });
  if (res.status !== 202) throw new Error(`Launchplane ${route}: HTTP ${res.status}`);
  return res.json();
}

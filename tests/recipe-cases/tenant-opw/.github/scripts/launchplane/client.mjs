// Shared OIDC helper for the Launchplane request scripts.
export async function oidcToken(audience) {
  const url = `${process.env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=${encodeURIComponent(audience)}`;
  const res = await fetch(url, {
    headers: { Authorization: `Bearer ${process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` },
  });
  return (await res.json()).value;
}

export async function post(route, payload) {
  const base = process.env.LAUNCHPLANE_URL;
  const token = await oidcToken(base);
  const res = await fetch(base + route, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Idempotency-Key": crypto.randomUUID() },
    body: JSON.stringify(payload),
  });
  if (res.status !== 202) throw new Error(`Launchplane: HTTP ${res.status}`);
  return res.json();
}

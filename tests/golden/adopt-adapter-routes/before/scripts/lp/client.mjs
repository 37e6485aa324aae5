// Gets the job's OIDC token and posts to Launchplane.
export async function post(route, body) {
  const token = process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  return fetch(process.env.LP + route, { method: "POST", headers: { Authorization: token }, body: JSON.stringify(body) });
}

// A per-operation client from before the shared adapter.
import * as core from "@actions/core";

const getToken = core.getIDToken;
export async function request(route, body) {
  const token = await getToken("launchplane");
  return fetch(`${process.env.LAUNCHPLANE_URL}${route}`, { method: "POST", body, headers: { authorization: token } });
}
// fetch the launchplane route
export const promotion_record_id = `promo-${Date.now()}`;

// The plan review page in a real browser: Debian's chromium, headless,
// driven by playwright-core (which downloads no browser). Called by page.sh
// with the files it made; prints one "ok - " or "not ok - " line per check.
//
// usage: node page.mjs sample PAGE PLAN_JSON MATRIX_JSON PATCH_DIR SHOTS
//        node page.mjs hostile PAGE NAME SHOTS
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [mode, page, ...rest] = process.argv.slice(2);
const url = pathToFileURL(page).href;
let failed = 0;
function check(name, cond, detail) {
  if (cond) {
    console.log(`ok - ${name}`);
  } else {
    failed++;
    console.log(`not ok - ${name}`);
    if (detail !== undefined) console.log(`    ${JSON.stringify(detail)}`);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.HF_CHROMIUM || "/usr/bin/chromium",
  // as root (CI) chromium needs --no-sandbox; a small /dev/shm in a
  // container would crash it otherwise
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});

// A page in a fresh context; every request other than the page itself and
// every console error or CSP report is recorded.
async function open(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, ...options });
  const tab = await context.newPage();
  const seen = { requests: [], errors: [] };
  tab.on("request", (r) => {
    if (r.url() !== url) seen.requests.push(r.url());
  });
  tab.on("console", (m) => {
    if (m.type() === "error") seen.errors.push(m.text());
  });
  tab.on("pageerror", (e) => seen.errors.push(e.message));
  await tab.goto(url);
  return { context, tab, seen };
}

async function sample(planPath, matrixPath, patchDir, shots) {
  const plan = JSON.parse(readFileSync(planPath, "utf8"));
  const matrix = JSON.parse(readFileSync(matrixPath, "utf8"));
  const { context, tab, seen } = await open();

  // the owner matrix: one row per repo, one cell per surface, coloured by
  // owner and linked to an anchor on the page
  const surfaces = await tab.$$eval("table.grid thead th", (ths) => ths.slice(1).map((t) => t.textContent));
  const cells = await tab.$$eval("table.grid tbody tr", (rows) =>
    rows.map((tr) => ({
      repo: tr.querySelector("th").textContent,
      cells: Array.from(tr.querySelectorAll("td")).map((td) => ({
        cls: td.className,
        href: td.querySelector("a")?.getAttribute("href") ?? null,
        target: !!(td.querySelector("a") && document.querySelector(td.querySelector("a").getAttribute("href"))),
      })),
    }))
  );
  let want = [];
  let got = [];
  for (const r of matrix.repos) {
    const row = cells.find((c) => c.repo === r.repo);
    for (const s of r.surfaces) {
      const i = surfaces.indexOf(s.surface);
      const cell = row && i >= 0 ? row.cells[i] : null;
      const link = s.capability ? "#cap-" + s.capability : s.exception ? "#exc-" + s.exception : null;
      want.push(`${r.repo} ${s.surface} o-${s.owner} ${link} ${link !== null}`);
      got.push(cell ? `${r.repo} ${s.surface} ${cell.cls} ${cell.href} ${cell.target}` : `${r.repo} ${s.surface} missing`);
    }
  }
  check("grid: every classified surface is a cell coloured by its owner and linked to its capability or exception on the page",
    want.length > 0 && JSON.stringify(got) === JSON.stringify(want), { got, want });
  check("grid: one row per repo and one column per surface",
    cells.length === plan.repos.length && cells.every((c) => c.cells.length === surfaces.length),
    { rows: cells.length, surfaces: surfaces.length });

  // the fleet table: one row per repo, in plan order, with its status
  const rows = await tab.$$eval("table.fleet tbody tr", (trs) =>
    trs.map((tr) => tr.querySelector("td").textContent + " " + tr.querySelector(".st").textContent));
  check(`fleet table: ${plan.repos.length} rows with each repo's status`,
    JSON.stringify(rows) === JSON.stringify(plan.repos.map((r) => `${r.repo} ${r.status}`)), rows);

  // a diff hunk: the first hunk of a repo's patch, its header and first
  // added line as the page shows them, labelled with its step and link
  const repo = plan.repos.find((r) => r.patch && r.changes.length);
  const patch = readFileSync(join(patchDir, repo.patch), "utf8").split("\n");
  const at = patch.findIndex((l) => l.startsWith("@@ "));
  let file = patch.slice(0, at).reverse().find((l) => l.startsWith("+++ ") || l.startsWith("--- "));
  file = file.slice(6);
  const added = patch.slice(at + 1).find((l) => l.startsWith("+")).slice(1);
  const section = `section.repo[data-repo-name="${repo.repo}"]`;
  const hunk = await tab.evaluate(([section, file]) => {
    const det = Array.from(document.querySelectorAll(section + " details.file"))
      .find((d) => d.querySelector("summary code:last-of-type").textContent === file);
    if (!det) return null;
    const h = det.querySelector("tr.h th");
    return {
      header: h.firstChild.textContent,
      label: h.querySelector(".step")?.textContent,
      link: h.querySelector(".step a")?.getAttribute("href"),
      added: Array.from(det.querySelectorAll("tr")).map((tr) => tr.querySelector("td.a")?.textContent).filter(Boolean),
    };
  }, [section, file]);
  const change = repo.changes.find((c) => c.path === file || c.to === file);
  const link = change.capability ? `#cap-${change.capability}` : `#exc-${change.exception}`;
  check(`diff: ${repo.repo} ${file}: the hunk's header and added line, side by side`,
    hunk && hunk.header.trim() === patch[at] && hunk.added.includes(added), { hunk, header: patch[at], added });
  check(`diff: the hunk is labelled '${change.recipe} step ${change.step}' with its link ${link}`,
    hunk && hunk.label.startsWith(`${change.recipe} step ${change.step} `) && hunk.link === link, hunk);
  const coloured = await tab.$$eval("table.diff span.k", (s) => s.length);
  check("diff: YAML keys are coloured", coloured > 0, coloured);

  // filters: by status, then by family
  const visible = () => tab.$$eval("section.repo", (s) => s.filter((x) => !x.hidden).map((x) => x.dataset.repoName));
  const shownRows = () => tab.$$eval("table.fleet tbody tr", (s) => s.filter((x) => !x.hidden).length);
  const statuses = [...new Set(plan.repos.map((r) => r.status))];
  const off = statuses[0];
  await tab.uncheck(`#filters input[value="${off}"]`);
  const afterStatus = await visible();
  const wantStatus = plan.repos.filter((r) => r.status !== off).map((r) => r.repo);
  check(`filter: without status '${off}' the other repos and rows are shown`,
    JSON.stringify(afterStatus) === JSON.stringify(wantStatus) && (await shownRows()) === wantStatus.length, afterStatus);
  await tab.check(`#filters input[value="${off}"]`);
  const family = matrix.repos[matrix.repos.length - 1].family;
  await tab.selectOption("#filters select", family);
  const afterFamily = await visible();
  const wantFamily = matrix.repos.filter((r) => r.family === family).map((r) => r.repo);
  check(`filter: family '${family}' shows its repos only`, JSON.stringify(afterFamily) === JSON.stringify(wantFamily), afterFamily);
  await tab.selectOption("#filters select", "");

  // keyboard: j / n forward, k / p back
  const current = () => tab.evaluate(() => [document.querySelector("section.repo.current")?.dataset.repoName, location.hash]);
  const names = plan.repos.map((r) => r.repo);
  await tab.click("h1"); // out of the filter's select, whose keys are its own
  await tab.keyboard.press("j");
  const first = await current();
  await tab.keyboard.press("n");
  const second = await current();
  await tab.keyboard.press("k");
  const back = await current();
  await tab.keyboard.press("p");
  const stay = await current();
  check("keys: j and n move to the next repo, k and p back",
    first[0] === names[0] && first[1] === "#repo-1" && second[0] === names[1] && back[0] === names[0] && stay[0] === names[0],
    { first, second, back, stay });

  // self-contained: nothing fetched, nothing loaded from elsewhere
  const external = await tab.evaluate(() => ({
    src: document.querySelectorAll("[src]").length,
    sheets: document.querySelectorAll("link").length,
    away: Array.from(document.querySelectorAll("a[href]"))
      .map((a) => a.getAttribute("href"))
      .filter((h) => !h.startsWith("#"))
      .filter((h) => !Array.from(document.querySelectorAll("table.links a")).some((a) => a.getAttribute("href") === h)),
  }));
  check("self-contained: no request, no src, no stylesheet link; outside links only for capability docs and exception issues",
    seen.requests.length === 0 && external.src === 0 && external.sheets === 0 && external.away.length === 0,
    { requests: seen.requests, external });
  check("no console error or CSP report", seen.errors.length === 0, seen.errors);
  await tab.screenshot({ path: join(shots, "sample.png") });
  await tab.evaluate(() => document.querySelector("section.repo details.file").scrollIntoView());
  await tab.screenshot({ path: join(shots, "sample-diff.png") });
  await context.close();

  // without JavaScript: every repo and diff is there, the filters are not
  const nojs = await open({ javaScriptEnabled: false });
  const shown = await nojs.tab.$$eval("section.repo", (s) => s.filter((x) => x.offsetParent !== null).length);
  const openFiles = await nojs.tab.$$eval("details.file", (d) => d.every((x) => x.open));
  const filters = await nojs.tab.$$eval("#filters, #keys", (f) => f.length === 2 && f.every((x) => x.offsetParent === null));
  check("without JavaScript: every repo shown, diffs open, filters and keys hint hidden",
    shown === plan.repos.length && openFiles && filters, { shown, openFiles, filters });
  await nojs.tab.screenshot({ path: join(shots, "sample-nojs.png") });
  await nojs.context.close();
}

async function hostile(name, shots) {
  // bypassCSP: escaping alone must keep the script from running; the CSP
  // is a second wall, checked in the second pass
  for (const bypassCSP of [true, false]) {
    const { context, tab, seen } = await open({ bypassCSP });
    const ran = await tab.evaluate(() => ({ pwned: window.__pwned ?? null, title: document.title }));
    const how = bypassCSP ? "with the CSP bypassed" : "under the page's CSP";
    check(`hostile (${how}): the <script> in a file name and the markup in diff lines did not run`,
      ran.pwned === null && !ran.title.includes("pwned") && seen.errors.length === 0, { ran, errors: seen.errors });
    const text = await tab.$$eval("details.file summary code", (c) => c.map((x) => x.textContent));
    check(`hostile (${how}): the file name is shown as text`, text.includes(name), text);
    const lines = await tab.$$eval("table.diff td:not(.ln)", (c) => c.map((x) => x.textContent));
    check(`hostile (${how}): diff lines with markup are shown as text`,
      lines.includes('<img src=x onerror="window.__pwned=2">') &&
      lines.includes("echo new </td></tr></table><script>window.__pwned=3</script>"), lines);
    const injected = await tab.$$eval("script, img, iframe", (e) => e.length);
    check(`hostile (${how}): the page has its own script and no injected element`, injected === 1, injected);
    if (!bypassCSP) await tab.screenshot({ path: join(shots, "hostile.png"), fullPage: true });
    await context.close();
  }
}

try {
  if (mode === "sample") await sample(...rest);
  else await hostile(...rest);
} catch (e) {
  check(`browser run (${mode})`, false, String(e.stack || e));
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);

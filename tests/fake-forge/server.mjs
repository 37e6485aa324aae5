#!/usr/bin/env node
// A stateful fake of the GitHub REST endpoints handoff uses, for tests. It is
// strict where GitHub is lenient (required headers, exact JSON bodies), keeps
// pull requests, issues, comments, labels, reviewers and branches in memory,
// holds issue edits to the dashboard markers, paginates
// with `link` headers, answers conditional GETs with 304, and can inject
// faults. Built-in modules only. See README.md beside this file.
import http from 'node:http';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// ---- options -------------------------------------------------------------

function parseArgs(argv) {
  const opts = {
    port: 0,
    stateDir: null,
    token: process.env.FAKE_FORGE_TOKEN || 'fake-forge-token',
    pageSize: 100,
    user: 'handoff-bot',
    exitWithStdin: false,
    appId: null,
    appKey: null,
    gitRoot: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--port') opts.port = Number(val());
    else if (a === '--state-dir') opts.stateDir = val();
    else if (a === '--token') opts.token = val();
    else if (a === '--page-size') opts.pageSize = Number(val());
    else if (a === '--user') opts.user = val();
    else if (a === '--exit-with-stdin') opts.exitWithStdin = true;
    else if (a === '--app-id') opts.appId = val();
    else if (a === '--app-key') opts.appKey = val();
    else if (a === '--git-root') opts.gitRoot = val();
    else if (a === '--help' || a === '-h') usage(null);
    else usage(`unknown option ${a}`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 0) usage('--port must be a number');
  if (!Number.isInteger(opts.pageSize) || opts.pageSize < 1) usage('--page-size must be >= 1');
  return opts;
}

function usage(problem) {
  const text =
    'usage: server.mjs [--port N] [--state-dir DIR] [--token T] [--page-size N]\n' +
    '                  [--user LOGIN] [--exit-with-stdin] [--app-id N --app-key PEM]\n' +
    '                  [--git-root DIR]\n';
  if (problem) {
    process.stderr.write(`fake-forge: ${problem}\n${text}`);
    process.exit(2);
  }
  process.stdout.write(text);
  process.exit(0);
}

const opts = parseArgs(process.argv.slice(2));

// ---- state ---------------------------------------------------------------

// Everything a test can observe through /_control/state, and what is saved to
// STATE_DIR/state.json after every change.
function emptyState() {
  return { repos: {}, next_id: 1000, violations: [] };
}

let state = emptyState();
let requestLog = [];
let faults = [];
let seq = 0;
let rateRemaining = 5000;
const config = {
  page_size: opts.pageSize,
  user: opts.user,
  token: opts.token,
  app_id: opts.appId,
  app_slug: 'handoff-app',
  installations: null, // null: the App is installed for every owner; else {owner: id}
  token_lifetime: 3600,
};

// ---- the GitHub App ------------------------------------------------------

// The App's public key (from --app-key or /_control/config app_key: a PEM
// private or public key); JWTs must verify against it.
let appKey = null;
function setAppKey(pem) {
  appKey = pem ? crypto.createPublicKey(pem) : null;
}
if (opts.appKey) setAppKey(fs.readFileSync(opts.appKey, 'utf8'));

let minted = []; // {token, installation, owner, expires, n}
let installIds = {}; // owner (lower case) -> id, when every owner is installed

function installationFor(owner) {
  const key = owner.toLowerCase();
  if (config.installations) {
    for (const [o, id] of Object.entries(config.installations))
      if (o.toLowerCase() === key) return { id, owner: o };
    return null;
  }
  if (!installIds[key]) installIds[key] = 1001 + Object.keys(installIds).length;
  return { id: installIds[key], owner };
}

function installationById(id) {
  if (config.installations) {
    for (const [o, i] of Object.entries(config.installations)) if (i === id) return { id, owner: o };
    return null;
  }
  for (const [o, i] of Object.entries(installIds)) if (i === id) return { id, owner: o };
  return null;
}

const JWT_UNDECODABLE = 'A JSON web token could not be decoded';

// The problem with a JWT, as GitHub words it, or null when it is good.
function jwtProblem(jwt) {
  const parts = jwt.split('.');
  if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p))) return JWT_UNDECODABLE;
  let header, payload;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return JWT_UNDECODABLE;
  }
  if (!appKey || header.alg !== 'RS256') return JWT_UNDECODABLE;
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  if (!crypto.verify('RSA-SHA256', signed, appKey, Buffer.from(parts[2], 'base64url')))
    return JWT_UNDECODABLE;
  const now = Date.now() / 1000;
  if (!Number.isInteger(payload.iss) && !/^\d+$/.test(String(payload.iss)))
    return "'Issuer' claim ('iss') must be an Integer";
  if (String(payload.iss) !== String(config.app_id)) return 'Integration not found';
  if (!Number.isInteger(payload.iat) || payload.iat > now + 30)
    return "'Issued at' claim ('iat') must be an Integer representing a time in the past";
  if (!Number.isInteger(payload.exp) || payload.exp <= now)
    return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
  if (payload.exp - now > 630) return "'Expiration time' claim ('exp') is too far in the future";
  return null;
}

// Where the git server of the tests learns which installation tokens to
// take: one "TOKEN EXPIRES" per line.
function writeTokensFile() {
  if (!opts.stateDir) return;
  const file = path.join(opts.stateDir, 'installation-tokens');
  fs.writeFileSync(file + '.tmp', minted.map((m) => `${m.token} ${m.expires}\n`).join(''));
  fs.renameSync(file + '.tmp', file);
}

function mintToken(inst) {
  const n = minted.length + 1;
  const token = `ghs_${crypto.randomBytes(18).toString('base64url').replace(/[-_]/g, 'x')}`;
  const expires = Math.floor(Date.now() / 1000) + Number(config.token_lifetime);
  minted.push({ token, installation: inst.id, owner: inst.owner, expires, n });
  writeTokensFile();
  return { token, expires_at: new Date(expires * 1000).toISOString().replace(/\.\d+Z$/, 'Z') };
}

function isAppRoute(parts) {
  return (
    parts[0] === 'app' ||
    (parts[0] === 'repos' && parts.length === 4 && parts[3] === 'installation') ||
    ((parts[0] === 'orgs' || parts[0] === 'users') && parts.length === 3 && parts[2] === 'installation')
  );
}

function handleApp(req, parts, body) {
  const m = req.method;
  if (parts.length === 1 && m === 'GET')
    return json(200, { id: Number(config.app_id), slug: config.app_slug, name: config.app_slug });
  if (parts[0] !== 'app') {
    const inst = installationFor(parts[1]);
    if (!inst) return notFound();
    return json(200, {
      id: inst.id,
      app_id: Number(config.app_id),
      account: renderUser(inst.owner),
      repository_selection: 'all',
      permissions: { contents: 'write', pull_requests: 'write', issues: 'write', metadata: 'read' },
    });
  }
  const tokMatch = parts.length === 4 && parts[1] === 'installations' && parts[3] === 'access_tokens';
  if (tokMatch && m === 'POST') {
    const bad = checkFields(body ?? {}, { repositories: 'object', repository_ids: 'object', permissions: 'object' });
    if (bad) return bad;
    const inst = installationById(Number(parts[2]));
    if (!inst) return notFound();
    const t = mintToken(inst);
    return json(201, {
      token: t.token,
      expires_at: t.expires_at,
      permissions: { contents: 'write', pull_requests: 'write', issues: 'write', metadata: 'read' },
      repository_selection: 'all',
    });
  }
  return notFound();
}

if (opts.stateDir) {
  fs.mkdirSync(opts.stateDir, { recursive: true });
  const file = path.join(opts.stateDir, 'state.json');
  if (fs.existsSync(file)) state = JSON.parse(fs.readFileSync(file, 'utf8'));
}

function saveState() {
  if (!opts.stateDir) return;
  const file = path.join(opts.stateDir, 'state.json');
  fs.writeFileSync(file + '.tmp', JSON.stringify(state, null, 2));
  fs.renameSync(file + '.tmp', file);
}

function appendLog(entry) {
  requestLog.push(entry);
  if (opts.stateDir)
    fs.appendFileSync(path.join(opts.stateDir, 'requests.jsonl'), JSON.stringify(entry) + '\n');
}

function repoState(full) {
  if (!state.repos[full]) {
    state.repos[full] = {
      default_branch: 'main',
      branches: null, // null: any branch exists; else {name: sha}
      deleted_branches: [],
      next_number: 1,
      pulls: [],
      comments: [],
      reviews: [],
      issues: [],
    };
  }
  state.repos[full].issues ??= [];
  return state.repos[full];
}

function nowIso() {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function fakeSha(text) {
  return crypto.createHash('sha1').update(text).digest('hex');
}

// ---- real repositories (--git-root) ------------------------------------------

// With --git-root DIR, repository owner/name is the bare repo DIR/name.git
// (the git server of the tests serves the same directory): its branches
// are real, and the git refs endpoints and GraphQL commits act on it.
function gitDir(full) {
  if (!opts.gitRoot) return null;
  const dir = path.join(opts.gitRoot, `${full.split('/')[1]}.git`);
  return fs.existsSync(path.join(dir, 'HEAD')) ? dir : null;
}

function git(dir, args, input, env) {
  return execFileSync('git', ['--git-dir', dir, ...args], {
    input,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 256 << 20,
  }).toString('utf8').trim();
}

// The commit refs/heads/name points to, or null.
function realTip(dir, name) {
  try {
    return git(dir, ['rev-parse', '-q', '--verify', `refs/heads/${name}^{commit}`]);
  } catch {
    return null;
  }
}

function branchExists(full, repo, name) {
  if (repo.branches) return Object.prototype.hasOwnProperty.call(repo.branches, name);
  const dir = gitDir(full);
  if (dir) return realTip(dir, name) !== null;
  return !repo.deleted_branches.includes(name);
}

function branchSha(full, repo, name) {
  if (repo.branches && repo.branches[name]) return repo.branches[name];
  const dir = gitDir(full);
  const tip = dir && realTip(dir, name);
  return tip || fakeSha(`${full}:${name}`);
}

// ---- rendering as GitHub does --------------------------------------------

function apiBase(req, prefix) {
  return `http://${req.headers.host}${prefix}`;
}

function renderUser(login) {
  return { login, id: 1, type: login.endsWith('[bot]') ? 'Bot' : 'User' };
}

function renderLabel(name) {
  return { id: 1, name, color: 'ededed', default: false };
}

function renderPr(req, prefix, full, pr, single) {
  const [owner, name] = full.split('/');
  const base = apiBase(req, prefix);
  const out = {
    url: `${base}/repos/${full}/pulls/${pr.number}`,
    id: pr.id,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    body: pr.body,
    draft: pr.draft,
    user: renderUser(pr.user),
    labels: pr.labels.map(renderLabel),
    requested_reviewers: pr.requested_reviewers.map(renderUser),
    requested_teams: pr.requested_teams.map((slug) => ({ slug, name: slug })),
    head: {
      label: `${owner}:${pr.head}`,
      ref: pr.head,
      sha: pr.head_sha,
      user: renderUser(owner),
      repo: { full_name: full, name },
    },
    base: {
      label: `${owner}:${pr.base}`,
      ref: pr.base,
      sha: fakeSha(`${full}:${pr.base}`),
      user: renderUser(owner),
      repo: { full_name: full, name },
    },
    html_url: `https://github.com/${full}/pull/${pr.number}`,
    created_at: pr.created_at,
    updated_at: pr.updated_at,
    closed_at: pr.closed_at,
    merged_at: pr.merged_at,
  };
  // The list endpoint has merged_at only; a single pull request also has merged.
  if (single) out.merged = pr.merged;
  return out;
}

function renderIssue(full, issue) {
  return {
    id: issue.id,
    number: issue.number,
    state: issue.state,
    title: issue.title,
    body: issue.body,
    user: renderUser(issue.user),
    labels: [],
    locked: false,
    html_url: `https://github.com/${full}/issues/${issue.number}`,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.state === 'closed' ? issue.updated_at : null,
  };
}

// ---- the dashboard markers -----------------------------------------------

// handoff status --sync-issue owns the text between its markers; everything
// else in the body is a person's. The fake holds it to that on every PATCH.
const BLOCK_RE = /<!-- handoff:status:begin[^>]*-->[\s\S]*?<!-- handoff:status:end[^>]*-->/g;
const BLOCK = '\u0000BLOCK\u0000';
const outsideBlocks = (body) => (body ?? '').replace(BLOCK_RE, BLOCK);

// Why the text outside the markers differs between before and after, or
// null: it must be the same byte for byte, except that a block may be
// appended at the end after blank lines.
function outsideChange(before, after) {
  const a = outsideBlocks(before);
  const b = outsideBlocks(after);
  if (a === b) return null;
  if (b.startsWith(a) && /^\s*\u0000BLOCK\u0000\s*$/.test(b.slice(a.length))) return null;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return `the text outside the handoff markers changed at character ${i}: ` +
    `${JSON.stringify(a.slice(i, i + 40))} became ${JSON.stringify(b.slice(i, i + 40))}`;
}

function renderComment(full, c) {
  return {
    id: c.id,
    body: c.body,
    user: renderUser(c.user),
    html_url: `https://github.com/${full}/pull/${c.number}#issuecomment-${c.id}`,
    created_at: c.created_at,
  };
}

// ---- responses -------------------------------------------------------------

class Reply {
  constructor(status, body, headers = {}) {
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

const json = (status, body, headers) => new Reply(status, body, headers);
const notFound = () =>
  json(404, {
    message: 'Not Found',
    documentation_url: 'https://docs.github.com/rest',
  });
const invalid = (message, errors) =>
  json(422, errors ? { message, errors } : { message });

function paginate(req, url, items) {
  const perPage = Math.max(
    1,
    Math.min(Number(url.searchParams.get('per_page') || 30), config.page_size, 100),
  );
  const page = Math.max(1, Number(url.searchParams.get('page') || 1));
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = [];
  const at = (p) => {
    const u = new URL(url.toString());
    u.searchParams.set('page', String(p));
    // url is the request's own URL, /api/v3 prefix included.
    return `<http://${req.headers.host}${u.pathname}${u.search}>`;
  };
  if (page < last) link.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
  if (page > 1) link.push(`${at(1)}; rel="first"`, `${at(page - 1)}; rel="prev"`);
  return json(200, slice, link.length ? { link: link.join(', ') } : {});
}

// ---- body checking ---------------------------------------------------------

// Checks a JSON object against {field: type}; returns an error Reply or null.
function checkFields(body, spec, required = []) {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return json(400, { message: 'Problems parsing JSON' });
  for (const k of Object.keys(body)) {
    if (!(k in spec)) return invalid(`fake-forge: unexpected field "${k}"`);
    const t = spec[k];
    const v = body[k];
    const ok =
      t === 'string[]'
        ? Array.isArray(v) && v.every((x) => typeof x === 'string')
        : typeof v === t;
    if (!ok) return invalid(`fake-forge: field "${k}" must be ${t}`);
  }
  for (const k of required)
    if (!(k in body)) return invalid(`fake-forge: field "${k}" is required`);
  return null;
}

// ---- the API ---------------------------------------------------------------

function findPr(repo, number) {
  return repo.pulls.find((p) => p.number === number);
}

function handleApi(req, prefix, url, parts, body) {
  const m = req.method;
  if (parts.length === 1 && parts[0] === 'user' && m === 'GET')
    return req.who && req.who.minted
      ? json(403, { message: 'Resource not accessible by integration' })
      : json(200, renderUser(config.user));
  const actor = req.who && req.who.minted ? `${config.app_slug}[bot]` : config.user;
  if (parts[0] !== 'repos' || parts.length < 3) return notFound();
  const full = `${parts[1]}/${parts[2]}`;
  const rest = parts.slice(3);
  const repo = repoState(full);
  const sub = rest.join('/');

  if (rest.length === 0 && m === 'GET')
    return json(200, { full_name: full, name: parts[2], default_branch: repo.default_branch });

  if (sub === 'branches' && m === 'GET') {
    const names = repo.branches ? Object.keys(repo.branches).sort() : [];
    return paginate(
      req,
      url,
      names.map((n) => ({ name: n, commit: { sha: repo.branches[n] } })),
    );
  }

  if (sub === 'pulls' && m === 'GET') {
    const st = url.searchParams.get('state') || 'open';
    if (!['open', 'closed', 'all'].includes(st))
      return invalid('Validation Failed', [{ field: 'state', code: 'invalid' }]);
    let list = repo.pulls.filter((p) => st === 'all' || p.state === st);
    const head = url.searchParams.get('head');
    if (head !== null) {
      const i = head.indexOf(':');
      if (i < 0) return invalid('fake-forge: head must be "owner:branch"');
      const owner = head.slice(0, i);
      const branch = head.slice(i + 1);
      list = owner.toLowerCase() === parts[1].toLowerCase()
        ? list.filter((p) => p.head === branch)
        : [];
    }
    const baseRef = url.searchParams.get('base');
    if (baseRef !== null) list = list.filter((p) => p.base === baseRef);
    list = [...list].sort((a, b) => b.number - a.number);
    return paginate(req, url, list.map((p) => renderPr(req, prefix, full, p, false)));
  }

  if (sub === 'pulls' && m === 'POST') {
    const bad = checkFields(
      body,
      { title: 'string', body: 'string', head: 'string', base: 'string', draft: 'boolean',
        maintainer_can_modify: 'boolean' },
      ['head', 'base'],
    );
    if (bad) return bad;
    if (!body.title) return invalid('Validation Failed', [{ resource: 'PullRequest', field: 'title', code: 'missing_field' }]);
    let head = body.head;
    const i = head.indexOf(':');
    if (i >= 0) {
      if (head.slice(0, i).toLowerCase() !== parts[1].toLowerCase())
        return invalid('Validation Failed', [{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
      head = head.slice(i + 1);
    }
    if (!branchExists(full, repo, head))
      return invalid('Validation Failed', [{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
    if (!branchExists(full, repo, body.base))
      return invalid('Validation Failed', [{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
    if (head === body.base)
      return invalid('Validation Failed', [{ resource: 'PullRequest', code: 'custom', message: `No commits between ${body.base} and ${head}` }]);
    if (repo.pulls.some((p) => p.state === 'open' && p.head === head && p.base === body.base))
      return invalid('Validation Failed', [
        { resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${parts[1]}:${head}.` },
      ]);
    const pr = newPr(full, repo, {
      user: actor,
      title: body.title,
      body: body.body ?? null,
      head,
      base: body.base,
      draft: body.draft ?? false,
    });
    return json(201, renderPr(req, prefix, full, pr, true));
  }

  const pullMatch = /^pulls\/(\d+)(?:\/(requested_reviewers|reviews))?$/.exec(sub);
  if (pullMatch) {
    const pr = findPr(repo, Number(pullMatch[1]));
    if (!pr) return notFound();
    const what = pullMatch[2];
    if (!what && m === 'GET') return json(200, renderPr(req, prefix, full, pr, true));
    if (!what && m === 'PATCH') return patchPr(req, prefix, full, repo, pr, body);
    if (what === 'requested_reviewers' && m === 'GET')
      return json(200, {
        users: pr.requested_reviewers.map(renderUser),
        teams: pr.requested_teams.map((slug) => ({ slug, name: slug })),
      });
    if (what === 'requested_reviewers' && m === 'POST') {
      const bad = checkFields(body, { reviewers: 'string[]', team_reviewers: 'string[]' });
      if (bad) return bad;
      const users = body.reviewers || [];
      const teams = body.team_reviewers || [];
      if (!users.length && !teams.length)
        return invalid('fake-forge: reviewers or team_reviewers must not be empty');
      if (users.some((u) => u.toLowerCase() === pr.user.toLowerCase()))
        return invalid('Review cannot be requested from pull request author.');
      for (const u of users)
        if (!pr.requested_reviewers.some((x) => x.toLowerCase() === u.toLowerCase()))
          pr.requested_reviewers.push(u);
      for (const t of teams)
        if (!pr.requested_teams.some((x) => x.toLowerCase() === t.toLowerCase()))
          pr.requested_teams.push(t);
      pr.updated_at = nowIso();
      return json(201, renderPr(req, prefix, full, pr, true));
    }
    if (what === 'reviews' && m === 'GET')
      return paginate(
        req,
        url,
        repo.reviews
          .filter((r) => r.number === pr.number)
          .map((r) => ({ id: r.id, user: renderUser(r.user), state: r.state, body: r.body || '' })),
      );
    return notFound();
  }

  const oneIssue = /^issues\/(\d+)$/.exec(sub);
  if (oneIssue) {
    const issue = repo.issues.find((i) => i.number === Number(oneIssue[1]));
    if (!issue) {
      // GitHub serves pull requests as issues too; the fake only reads them.
      const pr = findPr(repo, Number(oneIssue[1]));
      if (pr && m === 'GET')
        return json(200, { ...renderIssue(full, { ...pr, user: pr.user }),
          html_url: `https://github.com/${full}/pull/${pr.number}`, pull_request: { url: '' } });
      return notFound();
    }
    if (m === 'GET') return json(200, renderIssue(full, issue));
    if (m === 'PATCH') return patchIssue(full, issue, body);
    return notFound();
  }

  const issueMatch = /^issues\/(\d+)\/(comments|labels)$/.exec(sub);
  if (issueMatch) {
    const pr = findPr(repo, Number(issueMatch[1]));
    if (!pr) return notFound();
    if (issueMatch[2] === 'comments' && m === 'GET')
      return paginate(
        req,
        url,
        repo.comments.filter((c) => c.number === pr.number).map((c) => renderComment(full, c)),
      );
    if (issueMatch[2] === 'comments' && m === 'POST') {
      const bad = checkFields(body, { body: 'string' }, ['body']);
      if (bad) return bad;
      const c = { id: state.next_id++, number: pr.number, body: body.body, user: actor, created_at: nowIso() };
      repo.comments.push(c);
      return json(201, renderComment(full, c));
    }
    if (issueMatch[2] === 'labels' && m === 'GET')
      return paginate(req, url, pr.labels.map(renderLabel));
    if (issueMatch[2] === 'labels' && m === 'POST') {
      let names = body;
      if (!Array.isArray(body)) {
        const bad = checkFields(body, { labels: 'string[]' }, ['labels']);
        if (bad) return bad;
        names = body.labels;
      } else if (!body.every((x) => typeof x === 'string')) {
        return invalid('fake-forge: labels must be strings');
      }
      if (!names.length) return invalid('fake-forge: labels must not be empty');
      for (const n of names)
        if (!pr.labels.some((x) => x.toLowerCase() === n.toLowerCase())) pr.labels.push(n);
      pr.updated_at = nowIso();
      return json(200, pr.labels.map(renderLabel));
    }
    return notFound();
  }

  const dir = gitDir(full);
  if (dir && rest[0] === 'git' && (rest[1] === 'ref' || rest[1] === 'refs')) {
    const reply = handleRefs(full, dir, m, rest, body);
    if (reply) return reply;
  }

  if (rest[0] === 'git' && rest[1] === 'refs' && rest[2] === 'heads' && rest.length > 3 && m === 'DELETE') {
    const branch = rest.slice(3).join('/');
    if (!branchExists(full, repo, branch)) return invalid('Reference does not exist');
    if (repo.branches) delete repo.branches[branch];
    else if (dir) git(dir, ['update-ref', '-d', `refs/heads/${branch}`]);
    else repo.deleted_branches.push(branch);
    // GitHub closes the open pull requests whose head branch goes away.
    for (const p of repo.pulls)
      if (p.head === branch && p.state === 'open') {
        p.state = 'closed';
        p.closed_at = p.updated_at = nowIso();
      }
    return new Reply(204, null);
  }

  return notFound();
}

// GET git/ref/heads/B, POST git/refs, PATCH git/refs/heads/B on a real
// repository; null for anything else.
function handleRefs(full, dir, m, rest, body) {
  const renderRef = (ref, sha) => ({ ref, node_id: `REF_${Buffer.from(`${full}:${ref}`).toString('base64url')}`, object: { sha, type: 'commit' } });
  const isCommit = (sha) => {
    try {
      git(dir, ['cat-file', '-e', `${sha}^{commit}`]);
      return /^[0-9a-f]{40}$/.test(sha);
    } catch {
      return false;
    }
  };
  if (m === 'GET' && rest[1] === 'ref' && rest[2] === 'heads' && rest.length > 3) {
    const name = rest.slice(3).join('/');
    const tip = realTip(dir, name);
    return tip ? json(200, renderRef(`refs/heads/${name}`, tip)) : notFound();
  }
  if (m === 'POST' && rest[1] === 'refs' && rest.length === 2) {
    const bad = checkFields(body, { ref: 'string', sha: 'string', key: 'string' }, ['ref', 'sha']);
    if (bad) return bad;
    if (!/^refs\/heads\/[^\s~^:?*[\\]+$/.test(body.ref) || body.ref.endsWith('/'))
      return invalid('Reference name is not valid');
    if (!isCommit(body.sha)) return invalid('Object does not exist');
    const name = body.ref.slice('refs/heads/'.length);
    if (realTip(dir, name)) return invalid('Reference already exists');
    git(dir, ['update-ref', body.ref, body.sha, '0'.repeat(40)]);
    return json(201, renderRef(body.ref, body.sha));
  }
  if (m === 'PATCH' && rest[1] === 'refs' && rest[2] === 'heads' && rest.length > 3) {
    const bad = checkFields(body, { sha: 'string', force: 'boolean' }, ['sha']);
    if (bad) return bad;
    const name = rest.slice(3).join('/');
    const tip = realTip(dir, name);
    if (!tip) return invalid('Reference does not exist');
    if (!isCommit(body.sha)) return invalid('Object does not exist');
    if (!body.force) {
      try {
        git(dir, ['merge-base', '--is-ancestor', tip, body.sha]);
      } catch {
        return invalid('Update is not a fast forward');
      }
    }
    git(dir, ['update-ref', `refs/heads/${name}`, body.sha, tip]);
    return json(200, renderRef(`refs/heads/${name}`, body.sha));
  }
  return null;
}

// ---- GraphQL: createCommitOnBranch and updateRefs ---------------------------

const ZERO_OID = '0'.repeat(40);
const repoNodeId = (full) => `R_${Buffer.from(full).toString('base64url')}`;

function gqlError(message, type) {
  return json(200, { data: null, errors: [type ? { type, message } : { message }] });
}

// Checks an input object against {field: type}; a GraphQL validation error
// (as GitHub words it) or null.
function gqlFields(value, typeName, spec, required = []) {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return `Variable $input of type ${typeName}! was provided invalid value`;
  for (const k of Object.keys(value)) {
    if (!(k in spec)) return `Variable $input of type ${typeName}! was provided invalid value for ${k} (Field is not defined on ${typeName})`;
    const t = spec[k];
    const ok = t === 'array' ? Array.isArray(value[k]) : typeof value[k] === t && value[k] !== null;
    if (!ok) return `Variable $input of type ${typeName}! was provided invalid value for ${k} (Could not coerce value to ${t})`;
  }
  for (const k of required)
    if (!(k in value)) return `Variable $input of type ${typeName}! was provided invalid value for ${k} (Expected value to not be null)`;
  return null;
}

function commitAuthor(who) {
  if (who && who.minted) return `${config.app_slug}[bot] <1+${config.app_slug}[bot]@users.noreply.github.com>`;
  return `${config.user} <1+${config.user}@users.noreply.github.com>`;
}

// A signature block that only says GitHub signed: what a test can see.
const FAKE_SIGNATURE = '-----BEGIN PGP SIGNATURE-----\n\nwsBcBAABCAAQBQJmZmFrZS1mb3JnZS1zaWduZWQ=\n=fake\n-----END PGP SIGNATURE-----';

function createCommitOnBranch(input, who) {
  let problem = gqlFields(input, 'CreateCommitOnBranchInput',
    { branch: 'object', clientMutationId: 'string', expectedHeadOid: 'string', fileChanges: 'object', message: 'object' },
    ['branch', 'expectedHeadOid', 'message']);
  problem ??= gqlFields(input.branch, 'CommittableBranch', { repositoryNameWithOwner: 'string', branchName: 'string', id: 'string' });
  problem ??= gqlFields(input.message, 'CommitMessage', { headline: 'string', body: 'string' }, ['headline']);
  problem ??= gqlFields(input.fileChanges ?? {}, 'FileChanges', { additions: 'array', deletions: 'array' });
  if (problem) return gqlError(problem);
  const additions = input.fileChanges?.additions ?? [];
  const deletions = input.fileChanges?.deletions ?? [];
  for (const a of additions) problem ??= gqlFields(a, 'FileAddition', { path: 'string', contents: 'string' }, ['path', 'contents']);
  for (const d of deletions) problem ??= gqlFields(d, 'FileDeletion', { path: 'string' }, ['path']);
  if (problem) return gqlError(problem);
  const paths = [...additions, ...deletions].map((c) => c.path);
  if (new Set(paths).size !== paths.length)
    return gqlError('Paths must be unique across additions and deletions. At least one path was included more than once.');
  const full = input.branch.repositoryNameWithOwner;
  const branch = (input.branch.branchName || '').replace(/^refs\/heads\//, '');
  if (!full || !branch) return gqlError('fake-forge: name the branch by repositoryNameWithOwner and branchName');
  if (who.minted && full.split('/')[0].toLowerCase() !== who.minted.owner.toLowerCase())
    return gqlError(`Could not resolve to a Repository with the name '${full}'.`, 'NOT_FOUND');
  const dir = gitDir(full);
  if (!dir) return gqlError(`Could not resolve to a Repository with the name '${full}'.`, 'NOT_FOUND');
  const head = realTip(dir, branch);
  if (!head) return gqlError(`A ref named "refs/heads/${branch}" does not exist.`, 'NOT_FOUND');
  if (head !== input.expectedHeadOid)
    return gqlError(`Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`, 'STALE_DATA');
  // A private index; update-index wants a work tree, never looked at here.
  const scratchDir = fs.mkdtempSync(path.join(opts.stateDir || '/tmp', 'commit-'));
  const index = path.join(scratchDir, 'index');
  const env = { GIT_INDEX_FILE: index, GIT_WORK_TREE: scratchDir };
  try {
    git(dir, ['read-tree', head], undefined, env);
    for (const d of deletions) {
      try {
        git(dir, ['ls-files', '--error-unmatch', '--', d.path], undefined, env);
      } catch {
        return gqlError(`A path was requested for deletion which does not exist as of commit oid \`${head}\``);
      }
      git(dir, ['update-index', '--force-remove', '--', d.path], undefined, env);
    }
    for (const a of additions) {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(a.contents) || a.contents.length % 4 !== 0)
        return gqlError(`The contents of ${a.path} are not valid base64.`);
      const blob = git(dir, ['hash-object', '-w', '--stdin'], Buffer.from(a.contents, 'base64'));
      git(dir, ['update-index', '--add', '--cacheinfo', `100644,${blob},${a.path}`], undefined, env);
    }
    const tree = git(dir, ['write-tree'], undefined, env);
    const when = `${Math.floor(Date.now() / 1000)} +0000`;
    const sig = FAKE_SIGNATURE.split('\n').join('\n ');
    const message = input.message.body ? `${input.message.headline}\n\n${input.message.body}` : input.message.headline;
    const text = `tree ${tree}\nparent ${head}\nauthor ${commitAuthor(who)} ${when}\n` +
      `committer GitHub <noreply@github.com> ${when}\ngpgsig ${sig}\n\n${message}\n`;
    const oid = git(dir, ['hash-object', '-t', 'commit', '-w', '--stdin'], text);
    git(dir, ['update-ref', `refs/heads/${branch}`, oid, head]);
    return json(200, {
      data: {
        createCommitOnBranch: {
          commit: { oid, url: `https://github.com/${full}/commit/${oid}`, tree: { oid: tree } },
          ref: { name: `refs/heads/${branch}`, repository: { id: repoNodeId(full), nameWithOwner: full } },
        },
      },
    });
  } finally {
    fs.rmSync(scratchDir, { recursive: true, force: true });
  }
}

function updateRefs(input, who) {
  let problem = gqlFields(input, 'UpdateRefsInput', { clientMutationId: 'string', repositoryId: 'string', refUpdates: 'array' }, ['repositoryId', 'refUpdates']);
  for (const u of input?.refUpdates ?? []) {
    problem ??= gqlFields(u, 'RefUpdate', { name: 'string', afterOid: 'string', beforeOid: 'string', force: 'boolean' }, ['name', 'afterOid']);
    for (const k of ['afterOid', 'beforeOid'])
      if (!problem && k in u && !/^[0-9a-f]{40}$/.test(u[k]))
        problem = `Variable $input of type UpdateRefsInput! was provided invalid value for refUpdates.${k} (Could not coerce value "${u[k]}" to GitObjectID)`;
  }
  if (problem) return gqlError(problem);
  let full = null;
  if (/^R_[A-Za-z0-9_-]+$/.test(input.repositoryId)) full = Buffer.from(input.repositoryId.slice(2), 'base64url').toString('utf8');
  const dir = full && gitDir(full);
  if (!dir || (who.minted && full.split('/')[0].toLowerCase() !== who.minted.owner.toLowerCase()))
    return gqlError(`Could not resolve to a node with the global id of '${input.repositoryId}'`, 'NOT_FOUND');
  // One transaction: every update or none, each checked against beforeOid.
  const lines = ['start'];
  for (const u of input.refUpdates) {
    if (!/^refs\/heads\/./.test(u.name)) return gqlError(`Invalid ref name: ${u.name}`);
    const name = u.name.slice('refs/heads/'.length);
    const before = u.beforeOid;
    if (!u.force && before && before !== ZERO_OID && u.afterOid !== ZERO_OID) {
      try {
        git(dir, ['merge-base', '--is-ancestor', before, u.afterOid]);
      } catch {
        return gqlError(`Update of ${u.name} is not a fast forward`);
      }
    }
    if (u.afterOid === ZERO_OID) lines.push(before ? `delete ${u.name} ${before}` : `delete ${u.name}`);
    else if (before === ZERO_OID) lines.push(`create ${u.name} ${u.afterOid}`);
    else if (before) lines.push(`update ${u.name} ${u.afterOid} ${before}`);
    else lines.push(`update ${u.name} ${u.afterOid}`);
    if (!name) return gqlError(`Invalid ref name: ${u.name}`);
  }
  lines.push('prepare', 'commit');
  try {
    git(dir, ['update-ref', '--stdin'], lines.join('\n') + '\n');
  } catch {
    return gqlError('A ref was not at its beforeOid: no ref was updated');
  }
  return json(200, { data: { updateRefs: { clientMutationId: input.clientMutationId ?? null } } });
}

function handleGraphql(req, body) {
  if (req.method !== 'POST') return notFound();
  if (!body || typeof body.query !== 'string') return json(400, { message: 'Problems parsing JSON' });
  const input = body.variables?.input;
  if (/^\s*mutation\s*\(\s*\$input\s*:\s*CreateCommitOnBranchInput!\s*\)\s*\{\s*createCommitOnBranch\s*\(\s*input\s*:\s*\$input\s*\)/.test(body.query))
    return createCommitOnBranch(input, req.who);
  if (/^\s*mutation\s*\(\s*\$input\s*:\s*UpdateRefsInput!\s*\)\s*\{\s*updateRefs\s*\(\s*input\s*:\s*\$input\s*\)/.test(body.query))
    return updateRefs(input, req.who);
  return gqlError('fake-forge: only the createCommitOnBranch and updateRefs mutations are served');
}

function newPr(full, repo, fields) {
  const t = nowIso();
  const pr = {
    id: state.next_id++,
    number: repo.next_number++,
    title: fields.title,
    body: fields.body ?? null,
    state: fields.state || 'open',
    draft: !!fields.draft,
    merged: !!fields.merged,
    head: fields.head,
    head_sha: fields.head_sha || branchSha(full, repo, fields.head),
    base: fields.base || repo.default_branch,
    user: fields.user || config.user,
    labels: fields.labels || [],
    requested_reviewers: fields.requested_reviewers || [],
    requested_teams: fields.requested_teams || [],
    created_at: t,
    updated_at: t,
    closed_at: fields.state === 'closed' || fields.merged ? t : null,
    merged_at: fields.merged ? t : null,
  };
  if (pr.merged) pr.state = 'closed';
  repo.pulls.push(pr);
  return pr;
}

function patchPr(req, prefix, full, repo, pr, body) {
  const bad = checkFields(body, { title: 'string', body: 'string', state: 'string', base: 'string' });
  if (bad) return bad;
  if (!Object.keys(body).length) return invalid('fake-forge: empty update');
  if (body.state !== undefined) {
    if (!['open', 'closed'].includes(body.state))
      return invalid('Validation Failed', [{ resource: 'PullRequest', field: 'state', code: 'invalid' }]);
    if (body.state === 'open' && pr.state === 'closed') {
      if (pr.merged) return invalid('Validation Failed', [{ resource: 'PullRequest', code: 'custom', message: 'state cannot be changed. The pull request is already merged.' }]);
      if (!branchExists(full, repo, pr.head))
        return invalid('Validation Failed', [{ resource: 'PullRequest', code: 'custom', message: `state cannot be changed. The ${pr.head} branch has been deleted.` }]);
    }
    if (body.state !== pr.state) pr.closed_at = body.state === 'closed' ? nowIso() : null;
    pr.state = body.state;
  }
  if (body.title !== undefined) pr.title = body.title;
  if (body.body !== undefined) pr.body = body.body;
  if (body.base !== undefined) pr.base = body.base;
  pr.updated_at = nowIso();
  return json(200, renderPr(req, prefix, full, pr, true));
}

// GitHub's limit on an issue body, in characters.
const MAX_ISSUE_BODY = 65536;

function patchIssue(full, issue, body) {
  const bad = checkFields(body, { title: 'string', body: 'string', state: 'string' });
  if (bad) return bad;
  if (!Object.keys(body).length) return invalid('fake-forge: empty update');
  if (body.body !== undefined) {
    if ([...body.body].length > MAX_ISSUE_BODY)
      return invalid('Validation Failed', [{ resource: 'Issue', field: 'body', code: 'custom',
        message: `body is too long (maximum is ${MAX_ISSUE_BODY} characters)` }]);
    const why = outsideChange(issue.body, body.body);
    if (why) {
      (state.violations ??= []).push({ repo: full, number: issue.number, seq, reason: why });
      saveState();
      return invalid(`fake-forge: ${why}`);
    }
    issue.body = body.body;
  }
  if (body.title !== undefined) issue.title = body.title;
  if (body.state !== undefined) {
    if (!['open', 'closed'].includes(body.state))
      return invalid('Validation Failed', [{ resource: 'Issue', field: 'state', code: 'invalid' }]);
    issue.state = body.state;
  }
  issue.updated_at = nowIso();
  return json(200, renderIssue(full, issue));
}

// ---- faults ----------------------------------------------------------------

const FAULT_KINDS = ['drop', 'reset', 'retry-after', '429', 'ratelimit', 'forbidden', 'pr-exists', 'delay'];

function faultKindOk(kind) {
  return kind === undefined || FAULT_KINDS.includes(String(kind)) || /^\d{3}$/.test(String(kind));
}

// Expands a fault's `kind` shorthand into status, headers and body; explicit
// `status`, `headers` and `body` win over what the kind implies.
function faultReply(f, req, parts) {
  const kind = String(f.kind ?? f.status ?? '500');
  let status = 500;
  let headers = {};
  let body;
  if (kind === 'retry-after') {
    status = 403;
    headers['retry-after'] = String(f.seconds ?? 60);
    body = { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' };
  } else if (kind === '429') {
    status = 429;
    if (f.seconds !== undefined) headers['retry-after'] = String(f.seconds);
    body = { message: 'Too many requests' };
  } else if (kind === 'ratelimit') {
    status = 403;
    headers['x-ratelimit-remaining'] = '0';
    headers['x-ratelimit-reset'] = String(f.reset ?? Math.floor(Date.now() / 1000) + 60);
    body = { message: 'API rate limit exceeded for user ID 1.' };
  } else if (kind === 'forbidden') {
    status = 403;
    body = { message: 'Resource not accessible by integration' };
  } else if (kind === 'pr-exists') {
    status = 422;
    body = {
      message: 'Validation Failed',
      errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${parts[1] || 'owner'}:${f.branch || 'branch'}.` }],
    };
  } else if (/^\d{3}$/.test(kind)) {
    status = Number(kind);
    body = { message: status >= 500 ? 'Server Error' : 'Injected' };
  }
  if (f.status !== undefined) status = Number(f.status);
  if (f.headers) headers = { ...headers, ...f.headers };
  if (f.body !== undefined) body = f.body;
  return new Reply(status, body ?? null, headers);
}

function takeFault(method, pathname, after) {
  for (let i = 0; i < faults.length; i++) {
    const f = faults[i];
    if (!!f.after !== after) continue;
    if (f.method && f.method !== '*' && f.method.toUpperCase() !== method) continue;
    if (f.path && !new RegExp(f.path).test(pathname)) continue;
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) faults.splice(i, 1);
    return f;
  }
  return null;
}

// Answers with the first bytes of a response and hangs up: the client has
// received data, so libcurl cannot quietly retry on another connection.
function dropConnection(res) {
  const sock = res.socket;
  sock.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"trunc');
  sock.destroy();
}

// ---- the server ------------------------------------------------------------

// Whether the Authorization header is good, and which credential it is:
// the token, a GitHub App's JWT, or one of its installation tokens.
function authState(req) {
  const h = req.headers.authorization;
  if (h === undefined) return { auth: 'missing', credential: null };
  if (h === `Bearer ${config.token}`) return { auth: 'ok', credential: 'token' };
  const bearer = /^Bearer (.+)$/.exec(h);
  if (!bearer) return { auth: 'wrong', credential: null };
  const m = minted.find((x) => x.token === bearer[1]);
  if (m) {
    if (m.expires <= Date.now() / 1000) return { auth: 'expired', credential: `installation:${m.n}` };
    return { auth: 'ok', credential: `installation:${m.n}`, minted: m };
  }
  if (config.app_id && bearer[1].split('.').length === 3) {
    const problem = jwtProblem(bearer[1]);
    return problem ? { auth: 'wrong', credential: 'jwt', problem } : { auth: 'ok', credential: 'jwt' };
  }
  return { auth: 'wrong', credential: null };
}

function loggedHeaders(req) {
  const out = {};
  for (const [k, v] of Object.entries(req.headers))
    out[k] = k === 'authorization' ? '<redacted>' : v;
  return out;
}

function checkHeaders(req) {
  const problems = [];
  if (req.headers.accept !== 'application/vnd.github+json')
    problems.push(`Accept is "${req.headers.accept ?? ''}", want application/vnd.github+json`);
  if (req.headers['x-github-api-version'] !== '2022-11-28')
    problems.push('X-GitHub-Api-Version is missing or not 2022-11-28');
  if (!(req.headers['user-agent'] || '').startsWith('handoff/'))
    problems.push('User-Agent does not start with handoff/');
  return problems;
}

function send(res, reply, extraHeaders) {
  const headers = { ...extraHeaders, ...reply.headers };
  if (reply.status === 204 || reply.status === 304 || reply.body === null) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  headers['content-type'] = 'application/json; charset=utf-8';
  headers['content-length'] = Buffer.byteLength(text);
  res.writeHead(reply.status, headers);
  res.end(text);
}

function rateHeaders(counted) {
  if (counted && rateRemaining > 0) rateRemaining--;
  return {
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': String(rateRemaining),
    'x-ratelimit-used': String(5000 - rateRemaining),
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    'x-ratelimit-resource': 'core',
  };
}

function handleControl(req, res, parts, text) {
  let body = null;
  if (text.length) {
    try {
      body = JSON.parse(text);
    } catch {
      return send(res, json(400, { message: 'control: invalid JSON' }));
    }
  }
  const what = parts.slice(1).join('/');
  const m = req.method;
  const ok = (b) => send(res, json(200, b ?? { ok: true }));
  if (what === 'log' && m === 'GET') return ok({ requests: requestLog });
  if (what === 'log' && m === 'DELETE') {
    requestLog = [];
    return ok();
  }
  if (what === 'state' && m === 'GET') return ok(state);
  if (what === 'reset' && m === 'POST') {
    state = emptyState();
    requestLog = [];
    faults = [];
    seq = 0;
    rateRemaining = 5000;
    minted = [];
    installIds = {};
    writeTokensFile();
    saveState();
    return ok();
  }
  if (what === 'inject' && m === 'POST') {
    const list = Array.isArray(body?.faults) ? body.faults : [body];
    for (const f of list) {
      if (!f || typeof f !== 'object') return send(res, json(400, { message: 'control: a fault is an object' }));
      if (!faultKindOk(f.kind))
        return send(res, json(400, { message: `control: unknown fault kind ${f.kind}; one of ${FAULT_KINDS.join(', ')} or a status code` }));
      if (f.path) {
        try {
          new RegExp(f.path);
        } catch {
          return send(res, json(400, { message: `control: bad path regex ${f.path}` }));
        }
      }
      faults.push({ ...f });
    }
    return ok({ queued: faults.length });
  }
  if (what === 'inject' && m === 'GET') return ok({ faults });
  if (what === 'inject' && m === 'DELETE') {
    faults = [];
    return ok();
  }
  if (what === 'config' && m === 'POST') {
    for (const k of ['page_size', 'user', 'token', 'app_id', 'app_slug', 'installations', 'token_lifetime'])
      if (body && k in body) config[k] = body[k];
    if (body && 'app_key' in body) setAppKey(body.app_key);
    return ok({ ...config, token: config.token ? '<set>' : null });
  }
  if (what === 'tokens' && m === 'GET')
    // what was minted, without the secrets: a test counts and dates them
    return ok({ tokens: minted.map(({ n, installation, owner, expires }) => ({ n, installation, owner, expires })) });
  if (what === 'branches' && m === 'POST') {
    if (!body || typeof body.repo !== 'string') return send(res, json(400, { message: 'control: repo required' }));
    const repo = repoState(body.repo);
    if (body.branches !== undefined) repo.branches = body.branches;
    if (body.default_branch) repo.default_branch = body.default_branch;
    saveState();
    return ok(repo);
  }
  if (what === 'pulls' && m === 'POST') {
    if (!body || typeof body.repo !== 'string' || typeof body.head !== 'string')
      return send(res, json(400, { message: 'control: repo and head required' }));
    const repo = repoState(body.repo);
    const pr = newPr(body.repo, repo, { title: 'seeded', ...body });
    saveState();
    return ok(pr);
  }
  if (what === 'issues' && m === 'POST') {
    // A person opens an issue, or (with number) edits its title or body:
    // not held to the markers, and not in the request log.
    if (!body || typeof body.repo !== 'string') return send(res, json(400, { message: 'control: repo required' }));
    const repo = repoState(body.repo);
    let issue;
    if (body.number !== undefined) {
      issue = repo.issues.find((i) => i.number === body.number);
      if (!issue) return send(res, json(404, { message: 'control: no such issue' }));
    } else {
      const t = nowIso();
      issue = { id: state.next_id++, number: repo.next_number++, title: 'seeded', body: null,
        state: 'open', user: config.user, created_at: t, updated_at: t };
      repo.issues.push(issue);
    }
    for (const k of ['title', 'body', 'state', 'user']) if (k in body) issue[k] = body[k];
    issue.updated_at = nowIso();
    saveState();
    return ok(issue);
  }
  if (what === 'reviews' && m === 'POST') {
    const repo = body && typeof body.repo === 'string' ? state.repos[body.repo] : null;
    const pr = repo && findPr(repo, body.number);
    if (!pr) return send(res, json(404, { message: 'control: no such pull request' }));
    repo.reviews.push({ id: state.next_id++, number: pr.number, user: body.user, state: body.state || 'APPROVED' });
    pr.requested_reviewers = pr.requested_reviewers.filter((u) => u.toLowerCase() !== String(body.user).toLowerCase());
    saveState();
    return ok();
  }
  return send(res, json(404, { message: `control: no ${m} /_control/${what}` }));
}

const MAX_BODY = 1 << 20;

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size <= MAX_BODY) chunks.push(c);
  });
  req.on('end', () => {
    try {
      handle(req, res, Buffer.concat(chunks).toString('utf8'), size > MAX_BODY);
    } catch (e) {
      process.stderr.write(`fake-forge: ${e.stack}\n`);
      if (!res.headersSent) send(res, json(500, { message: `fake-forge crashed: ${e.message}` }));
    }
  });
});

function handle(req, res, text, tooBig) {
  const url = new URL(req.url, 'http://fake');
  let pathname = url.pathname;
  let prefix = '';
  // GitHub Enterprise Server serves the API under /api/v3.
  if (pathname.startsWith('/api/v3/')) {
    prefix = '/api/v3';
    pathname = pathname.slice(prefix.length);
  } else if (pathname === '/api/graphql') {
    // and GraphQL at /api/graphql
    prefix = '/api';
    pathname = '/graphql';
  }
  const parts = pathname.split('/').filter((s) => s.length).map((s) => decodeURIComponent(s));
  if (parts[0] === '_control') return handleControl(req, res, parts, text);

  const entry = {
    seq: ++seq,
    time: Date.now() / 1000,
    method: req.method,
    path: url.pathname + url.search,
    headers: loggedHeaders(req),
    auth: null,
    credential: null,
    body: text,
    status: 0,
    fault: null,
  };
  const who = authState(req);
  entry.auth = who.auth;
  entry.credential = who.credential;
  req.who = who;
  appendLog(entry);
  const common = { 'x-github-request-id': `FAKE:${entry.seq}`, 'x-github-media-type': 'github.v3' };

  const before = takeFault(req.method, pathname, false);
  if (before && before.kind === 'delay') {
    // Answered as usual, only later: lets a test see requests overlap.
    entry.fault = 'delay';
    setTimeout(() => answer(req, res, text, tooBig, url, pathname, prefix, parts, entry, common),
      Number(before.seconds ?? 1) * 1000);
    return;
  }
  if (before) {
    entry.fault = before.kind || String(before.status || '500');
    if (before.kind === 'drop' || before.kind === 'reset') {
      entry.status = -1;
      if (before.kind === 'drop') dropConnection(res);
      else res.socket.destroy();
      return;
    }
    const reply = faultReply(before, req, parts);
    entry.status = reply.status;
    return send(res, reply, common);
  }
  answer(req, res, text, tooBig, url, pathname, prefix, parts, entry, common);
}

// The answer to an API request that no fault replaced beforehand.
function answer(req, res, text, tooBig, url, pathname, prefix, parts, entry, common) {
  let reply;
  const who = req.who;
  const appRoute = isAppRoute(parts);
  if (entry.auth !== 'ok') {
    reply = json(401, { message: who.problem || 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
  } else if (appRoute !== (who.credential === 'jwt')) {
    reply = appRoute
      ? json(401, { message: JWT_UNDECODABLE, documentation_url: 'https://docs.github.com/rest' })
      : json(401, { message: 'fake-forge: a JWT only speaks for the App itself; use an installation token' });
  } else if (who.minted && parts[0] === 'repos' && parts[1] && parts[1].toLowerCase() !== who.minted.owner.toLowerCase()) {
    reply = notFound(); // an installation token sees its own account's repositories only
  } else if (checkHeaders(req).length) {
    reply = json(400, { message: `fake-forge: ${checkHeaders(req).join('; ')}` });
  } else if (tooBig) {
    reply = json(413, { message: 'fake-forge: request body too large' });
  } else {
    let body = null;
    const mutating = req.method !== 'GET' && req.method !== 'HEAD';
    if (text.length) {
      if (!mutating) reply = json(400, { message: 'fake-forge: a GET has no body' });
      else if (!/^application\/json\b/.test(req.headers['content-type'] || ''))
        reply = json(400, { message: 'fake-forge: Content-Type must be application/json' });
      else {
        try {
          body = JSON.parse(text);
        } catch {
          reply = json(400, { message: 'Problems parsing JSON' });
        }
      }
    } else if (req.method === 'POST' || req.method === 'PATCH') {
      reply = json(400, { message: 'fake-forge: a JSON body is required' });
    }
    if (!reply && appRoute) reply = handleApp(req, parts, body);
    if (!reply && parts.length === 1 && parts[0] === 'graphql') reply = handleGraphql(req, body);
    reply ??= handleApi(req, prefix, url, parts, body);
    if (mutating && reply.status < 300) saveState();
  }

  const after = takeFault(req.method, pathname, true);
  if (after) {
    entry.fault = `${after.kind || after.status || '500'} after`;
    if (after.kind === 'drop' || after.kind === 'reset') {
      entry.status = -1;
      if (after.kind === 'drop') dropConnection(res);
      else res.socket.destroy();
      return;
    }
    reply = faultReply(after, req, parts);
  }

  if (reply.status === 200 && req.method === 'GET') {
    const tag = `W/"${crypto.createHash('sha1').update(JSON.stringify(reply.body) + (reply.headers.link || '')).digest('hex')}"`;
    reply.headers.etag = tag;
    const inm = req.headers['if-none-match'];
    if (inm && inm.split(/\s*,\s*/).includes(tag)) reply = new Reply(304, null, { etag: tag });
  }
  entry.status = reply.status;
  send(res, reply, { ...common, ...rateHeaders(reply.status !== 304) });
}

server.listen(opts.port, '127.0.0.1', () => {
  const port = server.address().port;
  if (opts.stateDir) fs.writeFileSync(path.join(opts.stateDir, 'port'), `${port}\n`);
  process.stdout.write(`listening ${port}\n`);
});

if (opts.exitWithStdin) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));

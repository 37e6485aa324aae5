#!/usr/bin/env python3
"""Writes the seed corpora under tests/fuzz/corpus/<target>/ from files the
project ships: the configuration in recipes/, tests/config-cases,
tests/check-cases and tests/plan-config, workflows of tests/sample-fleet and
tests/golden, and the templates. Run once; tests/fuzz/run then keeps the
corpora, merged and minimal. Names are the sha1 of the content, as
libFuzzer names its own finds."""
import glob, hashlib, os, re, sys

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEP = b"\n%%%%\n"

def rd(p):
    with open(os.path.join(root, p), "rb") as f:
        return f.read()

def put(target, data, limit):
    if len(data) > limit:
        return
    d = os.path.join(root, "tests/fuzz/corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)

def join(parts):
    return SEP.join(p if p.endswith(b"\n") else p + b"\n" for p in parts)

# --- fuzz_config: fleet, capabilities, exceptions, contract, 2 recipes
def config_set(d, recipes):
    parts = [rd(f"{d}/{n}") for n in ("fleet.yml", "capabilities.yml", "exceptions.yml", "contract.yml")]
    parts += [rd(r) for r in recipes[:2]]
    return join(parts)

for d in ("tests/config-cases/base", "tests/plan-config", "tests/check-cases/config", "recipes"):
    recs = sorted(glob.glob(os.path.join(root, d, "*.recipe.yml")))
    recs = [os.path.relpath(r, root) for r in recs]
    if not recs:
        put("fuzz_config", config_set(d, []), 16384)
    for i in range(0, max(len(recs), 1), 2):
        put("fuzz_config", config_set(d, recs[i:i + 2]), 16384)
# the malformed cases: each replaces one file of the base set
base = {n: rd(f"tests/config-cases/base/{n}") for n in
        ("fleet.yml", "capabilities.yml", "exceptions.yml", "contract.yml")}
base["a.recipe.yml"] = rd("tests/config-cases/base/tenant.recipe.yml")
for case in sorted(glob.glob(os.path.join(root, "tests/config-cases/malformed/*.case"))):
    files = dict(base)
    text = open(case, "rb").read()
    for m in re.finditer(rb"^--- file (\S+)\n(.*?)(?=^--- )", text, re.S | re.M):
        name = m.group(1).decode()
        if name.endswith(".recipe.yml"):
            name = "a.recipe.yml" if name == "tenant.recipe.yml" else "b.recipe.yml"
        files[name] = m.group(2)
    order = ["fleet.yml", "capabilities.yml", "exceptions.yml", "contract.yml", "a.recipe.yml", "b.recipe.yml"]
    put("fuzz_config", join([files.get(n, b"") for n in order]), 16384)

# --- fuzz_splice: a 9-byte header of edits, then a workflow
workflows = sorted(set(glob.glob(os.path.join(root, "tests/sample-fleet/**/.github/workflows/*.yml"), recursive=True) +
                       glob.glob(os.path.join(root, "tests/golden/*/before/.github/workflows/*.yml"), recursive=True)))
seen = set()
for i, w in enumerate(workflows):
    data = open(w, "rb").read()
    if data in seen:
        continue
    seen.add(data)
    h = hashlib.sha1(data).digest()
    header = bytes([i % 4]) + h[:8]
    put("fuzz_splice", header + data, 8192)

# --- fuzz_template: a template, then values repo, family, context, product
values = [b"acme/tenant-a", b"tenant", b"cm", b"odoo-tenant-cm"]
hostile = [b"a: b\n- c", b"\"quoted\" # not a comment", b"*alias &anchor !tag", b"${{ secrets.X }}"]
tpls = (glob.glob(os.path.join(root, "recipes/*.tmpl")) + glob.glob(os.path.join(root, "archive-templates/*.tmpl")) +
        glob.glob(os.path.join(root, "tests/golden/*/templates/*")) + glob.glob(os.path.join(root, "tests/golden/*/*.tmpl")))
for t in sorted(set(tpls)):
    data = open(t, "rb").read()
    put("fuzz_template", join([data] + values), 4096)
    put("fuzz_template", join([data] + hostile), 4096)
for body in (b"jobs:\n  check:\n    uses: {{repo}}/.github/workflows/x.yml@main\n    with:\n      context: {{context}}\n      list: [{{family}}, '{{product}}']\n      note: \"{{repo}} in {{family}}\"\n",
             b"# {{repo}}\nname: Contract check {{product}}\non: [push]\nenv: {A: {{context}}}\nrun: |\n  echo {{family}}\n"):
    put("fuzz_template", join([body] + values), 4096)
    put("fuzz_template", join([body] + hostile), 4096)

# --- fuzz_contract: contract.yml, a path, the file, exceptions.yml
contracts = ["recipes/contract.yml", "tests/check-cases/config/contract.yml", "tests/config-cases/base/contract.yml",
             "tests/plan-config/contract.yml"]
files = sorted(glob.glob(os.path.join(root, "tests/check-cases/fixtures/**/*"), recursive=True) +
               glob.glob(os.path.join(root, "tests/sample-fleet/*/.github/workflows/*.yml")) +
               glob.glob(os.path.join(root, "tests/sample-fleet/*/scripts/*")))
files = [f for f in files if os.path.isfile(f) and os.path.getsize(f) < 3000]
exc = rd("tests/check-cases/config/exceptions.yml")
for i, f in enumerate(files):
    c = contracts[i % len(contracts)]
    rel = os.path.relpath(f, root).split("/", 3)[-1].encode()
    parts = [rd(c), rel, open(f, "rb").read()]
    if c.startswith("tests/check-cases"):
        parts.append(exc)
    put("fuzz_contract", join(parts), 8192)

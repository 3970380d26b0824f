#!/usr/bin/env node
// A second JSON Schema implementation next to Python's jsonschema: ajv (Draft 2020-12) in strict mode.
//
//   node tools/ajv/ajv.mjs compile [SCHEMA.json...]
//       Compiles every published schema (default: src/inclusione_core/schemas/*.schema.json,
//       territories/*/instruments/*.schema.json, plugins/*/src/*/schemas/*.schema.json) with
//       new Ajv2020({strict: true, allErrors: true}) + ajv-formats; for a schema that fails, a
//       second pass with strict: "log" lists every problem, not only the first one thrown.
//       Exit status: 0 all compile, 1 some schema has problems, 2 usage error.
//
//   node tools/ajv/ajv.mjs validate BATCH.json
//       BATCH is {"schemas": [paths...], "extra": [schemas...], "instances": [{"schema": "$id",
//       "data": ...}, ...]}: the schemas (files, and "extra" ones given inline, such as
//       {"$id": "urn:x", "$ref": "https://...case.schema.json#/$defs/Member"} to validate one
//       definition) are loaded together, so that one may $ref another by its $id; each instance
//       is validated against its schema and one JSON line is printed per instance, in order:
//       {"i": 0, "valid": false, "errors": [{"instancePath": "/a", "keyword": "type", ...}]}.
//       Exit status: 0 verdicts printed (valid or not), 2 a schema does not compile or bad usage.
//
// Install once with `npm ci --prefix tools/ajv` (the versions are pinned in package-lock.json).
import {existsSync, readdirSync, readFileSync} from "node:fs";
import {dirname, join, relative, resolve} from "node:path";
import {fileURLToPath} from "node:url";

import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..", "..");
const AJV_VERSION = JSON.parse(readFileSync(join(HERE, "node_modules", "ajv", "package.json"), "utf-8")).version;

// Annotation keywords of the published schemas (no validation): registered, not deleted, so
// that strict mode still refuses any other unknown keyword (a typo such as "x-categroy").
const ANNOTATIONS = ["x-category", "x-special-category", "x-export", "x-subject", "x-source", "x-format-version"];

function makeAjv(strict, logger) {
  const options = {strict, allErrors: true};
  if (logger) options.logger = logger;
  const ajv = new Ajv2020(options);
  addFormats(ajv);  // "full" mode: a date is a real calendar date
  // OpenAPI's numeric formats (the HTTP contract gives every number one)
  ajv.addFormat("int32", {type: "number", validate: (x) => Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 31});
  ajv.addFormat("int64", {type: "number", validate: (x) => Number.isInteger(x)});
  ajv.addFormat("float", {type: "number", validate: () => true});
  ajv.addFormat("double", {type: "number", validate: () => true});
  for (const keyword of ANNOTATIONS) ajv.addKeyword({keyword});
  return ajv;
}

function list(dir, test) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter(test).sort().map((name) => join(dir, name));
}

function publishedSchemas() {
  const isSchema = (name) => name.endsWith(".schema.json");
  const out = list(join(ROOT, "src", "inclusione_core", "schemas"), isSchema);
  for (const territory of list(join(ROOT, "territories"), () => true)) {
    out.push(...list(join(territory, "instruments"), isSchema));
  }
  for (const plugin of list(join(ROOT, "plugins"), () => true)) {
    for (const pkg of list(join(plugin, "src"), () => true)) {
      out.push(...list(join(pkg, "schemas"), isSchema));
    }
  }
  return out;
}

function load(paths) {
  return paths.map((path) => {
    const schema = JSON.parse(readFileSync(path, "utf-8"));
    return {path, schema, key: schema.$id ?? resolve(path)};
  });
}

function message(error) {
  return error instanceof Error ? error.message : String(error);
}

function compile(paths) {
  const files = load(paths.length ? paths : publishedSchemas());
  const strict = makeAjv(true);
  const logged = [];
  const sink = (...m) => logged.push(m.join(" "));
  let lenient = null;  // a second instance, strict: "log", made only to list every problem of a failing schema
  for (const f of files) {
    try {
      strict.addSchema(f.schema, f.schema.$id ? undefined : f.key);
    } catch (error) {
      f.addError = message(error);
    }
  }
  let bad = 0;
  let count = 0;
  for (const f of files) {
    const problems = [];
    try {
      if (f.addError) throw new Error(f.addError);
      strict.getSchema(f.key);
    } catch (error) {
      if (!lenient) {
        lenient = makeAjv("log", {log() {}, warn: sink, error: sink});
        for (const g of files) {
          try {
            lenient.addSchema(g.schema, g.schema.$id ? undefined : g.key);
          } catch {
            // reported by the strict instance
          }
        }
      }
      logged.length = 0;
      try {
        lenient.getSchema(f.key);
      } catch (again) {
        problems.push(message(again));
      }
      problems.push(...logged);
      if (!problems.length) problems.push(message(error));
    }
    const unique = [...new Set(problems)];
    const name = relative(process.cwd(), f.path) || f.path;
    if (unique.length) {
      bad += 1;
      count += unique.length;
      console.log(`FAIL  ${name} (${unique.length} ${unique.length === 1 ? "problem" : "problems"})`);
      for (const p of unique) console.log(`        - ${p}`);
    } else {
      console.log(`ok    ${name}`);
    }
  }
  console.log(`${files.length} schemas compiled by ajv ${AJV_VERSION} (Draft 2020-12, strict mode): ` +
              `${files.length - bad} ok, ${bad} with problems (${count} problems)`);
  return bad ? 1 : 0;
}

function validate(batchPath) {
  const batch = JSON.parse(readFileSync(batchPath, "utf-8"));
  const ajv = makeAjv(true);
  const files = load(batch.schemas);
  for (const schema of batch.extra ?? []) files.push({path: schema.$id, schema, key: schema.$id});
  for (const f of files) ajv.addSchema(f.schema, f.schema.$id ? undefined : f.key);
  const validators = new Map();
  for (const f of files) {
    try {
      validators.set(f.key, ajv.getSchema(f.key));
    } catch (error) {
      console.error(`${f.path}: ${message(error)}`);
      return 2;
    }
  }
  const lines = [];
  batch.instances.forEach((item, i) => {
    const check = validators.get(item.schema);
    if (!check) throw new Error(`instance ${i}: unknown schema ${item.schema}`);
    const valid = check(item.data);
    const errors = valid ? [] : check.errors.map((e) => ({
      instancePath: e.instancePath, keyword: e.keyword, schemaPath: e.schemaPath, message: e.message,
    }));
    lines.push(JSON.stringify({i, valid, errors}));
  });
  process.stdout.write(lines.length ? lines.join("\n") + "\n" : "");
  return 0;
}

function main(argv) {
  const [mode, ...rest] = argv;
  if (mode === "compile") return compile(rest.map((p) => resolve(p)));
  if (mode === "validate" && rest.length === 1) return validate(rest[0]);
  console.error("usage: node tools/ajv/ajv.mjs compile [SCHEMA.json...] | validate BATCH.json");
  return 2;
}

process.exitCode = main(process.argv.slice(2));

#!/usr/bin/env node
// Starts the CLI bundle with V8's code cache: compiling the 8 MB bundle is most of a warm
// `parity run`'s own start-up, and a cached compilation is reused by every later command. The cache
// lives under $XDG_CACHE_HOME/parity/v8 (~/.cache/parity/v8), keyed by Node's version and the
// bundle's size, times and inode; where it cannot be read or written, the bundle is simply
// compiled again.
"use strict";
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const os = require("node:os");
const path = require("node:path");
const vm = require("node:vm");

const bundle = path.join(__dirname, "..", "dist", "cli.js");

function cacheFile() {
  const stat = fs.statSync(bundle);
  const key = createHash("sha256")
    .update(
      `${process.version}\0${process.arch}\0${bundle}\0${stat.size}\0${stat.mtimeMs}\0${stat.ctimeMs}\0${stat.ino}`,
    )
    .digest("hex")
    .slice(0, 16);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "parity", "v8", `cli-${key}.bin`);
}

function readOrNothing(file) {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Written whole and renamed into place, so a command started meanwhile never reads half of it; the
 * caches of earlier bundles go (one is kept per bundle).
 */
function writeQuietly(file, data) {
  const partial = `${file}.${os.hostname()}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(partial, data);
    fs.renameSync(partial, file);
    for (const name of fs.readdirSync(path.dirname(file))) {
      if (/^cli-[0-9a-f]{16}\.bin$/.test(name) && name !== path.basename(file)) {
        fs.rmSync(path.join(path.dirname(file), name), { force: true });
      }
    }
  } catch {
    // No cache this time: the next command compiles the bundle again.
    fs.rmSync(partial, { force: true });
  }
}

function start() {
  let cache;
  try {
    cache = cacheFile();
  } catch {
    return require(bundle);
  }
  const cachedData = readOrNothing(cache);
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, "utf8")), {
    filename: bundle,
    cachedData,
  });
  const module = new Module(bundle, null);
  module.filename = bundle;
  module.paths = Module._nodeModulePaths(path.dirname(bundle));
  // Functions compiled by the time the command ends are in the cache too, so it is made at exit.
  if (!cachedData || script.cachedDataRejected)
    process.once("exit", () => writeQuietly(cache, script.createCachedData()));
  const wrapper = script.runInThisContext();
  wrapper.call(
    module.exports,
    module.exports,
    Module.createRequire(bundle),
    module,
    bundle,
    path.dirname(bundle),
  );
}

start();

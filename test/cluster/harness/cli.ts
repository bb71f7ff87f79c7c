import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { cacheDir, clusterBinaries } from "./binaries.js";
import { loadState, memoryByComponent, startCluster, stopCluster } from "./cluster.js";
import { isOurs } from "./processes.js";
import { kubeflowCrdSources, kwokCrdSources, kwokStageSources, readModuleFiles } from "./assets.js";

/** `npm run cluster:up` / `cluster:down`: the test control plane for people, in .cache/cluster. */
export async function main(command: string | undefined, repoRoot: string): Promise<void> {
  const workDir = resolve(repoRoot, ".cache", "cluster");
  const running = loadState(workDir);
  if (command === "up") {
    if (running?.components.some(isOurs)) {
      console.log(`A test cluster is already running (${workDir}); run npm run cluster:down first.`);
      process.exitCode = 1;
      return;
    }
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    const started = Date.now();
    const state = await startCluster({
      binDir: await clusterBinaries(),
      workDir,
      cacheDir: cacheDir(),
      log: (line) => console.log(`… ${line}`),
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const memory = Object.values(memoryByComponent(state)).reduce((a, b) => a + b, 0);
    console.log(`\nControl plane ready in ${seconds} s (${(memory / 2 ** 20).toFixed(0)} MiB resident).`);
    console.log(`  API server:            ${state.server}`);
    console.log(`  admin kubeconfig:      ${state.kubeconfigs.admin}`);
    console.log(
      `  restricted kubeconfig: ${state.kubeconfigs.restricted} (user ${state.restrictedUser}, no rights)`,
    );
    console.log(`  component logs:        ${join(workDir, "logs")}`);
    console.log(
      "  Katib:                 controller and webhooks run; its suggestion services and DB manager are\n" +
        "                         played only by the vitest cluster project, so Experiments get no trials here",
    );
    console.log(`\nPoint Parity at it:  export KUBECONFIG=${state.kubeconfigs.admin}`);
    console.log(`(or set the profile's cluster context to parity-test-parity-admin with that kubeconfig)`);
    console.log(`Stop it with:        npm run cluster:down`);
  } else if (command === "prefetch") {
    // Module zips the cluster reads at start-up (CRDs, kwok stages): fetched before the tests,
    // so a slow module proxy fails here, clearly, and not inside vitest's global setup.
    const sources = [...kwokCrdSources(), ...kubeflowCrdSources, ...kwokStageSources()];
    await readModuleFiles(sources, cacheDir());
    console.log(`cluster modules: ${sources.length} module zips ready`);
  } else if (command === "down") {
    if (!running) {
      console.log(`No test cluster recorded in ${workDir}.`);
      return;
    }
    await stopCluster(running);
    rmSync(workDir, { recursive: true, force: true });
    console.log(`Stopped ${running.components.map((c) => `${c.name} (${c.pid})`).join(", ")}.`);
  } else {
    console.error("usage: cluster up|down|prefetch");
    process.exitCode = 2;
  }
}

import { cp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { describe, expect, inject, test, type TestContext } from "vitest";
import { freshNamespace, kubeConfig } from "../cluster/harness/context";
import { inferenceServices, readInferenceService, type InferenceService } from "../cluster/harness/kserve";
import { said } from "../integration/helpers/pipelineRuns";
import { runCli } from "../integration/helpers/workspace";
import { repoRoot } from "./harness/paths";
import { openVsCode } from "./harness/session";
import type { Workbench } from "./harness/workbench";

// Deploy Model to the Cluster in a real VS Code against the test control plane: the serving
// fixture's model (trained by the CLI in the test's process, `-p C=...` for another model) built
// into its serving image by the real Docker engine, pushed to the loopback registry and deployed as
// an InferenceService, which KServe v0.20.0's own controller serves in Standard mode. kwok runs no
// container: nothing answers at the endpoint's URLs, and the panel must say so.
const DEPLOY_TIMEOUT = 600_000;
const COMMAND = "Parity: Deploy Model to the Cluster (KServe)";

/** The serving fixture in `<workspace>/serving`, pushing to the loopback registry and deploying to `namespace`. */
async function servingOnCluster(
  workspace: string,
  where: { context: string; namespace: string; registry: string; protect: boolean },
): Promise<string> {
  const dir = path.join(workspace, "serving");
  await cp(path.join(repoRoot, "test/fixtures/workspaces/serving"), dir, { recursive: true });
  const profile = path.join(dir, "parity.yaml");
  const text = await readFile(profile, "utf8");
  const withRegistry = text.replace(
    '  python: "3.11"\n',
    `  python: "3.11"\n  registry: ${where.registry}/parity-e2e\n`,
  );
  expect(withRegistry).not.toBe(text);
  await writeFile(
    profile,
    `${withRegistry}cluster:\n  context: ${where.context}\n  namespace: ${where.namespace}\n  protected: ${where.protect}\n  nodeSelector: { type: kwok }\n  tolerations: [{ key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }]\n`,
  );
  return dir;
}

/** Trains the notebook with its regularisation C, by the CLI: another C is another model. */
async function train(dir: string, c: string): Promise<void> {
  const run = await runCli(["run", "train.ipynb", "--no-report", "-p", `C=${c}`, "--json"], { cwd: dir });
  expect(run.code, said(run)).toBe(0);
}

/** A window on the serving fixture, deploying to a fresh namespace of the test control plane, its model trained. */
async function openOnCluster(context: TestContext, name: string, protect: boolean) {
  const cluster = inject("parityCluster");
  const registry = inject("parityRegistry");
  const admin = kubeConfig(cluster.kubeconfigs.admin);
  const namespace = await freshNamespace(admin, "e2e-serve");
  let dir = "";
  const { workbench } = await openVsCode(context, {
    name,
    env: { KUBECONFIG: cluster.kubeconfigs.admin },
    prepare: async (workspace) => {
      dir = await servingOnCluster(workspace, {
        context: admin.getCurrentContext(),
        namespace,
        registry: registry.host,
        protect,
      });
      await train(dir, "1.0");
    },
  });
  await workbench.openParityView();
  await workbench.expandView("Endpoints");
  await workbench.openFile("serving/train.ipynb");
  return {
    admin,
    namespace,
    workbench,
    dir,
    cliEnv: { ...process.env, KUBECONFIG: cluster.kubeconfigs.admin },
  };
}

/** The InferenceService, or undefined while there is none. */
function inferenceService(admin: KubeConfig, namespace: string): Promise<InferenceService | undefined> {
  return readInferenceService(admin, namespace, "iris").catch(() => undefined);
}

/** Answers the question an existing endpoint asks: deploy as a canary asking for `percent`. */
async function chooseCanary(workbench: Workbench, percent: number): Promise<void> {
  const widget = workbench.page.locator(".quick-input-widget");
  const option = widget.locator(".monaco-list-row").filter({ hasText: "Deploy as a Canary" }).first();
  await option.waitFor({ timeout: 120_000 });
  expect(await widget.innerText()).toMatch(
    /iris already serves in .*: replace its model, or deploy this one as a canary\?/,
  );
  await workbench.screenshot("replace-or-canary");
  await option.click();
  const input = widget.locator("input.input");
  await expect
    .poll(() => widget.innerText(), { timeout: 10_000 })
    .toContain("share of the endpoint's traffic");
  await input.fill(String(percent));
  await input.press("Enter");
}

/** The Endpoints view's rows, label and description, once one matches `pattern`. */
async function rowsOnceMatching(
  workbench: Workbench,
  pattern: RegExp,
  timeoutMs = DEPLOY_TIMEOUT,
): Promise<string[]> {
  await expect
    .poll(() => workbench.treeTexts("Endpoints"), { timeout: timeoutMs })
    .toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
  return workbench.treeTexts("Endpoints");
}

describe("endpoints on a cluster", () => {
  test(
    "Deploy Model to the Cluster, then a new model as a canary: the Endpoints view says what KServe routes, the panel compares the revisions (neither answers under kwok) and Promote makes the canary stable",
    async (context) => {
      const { admin, namespace, workbench, dir } = await openOnCluster(context, "endpoint-cluster", false);
      await workbench.runCommand(COMMAND);

      // The Endpoints view: iris serving in its namespace, in KServe's Standard mode, at its URL.
      const url = `http://iris-${namespace}.example.com`;
      const serving = new RegExp(
        `^iris\\s*Serving · ${url.replace(/\./g, "\\.")} · model\\.joblib · cluster ${namespace} · Standard mode$`,
      );
      await rowsOnceMatching(workbench, serving);
      await expect
        .poll(() => workbench.notifications(), { timeout: 30_000 })
        .toEqual(
          expect.arrayContaining([`Endpoint iris serves in ${namespace} (KServe Standard mode) at ${url}.`]),
        );
      const stable = (await inferenceService(admin, namespace))!.spec.predictor.name!;
      expect(stable).toMatch(/^m-[0-9a-f]{8}$/);
      await workbench.screenshot("deployed");

      // Another model, as a canary asking for 20 %: KServe 0.20 in Standard mode routes none of it.
      await train(dir, "0.5");
      await workbench.runCommand(COMMAND);
      await chooseCanary(workbench, 20);
      const rows = await rowsOnceMatching(
        workbench,
        /^m-[0-9a-f]{8}\s*20 % · canary · asked for, not routed by KServe$/,
      );
      expect(rows).toEqual(
        expect.arrayContaining([expect.stringMatching(new RegExp(`^${stable}\\s*100 % · stable · routed$`))]),
      );
      const canary = rows.map((row) => /^(m-[0-9a-f]{8})\s*20 % · canary/.exec(row)?.[1]).find(Boolean)!;
      expect(canary).not.toBe(stable);
      await expect
        .poll(() => workbench.notifications(), { timeout: 30_000 })
        .toEqual(
          expect.arrayContaining([
            expect.stringMatching(
              new RegExp(
                `^Endpoint iris in ${namespace} has the new model as its canary \\(${canary}\\)\\. Traffic: ${stable} 100 % routed; ${canary} 20 % asked for, not routed by KServe\\. KServe records the canary's trafficPercent but routes nothing by it`,
              ),
            ),
          ]),
        );
      expect((await inferenceService(admin, namespace))!.spec.canary).toEqual([
        expect.objectContaining({ trafficPercent: 20 }),
      ]);
      await workbench.screenshot("canary-rows");

      // The panel: KServe's conditions, the split as KServe routes it, Promote and Roll Back enabled.
      await workbench.contextMenu(workbench.treeRow("Endpoints", "iris").first(), "Open Endpoint");
      const panel = await workbench.webviewFrame("Endpoint: iris");
      await expect
        .poll(() => panel.locator('[data-testid="traffic-share"]').count(), { timeout: 30_000 })
        .toBe(2);
      expect(await panel.locator('[data-testid="endpoint-url"]').innerText()).toBe(url);
      expect(
        await panel.locator('[data-testid="conditions"] tr[data-type="Ready"]').getAttribute("data-status"),
      ).toBe("True");
      expect(await panel.locator('[data-testid="endpoint-facts"]').innerText()).toContain(
        `${namespace}.svc.cluster.local`,
      );
      expect(
        await panel
          .locator(`[data-testid="traffic-share"][data-revision="${canary}"]`)
          .getAttribute("data-applied"),
      ).toBe("false");
      expect(await panel.locator('[data-testid="canary-not-routed"]').innerText()).toContain(
        `KServe does not route ${canary}'s 20 %`,
      );
      expect(await panel.locator('[data-testid="promote"]').getAttribute("disabled")).toBeNull();
      expect(await panel.locator('[data-testid="rollback"]').getAttribute("disabled")).toBeNull();

      // The same request to each revision at its own Service: kwok runs no container, so neither
      // answers, and the panel says so plainly.
      await panel.locator('[data-testid="compare"]').click();
      const answers = panel.locator('[data-testid="revision-answer"]');
      await expect.poll(() => answers.count(), { timeout: 150_000 }).toBe(2);
      expect(
        await answers.evaluateAll((each) => each.map((answer) => answer.getAttribute("data-answered"))),
      ).toEqual(["false", "false"]);
      for (const text of await panel.locator('[data-testid="did-not-answer"]').allInnerTexts())
        expect(text).toMatch(
          new RegExp(
            `^Did not answer: no answer from http://iris-m-[0-9a-f]{8}-predictor\\.${namespace}\\.svc\\.cluster\\.local: \\w+ \\(an address inside the cluster`,
          ),
        );
      await workbench.screenshot("endpoint-panel-canary");
      // Send to the endpoint's own URL: nothing answers there either, and the panel says so.
      await panel.locator('[data-testid="send"]').click();
      await expect
        .poll(
          () =>
            panel
              .locator('[data-testid="send-refused"]')
              .innerText()
              .catch(() => ""),
          {
            timeout: 90_000,
          },
        )
        .toMatch(new RegExp(`^The endpoint did not answer: no answer from ${url.replace(/\./g, "\\.")}`));
      expect(await panel.locator('[data-testid="response"]').count()).toBe(0);

      // Promote: KServe's InferenceService has the canary's predictor as its stable one, and no canary.
      await panel.locator('[data-testid="promote"]').click();
      await expect
        .poll(
          () =>
            panel
              .locator('[data-testid="canary-outcome"]')
              .innerText()
              .catch(() => ""),
          {
            timeout: DEPLOY_TIMEOUT,
          },
        )
        .toMatch(
          new RegExp(`^The canary of iris in ${namespace} is promoted: it is the stable model now\\.`),
        );
      const promoted = (await inferenceService(admin, namespace))!;
      expect(promoted.spec.predictor.name).toBe(canary);
      expect(promoted.spec.canary ?? []).toEqual([]);
      await rowsOnceMatching(workbench, new RegExp(`^${canary}\\s*100 % · stable · routed$`), 60_000);
      expect((await workbench.treeTexts("Endpoints")).some((row) => row.includes("not routed"))).toBe(false);
      await workbench.screenshot("promoted");

      // Deleted behind Parity's back (kubectl delete): the view's watch of the InferenceService ends its record.
      await admin.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({
        ...inferenceServices,
        namespace,
        name: "iris",
      });
      await workbench.waitForTreeStatus("Endpoints", "iris", "Stopped", 60_000);
    },
    3 * DEPLOY_TIMEOUT,
  );

  test(
    "in a protected namespace, a canary takes the endpoint's name typed (a wrong name changes nothing), and Stop Endpoint deletes the InferenceService once its name is typed",
    async (context) => {
      const { admin, namespace, workbench, dir, cliEnv } = await openOnCluster(
        context,
        "endpoint-cluster-protected",
        true,
      );
      // The endpoint first, by the CLI: creating one takes no name typed.
      const created = await runCli(["deploy", "train.ipynb", "--target", "cluster", "--json"], {
        cwd: dir,
        env: cliEnv,
      });
      expect(created.code, said(created)).toBe(0);
      await rowsOnceMatching(workbench, /^iris\s*Serving · /, 120_000);
      const before = (await inferenceService(admin, namespace))!;

      await train(dir, "2.0");
      await workbench.runCommand(COMMAND);
      await chooseCanary(workbench, 30);
      const page = workbench.page;
      const widget = page.locator(".quick-input-widget");
      await expect
        .poll(() => widget.innerText(), { timeout: DEPLOY_TIMEOUT })
        .toContain(`${namespace} is a protected namespace: changing the endpoint iris takes its name typed.`);
      const input = widget.locator("input.input");
      await input.fill("iri");
      await input.press("Enter");
      await expect
        .poll(() => widget.locator(".quick-input-message").innerText())
        .toContain("Type iris exactly.");
      await workbench.screenshot("typed-name-wrong");
      await input.press("Escape");
      await expect
        .poll(() => workbench.notifications(), { timeout: 30_000 })
        .toContain("Nothing changed: the endpoint iris was left as it is (its name was not typed).");
      const after = (await inferenceService(admin, namespace))!;
      expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
      expect(after.spec.canary ?? []).toEqual([]);

      // Stop on its row: the InferenceService's name typed exactly, then it is deleted and the row says so.
      await workbench.contextMenu(workbench.treeRow("Endpoints", "iris").first(), "Stop Endpoint");
      await expect
        .poll(() => widget.innerText(), { timeout: 30_000 })
        .toContain(`${namespace} is a protected namespace: type iris`);
      await input.fill("iris-x");
      await input.press("Enter");
      await expect
        .poll(() => widget.locator(".quick-input-message").innerText())
        .toContain("Type iris exactly.");
      expect(await inferenceService(admin, namespace)).toBeDefined();
      await input.fill("iris");
      await input.press("Enter");
      // Gone, or going: KServe's finalizer holds it while its controller cleans up.
      await expect
        .poll(
          async () => {
            const isvc = await inferenceService(admin, namespace);
            return !isvc || Boolean((isvc.metadata as { deletionTimestamp?: string }).deletionTimestamp);
          },
          { timeout: 60_000 },
        )
        .toBe(true);
      await workbench.waitForTreeStatus("Endpoints", "iris", "Stopped", 60_000);
      await workbench.screenshot("stopped");
    },
    2 * DEPLOY_TIMEOUT,
  );
});

/** What a step's limits ask of the machine. */
export interface StepDemand {
  name: string;
  memoryBytes: number;
  nanoCpus: number;
}

/** What the machine has for the pipeline's steps: its free memory and its CPUs. */
export interface HostBudget {
  memoryBytes: number;
  nanoCpus: number;
}

/**
 * Which of the steps ready to run start now, beside those running: in the order given, each whose
 * limits still fit in what the running ones leave of the budget. One step always starts when none
 * runs, even one larger than the budget (its limit is a cap, not a reservation), so nothing waits forever.
 */
export function stepsToStart(
  ready: readonly StepDemand[],
  running: readonly StepDemand[],
  budget: HostBudget,
): { start: string[]; waiting: string[] } {
  let memory = running.reduce((sum, step) => sum + step.memoryBytes, 0);
  let cpus = running.reduce((sum, step) => sum + step.nanoCpus, 0);
  let count = running.length;
  const start: string[] = [];
  const waiting: string[] = [];
  for (const step of ready) {
    const fits = memory + step.memoryBytes <= budget.memoryBytes && cpus + step.nanoCpus <= budget.nanoCpus;
    if (count === 0 || fits) {
      start.push(step.name);
      memory += step.memoryBytes;
      cpus += step.nanoCpus;
      count += 1;
    } else {
      waiting.push(step.name);
    }
  }
  return { start, waiting };
}

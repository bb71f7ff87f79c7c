/**
 * The kinds of work Parity runs. A job run today; a pipeline run (its children are its steps), a
 * tuning experiment (its trials) and a model endpoint add theirs, each in folders of its own
 * (ARCHITECTURE.md says where).
 */
export type WorkloadKind = "job" | "pipeline" | "experiment" | "endpoint";

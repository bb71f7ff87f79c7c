/** The labels Parity puts on the containers of its runs: how it finds them again (events, leftovers). */
export const RUN_LABEL = "dev.parity.run";
/** The notebook a run's container runs (absolute path): a leftover is matched to its record by it too. */
export const NOTEBOOK_LABEL = "dev.parity.notebook";
